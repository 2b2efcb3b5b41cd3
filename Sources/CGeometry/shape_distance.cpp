// shape_distance.cpp: closest distance and points between two primitives.
//
// Which method each pair uses:
//   sphere/capsule vs sphere/capsule: segment-segment closest points, minus radii (exact, signed).
//   sphere vs box, sphere vs cylinder: nearest point on the solid, signed (exact).
//   anything vs plane: the support point against the normal, signed (exact; the plane bounds the half-space below it).
//   box/capsule/cylinder vs box/capsule/cylinder (not capsule-capsule): GJK on the cores, minus radii;
//     signed (exact) while the cores are apart, 0 once the cores themselves overlap.
// Every method writes points with point_b - point_a = distance * n, n the unit normal from a towards b.
#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "convex_core.hpp"
#include "geometry.h"
#include "gjk.hpp"

namespace wm {
namespace {

struct Contact {
  double distance;
  Vec3 point_a;
  Vec3 point_b;
};

/// A unit vector perpendicular to u (unit or not).
Vec3 any_perpendicular(const Vec3& u) {
  const Vec3 other = std::abs(u.x()) < 0.9 ? Vec3::UnitX() : Vec3::UnitY();
  const Vec3 p = u.cross(other);
  const double n = p.norm();
  return n > 0.0 ? Vec3(p / n) : Vec3::UnitZ();
}

/// Closest points of segments [p1, q1] and [p2, q2] (either may have zero length).
std::pair<Vec3, Vec3> closest_on_segments(const Vec3& p1, const Vec3& q1, const Vec3& p2, const Vec3& q2) {
  const Vec3 d1 = q1 - p1, d2 = q2 - p2, r = p1 - p2;
  const double a = d1.squaredNorm(), e = d2.squaredNorm(), f = d2.dot(r);
  double s = 0.0, t = 0.0;
  if (a > 0.0 || e > 0.0) {
    if (!(a > 0.0)) {
      t = std::clamp(f / e, 0.0, 1.0);
    } else {
      const double c = d1.dot(r);
      if (!(e > 0.0)) {
        s = std::clamp(-c / a, 0.0, 1.0);
      } else {
        const double b = d1.dot(d2);
        const double denom = a * e - b * b;  // >= 0; ~0 when parallel (then any s works: take 0)
        s = denom > 1e-14 * a * e ? std::clamp((b * f - c * e) / denom, 0.0, 1.0) : 0.0;
        t = (b * s + f) / e;
        if (t < 0.0) {
          t = 0.0;
          s = std::clamp(-c / a, 0.0, 1.0);
        } else if (t > 1.0) {
          t = 1.0;
          s = std::clamp((b - c) / a, 0.0, 1.0);
        }
      }
    }
  }
  return {p1 + s * d1, p2 + t * d2};
}

/// Cores c_a, c_b (closest points of the cores, `fallback` the normal to use when they coincide) swept by radii.
Contact sweep(const Vec3& c_a, const Vec3& c_b, double r_a, double r_b, const Vec3& fallback) {
  const Vec3 delta = c_b - c_a;
  const double core = delta.norm();
  const Vec3 n = core > 0.0 ? Vec3(delta / core) : fallback;
  return {core - r_a - r_b, c_a + r_a * n, c_b - r_b * n};
}

/// Sphere or capsule core as a segment (a point for a sphere).
std::pair<Vec3, Vec3> segment_of(const ConvexCore& c) {
  const Vec3 h = c.half.z() * c.axis();
  return {c.pose.pos - h, c.pose.pos + h};
}

Contact rounded_rounded(const ConvexCore& a, const ConvexCore& b) {
  const auto [p1, q1] = segment_of(a);
  const auto [p2, q2] = segment_of(b);
  const auto [c_a, c_b] = closest_on_segments(p1, q1, p2, q2);
  // Coinciding cores: separate across both axes (or any direction for spheres).
  Vec3 fallback = a.axis().cross(b.axis());
  if (a.kind == ConvexCore::kPoint || b.kind == ConvexCore::kPoint || !(fallback.norm() > 1e-9)) {
    fallback = a.kind == ConvexCore::kSegment   ? any_perpendicular(a.axis())
               : b.kind == ConvexCore::kSegment ? any_perpendicular(b.axis())
                                                : Vec3(Vec3::UnitZ());
  } else {
    fallback.normalize();
  }
  return sweep(c_a, c_b, a.radius, b.radius, fallback);
}

/// Nearest surface point of a box or cylinder to p (local frame) and the signed distance (< 0 inside).
std::pair<Vec3, double> nearest_on_solid(const ConvexCore& solid, const Vec3& p) {
  const Vec3& h = solid.half;
  if (solid.kind == ConvexCore::kBox) {
    const Vec3 q = p.cwiseMax(-h).cwiseMin(h);
    if (q != p) return {q, (p - q).norm()};
    int axis = 0;
    const Vec3 gap = h - p.cwiseAbs();
    gap.minCoeff(&axis);
    Vec3 face = p;
    face[axis] = p[axis] >= 0.0 ? h[axis] : -h[axis];
    return {face, -gap[axis]};
  }
  const double rho = std::hypot(p.x(), p.y());
  const double ux = rho > 0.0 ? p.x() / rho : 1.0, uy = rho > 0.0 ? p.y() / rho : 0.0;
  if (rho > h.x() || std::abs(p.z()) > h.z()) {
    const double r = std::min(rho, h.x());
    const Vec3 q(r * ux, r * uy, std::clamp(p.z(), -h.z(), h.z()));
    return {q, (p - q).norm()};
  }
  const double side = h.x() - rho, cap = h.z() - std::abs(p.z());
  if (side < cap) return {Vec3(h.x() * ux, h.x() * uy, p.z()), -side};
  return {Vec3(p.x(), p.y(), p.z() >= 0.0 ? h.z() : -h.z()), -cap};
}

Contact sphere_solid(const ConvexCore& sphere, const ConvexCore& solid) {
  const Vec3 c = solid.pose.to_body(sphere.pose.pos);
  const auto [q_local, signed_core] = nearest_on_solid(solid, c);
  const Vec3 q = solid.pose.to_world(q_local);
  const Vec3 delta = q - sphere.pose.pos;
  const double len = delta.norm();
  // From the sphere's centre towards the solid; inside the solid, the centre is pushed out through q.
  Vec3 n;
  if (len > 0.0)
    n = signed_core >= 0.0 ? Vec3(delta / len) : Vec3(-delta / len);
  else
    n = solid.pose.pos - sphere.pose.pos;
  if (len == 0.0) n = n.norm() > 0.0 ? Vec3(n.normalized()) : Vec3(Vec3::UnitZ());
  return {signed_core - sphere.radius, sphere.pose.pos + sphere.radius * n, q};
}

/// `shape` vs the half-space below `plane` (normal = plane's local +z).
Contact shape_plane(const ConvexCore& shape, const wm_shape& plane) {
  const Pose pose(plane.pos, plane.quat);
  const Vec3 normal = pose.rot.col(2);
  const Vec3 deepest = shape.support(-normal) - shape.radius * normal;
  const double height = normal.dot(deepest - pose.pos);
  return {height, deepest, deepest - height * normal};
}

Contact convex_convex(const ConvexCore& a, const ConvexCore& b) {
  const GjkResult g = gjk_distance(a, b);
  if (g.overlap) return {0.0, g.point_a, g.point_b};
  return sweep(g.point_a, g.point_b, a.radius, b.radius, Vec3::UnitZ());
}

bool is_rounded(const ConvexCore& c) { return c.kind == ConvexCore::kPoint || c.kind == ConvexCore::kSegment; }

/// Requires rank(a.kind) <= rank(b.kind) and valid kinds.
Contact ordered_distance(const wm_shape& a, const wm_shape& b) {
  if (a.kind == WM_SHAPE_PLANE) {  // and so is b
    return {0.0, load3(a.pos), load3(b.pos)};
  }
  const ConvexCore core_a(a);
  if (b.kind == WM_SHAPE_PLANE) return shape_plane(core_a, b);
  const ConvexCore core_b(b);
  if (is_rounded(core_a) && is_rounded(core_b)) return rounded_rounded(core_a, core_b);
  if (core_a.kind == ConvexCore::kPoint) return sphere_solid(core_a, core_b);
  return convex_convex(core_a, core_b);
}

bool valid_kind(int kind) { return kind >= WM_SHAPE_SPHERE && kind <= WM_SHAPE_PLANE; }

/// Dispatch order: rounded shapes (sphere, capsule) first, then box, cylinder, plane.
int rank(int kind) {
  switch (kind) {
    case WM_SHAPE_SPHERE:
      return 0;
    case WM_SHAPE_CAPSULE:
      return 1;
    case WM_SHAPE_BOX:
      return 2;
    case WM_SHAPE_CYLINDER:
      return 3;
    default:
      return 4;
  }
}

float shape_distance(const wm_shape& a, const wm_shape& b, float* point_a, float* point_b) {
  if (!valid_kind(a.kind) || !valid_kind(b.kind)) {
    if (point_a) store3(load3(a.pos), point_a);
    if (point_b) store3(load3(b.pos), point_b);
    return std::numeric_limits<float>::infinity();
  }
  const bool swapped = rank(a.kind) > rank(b.kind);
  Contact c = swapped ? ordered_distance(b, a) : ordered_distance(a, b);
  if (swapped) std::swap(c.point_a, c.point_b);
  if (!std::isfinite(c.distance)) c.distance = 0.0;
  if (point_a) store3(c.point_a, point_a);
  if (point_b) store3(c.point_b, point_b);
  return static_cast<float>(c.distance);
}

}  // namespace
}  // namespace wm

extern "C" float wm_shape_distance(const wm_shape* a, const wm_shape* b, float point_a[3], float point_b[3]) {
  return wm::shape_distance(*a, *b, point_a, point_b);
}

extern "C" void wm_shape_distance_batch(const wm_shape* a, const wm_shape* b, int n, float* distance,
                                        float* points_a, float* points_b) {
  for (int i = 0; i < n; ++i)
    distance[i] = wm::shape_distance(a[i], b[i], points_a ? points_a + 3 * i : nullptr,
                                     points_b ? points_b + 3 * i : nullptr);
}
