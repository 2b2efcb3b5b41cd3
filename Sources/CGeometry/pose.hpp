// pose.hpp: internal helpers shared by the shim's .cpp files (not part of the C API).
// Loads float32 C arrays into double-precision Eigen values and back, and applies poses.
#ifndef WM_GEOMETRY_POSE_HPP
#define WM_GEOMETRY_POSE_HPP

#include <Eigen/Core>
#include <Eigen/Geometry>

namespace wm {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;

inline Vec3 load3(const float* p) { return Vec3(p[0], p[1], p[2]); }

inline void store3(const Vec3& v, float* p) {
  p[0] = static_cast<float>(v.x());
  p[1] = static_cast<float>(v.y());
  p[2] = static_cast<float>(v.z());
}

/// Rotation matrix of the (w, x, y, z) quaternion q / |q|; a zero or non-finite quaternion gives the identity.
inline Mat3 rotation_matrix(const float* q) {
  Eigen::Quaterniond e(q[0], q[1], q[2], q[3]);
  const double norm = e.norm();
  if (!(norm > 0.0) || !std::isfinite(norm)) return Mat3::Identity();
  e.coeffs() /= norm;
  return e.toRotationMatrix();
}

/// A rigid pose in double precision: p_world = pos + rot * p_body.
struct Pose {
  Vec3 pos;
  Mat3 rot;

  Pose(const float* position, const float* quat) : pos(load3(position)), rot(rotation_matrix(quat)) {}

  Vec3 to_world(const Vec3& p_body) const { return pos + rot * p_body; }
  Vec3 to_body(const Vec3& p_world) const { return rot.transpose() * (p_world - pos); }
  Vec3 direction_to_world(const Vec3& d_body) const { return rot * d_body; }
  Vec3 direction_to_body(const Vec3& d_world) const { return rot.transpose() * d_world; }
};

}  // namespace wm

#endif
