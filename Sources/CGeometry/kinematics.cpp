// kinematics.cpp: forward kinematics and joint-space integration over a MuJoCo kinematic tree, in double.
// The semantics are MuJoCo's mj_kinematics, mj_integratePos and mj_differentiatePos (engine_core_smooth.c,
// engine_support.c); the quaternion math is quaternion.hpp's.
#include "geometry.h"
#include "quaternion.hpp"

using wm::Quat;
using wm::Vec3;

extern "C" void wm_forward_kinematics(const wm_kinematic_tree* t, const float* qpos, int n, float* xpos, float* xquat,
                                      float* xanchor, float* xaxis, double* workspace) {
  for (int e = 0; e < n; ++e) {
    const float* q = qpos + e * t->nq;
    float* out_pos = xpos + 3 * e * t->nbody;
    float* out_quat = xquat + 4 * e * t->nbody;
    float* out_anchor = xanchor ? xanchor + 3 * e * t->njnt : nullptr;
    float* out_axis = xaxis ? xaxis + 3 * e * t->njnt : nullptr;
    // workspace[7 b ..< 7 b + 7]: body b's world position and quaternion, in double, for its children.
    for (int b = 0; b < t->nbody; ++b) {
      Vec3 pos = Vec3::Zero();
      Quat quat{1.0, 0.0, 0.0, 0.0};
      const int first = t->body_jntadr[b], count = t->body_jntnum[b];
      if (b == 0) {
        // The world stays at the origin.
      } else if (count == 1 && t->jnt_type[first] == WM_JOINT_FREE) {
        const float* f = q + t->jnt_qposadr[first];
        pos = wm::load3(f);
        quat = wm::quat_normalized(wm::load_quat(f + 3));
        if (out_anchor) wm::store3(pos, out_anchor + 3 * first);
        if (out_axis) wm::store3(wm::load3(t->jnt_axis + 3 * first), out_axis + 3 * first);
      } else {
        const double* parent = workspace + 7 * t->body_parentid[b];
        const Quat parent_quat{parent[3], parent[4], parent[5], parent[6]};
        pos = Vec3(parent[0], parent[1], parent[2]) + wm::quat_rotate(parent_quat, wm::load3(t->body_pos + 3 * b));
        quat = wm::quat_mul(parent_quat, wm::load_quat(t->body_quat + 4 * b));
        for (int j = first; j < first + count; ++j) {
          const Vec3 local_anchor = wm::load3(t->jnt_pos + 3 * j), local_axis = wm::load3(t->jnt_axis + 3 * j);
          const Vec3 anchor = pos + wm::quat_rotate(quat, local_anchor);
          const Vec3 axis = wm::quat_rotate(quat, local_axis);
          const int a = t->jnt_qposadr[j];
          switch (t->jnt_type[j]) {
            case WM_JOINT_SLIDE:
              pos += (static_cast<double>(q[a]) - t->qpos0[a]) * axis;
              break;
            case WM_JOINT_BALL:
            case WM_JOINT_HINGE: {
              const Quat local = t->jnt_type[j] == WM_JOINT_BALL
                                     ? wm::quat_normalized(wm::load_quat(q + a))
                                     : wm::so3_exp((static_cast<double>(q[a]) - t->qpos0[a]) * local_axis);
              quat = wm::quat_mul(quat, local);
              // The rotation is about the anchor, which stays where it was.
              pos = anchor - wm::quat_rotate(quat, local_anchor);
              break;
            }
            default:  // a free joint among other joints: MuJoCo rejects such a model, and so does KinematicTree
              break;
          }
          if (out_anchor) wm::store3(anchor, out_anchor + 3 * j);
          if (out_axis) wm::store3(axis, out_axis + 3 * j);
        }
        quat = wm::quat_normalized(quat);
      }
      double* w = workspace + 7 * b;
      w[0] = pos.x(), w[1] = pos.y(), w[2] = pos.z();
      w[3] = quat.w, w[4] = quat.x, w[5] = quat.y, w[6] = quat.z;
      wm::store3(pos, out_pos + 3 * b);
      wm::store_quat(quat, out_quat + 4 * b);
    }
  }
}

