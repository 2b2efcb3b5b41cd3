import CGeometry
import Glibc
import Testing

/// A `wm_kinematic_tree` over arrays this object owns (the pointers stay valid while it lives).
final class TreeArrays {
    private var owned: [UnsafeMutableRawPointer] = []
    private(set) var tree = wm_kinematic_tree()

    /// bodies: (parent, pos, quat, first joint, joint count); joints: (kind, anchor, axis); addresses follow the joint order.
    init(bodies: [(parent: Int32, pos: [Float], quat: [Float], first: Int32, count: Int32)],
         joints: [(kind: wm_joint_kind, anchor: [Float], axis: [Float])], qpos0: [Float]) {
        let widths: [wm_joint_kind: (Int32, Int32)] = [WM_JOINT_FREE: (7, 6), WM_JOINT_BALL: (4, 3), WM_JOINT_SLIDE: (1, 1), WM_JOINT_HINGE: (1, 1)]
        var qposAddress: [Int32] = [], dofAddress: [Int32] = [], nq: Int32 = 0, nv: Int32 = 0
        for j in joints {
            qposAddress.append(nq)
            dofAddress.append(nv)
            nq += widths[j.kind]!.0
            nv += widths[j.kind]!.1
        }
        precondition(qpos0.count == Int(nq))
        tree = wm_kinematic_tree(
            nbody: Int32(bodies.count), njnt: Int32(joints.count), nq: nq, nv: nv,
            body_parentid: copy(bodies.map(\.parent)), body_jntadr: copy(bodies.map(\.first)), body_jntnum: copy(bodies.map(\.count)),
            body_pos: copy(bodies.flatMap(\.pos)), body_quat: copy(bodies.flatMap(\.quat)),
            jnt_type: copy(joints.map { Int32($0.kind.rawValue) }), jnt_qposadr: copy(qposAddress), jnt_dofadr: copy(dofAddress),
            jnt_pos: copy(joints.flatMap(\.anchor)), jnt_axis: copy(joints.flatMap(\.axis)), qpos0: copy(qpos0))
    }

    private func copy<T>(_ values: [T]) -> UnsafePointer<T> {
        let p = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
        p.initialize(from: values, count: values.count)
        owned.append(UnsafeMutableRawPointer(p))
        return UnsafePointer(p)
    }

    deinit { for p in owned { p.deallocate() } }

    /// Body positions and quaternions of one configuration.
    func forward(_ qpos: [Float]) -> (positions: [Float], quaternions: [Float]) {
        let nbody = Int(tree.nbody)
        var positions = [Float](repeating: 0, count: 3 * nbody), quaternions = [Float](repeating: 0, count: 4 * nbody)
        var workspace = [Double](repeating: 0, count: 7 * nbody)
        withUnsafePointer(to: tree) { wm_forward_kinematics($0, qpos, 1, &positions, &quaternions, nil, nil, &workspace) }
        return (positions, quaternions)
    }
}

@Suite struct KinematicsTests {
    static let identity: [Float] = [1, 0, 0, 0]

    @Test func twoLinkPlanarArmMatchesTheTextbook() {
        // Hinges about z at the base and at the elbow (l1 = 0.4 m out), a tip l2 = 0.3 m beyond the elbow.
        let arm = TreeArrays(
            bodies: [(0, [0, 0, 0], Self.identity, -1, 0), (0, [0, 0, 0], Self.identity, 0, 1), (1, [0.4, 0, 0], Self.identity, 1, 1),
                     (2, [0.3, 0, 0], Self.identity, -1, 0)],
            joints: [(WM_JOINT_HINGE, [0, 0, 0], [0, 0, 1]), (WM_JOINT_HINGE, [0, 0, 0], [0, 0, 1])], qpos0: [0, 0])
        var rng = SplitMix64(seed: 1)
        for _ in 0..<50 {
            let a = rng.uniform(-.pi, .pi), b = rng.uniform(-.pi, .pi)
            let poses = arm.forward([Float(a), Float(b)])
            let tip = Vec3(floats: poses.positions, at: 3)
            #expect((tip - Vec3(0.4 * cos(a) + 0.3 * cos(a + b), 0.4 * sin(a) + 0.3 * sin(a + b), 0)).norm < 1e-6)
            let expected = Quat(axis: Vec3(0, 0, 1), angle: Double(Float(a)) + Double(Float(b))).matrix
            #expect(Quat(floats: poses.quaternions, at: 3).matrix.distance(to: expected) < 1e-6)
        }
        #expect(arm.forward([0, 0]).positions.prefix(3) == [0, 0, 0])
        #expect(arm.forward([0, 0]).quaternions.prefix(4) == [1, 0, 0, 0])
    }

    @Test func jointsMoveByQposMinusTheirReference() {
        // A slide along x with ref 0.2, then a hinge about z through the anchor (0.1, 0, 0) with ref 0.5.
        let body = TreeArrays(
            bodies: [(0, [0, 0, 0], Self.identity, -1, 0), (0, [1, 2, 3], Self.identity, 0, 2)],
            joints: [(WM_JOINT_SLIDE, [0, 0, 0], [1, 0, 0]), (WM_JOINT_HINGE, [0.1, 0, 0], [0, 0, 1])], qpos0: [0.2, 0.5])
        let atReference = body.forward([0.2, 0.5])
        #expect((Vec3(floats: atReference.positions, at: 1) - Vec3(1, 2, 3)).norm < 1e-6)
        // Half a turn about the anchor puts the body origin 0.2 m along x from where it was; the slide adds 0.5 m.
        let moved = body.forward([0.7, Float(0.5 + Double.pi)])
        #expect((Vec3(floats: moved.positions, at: 1) - Vec3(1 + 0.5 + 0.2, 2, 3)).norm < 1e-6)
        #expect(Quat(floats: moved.quaternions, at: 1).matrix.distance(to: Quat(axis: Vec3(0, 0, 1), angle: .pi).matrix) < 1e-6)
    }

