// gjk.hpp: distance between two convex cores by GJK (internal, not part of the C API).
#ifndef WM_GEOMETRY_GJK_HPP
#define WM_GEOMETRY_GJK_HPP

#include "convex_core.hpp"

namespace wm {

/// Closest points of two convex cores (radii ignored).
struct GjkResult {
  double distance;  ///< >= 0; 0 when the cores touch or overlap
  Vec3 point_a;     ///< on core a; when overlapping, a point inside both cores
  Vec3 point_b;     ///< on core b; equals point_a when overlapping
  bool overlap;     ///< the cores share a point (distance 0)
};

/// GJK on support functions, in double, with at most `kGjkMaxIterations` iterations (always terminates).
GjkResult gjk_distance(const ConvexCore& a, const ConvexCore& b);

constexpr int kGjkMaxIterations = 128;

}  // namespace wm

#endif
