// quaternion.hpp: internal quaternion and SO(3) math in double, (w, x, y, z) order (not part of the C API).
// Each formula is written once here; the batch C functions (quaternion.cpp, so3.cpp) and the kinematics
// (kinematics.cpp) are loops over these.
#ifndef WM_GEOMETRY_QUATERNION_HPP
#define WM_GEOMETRY_QUATERNION_HPP

#include <cmath>

#include "pose.hpp"

namespace wm {

/// A quaternion (w, x, y, z) in double; not necessarily unit.
struct Quat {
  double w, x, y, z;
};

inline Quat load_quat(const float* q) { return {q[0], q[1], q[2], q[3]}; }

inline void store_quat(const Quat& q, float* out) {
  out[0] = static_cast<float>(q.w);
  out[1] = static_cast<float>(q.x);
  out[2] = static_cast<float>(q.y);
  out[3] = static_cast<float>(q.z);
}

/// The Hamilton product a * b.
inline Quat quat_mul(const Quat& a, const Quat& b) {
  return {a.w * b.w - a.x * b.x - a.y * b.y - a.z * b.z, a.w * b.x + a.x * b.w + a.y * b.z - a.z * b.y,
          a.w * b.y - a.x * b.z + a.y * b.w + a.z * b.x, a.w * b.z + a.x * b.y - a.y * b.x + a.z * b.w};
}

inline Quat quat_conj(const Quat& q) { return {q.w, -q.x, -q.y, -q.z}; }

/// q / |q|, sign kept; a zero or non-finite q gives (1, 0, 0, 0).
inline Quat quat_normalized(const Quat& q) {
  const double norm = std::sqrt(q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z);
  if (!(norm > 0.0) || !std::isfinite(norm)) return {1.0, 0.0, 0.0, 0.0};
  return {q.w / norm, q.x / norm, q.y / norm, q.z / norm};
}

/// Rotates v by q / |q|; a zero q leaves v unchanged.
inline Vec3 quat_rotate(const Quat& q, const Vec3& v) {
  const double norm2 = q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z;
  // v' = v + (2 / |q|^2) (w (u x v) + u x (u x v)), u = (x, y, z): rotation by q / |q|.
  const double scale = norm2 > 0.0 ? 2.0 / norm2 : 0.0;
  const Vec3 u(q.x, q.y, q.z);
  const Vec3 c = u.cross(v);
  return v + scale * (q.w * c + u.cross(c));
}

/// Exponential map: rotation vector omega (rad) -> unit quaternion (cos(t/2), sin(t/2) axis), t = |omega|.
/// Taylor series below 1e-4 rad. Not flipped: w < 0 for angles above pi.
inline Quat so3_exp(const Vec3& omega) {
  const double theta2 = omega.squaredNorm();
  double c, s;  // cos(theta / 2), sin(theta / 2) / theta
  if (theta2 < 1e-8) {
    // Taylor series to theta^4: the truncation error is below 1e-17 here.
    c = 1.0 - theta2 / 8.0 + theta2 * theta2 / 384.0;
    s = 0.5 - theta2 / 48.0 + theta2 * theta2 / 3840.0;
  } else {
    const double theta = std::sqrt(theta2);
    c = std::cos(0.5 * theta);
    s = std::sin(0.5 * theta) / theta;
  }
  return {c, s * omega.x(), s * omega.y(), s * omega.z()};
}

/// Logarithm: quaternion -> rotation vector (rad) with angle in [0, pi] (q and -q give the same); q is
/// normalised first, a zero or non-finite q gives 0.
inline Vec3 so3_log(const Quat& quat) {
  const double norm = std::sqrt(quat.w * quat.w + quat.x * quat.x + quat.y * quat.y + quat.z * quat.z);
  if (!(norm > 0.0) || !std::isfinite(norm)) return Vec3::Zero();
  // q and -q are the same rotation: take w >= 0 so the angle lies in [0, pi].
  const double scale = (quat.w < 0.0 ? -1.0 : 1.0) / norm;
  const double w = quat.w * scale, x = quat.x * scale, y = quat.y * scale, z = quat.z * scale;
  const double s = std::sqrt(x * x + y * y + z * z);  // sin(theta / 2)
  double k;                                            // theta / sin(theta / 2)
  if (s < 1e-5) {
    // 2 atan(s / w) / s = (2 / w) (1 - s^2 / (3 w^2) + s^4 / (5 w^4)); w > 0.99 here.
    const double r2 = (s * s) / (w * w);
    k = (2.0 / w) * (1.0 - r2 / 3.0 + r2 * r2 / 5.0);
  } else {
    k = 2.0 * std::atan2(s, w) / s;
  }
  return Vec3(k * x, k * y, k * z);
}

}  // namespace wm

#endif
