// ray.cpp: batch ray casts against an oriented box (slab method in the box frame) and a sphere, in double.
#include <cmath>
#include <limits>

#include "geometry.h"
#include "pose.hpp"

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

void write_hit(double t_near, double t_far, float* out_near, float* out_far) {
  if (t_near > t_far || t_far < 0.0) {
    *out_near = std::numeric_limits<float>::infinity();
    *out_far = -std::numeric_limits<float>::infinity();
  } else {
    *out_near = static_cast<float>(t_near);
    *out_far = static_cast<float>(t_far);
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
    double enter = -kInf, leave = kInf;
    for (int k = 0; k < 3; ++k) {
      if (d[k] == 0.0) {
        // Parallel to this slab: inside it for every t, or never.
        if (std::abs(o[k]) > h[k]) {
          enter = kInf;
          leave = -kInf;
        }
        continue;
      }
      const double inv = 1.0 / d[k];
      double t0 = (-h[k] - o[k]) * inv, t1 = (h[k] - o[k]) * inv;
      if (t0 > t1) std::swap(t0, t1);
      enter = std::max(enter, t0);
      leave = std::min(leave, t1);
    }
    write_hit(enter, leave, t_near + i, t_far + i);
  }
}

extern "C" void wm_ray_sphere(const float* origins, const float* directions, int n, const float centre[3],
                              float radius, float* t_near, float* t_far) {
  const wm::Vec3 c = wm::load3(centre);
  const double r2 = static_cast<double>(radius) * radius;
  for (int i = 0; i < n; ++i) {
    const wm::Vec3 l = wm::load3(origins + 3 * i) - c;
    const wm::Vec3 d = wm::load3(directions + 3 * i);
    const double a = d.squaredNorm();
    const double c0 = l.squaredNorm() - r2;
    if (a == 0.0) {
      write_hit(c0 <= 0.0 ? -kInf : kInf, c0 <= 0.0 ? kInf : -kInf, t_near + i, t_far + i);
      continue;
    }
    const double b = d.dot(l);
    // discriminant / a = r^2 - |l_perp|^2, with l_perp the part of l across the ray: no cancellation far away.
    const wm::Vec3 l_perp = l - (b / a) * d;
    const double disc = a * (r2 - l_perp.squaredNorm());
    if (disc < 0.0) {
      write_hit(kInf, -kInf, t_near + i, t_far + i);
      continue;
    }
    const double q = -(b + std::copysign(std::sqrt(disc), b));
    double t0 = q / a;
    double t1 = q != 0.0 ? c0 / q : t0;
    if (t0 > t1) std::swap(t0, t1);
    write_hit(t0, t1, t_near + i, t_far + i);
  }
}
