import CGeometry

/// A `KinematicTree` flattened once into the shim's `wm_kinematic_tree` (MuJoCo's struct-of-arrays layout), for
/// the kinematics calls to read without allocating. Immutable after `init`; the arrays live as long as it does.
final class KinematicTreeArrays: @unchecked Sendable {
    /// Points into memory this object owns.
    let tree: wm_kinematic_tree
    private let owned: [UnsafeMutableRawPointer]

    init(_ source: KinematicTree) {
        var owned: [UnsafeMutableRawPointer] = []
        func copy<T>(_ values: [T]) -> UnsafePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
            p.initialize(from: values, count: values.count)
            owned.append(UnsafeMutableRawPointer(p))
            return UnsafePointer(p)
        }
        let bodies = source.bodies, joints = source.joints
        tree = wm_kinematic_tree(
            nbody: Int32(bodies.count), njnt: Int32(joints.count), nq: Int32(source.nq), nv: Int32(source.nv),
            body_parentid: copy(bodies.map { Int32($0.parent) }),
            body_jntadr: copy(bodies.map { Int32($0.firstJoint) }),
            body_jntnum: copy(bodies.map { Int32($0.jointCount) }),
            body_pos: copy(bodies.flatMap { [$0.positionInParent.x, $0.positionInParent.y, $0.positionInParent.z] }),
            body_quat: copy(bodies.flatMap { q in (0..<4).map { q.quaternionInParent[$0] } }),
            jnt_type: copy(joints.map { $0.kind.rawValue }),
            jnt_qposadr: copy(joints.map { Int32($0.qposAddress) }),
            jnt_dofadr: copy(joints.map { Int32($0.dofAddress) }),
            jnt_pos: copy(joints.flatMap { [$0.anchor.x, $0.anchor.y, $0.anchor.z] }),
            jnt_axis: copy(joints.flatMap { [$0.axis.x, $0.axis.y, $0.axis.z] }),
            qpos0: copy(source.referenceQpos))
        self.owned = owned
    }

    deinit {
        for p in owned { p.deallocate() }
    }
}
