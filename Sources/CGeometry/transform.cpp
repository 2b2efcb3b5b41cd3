// transform.cpp: rigid transforms of point and ray batches, in double.
#include "geometry.h"
#include "pose.hpp"

using wm::Pose;
using wm::Vec3;

extern "C" void wm_transform_points(const float pos[3], const float quat[4], const float* points, float* out, int n) {
  const Pose pose(pos, quat);
  for (int i = 0; i < n; ++i) wm::store3(pose.to_world(wm::load3(points + 3 * i)), out + 3 * i);
}

extern "C" void wm_inverse_transform_points(const float pos[3], const float quat[4], const float* points, float* out,
                                            int n) {
  const Pose pose(pos, quat);
  for (int i = 0; i < n; ++i) wm::store3(pose.to_body(wm::load3(points + 3 * i)), out + 3 * i);
}

extern "C" void wm_inverse_transform_rays(const float pos[3], const float quat[4], const float* origins,
                                          const float* directions, float* out_origins, float* out_directions, int n) {
  const Pose pose(pos, quat);
  for (int i = 0; i < n; ++i) {
    const Vec3 o = pose.to_body(wm::load3(origins + 3 * i));
    const Vec3 d = pose.direction_to_body(wm::load3(directions + 3 * i));
    wm::store3(o, out_origins + 3 * i);
    wm::store3(d, out_directions + 3 * i);
  }
}