namespace {

/// Visits joint-space blocks of one configuration in joint order, as mj_integratePos and mj_differentiatePos do:
/// linear(a, d) for a free joint's position (qpos a..a+3, qvel d..d+3), angular(a, d) for a free or ball joint's
/// quaternion (qpos a..a+4, qvel d..d+3), scalar(a, d) for a hinge or slide.
template <class Linear, class Angular, class Scalar>
void for_each_joint_block(const wm_kinematic_tree* t, Linear linear, Angular angular, Scalar scalar) {
  for (int j = 0; j < t->njnt; ++j) {
    const int a = t->jnt_qposadr[j], d = t->jnt_dofadr[j];
    switch (t->jnt_type[j]) {
      case WM_JOINT_FREE:
        linear(a, d);
        angular(a + 3, d + 3);
        break;
      case WM_JOINT_BALL:
        angular(a, d);
        break;
      default:  // hinge, slide
        scalar(a, d);
    }
  }
}

}  // namespace

extern "C" void wm_integrate_pos(const wm_kinematic_tree* t, const float* qpos, const float* qvel, double dt, int n,
                                 float* qpos_out) {
  for (int e = 0; e < n; ++e) {
    const float* q = qpos + e * t->nq;
    const float* v = qvel + e * t->nv;
    float* out = qpos_out + e * t->nq;
    const auto linear = [&](int a, int d) {
      for (int k = 0; k < 3; ++k) out[a + k] = static_cast<float>(q[a + k] + dt * v[d + k]);
    };
    const auto angular = [&](int a, int d) {
      const Quat start = wm::quat_normalized(wm::load_quat(q + a));
      wm::store_quat(wm::quat_mul(start, wm::so3_exp(dt * wm::load3(v + d))), out + a);
    };
    const auto scalar = [&](int a, int d) { out[a] = static_cast<float>(q[a] + dt * v[d]); };
    for_each_joint_block(t, linear, angular, scalar);
  }
}

extern "C" void wm_differentiate_pos(const wm_kinematic_tree* t, const float* qpos1, const float* qpos2, double dt,
                                     int n, float* qvel) {
  for (int e = 0; e < n; ++e) {
    const float* q1 = qpos1 + e * t->nq;
    const float* q2 = qpos2 + e * t->nq;
    float* v = qvel + e * t->nv;
    const auto difference = [&](int a, int d) {
      v[d] = static_cast<float>((static_cast<double>(q2[a]) - q1[a]) / dt);
    };
    const auto linear = [&](int a, int d) {
      for (int k = 0; k < 3; ++k) difference(a + k, d + k);
    };
    const auto angular = [&](int a, int d) {
      // Solves q1 * exp(v dt) = q2 for v, the shorter way round (so3_log takes the angle in [0, pi]).
      const Quat step = wm::quat_mul(wm::quat_conj(wm::load_quat(q1 + a)), wm::load_quat(q2 + a));
      wm::store3(wm::so3_log(step) / dt, v + d);
    };
    for_each_joint_block(t, linear, angular, difference);
  }
}

extern "C" void wm_compose_poses(const float* parent_pos, const float* parent_quat, const int* parent,
                                 const float* local_pos, const float* local_quat, int n, float* pos, float* quat) {
  for (int i = 0; i < n; ++i) {
    const int p = parent[i];
    const Quat pq = wm::load_quat(parent_quat + 4 * p);
    const Vec3 world = wm::load3(parent_pos + 3 * p) + wm::quat_rotate(pq, wm::load3(local_pos + 3 * i));
    const Quat rotation = wm::quat_mul(pq, wm::load_quat(local_quat + 4 * i));
    wm::store3(world, pos + 3 * i);
    wm::store_quat(rotation, quat + 4 * i);
  }
}