    /// A free body, and beside it a body on a hinge, a slide and a ball (anchors off its origin).
    static func mixed() -> TreeArrays {
        TreeArrays(
            bodies: [(0, [0, 0, 0], identity, -1, 0), (0, [0, 0, 0], identity, 0, 1), (0, [0.1, 0, 0], [0.8, 0.6, 0, 0], 1, 3)],
            joints: [(WM_JOINT_FREE, [0, 0, 0], [0, 0, 1]), (WM_JOINT_HINGE, [0, 0.1, 0], [0, 1, 0]),
                     (WM_JOINT_SLIDE, [0, 0, 0], [0, 0, 1]), (WM_JOINT_BALL, [0.05, 0, 0], [0, 0, 1])],
            qpos0: [0, 0, 0, 1, 0, 0, 0, 0.3, -0.1, 1, 0, 0, 0])
    }

    @Test func integrationUsesBodyFrameAngularVelocityAndDifferentiationInvertsIt() {
        let tree = Self.mixed()
        var rng = SplitMix64(seed: 2)
        for _ in 0..<50 {
            let q0 = rng.unitQuaternion(), q1 = rng.unitQuaternion()
            let qpos: [Float] = (0..<3).map { _ in Float(rng.uniform(-1, 1)) } + q0.floats + [Float(rng.uniform(-1, 1)), Float(rng.uniform(-1, 1))] + q1.floats
            let qvel: [Float] = (0..<11).map { _ in Float(rng.uniform(-3, 3)) }
            let dt = 0.1
            var next = [Float](repeating: 0, count: 13), back = [Float](repeating: 0, count: 11)
            withUnsafePointer(to: tree.tree) { t in
                wm_integrate_pos(t, qpos, qvel, dt, 1, &next)
                wm_differentiate_pos(t, qpos, next, dt, 1, &back)
            }
            for k in 0..<3 { #expect(abs(Double(next[k]) - (Double(qpos[k]) + dt * Double(qvel[k]))) < 1e-6) }
            // q(t + dt) = q(t) exp(omega dt): the rotation matrix is R(q) Rodrigues(omega dt), omega in the body frame.
            for (qAt, vAt) in [(3, 3), (9, 8)] {
                let omega = Vec3(floats: Array(qvel[vAt..<(vAt + 3)]))
                let expected = Quat(floats: Array(qpos[qAt..<(qAt + 4)])).matrix * rodrigues(dt * omega)
                #expect(Quat(floats: Array(next[qAt..<(qAt + 4)])).matrix.distance(to: expected) < 1e-5)
            }
            #expect(abs(next[7] - (qpos[7] + Float(dt) * qvel[6])) < 1e-6 && abs(next[8] - (qpos[8] + Float(dt) * qvel[7])) < 1e-6)
            #expect(zip(back, qvel).allSatisfy { abs($0 - $1) < 1e-4 })
        }
    }

    @Test func differentiationTakesTheShorterWayRound() {
        // From the identity to a 3/4 turn about z: -pi/2 about z, not 3 pi/2.
        let ball = TreeArrays(bodies: [(0, [0, 0, 0], Self.identity, -1, 0), (0, [0, 0, 0], Self.identity, 0, 1)],
                              joints: [(WM_JOINT_BALL, [0, 0, 0], [0, 0, 1])], qpos0: Self.identity)
        let turned = Quat(axis: Vec3(0, 0, 1), angle: 1.5 * .pi).floats
        var v = [Float](repeating: 0, count: 3)
        withUnsafePointer(to: ball.tree) { wm_differentiate_pos($0, Self.identity, turned, 0.5, 1, &v) }
        #expect((Vec3(floats: v) - Vec3(0, 0, -.pi)).norm < 1e-5)
    }

    @Test func composeMatchesMatrixMath() {
        var rng = SplitMix64(seed: 3)
        let parents = (0..<3).map { _ in (Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)), rng.unitQuaternion()) }
        let children = (0..<10).map { i in (Int32(i % 3), Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)), rng.unitQuaternion()) }
        var positions = [Float](repeating: 0, count: 30), quaternions = [Float](repeating: 0, count: 40)
        wm_compose_poses(parents.flatMap { $0.0.floats }, parents.flatMap { $0.1.floats }, children.map(\.0),
                         children.flatMap { $0.1.floats }, children.flatMap { $0.2.floats }, 10, &positions, &quaternions)
        for (i, child) in children.enumerated() {
            let (pos, quat) = parents[Int(child.0)]
            let parent = Quat(floats: quat.floats).matrix
            #expect((Vec3(floats: positions, at: i) - (pos + parent * child.1)).norm < 1e-6)
            #expect(Quat(floats: quaternions, at: i).matrix.distance(to: parent * Quat(floats: child.2.floats).matrix) < 1e-6)
        }
    }

    @Test func emptyBatchesAreAccepted() {
        let tree = Self.mixed()
        var out = [Float](repeating: 7, count: 4), quaternions = out
        var workspace = [Double](repeating: 0, count: 21)
        withUnsafePointer(to: tree.tree) { t in
            wm_forward_kinematics(t, [], 0, &out, &quaternions, nil, nil, &workspace)
            wm_integrate_pos(t, [], [], 0.1, 0, &out)
            wm_differentiate_pos(t, [], [], 0.1, 0, &out)
        }
        wm_compose_poses([], [], [], [], [], 0, &out, &quaternions)
        #expect(out == [7, 7, 7, 7] && quaternions == [7, 7, 7, 7])
    }
}
