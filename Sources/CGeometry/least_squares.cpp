// least_squares.cpp: damped normal equations of a Gauss-Newton step (Levenberg-Marquardt), Cholesky in double.
#include <Eigen/Cholesky>
#include <algorithm>

#include "geometry.h"

extern "C" int wm_solve_damped_normal_equations(const double* h, const double* g, int n, double damping, double* x) {
  if (n <= 0) return 1;
  Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> hm(h, n, n);
  Eigen::Map<const Eigen::VectorXd> gm(g, n);
  Eigen::MatrixXd a = hm;
  // Marquardt's scaling: damp each parameter by its own curvature, with a floor for parameters nothing sees.
  double largest = 0.0;
  for (int i = 0; i < n; ++i) largest = std::max(largest, a(i, i));
  const double floor = 1e-9 * std::max(largest, 1e-30);
  for (int i = 0; i < n; ++i) a(i, i) += damping * std::max(a(i, i), floor) + floor;
  const Eigen::LLT<Eigen::MatrixXd> llt(a);
  if (llt.info() != Eigen::Success) return 0;
  Eigen::Map<Eigen::VectorXd>(x, n) = -llt.solve(gm);
  return 1;
}
