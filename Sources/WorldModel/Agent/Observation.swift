/// Where one body is: origin position (m, world) and orientation (w, x, y, z), body -> world.
public struct ObjectPose: Sendable, Equatable {
    public var position: SIMD3<Float>
    public var quaternion: SIMD4<Float>

    public init(position: SIMD3<Float>, quaternion: SIMD4<Float>) {
        self.position = position
        self.quaternion = quaternion
    }

    /// The heading (rad, about world z) of the body's x axis, in (-π, π].
    public var yaw: Float { ObjectPose.yaw(of: quaternion) }

    /// The heading (rad) of a quaternion's x axis about world z.
    @inline(__always) public static func yaw(of q: SIMD4<Float>) -> Float { RotationMath.yaw(q) }
}

/// What an agent sees after each step, for any scene: MuJoCo's generalized state and every body's pose. The same
/// type from the MuJoCo teacher and from the learned model, so an agent cannot tell which one it talks to.
///
/// | field | shape | meaning |
/// | --- | --- | --- |
/// | `qpos` | nq | generalized positions, MuJoCo's `qpos` (m, rad; free and ball joints as position + quaternion) |
/// | `qvel` | nv | generalized velocities in MuJoCo's `qvel` conventions: MuJoCo's own from the teacher; from the learned model the finite difference over the last control step |
/// | `ctrl` | nu | the action applied over the step that led here, clamped into `ctrlrange` (zeros after a reset) |
/// | `bodyPositions` | nbody | every body's origin (m, world), MuJoCo's `xpos`; index 0 is the world |
/// | `bodyQuaternions` | nbody | every body's orientation (w, x, y, z), body -> world, MuJoCo's `xquat` |
/// | `frames` | cameras | RGB-D frames of the cameras given to `Environment.observeCameras` (none by default) |
///
/// ```swift
/// let seen = try environment.step(action: [0.1, 0])
/// print(seen.qpos, seen.bodyPositions[seen.bodyPositions.count - 1])
/// ```
public struct Observation: Sendable, Equatable {
    public var qpos: [Float]
    public var qvel: [Float]
    public var ctrl: [Float]
    public var bodyPositions: [SIMD3<Float>]
    public var bodyQuaternions: [SIMD4<Float>]
    /// Control steps since the last reset.
    public var step: Int
    /// What the environment's cameras see (`Environment.observeCameras`), one frame per camera in their order.
    public var frames: [CameraFrame]

    public init(qpos: [Float], qvel: [Float], ctrl: [Float], bodyPositions: [SIMD3<Float>], bodyQuaternions: [SIMD4<Float>], step: Int = 0,
                frames: [CameraFrame] = []) {
        self.frames = frames
        self.qpos = qpos
        self.qvel = qvel
        self.ctrl = ctrl
        self.bodyPositions = bodyPositions
        self.bodyQuaternions = bodyQuaternions
        self.step = step
    }

    /// The pose of body `index` (MuJoCo's body order).
    public func pose(of index: Int) -> ObjectPose { ObjectPose(position: bodyPositions[index], quaternion: bodyQuaternions[index]) }

    /// Whether every number is finite.
    public var isFinite: Bool {
        qpos.allSatisfy(\.isFinite) && qvel.allSatisfy(\.isFinite) && bodyPositions.allSatisfy { ($0 * 0).sum() == 0 }
    }
}

extension Observation {
    /// The observation of configuration `qpos` (nq) with velocity `qvel`: body poses by forward kinematics.
    public init(qpos: [Float], qvel: [Float], ctrl: [Float], step: Int, kinematics fk: ForwardKinematics) {
        let (p, q) = fk.bodyPoses(qpos: qpos)
        self.init(qpos: qpos, qvel: qvel, ctrl: ctrl,
                  bodyPositions: (0..<fk.bodyCount).map { SIMD3(p[3 * $0], p[3 * $0 + 1], p[3 * $0 + 2]) },
                  bodyQuaternions: (0..<fk.bodyCount).map { SIMD4(q[4 * $0], q[4 * $0 + 1], q[4 * $0 + 2], q[4 * $0 + 3]) },
                  step: step)
    }
}
