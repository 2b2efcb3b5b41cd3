// ray.cpp: batch ray casts against the primitives (an oriented box by the slab method, a sphere, a cylinder, a
// capsule and a plane's half-space), in double. Each shape is an interval of the whole line o + t d; the
// batch functions then keep the half-line t >= 0.
#include <algorithm>
#include <cmath>
#include <limits>

#include "geometry.h"
#include "pose.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// The parameters t of the line o + t d inside a solid: [enter, leave], empty when enter > leave.
struct Interval {
  double enter, leave;
  bool empty() const { return enter > leave; }
};

constexpr Interval kEmpty{kInf, -kInf};
constexpr Interval kWhole{-kInf, kInf};

Interval intersect(const Interval& a, const Interval& b) {
  return {std::max(a.enter, b.enter), std::min(a.leave, b.leave)};
}

/// The smallest interval holding both (their union when they overlap, as the parts of a convex solid do).
Interval hull(const Interval& a, const Interval& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return {std::min(a.enter, b.enter), std::max(a.leave, b.leave)};
}

/// |o + t d| <= h along one axis.
Interval slab(double o, double d, double h) {
  if (d == 0.0) return std::abs(o) <= h ? kWhole : kEmpty;  // parallel: inside for every t, or never
  const double inv = 1.0 / d;
  double t0 = (-h - o) * inv, t1 = (h - o) * inv;
  if (t0 > t1) std::swap(t0, t1);
  return {t0, t1};
}

/// |l + t d| <= radius, with l the origin relative to the centre: a ball in 3D, a disc (an infinite cylinder's
/// cross-section) in 2D.
template <int N>
Interval ball(const Eigen::Matrix<double, N, 1>& l, const Eigen::Matrix<double, N, 1>& d, double radius) {
  const double r2 = radius * radius;
  const double a = d.squaredNorm();
  const double c0 = l.squaredNorm() - r2;
  if (a == 0.0) return c0 <= 0.0 ? kWhole : kEmpty;
  const double b = d.dot(l);
  // discriminant / a = r^2 - |l_perp|^2, with l_perp the part of l across the ray: no cancellation far away.
  const Eigen::Matrix<double, N, 1> l_perp = l - (b / a) * d;
  const double disc = a * (r2 - l_perp.squaredNorm());
  if (disc < 0.0) return kEmpty;
  const double q = -(b + std::copysign(std::sqrt(disc), b));
  double t0 = q / a;
  double t1 = q != 0.0 ? c0 / q : t0;
  if (t0 > t1) std::swap(t0, t1);
  return {t0, t1};
}

/// The box |o_k + t d_k| <= h_k (its own frame).
Interval box(const wm::Vec3& o, const wm::Vec3& d, const wm::Vec3& h) {
  return intersect(intersect(slab(o.x(), d.x(), h.x()), slab(o.y(), d.y(), h.y())), slab(o.z(), d.z(), h.z()));
}

/// The solid cylinder of `radius` along local z, |z| <= half_height (its own frame).
Interval cylinder(const wm::Vec3& o, const wm::Vec3& d, double radius, double half_height) {
  return intersect(ball<2>(o.head<2>(), d.head<2>(), radius), slab(o.z(), d.z(), half_height));
}

/// The capsule: a cylinder of `radius` around the segment |z| <= half_length and a ball at each end.
Interval capsule(const wm::Vec3& o, const wm::Vec3& d, double radius, double half_length) {
  const wm::Vec3 end(0.0, 0.0, half_length);
  return hull(cylinder(o, d, radius, half_length), hull(ball<3>(o - end, d, radius), ball<3>(o + end, d, radius)));
}

/// The half-space z <= 0 below a plane (its own frame).
Interval half_space(const wm::Vec3& o, const wm::Vec3& d) {
  if (d.z() == 0.0) return o.z() <= 0.0 ? kWhole : kEmpty;
  const double t = -o.z() / d.z();
  return d.z() < 0.0 ? Interval{t, kInf} : Interval{-kInf, t};
}

/// Writes the part of `line` on the half-line t >= 0 (a miss as +inf, -inf).
void write_hit(const Interval& line, float* out_near, float* out_far) {
  if (line.empty() || line.leave < 0.0) {
    *out_near = std::numeric_limits<float>::infinity();
    *out_far = -std::numeric_limits<float>::infinity();
  } else {
    *out_near = static_cast<float>(line.enter);
    *out_far = static_cast<float>(line.leave);
  }
}

}  // namespace

extern "C" void wm_ray_box(const float* origins, const float* directions, int n, const float pos[3],
                           const float quat[4], const float half[3], float* t_near, float* t_far) {
  const wm::Pose pose(pos, quat);
  const wm::Vec3 h = wm::load3(half);
  for (int i = 0; i < n; ++i) {
    const wm::Vec3 o = pose.to_body(wm::load3(origins + 3 * i));
    const wm::Vec3 d = pose.direction_to_body(wm::load3(directions + 3 * i));
    write_hit(box(o, d, h), t_near + i, t_far + i);
  }
}

extern "C" void wm_ray_sphere(const float* origins, const float* directions, int n, const float centre[3],
                              float radius, float* t_near, float* t_far) {
  const wm::Vec3 c = wm::load3(centre);
  for (int i = 0; i < n; ++i) {
    write_hit(ball<3>(wm::load3(origins + 3 * i) - c, wm::load3(directions + 3 * i), radius), t_near + i, t_far + i);
  }
}

extern "C" void wm_ray_shape(const wm_shape* shape, const float* origins, const float* directions, int n,
                             float* t_near, float* t_far) {
  const wm::Pose pose(shape->pos, shape->quat);
  const wm::Vec3 h = wm::load3(shape->half_extents);
  for (int i = 0; i < n; ++i) {
    const wm::Vec3 o = pose.to_body(wm::load3(origins + 3 * i));
    const wm::Vec3 d = pose.direction_to_body(wm::load3(directions + 3 * i));
    Interval line = kEmpty;
    switch (shape->kind) {
      case WM_SHAPE_SPHERE: line = ball<3>(o, d, h.x()); break;
      case WM_SHAPE_BOX: line = box(o, d, h); break;
      case WM_SHAPE_CAPSULE: line = capsule(o, d, h.x(), h.y()); break;
      case WM_SHAPE_CYLINDER: line = cylinder(o, d, h.x(), h.y()); break;
      case WM_SHAPE_PLANE: line = half_space(o, d); break;
      default: break;
    }
    write_hit(line, t_near + i, t_far + i);
  }
}
