// quaternion.cpp: batch quaternion algebra, (w, x, y, z) order, computed in double (quaternion.hpp).
#include "geometry.h"
#include "quaternion.hpp"

extern "C" void wm_quat_mul(const float* a, const float* b, float* out, int n) {
  for (int i = 0; i < n; ++i) {
    wm::store_quat(wm::quat_mul(wm::load_quat(a + 4 * i), wm::load_quat(b + 4 * i)), out + 4 * i);
  }
}

extern "C" void wm_quat_conj(const float* q, float* out, int n) {
  for (int i = 0; i < n; ++i) wm::store_quat(wm::quat_conj(wm::load_quat(q + 4 * i)), out + 4 * i);
}

extern "C" void wm_quat_rotate(const float* q, const float* v, float* out, int n) {
  for (int i = 0; i < n; ++i) wm::store3(wm::quat_rotate(wm::load_quat(q + 4 * i), wm::load3(v + 3 * i)), out + 3 * i);
}

extern "C" void wm_quat_normalize(float* q, int n) {
  for (int i = 0; i < n; ++i) {
    const wm::Quat u = wm::quat_normalized(wm::load_quat(q + 4 * i));
    wm::store_quat(u.w < 0.0 ? wm::Quat{-u.w, -u.x, -u.y, -u.z} : u, q + 4 * i);
  }
}
