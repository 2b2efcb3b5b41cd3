// gjk.cpp: Gilbert-Johnson-Keerthi distance between convex cores, in double.
//
// The simplex lives in the Minkowski difference a - b. Each iteration adds the support point farthest
// against the current closest point v, then replaces the simplex by the smallest face holding its point
// closest to the origin (found by trying every face: at most 15, each a 1x1 to 3x3 solve).
// It stops when the support point no longer improves v (relative gap 1e-8), when v stops shrinking,
// when the origin is inside the simplex (overlap), or after kGjkMaxIterations.
#include "gjk.hpp"

#include <cmath>

namespace wm {
namespace {

struct Vertex {
  Vec3 w;  // a - b
  Vec3 a;
  Vec3 b;
};

struct Simplex {
  Vertex v[4];
  double lambda[4];
  int size = 0;

  Vec3 closest() const {
    Vec3 p = Vec3::Zero();
    for (int i = 0; i < size; ++i) p += lambda[i] * v[i].w;
    return p;
  }
};

/// Barycentric coordinates of the origin's projection onto the affine hull of `k` vertices.
/// Returns false when the vertices are affinely dependent or the projection is outside the face.
bool project_origin(const Vertex* const* s, int k, double* lambda) {
  if (k == 1) {
    lambda[0] = 1.0;
    return true;
  }
  // Minimise |w0 + sum_j mu_j e_j|^2 with e_j = w_j - w0: G mu = -E^T w0.
  const Vec3 w0 = s[0]->w;
  Vec3 e[3];
  for (int j = 1; j < k; ++j) e[j - 1] = s[j]->w - w0;
  const int m = k - 1;
  double mu[3];
  if (m == 1) {
    const double g = e[0].squaredNorm();
    if (!(g > 0.0)) return false;
    mu[0] = -e[0].dot(w0) / g;
  } else if (m == 2) {
    const double g00 = e[0].squaredNorm(), g01 = e[0].dot(e[1]), g11 = e[1].squaredNorm();
    const double det = g00 * g11 - g01 * g01;
    if (!(det > 1e-14 * g00 * g11)) return false;
    const double r0 = -e[0].dot(w0), r1 = -e[1].dot(w0);
    mu[0] = (r0 * g11 - r1 * g01) / det;
    mu[1] = (r1 * g00 - r0 * g01) / det;
  } else {
    Mat3 g;
    Vec3 r;
    for (int i = 0; i < 3; ++i) {
      r[i] = -e[i].dot(w0);
      for (int j = 0; j < 3; ++j) g(i, j) = e[i].dot(e[j]);
    }
    const double det = g.determinant();
    if (!(det > 1e-14 * g(0, 0) * g(1, 1) * g(2, 2))) return false;
    const Vec3 sol = g.inverse() * r;
    for (int i = 0; i < 3; ++i) mu[i] = sol[i];
  }
  double sum = 0.0;
  for (int j = 0; j < m; ++j) {
    if (!(mu[j] > 0.0)) return false;
    lambda[j + 1] = mu[j];
    sum += mu[j];
  }
  lambda[0] = 1.0 - sum;
  return lambda[0] > 0.0;
}

/// Replaces the simplex by its face closest to the origin, with barycentric coordinates. Only faces holding
/// the newest vertex (the last) are tried: the previous simplex's closest point was v, so a closer point
/// must use the new vertex.
void reduce_to_closest_face(Simplex& simplex) {
  const int n = simplex.size;
  const int newest = 1 << (n - 1);
  double best = HUGE_VAL;
  int best_mask = newest;
  double best_lambda[4] = {1.0, 0.0, 0.0, 0.0};
  for (int mask = newest; mask < (1 << n); ++mask) {
    const Vertex* face[4];
    int k = 0;
    for (int i = 0; i < n; ++i)
      if (mask & (1 << i)) face[k++] = &simplex.v[i];
    double lambda[4];
    if (!project_origin(face, k, lambda)) continue;
    Vec3 p = Vec3::Zero();
    for (int i = 0; i < k; ++i) p += lambda[i] * face[i]->w;
    const double d2 = p.squaredNorm();
    // Prefer the smaller face on (near) ties: fewer vertices, same point.
    if (d2 < best * (1.0 - 1e-12)) {
      best = d2;
      best_mask = mask;
      for (int i = 0; i < k; ++i) best_lambda[i] = lambda[i];
    }
  }
  Simplex reduced;
  for (int i = 0; i < n; ++i)
    if (best_mask & (1 << i)) {
      reduced.v[reduced.size] = simplex.v[i];
      reduced.lambda[reduced.size] = best_lambda[reduced.size];
      ++reduced.size;
    }
  simplex = reduced;
}

Vertex support(const ConvexCore& a, const ConvexCore& b, const Vec3& dir) {
  Vertex v;
  v.a = a.support(dir);
  v.b = b.support(-dir);
  v.w = v.a - v.b;
  return v;
}

GjkResult result_of(const Simplex& simplex, bool overlap) {
  GjkResult r;
  r.point_a = Vec3::Zero();
  r.point_b = Vec3::Zero();
  for (int i = 0; i < simplex.size; ++i) {
    r.point_a += simplex.lambda[i] * simplex.v[i].a;
    r.point_b += simplex.lambda[i] * simplex.v[i].b;
  }
  r.overlap = overlap;
  if (overlap) {
    r.point_b = r.point_a;
    r.distance = 0.0;
  } else {
    r.distance = (r.point_a - r.point_b).norm();
  }
  return r;
}

}  // namespace

GjkResult gjk_distance(const ConvexCore& a, const ConvexCore& b) {
  // Scale for the absolute "touching" tolerance: the size of the problem.
  const double scale = 1.0 + a.half.norm() + b.half.norm() + (a.pose.pos - b.pose.pos).norm();
  const double touch2 = (1e-12 * scale) * (1e-12 * scale);

  Vec3 dir = b.pose.pos - a.pose.pos;
  if (!(dir.squaredNorm() > 0.0)) dir = Vec3::UnitX();
  Simplex simplex;
  simplex.v[0] = support(a, b, -dir);
  simplex.lambda[0] = 1.0;
  simplex.size = 1;
  Vec3 v = simplex.v[0].w;
  double vv = v.squaredNorm();

  for (int iteration = 0; iteration < kGjkMaxIterations; ++iteration) {
    if (vv <= touch2) return result_of(simplex, true);
    const Vertex w = support(a, b, -v);
    // v.w / |v| is a lower bound on the distance: stop when |v| is within a relative 1e-8 of it (float is 6e-8).
    if (vv - v.dot(w.w) <= 1e-8 * vv) break;
    bool repeated = false;
    for (int i = 0; i < simplex.size; ++i) repeated |= (simplex.v[i].w - w.w).squaredNorm() <= touch2;
    if (repeated) break;

    Simplex next = simplex;
    next.v[next.size++] = w;
    reduce_to_closest_face(next);
    if (next.size == 4) return result_of(next, true);
    const Vec3 v_next = next.closest();
    const double vv_next = v_next.squaredNorm();
    if (!(vv_next < vv)) break;  // no progress: round-off, keep the previous simplex
    simplex = next;
    v = v_next;
    vv = vv_next;
  }
  return result_of(simplex, vv <= touch2);
}

}  // namespace wm
