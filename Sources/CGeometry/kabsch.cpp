// kabsch.cpp: least-squares rigid fit between two point sets (Kabsch), SVD in double.
#include <Eigen/SVD>

#include "geometry.h"
#include "pose.hpp"

extern "C" void wm_kabsch_fit(const float* a, const float* b, int n, float pos[3], float quat[4]) {
  if (n <= 0) {
    pos[0] = pos[1] = pos[2] = 0.0f;
    quat[0] = 1.0f;
    quat[1] = quat[2] = quat[3] = 0.0f;
    return;
  }
  wm::Vec3 ca = wm::Vec3::Zero(), cb = wm::Vec3::Zero();
  for (int i = 0; i < n; ++i) {
    ca += wm::load3(a + 3 * i);
    cb += wm::load3(b + 3 * i);
  }
  ca /= n;
  cb /= n;
  wm::Mat3 cov = wm::Mat3::Zero();  // sum of (a_i - ca) (b_i - cb)^T
  for (int i = 0; i < n; ++i) cov += (wm::load3(a + 3 * i) - ca) * (wm::load3(b + 3 * i) - cb).transpose();
  const Eigen::JacobiSVD<wm::Mat3> svd(cov, Eigen::ComputeFullU | Eigen::ComputeFullV);
  const wm::Mat3& u = svd.matrixU();
  const wm::Mat3& v = svd.matrixV();
  // A reflection (det < 0) is the best orthogonal fit only; flip the least significant axis to get a rotation.
  wm::Mat3 fix = wm::Mat3::Identity();
  fix(2, 2) = (v * u.transpose()).determinant() < 0.0 ? -1.0 : 1.0;
  const wm::Mat3 rot = v * fix * u.transpose();
  Eigen::Quaterniond q(rot);
  q.normalize();
  if (q.w() < 0.0) q.coeffs() = -q.coeffs();
  wm::store3(cb - rot * ca, pos);
  quat[0] = static_cast<float>(q.w());
  quat[1] = static_cast<float>(q.x());
  quat[2] = static_cast<float>(q.y());
  quat[3] = static_cast<float>(q.z());
}
