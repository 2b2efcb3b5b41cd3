// convex_core.hpp: a primitive as a convex core swept by a ball (internal, not part of the C API).
//
// Sphere = point core + radius, capsule = segment core + radius, box and cylinder = themselves + 0.
// Distances between shapes are distances between cores minus both radii, which keeps GJK on sharp
// cores (fast, exact) and makes penetration depths of rounded shapes exact while their cores are apart.
#ifndef WM_GEOMETRY_CONVEX_CORE_HPP
#define WM_GEOMETRY_CONVEX_CORE_HPP

#include <cmath>

#include "geometry.h"
#include "pose.hpp"

namespace wm {

struct ConvexCore {
  enum Kind { kPoint, kSegment, kBox, kCylinder };
  Kind kind;
  Pose pose;
  Vec3 half;      ///< segment: (-, -, half-length); box: half-extents; cylinder: (radius, -, half-height)
  double radius;  ///< ball swept over the core: sphere and capsule radius, else 0

  explicit ConvexCore(const wm_shape& s) : kind(kPoint), pose(s.pos, s.quat), half(Vec3::Zero()), radius(0.0) {
    const Vec3 h = load3(s.half_extents);
    switch (s.kind) {
      case WM_SHAPE_SPHERE:
        radius = h.x();
        break;
      case WM_SHAPE_CAPSULE:
        kind = kSegment;
        radius = h.x();
        half = Vec3(0.0, 0.0, h.y());
        break;
      case WM_SHAPE_BOX:
        kind = kBox;
        half = h;
        break;
      default:  // WM_SHAPE_CYLINDER
        kind = kCylinder;
        half = Vec3(h.x(), 0.0, h.y());
        break;
    }
  }

  /// The core's axis (local +z) in the world frame.
  Vec3 axis() const { return pose.rot.col(2); }

  /// A point of the core farthest along `dir` (world frame); any such point when several are.
  Vec3 support(const Vec3& dir) const {
    const Vec3 d = pose.direction_to_body(dir);
    Vec3 p;
    switch (kind) {
      case kPoint:
        return pose.pos;
      case kSegment:
        p = Vec3(0.0, 0.0, d.z() >= 0.0 ? half.z() : -half.z());
        break;
      case kBox:
        p = Vec3(d.x() >= 0.0 ? half.x() : -half.x(), d.y() >= 0.0 ? half.y() : -half.y(),
                 d.z() >= 0.0 ? half.z() : -half.z());
        break;
      case kCylinder: {
        const double rho = std::hypot(d.x(), d.y());
        const double scale = rho > 1e-12 * std::abs(d.z()) && rho > 0.0 ? half.x() / rho : 0.0;
        p = Vec3(d.x() * scale, d.y() * scale, d.z() >= 0.0 ? half.z() : -half.z());
        break;
      }
    }
    return pose.to_world(p);
  }
};

}  // namespace wm

#endif
