// so3.cpp: exponential and logarithm maps between rotation vectors and unit quaternions, in double.
#include <cmath>

#include "geometry.h"

extern "C" void wm_so3_exp(const float* omega, float* quat, int n) {
  for (int i = 0; i < n; ++i) {
    const double wx = omega[3 * i + 0], wy = omega[3 * i + 1], wz = omega[3 * i + 2];
    const double theta2 = wx * wx + wy * wy + wz * wz;
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
    quat[4 * i + 0] = static_cast<float>(c);
    quat[4 * i + 1] = static_cast<float>(s * wx);
    quat[4 * i + 2] = static_cast<float>(s * wy);
    quat[4 * i + 3] = static_cast<float>(s * wz);
  }
}

extern "C" void wm_so3_log(const float* quat, float* omega, int n) {
  for (int i = 0; i < n; ++i) {
    double w = quat[4 * i + 0], x = quat[4 * i + 1], y = quat[4 * i + 2], z = quat[4 * i + 3];
    const double norm = std::sqrt(w * w + x * x + y * y + z * z);
    if (!(norm > 0.0) || !std::isfinite(norm)) {
      omega[3 * i + 0] = omega[3 * i + 1] = omega[3 * i + 2] = 0.0f;
      continue;
    }
    // q and -q are the same rotation: take w >= 0 so the angle lies in [0, pi].
    const double sign = w < 0.0 ? -1.0 : 1.0;
    w *= sign / norm;
    x *= sign / norm;
    y *= sign / norm;
    z *= sign / norm;
    const double s = std::sqrt(x * x + y * y + z * z);  // sin(theta / 2)
    double k;                                            // theta / sin(theta / 2)
    if (s < 1e-5) {
      // 2 atan(s / w) / s = (2 / w) (1 - s^2 / (3 w^2) + s^4 / (5 w^4)); w > 0.99 here.
      const double r2 = (s * s) / (w * w);
      k = (2.0 / w) * (1.0 - r2 / 3.0 + r2 * r2 / 5.0);
    } else {
      k = 2.0 * std::atan2(s, w) / s;
    }
    omega[3 * i + 0] = static_cast<float>(k * x);
    omega[3 * i + 1] = static_cast<float>(k * y);
    omega[3 * i + 2] = static_cast<float>(k * z);
  }
}
