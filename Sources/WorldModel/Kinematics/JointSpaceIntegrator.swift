import CGeometry

/// Steps generalized positions by velocities and back, in joint space, with MuJoCo's `mj_integratePos` and
/// `mj_differentiatePos` semantics (see `wm_integrate_pos` / `wm_differentiate_pos` in the shim's geometry.h):
/// free-joint positions move by the world-frame linear velocity, free and ball quaternions by the exponential
/// map of the body-frame angular velocity (q * exp(omega dt)), hinges and slides by qvel dt.
///
/// Shapes: qpos n x nq, qvel n x nv (layouts in `KinematicTree`), for a batch of n = qpos.count / nq
/// configurations. The buffer calls allocate nothing.
///
/// ```swift
/// let joints = JointSpaceIntegrator(tree: tree)
/// let next = joints.integrate(qpos: qpos, qvel: qvel, dtSeconds: 0.02)
/// let qvelBack = joints.differentiate(from: qpos, to: next, dtSeconds: 0.02)   // == qvel
/// ```
/// Immutable, so one instance can serve every thread.
public final class JointSpaceIntegrator: Sendable {
    public let tree: KinematicTree
    private let arrays: KinematicTreeArrays

    public init(tree: KinematicTree) {
        self.tree = tree
        arrays = KinematicTreeArrays(tree)
    }

    /// Configurations in a qpos buffer of `count` values (nq == 0: none).
    private func configurations(qposCount count: Int) -> Int { tree.nq == 0 ? 0 : count / tree.nq }

    /// out = qpos (+) qvel dt. `out` may be the memory of `qpos`.
    public func integrate(qpos: UnsafeBufferPointer<Float>, qvel: UnsafeBufferPointer<Float>, dtSeconds: Double,
                          into out: UnsafeMutableBufferPointer<Float>) {
        let n = configurations(qposCount: qpos.count)
        precondition(qpos.count == n * tree.nq && qvel.count == n * tree.nv && out.count == qpos.count,
                     "integrate: qpos n x \(tree.nq), qvel n x \(tree.nv) and out n x \(tree.nq) expected")
        withUnsafePointer(to: arrays.tree) { t in
            wm_integrate_pos(t, qpos.baseAddress, qvel.baseAddress, dtSeconds, Int32(n), out.baseAddress)
        }
    }

    /// qvel = (qpos2 (-) qpos1) / dt, the inverse of `integrate`; angular velocities in qpos1's body frame, the
    /// shorter way round. dtSeconds > 0.
    public func differentiate(from qpos1: UnsafeBufferPointer<Float>, to qpos2: UnsafeBufferPointer<Float>, dtSeconds: Double,
                              into qvel: UnsafeMutableBufferPointer<Float>) {
        let n = configurations(qposCount: qpos1.count)
        precondition(qpos1.count == n * tree.nq && qpos2.count == qpos1.count && qvel.count == n * tree.nv,
                     "differentiate: qpos1 and qpos2 n x \(tree.nq), qvel n x \(tree.nv) expected")
        withUnsafePointer(to: arrays.tree) { t in
            wm_differentiate_pos(t, qpos1.baseAddress, qpos2.baseAddress, dtSeconds, Int32(n), qvel.baseAddress)
        }
    }

    /// `integrate` into a new array.
    public func integrate(qpos: [Float], qvel: [Float], dtSeconds: Double) -> [Float] {
        var out = [Float](repeating: 0, count: qpos.count)
        qpos.withUnsafeBufferPointer { q in
            qvel.withUnsafeBufferPointer { v in out.withUnsafeMutableBufferPointer { integrate(qpos: q, qvel: v, dtSeconds: dtSeconds, into: $0) } }
        }
        return out
    }

    /// `differentiate` into a new array.
    public func differentiate(from qpos1: [Float], to qpos2: [Float], dtSeconds: Double) -> [Float] {
        var out = [Float](repeating: 0, count: configurations(qposCount: qpos1.count) * tree.nv)
        qpos1.withUnsafeBufferPointer { a in
            qpos2.withUnsafeBufferPointer { b in out.withUnsafeMutableBufferPointer { differentiate(from: a, to: b, dtSeconds: dtSeconds, into: $0) } }
        }
        return out
    }
}
