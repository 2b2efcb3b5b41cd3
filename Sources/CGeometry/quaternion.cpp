// quaternion.cpp: batch quaternion algebra, (w, x, y, z) order, computed in double.
#include <cmath>

#include "geometry.h"

extern "C" void wm_quat_mul(const float* a, const float* b, float* out, int n) {
  for (int i = 0; i < n; ++i) {
    const float* p = a + 4 * i;
    const float* q = b + 4 * i;
    const double aw = p[0], ax = p[1], ay = p[2], az = p[3];
    const double bw = q[0], bx = q[1], by = q[2], bz = q[3];
    float* o = out + 4 * i;
    o[0] = static_cast<float>(aw * bw - ax * bx - ay * by - az * bz);
    o[1] = static_cast<float>(aw * bx + ax * bw + ay * bz - az * by);
    o[2] = static_cast<float>(aw * by - ax * bz + ay * bw + az * bx);
    o[3] = static_cast<float>(aw * bz + ax * by - ay * bx + az * bw);
  }
}

extern "C" void wm_quat_conj(const float* q, float* out, int n) {
  for (int i = 0; i < n; ++i) {
    out[4 * i + 0] = q[4 * i + 0];
    out[4 * i + 1] = -q[4 * i + 1];
    out[4 * i + 2] = -q[4 * i + 2];
    out[4 * i + 3] = -q[4 * i + 3];
  }
}

extern "C" void wm_quat_rotate(const float* q, const float* v, float* out, int n) {
  for (int i = 0; i < n; ++i) {
    const float* r = q + 4 * i;
    const double w = r[0], x = r[1], y = r[2], z = r[3];
    const double vx = v[3 * i + 0], vy = v[3 * i + 1], vz = v[3 * i + 2];
    const double norm2 = w * w + x * x + y * y + z * z;
    // v' = v + (2 / |q|^2) (w (u x v) + u x (u x v)), u = (x, y, z): rotation by q / |q|.
    const double scale = norm2 > 0.0 ? 2.0 / norm2 : 0.0;
    const double cx = y * vz - z * vy, cy = z * vx - x * vz, cz = x * vy - y * vx;
    const double ccx = y * cz - z * cy, ccy = z * cx - x * cz, ccz = x * cy - y * cx;
    out[3 * i + 0] = static_cast<float>(vx + scale * (w * cx + ccx));
    out[3 * i + 1] = static_cast<float>(vy + scale * (w * cy + ccy));
    out[3 * i + 2] = static_cast<float>(vz + scale * (w * cz + ccz));
  }
}

extern "C" void wm_quat_normalize(float* q, int n) {
  for (int i = 0; i < n; ++i) {
    float* r = q + 4 * i;
    const double w = r[0], x = r[1], y = r[2], z = r[3];
    const double norm = std::sqrt(w * w + x * x + y * y + z * z);
    if (!(norm > 0.0) || !std::isfinite(norm)) {
      r[0] = 1.0f;
      r[1] = r[2] = r[3] = 0.0f;
      continue;
    }
    const double s = (w < 0.0 ? -1.0 : 1.0) / norm;
    r[0] = static_cast<float>(w * s);
    r[1] = static_cast<float>(x * s);
    r[2] = static_cast<float>(y * s);
    r[3] = static_cast<float>(z * s);
  }
}
