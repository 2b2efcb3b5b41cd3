import CGeometry

/// Forward kinematics of a `KinematicTree`: qpos -> every body's world pose, with MuJoCo's `mj_kinematics`
/// semantics (see `wm_forward_kinematics` in the shim's geometry.h), computed in double in the shim.
///
/// Build it once per tree and thread; each call writes into the caller's buffers and allocates nothing. Shapes:
/// qpos n x nq, body positions n x nbody x 3 (m, world), body quaternions n x nbody x 4 ((w, x, y, z), body ->
/// world, unit, not flipped to w >= 0), joint anchors and axes n x njnt x 3 (world), for a batch of n configurations.
///
/// ```swift
/// let fk = ForwardKinematics(tree: tree)
/// var positions = [Float](repeating: 0, count: 3 * fk.bodyCount)
/// var quaternions = [Float](repeating: 0, count: 4 * fk.bodyCount)
/// qpos.withUnsafeBufferPointer { q in
///     positions.withUnsafeMutableBufferPointer { p in
///         quaternions.withUnsafeMutableBufferPointer { fk(qpos: q, bodyPositions: p, bodyQuaternions: $0) }
///     }
/// }
/// let (p, q) = fk.bodyPoses(qpos: qpos)   // the same, into new arrays
/// ```
/// Not thread-safe (it owns a double-precision workspace): one per thread.
public final class ForwardKinematics {
    public let tree: KinematicTree
    private let arrays: KinematicTreeArrays
    /// 7 doubles per body: the world poses of parents while a configuration is computed.
    private let workspace: UnsafeMutablePointer<Double>

    public init(tree: KinematicTree) {
        self.tree = tree
        arrays = KinematicTreeArrays(tree)
        workspace = .allocate(capacity: 7 * tree.bodies.count)
    }

    deinit { workspace.deallocate() }

    /// Bodies, the world included (nbody).
    public var bodyCount: Int { tree.bodies.count }

    /// Writes the body poses of n configurations, n = `bodyPositions.count / (3 nbody)`, and optionally every
    /// joint's world anchor and axis (as MuJoCo's `xanchor`, `xaxis`).
    public func callAsFunction(qpos: UnsafeBufferPointer<Float>, bodyPositions: UnsafeMutableBufferPointer<Float>,
                               bodyQuaternions: UnsafeMutableBufferPointer<Float>,
                               jointAnchors: UnsafeMutableBufferPointer<Float>? = nil,
                               jointAxes: UnsafeMutableBufferPointer<Float>? = nil) {
        let n = bodyPositions.count / (3 * bodyCount), joints = tree.joints.count
        precondition(bodyPositions.count == 3 * n * bodyCount && bodyQuaternions.count == 4 * n * bodyCount
                     && qpos.count == n * tree.nq, "forward kinematics: buffers of \(n) configurations expected")
        precondition(jointAnchors.map { $0.count == 3 * n * joints } ?? true && jointAxes.map { $0.count == 3 * n * joints } ?? true,
                     "forward kinematics: joint anchors and axes are n x njnt x 3")
        withUnsafePointer(to: arrays.tree) { t in
            wm_forward_kinematics(t, qpos.baseAddress, Int32(n), bodyPositions.baseAddress, bodyQuaternions.baseAddress,
                                  jointAnchors?.baseAddress, jointAxes?.baseAddress, workspace)
        }
    }

    /// The body poses of the configurations in `qpos` (a multiple of nq values), in new arrays.
    public func bodyPoses(qpos: [Float]) -> (positions: [Float], quaternions: [Float]) {
        let n = tree.nq == 0 ? 1 : qpos.count / tree.nq
        var positions = [Float](repeating: 0, count: 3 * n * bodyCount)
        var quaternions = [Float](repeating: 0, count: 4 * n * bodyCount)
        qpos.withUnsafeBufferPointer { q in
            positions.withUnsafeMutableBufferPointer { p in
                quaternions.withUnsafeMutableBufferPointer { self(qpos: q, bodyPositions: p, bodyQuaternions: $0) }
            }
        }
        return (positions, quaternions)
    }

    /// Pose `index` of a `bodyPoses` result (configuration c's body b is index c * nbody + b).
    @inline(__always)
    public static func pose(_ index: Int, of poses: (positions: [Float], quaternions: [Float])) -> (position: SIMD3<Float>, quaternion: SIMD4<Float>) {
        let p = poses.positions, q = poses.quaternions, i = index
        return (SIMD3(p[3 * i], p[3 * i + 1], p[3 * i + 2]), SIMD4(q[4 * i], q[4 * i + 1], q[4 * i + 2], q[4 * i + 3]))
    }
}
