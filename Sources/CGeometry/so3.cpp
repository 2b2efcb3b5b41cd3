// so3.cpp: exponential and logarithm maps between rotation vectors and unit quaternions, in double
// (quaternion.hpp).
#include "geometry.h"
#include "quaternion.hpp"

extern "C" void wm_so3_exp(const float* omega, float* quat, int n) {
  for (int i = 0; i < n; ++i) wm::store_quat(wm::so3_exp(wm::load3(omega + 3 * i)), quat + 4 * i);
}

extern "C" void wm_so3_log(const float* quat, float* omega, int n) {
  for (int i = 0; i < n; ++i) wm::store3(wm::so3_log(wm::load_quat(quat + 4 * i)), omega + 3 * i);
}
