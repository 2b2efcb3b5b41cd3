// geometry.h: wm's geometry shim, C++ on Eigen behind a C API.
//
// Conventions (the same everywhere in wm):
//   - float32 arrays, row-major, packed: a batch of n 3-vectors is float[n*3], of n quaternions float[n*4].
//   - quaternions are (w, x, y, z), unit norm, body -> world (MuJoCo's order).
//   - a pose is (pos[3], quat[4]): p_world = pos + rotate(quat, p_body).
//   - rotation vectors (SO(3) tangent) are axis * angle, radians.
//   - distances in metres. Batch functions accept n == 0; `out` may alias an input only where stated.
#ifndef WM_GEOMETRY_H
#define WM_GEOMETRY_H

#ifdef __cplusplus
extern "C" {
#endif

/// Primitive shapes. Half-extents by kind, in the shape's own frame:
///   SPHERE:   (radius, -, -)
///   BOX:      (hx, hy, hz)
///   CAPSULE:  (radius, half-length of the core segment along local z, -)
///   CYLINDER: (radius, half-height along local z, -)
///   PLANE:    infinite plane through pos with normal = local +z; half-extents ignored.
typedef enum wm_shape_kind {
  WM_SHAPE_SPHERE = 0,
  WM_SHAPE_BOX = 1,
  WM_SHAPE_CAPSULE = 2,
  WM_SHAPE_CYLINDER = 3,
  WM_SHAPE_PLANE = 4,
} wm_shape_kind;

/// A primitive placed in the world.
typedef struct wm_shape {
  int kind;               ///< wm_shape_kind
  float half_extents[3];  ///< see wm_shape_kind
  float pos[3];           ///< centre, world frame (m)
  float quat[4];          ///< orientation (w, x, y, z), body -> world
} wm_shape;

// ---- quaternions (batch of n) ----
/// out[i] = a[i] * b[i] (Hamilton product). out may alias a or b.
void wm_quat_mul(const float* a, const float* b, float* out, int n);
/// out[i] = conjugate(q[i]). out may alias q.
void wm_quat_conj(const float* q, float* out, int n);
/// out[i] = rotate(q[i], v[i]) (vectors: n*3). out may alias v. Rotates by q / |q| (q need not be unit;
/// a zero q leaves v unchanged).
void wm_quat_rotate(const float* q, const float* v, float* out, int n);
/// Normalises each quaternion in place, and flips it so w >= 0. A zero or non-finite one becomes (1, 0, 0, 0).
void wm_quat_normalize(float* q, int n);

// ---- SO(3) ----
/// Exponential map: rotation vector (n*3, rad) -> unit quaternion (n*4): (cos(t/2), sin(t/2) axis), t = |omega|.
/// Exact near zero (Taylor series below 1e-4 rad). Not flipped: w < 0 for angles above pi.
void wm_so3_exp(const float* omega, float* quat, int n);
/// Logarithm: unit quaternion (n*4) -> rotation vector (n*3) with angle in [0, pi] (q and -q give the same).
/// Normalises q first (a zero q gives 0). Exact near zero angle (Taylor series) and well-conditioned near pi.
/// Example: log(exp(omega)) == omega for |omega| < pi.
void wm_so3_log(const float* quat, float* omega, int n);

// ---- rigid transforms of batches ----
/// out[i] = pos + rotate(quat, points[i]) (body -> world). out may alias points.
void wm_transform_points(const float pos[3], const float quat[4], const float* points, float* out, int n);
/// out[i] = rotate(conj(quat), points[i] - pos) (world -> body). out may alias points.
void wm_inverse_transform_points(const float pos[3], const float quat[4], const float* points, float* out, int n);
/// Moves world rays into the body frame: origins like points, directions rotated only. Outputs may alias inputs.
void wm_inverse_transform_rays(const float pos[3], const float quat[4], const float* origins, const float* directions,
                               float* out_origins, float* out_directions, int n);

// ---- closest distance between primitives ----
/// Closest distance (m) between the surfaces of a and b: > 0 when apart, 0 when touching,
/// <= 0 when overlapping (negative is a penetration depth where it is computed exactly, else 0).
/// Writes the closest points (world) to point_a and point_b when not NULL.
///
/// Points: point_b - point_a = distance * n, with n the unit normal from a towards b. Apart, they are the
/// closest points; with a negative (exact) distance, moving b by point_a - point_b (|distance| along n)
/// leaves the shapes just touching. Either way, point_a lies on a's surface and point_b on b's.
/// Overlaps (all pairs are symmetric; the method is chosen by the pair, not the order):
///   - exact negative depth: sphere/capsule vs sphere/capsule; sphere vs box; sphere vs cylinder;
///     any shape vs a plane (the plane bounds the solid half-space below it, local z <= 0).
///   - box, capsule or cylinder vs box or cylinder (GJK): exact negative depth while the cores (a capsule's
///     segment, a box, a cylinder) are apart and only the capsule's radius overlaps; once the cores overlap,
///     0, with point_a = point_b = a point inside both shapes.
///   - plane vs plane: 0, points = each plane's pos.
///   - an unknown kind: +inf, points = each shape's pos.
/// GJK runs in double and stops after at most 128 iterations; results are never NaN for finite inputs.
///
/// Example: two unit spheres 3 m apart along x are 1 m apart, points (1,0,0) and (2,0,0):
///   wm_shape a = {WM_SHAPE_SPHERE, {1, 0, 0}, {0, 0, 0}, {1, 0, 0, 0}}, b = a; b.pos[0] = 3;
///   float d = wm_shape_distance(&a, &b, pa, pb);  // d == 1
float wm_shape_distance(const wm_shape* a, const wm_shape* b, float point_a[3], float point_b[3]);
/// distance[i] = wm_shape_distance(&a[i], &b[i], points_a + 3i, points_b + 3i) for i < n;
/// points_a and points_b (n*3 each) may be NULL.
void wm_shape_distance_batch(const wm_shape* a, const wm_shape* b, int n, float* distance, float* points_a,
                             float* points_b);

// ---- broad phase over bounding spheres (broad_phase.cpp) ----
/// Ints of workspace wm_sphere_pairs needs for n spheres (0 for n <= 0): the least power of two >= 2n, plus 5n + 1.
int wm_sphere_pairs_workspace_size(int n);
/// The candidate pairs of n bounding spheres (centres: n x 3, m; radii: n, m): every (i, j) with i < j whose gap
/// |c_i - c_j| - r_i - r_j (computed in double from the float inputs) is <= cutoff (m, finite). A sphere with a
/// non-finite centre or radius (a plane's infinite radius, a diverged state) pairs with every other sphere, so a
/// caller's exact test decides for it as it would without the broad phase. Expected time O(n + pairs): a uniform
/// grid of cell edge 2 * (largest finite radius) + max(cutoff, 0), its cells hashed into the workspace.
///
/// Writes pair k as pairs[2k] = i, pairs[2k + 1] = j, sorted by i then j (the order of a loop over i < j, whatever
/// the hash), for k < capacity. Returns the number of pairs there are: when that exceeds capacity, the contents of
/// pairs are unspecified; grow pairs to the returned count (2 ints a pair) and call again. A caller that re-tests
/// each pair in float should widen cutoff by its own rounding (a few ulp of the coordinates) so the broad phase
/// never drops a pair that test keeps.
/// workspace: wm_sphere_pairs_workspace_size(n) ints, the caller's (so the call allocates nothing).
/// Example: unit spheres at x = 0, 2.5 and 10 with cutoff 1: one pair, (0, 1) (gap 0.5).
int wm_sphere_pairs(const float* centres, const float* radii, int n, float cutoff, int* pairs, int capacity,
                    int* workspace);

// ---- rigid fit ----
/// Kabsch: the rigid transform (pos, quat with w >= 0) minimising sum_i |pos + rotate(quat, a[i]) - b[i]|^2
/// over n point pairs (a, b: n*3, world). A proper rotation, never a reflection. n == 0 gives the identity;
/// with fewer than 3 non-collinear points the rotation is one of the minimisers.
void wm_kabsch_fit(const float* a, const float* b, int n, float pos[3], float quat[4]);

// ---- rays (batch of n; directions need not be unit; t in units of the direction's length) ----
/// Ray vs oriented box (centre pos, orientation quat, half-extents half). Writes entry and exit parameters;
/// a miss writes t_near = +inf and t_far = -inf. t_near < 0 <= t_far means the origin is inside.
/// A ray is a half-line: a box wholly behind the origin (t_far < 0) is a miss. A zero direction gives
/// (-inf, +inf) when the origin is inside (surface included), else a miss. Slab method in the box frame, in double.
void wm_ray_box(const float* origins, const float* directions, int n, const float pos[3], const float quat[4],
                const float half[3], float* t_near, float* t_far);
/// Ray vs sphere, same output convention as wm_ray_box.
void wm_ray_sphere(const float* origins, const float* directions, int n, const float centre[3], float radius,
                   float* t_near, float* t_far);
/// Ray vs any primitive at its pose (sphere, box, capsule, cylinder; a plane's solid is the half-space below it,
/// local z <= 0, as in wm_shape_distance), same output convention as wm_ray_box; an unknown kind is a miss.
/// Origins and directions are world-frame; t_near is the first surface a ray from outside meets, t_far the
/// exit (+inf for a plane entered from above).
void wm_ray_shape(const wm_shape* shape, const float* origins, const float* directions, int n, float* t_near,
                  float* t_far);

// ---- kinematics of a MuJoCo kinematic tree (kinematics.cpp; batches of n configurations) ----
/// Joint kinds, with MuJoCo's mjtJoint values. Widths in qpos / qvel: FREE 7 / 6, BALL 4 / 3, SLIDE 1 / 1,
/// HINGE 1 / 1. qpos of a free joint: position (m, world) then quaternion (body -> world); of a ball: the
/// quaternion (child -> parent frame); hinge: rad; slide: m. qvel of a free joint: linear velocity (m/s, world)
/// then angular velocity (rad/s, body frame); of a ball: angular velocity (rad/s, body frame).
typedef enum wm_joint_kind {
  WM_JOINT_FREE = 0,
  WM_JOINT_BALL = 1,
  WM_JOINT_SLIDE = 2,
  WM_JOINT_HINGE = 3,
} wm_joint_kind;

/// A kinematic tree in MuJoCo's layout: each field is the mjModel field of the same name (in float32). The arrays
/// are the caller's and only read. Body 0 is the world; every body comes after its parent. A body's joints are
/// body_jntadr[b] ..< body_jntadr[b] + body_jntnum[b]; qpos and qvel entries are in joint order.
typedef struct wm_kinematic_tree {
  int nbody;                 ///< bodies, the world included
  int njnt;                  ///< joints
  int nq;                    ///< generalized positions (qpos entries)
  int nv;                    ///< degrees of freedom (qvel entries)
  const int* body_parentid;  ///< (nbody) parent body; body_parentid[0] == 0
  const int* body_jntadr;    ///< (nbody) first joint of the body (any value when body_jntnum is 0)
  const int* body_jntnum;    ///< (nbody) number of joints of the body
  const float* body_pos;     ///< (nbody x 3) body origin in the parent frame (m)
  const float* body_quat;    ///< (nbody x 4) body orientation, body -> parent frame
  const int* jnt_type;       ///< (njnt) wm_joint_kind
  const int* jnt_qposadr;    ///< (njnt) first qpos entry of the joint
  const int* jnt_dofadr;     ///< (njnt) first qvel entry of the joint
  const float* jnt_pos;      ///< (njnt x 3) anchor in the body frame (m)
  const float* jnt_axis;     ///< (njnt x 3) unit axis in the body frame (hinge, slide)
  const float* qpos0;        ///< (nq) reference qpos: a hinge or slide is displaced by qpos - qpos0
} wm_kinematic_tree;

/// Forward kinematics, MuJoCo's mj_kinematics: qpos (n x nq) -> every body's world pose, xpos (n x nbody x 3, m)
/// and xquat (n x nbody x 4, body -> world, unit, sign as MuJoCo gives it: not flipped to w >= 0).
/// Body 0 gets (0, 0, 0) and (1, 0, 0, 0). A body whose only joint is free takes its pose from qpos (its
/// quaternion normalised). Any other body starts at its parent's pose composed with (body_pos, body_quat), then
/// applies its joints in order: a slide translates by (qpos - qpos0) along its axis, a hinge rotates by
/// (qpos - qpos0) rad about its axis through its anchor, a ball rotates by its normalised qpos quaternion about
/// its anchor. xanchor and xaxis (n x njnt x 3 each; either may be NULL) receive each joint's anchor (m) and axis
/// in the world, taken before the joint moves the body, as MuJoCo's mjData.xanchor / xaxis.
/// workspace: 7 * nbody doubles, the caller's (so the call allocates nothing).
void wm_forward_kinematics(const wm_kinematic_tree* tree, const float* qpos, int n, float* xpos, float* xquat,
                           float* xanchor, float* xaxis, double* workspace);
/// qpos_out = qpos (+) qvel * dt_seconds for n configurations (qpos, qpos_out: n x nq; qvel: n x nv), MuJoCo's
/// mj_integratePos: free-joint position += dt * linear velocity; free and ball quaternions become
/// normalise(q) * exp(dt * angular velocity) (body-frame velocity, so a right product; not renormalised or
/// flipped afterwards); hinge and slide += dt * qvel. qpos_out may alias qpos.
void wm_integrate_pos(const wm_kinematic_tree* tree, const float* qpos, const float* qvel, double dt_seconds, int n,
                      float* qpos_out);
/// qvel = (qpos2 (-) qpos1) / dt_seconds for n configurations (qpos1, qpos2: n x nq; qvel: n x nv), MuJoCo's
/// mj_differentiatePos, the inverse of wm_integrate_pos: free-joint linear velocity = difference / dt; free and
/// ball angular velocity = log(conj(q1) * q2) / dt (body frame of q1, the shorter way round, angle <= pi / dt);
/// hinge and slide = difference / dt. dt_seconds > 0.
void wm_differentiate_pos(const wm_kinematic_tree* tree, const float* qpos1, const float* qpos2, double dt_seconds,
                          int n, float* qvel);

// ---- pose composition ----
/// World poses of n children from their parents' world poses and their own poses in the parent frame:
///   pos[i] = parent_pos[p] + rotate(parent_quat[p], local_pos[i]),  quat[i] = parent_quat[p] * local_quat[i],
/// p = parent[i] (an index into parent_pos (m x 3) and parent_quat (m x 4)); local_pos, pos: n x 3; local_quat,
/// quat: n x 4 (products of unit quaternions, not renormalised). E.g. every geom of every body from FK's body
/// poses and MuJoCo's geom_bodyid, geom_pos, geom_quat. pos and quat may alias local_pos and local_quat, not
/// the parents' arrays.
void wm_compose_poses(const float* parent_pos, const float* parent_quat, const int* parent, const float* local_pos,
                      const float* local_quat, int n, float* pos, float* quat);

// ---- least squares ----
/// One Levenberg-Marquardt step: solves (H + damping * diag(H) + eps I) x = -g for x (n), with H (n x n,
/// row-major, symmetric positive semi-definite: J^T W J) and g (n: J^T W r), in double. Returns 1, or 0 when the
/// damped matrix is not positive definite (x untouched).
int wm_solve_damped_normal_equations(const double* h, const double* g, int n, double damping, double* x);

#ifdef __cplusplus
}
#endif

#endif
