// broad_phase.cpp: candidate pairs of bounding spheres by a uniform grid (wm_sphere_pairs).
//
// The grid's cell edge is 2 * (largest finite radius) + cutoff, so two spheres whose gap is within the cutoff have
// centres at most one cell apart on every axis: each sphere looks in the 27 cells around its own. Cells live in a
// hash table of 2^k >= 2n buckets, filled by a counting sort (bucket starts, then the spheres of each bucket in
// ascending index), all in the caller's workspace. A bucket may hold spheres of several cells (hash collisions);
// only spheres of the cell looked for are taken, so no pair is seen twice. Each sphere's partners are sorted
// before they are written, so the output is in (i, j) order whatever the hash does.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "geometry.h"

namespace {

/// Integer cell coordinates are clamped here: clamping is monotone, so spheres one cell apart stay within one
/// cell of each other (far-away spheres may share a cell: more candidates, never fewer).
constexpr double kCellLimit = 1 << 30;

int32_t cell_of(float x, double inverse_cell) {
  const double c = std::floor(static_cast<double>(x) * inverse_cell);
  return static_cast<int32_t>(std::clamp(c, -kCellLimit, kCellLimit));
}

uint32_t hash_cell(int32_t x, int32_t y, int32_t z, uint32_t mask) {
  const uint32_t h = static_cast<uint32_t>(x) * 73856093u ^ static_cast<uint32_t>(y) * 19349663u ^
                     static_cast<uint32_t>(z) * 83492791u;
  return (h ^ (h >> 16)) & mask;
}

bool finite_sphere(const float* centres, const float* radii, int i) {
  return std::isfinite(centres[3 * i]) && std::isfinite(centres[3 * i + 1]) && std::isfinite(centres[3 * i + 2]) &&
         std::isfinite(radii[i]);
}

/// The number of hash buckets for n spheres: the least power of two >= 2n (at least 1).
int bucket_count(int n) {
  int m = 1;
  while (m < 2 * n) m <<= 1;
  return m;
}

}  // namespace

int wm_sphere_pairs_workspace_size(int n) { return n <= 0 ? 0 : bucket_count(n) + 1 + 5 * n; }

int wm_sphere_pairs(const float* centres, const float* radii, int n, float cutoff, int* pairs, int capacity,
                    int* workspace) {
  if (n <= 1) return 0;
  const int m = bucket_count(n);
  const uint32_t mask = static_cast<uint32_t>(m - 1);
  int* start = workspace;        // m + 1 bucket starts
  int* members = start + m + 1;  // n sphere indices: bucket by bucket (ascending within one), then the unbounded
  int* bucket = members + n;     // n: each sphere's bucket (-1: not in the grid)
  int32_t* cell = bucket + n;    // 3n: each sphere's cell

  double largest = 0.0;
  int unbounded = 0;  // spheres with a non-finite centre or radius: candidates with every other sphere
  for (int i = 0; i < n; ++i) {
    if (finite_sphere(centres, radii, i)) {
      largest = std::max(largest, static_cast<double>(radii[i]));
    } else {
      ++unbounded;
    }
  }
  double edge = 2.0 * largest + std::max(0.0, static_cast<double>(cutoff));
  if (!(edge > 0.0) || !std::isfinite(edge)) edge = 1.0;
  const double inverse_cell = 1.0 / edge;

  std::fill(start, start + m + 1, 0);
  for (int i = 0; i < n; ++i) {
    if (!finite_sphere(centres, radii, i)) {
      bucket[i] = -1;
      continue;
    }
    for (int k = 0; k < 3; ++k) cell[3 * i + k] = cell_of(centres[3 * i + k], inverse_cell);
    bucket[i] = static_cast<int>(hash_cell(cell[3 * i], cell[3 * i + 1], cell[3 * i + 2], mask));
    ++start[bucket[i] + 1];
  }
  for (int b = 0; b < m; ++b) start[b + 1] += start[b];
  // Fill each bucket in ascending sphere order, using `start` as the write cursor, then shift it back.
  // The unbounded spheres go after the grid's, ascending.
  int* unbounded_members = members + (n - unbounded);
  for (int i = 0, u = 0; i < n; ++i) {
    if (bucket[i] >= 0) {
      members[start[bucket[i]]++] = i;
    } else {
      unbounded_members[u++] = i;
    }
  }
  for (int b = m; b > 0; --b) start[b] = start[b - 1];
  start[0] = 0;

  const double limit = static_cast<double>(cutoff);
  auto close = [&](int i, int j) {
    const double dx = static_cast<double>(centres[3 * i]) - centres[3 * j];
    const double dy = static_cast<double>(centres[3 * i + 1]) - centres[3 * j + 1];
    const double dz = static_cast<double>(centres[3 * i + 2]) - centres[3 * j + 2];
    return std::sqrt(dx * dx + dy * dy + dz * dz) - radii[i] - radii[j] <= limit;
  };

  int count = 0;
  for (int i = 0; i < n; ++i) {
    const int first = count;
    auto emit = [&](int j) {
      if (count < capacity) {
        pairs[2 * count] = i;
        pairs[2 * count + 1] = j;
      }
      ++count;
    };
    if (bucket[i] < 0) {
      for (int j = i + 1; j < n; ++j) emit(j);
      continue;
    }
    const int32_t cx = cell[3 * i], cy = cell[3 * i + 1], cz = cell[3 * i + 2];
    for (int32_t x = cx - 1; x <= cx + 1; ++x) {
      for (int32_t y = cy - 1; y <= cy + 1; ++y) {
        for (int32_t z = cz - 1; z <= cz + 1; ++z) {
          const uint32_t b = hash_cell(x, y, z, mask);
          for (int k = start[b]; k < start[b + 1]; ++k) {
            const int j = members[k];
            if (j <= i || cell[3 * j] != x || cell[3 * j + 1] != y || cell[3 * j + 2] != z) continue;
            if (close(i, j)) emit(j);
          }
        }
      }
    }
    for (int u = 0; u < unbounded; ++u) {
      if (unbounded_members[u] > i) emit(unbounded_members[u]);
    }
    // Sort this sphere's partners when they were all written: gather its j values to the front of its
    // segment, sort them, and spread them back into (i, j) pairs from the end.
    if (count <= capacity && count - first > 1) {
      int* j_values = pairs + 2 * first;
      const int k = count - first;
      for (int a = 0; a < k; ++a) j_values[a] = pairs[2 * (first + a) + 1];
      std::sort(j_values, j_values + k);
      for (int a = k - 1; a >= 0; --a) {
        pairs[2 * (first + a) + 1] = j_values[a];
        pairs[2 * (first + a)] = i;
      }
    }
  }
  return count;
}
