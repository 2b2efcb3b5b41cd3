@preconcurrency import CMuJoCo
import CMallocCounter
import Testing
@testable import WorldModel

@Suite struct ForwardKinematicsTests {
    /// Largest position (m) and quaternion differences from MuJoCo's xpos / xquat over 50 seeded random qpos.
    static func errorsAgainstMuJoCo(_ scene: String) throws -> (position: Double, quaternion: Double) {
        let mujoco = try fixture(scene: scene)
        let fk = ForwardKinematics(tree: mujoco.tree)
        var rng = SeededRandom(seed: 12)
        var worst = (position: 0.0, quaternion: 0.0)
        for _ in 0..<50 {
            let qpos = mujoco.randomQpos(&rng)
            let ours = fk.bodyPoses(qpos: qpos), theirs = mujoco.mujocoKinematics(qpos: qpos)
            worst.position = max(worst.position, maxDifference(ours.positions, theirs.positions))
            worst.quaternion = max(worst.quaternion, maxDifference(ours.quaternions, theirs.quaternions))
        }
        print("forward kinematics vs MuJoCo, \(scene): max error \(worst.position) m, quaternion \(worst.quaternion)")
        return worst
    }

    @Test(arguments: projectScenes + ["every_joint_kind"])
    func bodyPosesMatchMuJoCo(scene: String) throws {
        let error = try Self.errorsAgainstMuJoCo(scene)
        #expect(error.position < 1e-5 && error.quaternion < 1e-5, "\(scene): \(error)")
    }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (pip download dm-control, unzip)"),
          arguments: ["stacker.xml", "manipulator.xml"])
    func bodyPosesMatchMuJoCoOnDMControlArms(scene: String) throws {
        let error = try Self.errorsAgainstMuJoCo(scene)
        #expect(error.position < 1e-5 && error.quaternion < 1e-5, "\(scene): \(error)")
    }

    @Test func jointAnchorsAndAxesMatchMuJoCo() throws {
        let mujoco = try fixture(scene: "every_joint_kind")
        let fk = ForwardKinematics(tree: mujoco.tree)
        let nbody = fk.bodyCount, njnt = fk.tree.joints.count
        var rng = SeededRandom(seed: 13)
        for _ in 0..<20 {
            let qpos = mujoco.randomQpos(&rng)
            var positions = [Float](repeating: 0, count: 3 * nbody), quaternions = [Float](repeating: 0, count: 4 * nbody)
            var anchors = [Float](repeating: 0, count: 3 * njnt), axes = anchors
            qpos.withUnsafeBufferPointer { q in
                positions.withUnsafeMutableBufferPointer { p in
                    quaternions.withUnsafeMutableBufferPointer { r in
                        anchors.withUnsafeMutableBufferPointer { a in
                            axes.withUnsafeMutableBufferPointer { fk(qpos: q, bodyPositions: p, bodyQuaternions: r, jointAnchors: a, jointAxes: $0) }
                        }
                    }
                }
            }
            let theirs = mujoco.mujocoKinematics(qpos: qpos)
            #expect(maxDifference(anchors, theirs.anchors) < 1e-5)
            #expect(maxDifference(axes, theirs.axes) < 1e-5)
        }
    }

    @Test func aBatchEqualsOneConfigurationAtATime() throws {
        let mujoco = try fixture(scene: "every_joint_kind")
        let fk = ForwardKinematics(tree: mujoco.tree)
        var rng = SeededRandom(seed: 14)
        let configurations = (0..<4).map { _ in mujoco.randomQpos(&rng) }
        let batch = fk.bodyPoses(qpos: configurations.flatMap { $0 })
        let single = configurations.map { fk.bodyPoses(qpos: $0) }
        #expect(batch.positions == single.flatMap(\.positions))
        #expect(batch.quaternions == single.flatMap(\.quaternions))
    }

    @Test func theReferencePoseIsTheModelPose() throws {
        // At qpos0 every joint is at its reference: the bodies sit where the MJCF puts them.
        let mujoco = try fixture(scene: "every_joint_kind")
        let tree = mujoco.tree
        let poses = ForwardKinematics(tree: tree).bodyPoses(qpos: tree.referenceQpos)
        mj_resetData(mujoco.model, mujoco.data)
        mj_kinematics(mujoco.model, mujoco.data)
        let d = mujoco.data.pointee
        #expect(maxDifference(poses.positions, Array(UnsafeBufferPointer(start: d.xpos, count: 3 * tree.bodies.count))) < 1e-6)
        #expect(maxDifference(poses.quaternions, Array(UnsafeBufferPointer(start: d.xquat, count: 4 * tree.bodies.count))) < 1e-6)
    }

    @Test func computeAllocatesNothing() throws {
        let mujoco = try fixture(scene: "every_joint_kind")
        let fk = ForwardKinematics(tree: mujoco.tree)
        var rng = SeededRandom(seed: 15)
        let qpos = (0..<8).flatMap { _ in mujoco.randomQpos(&rng) }
        var positions = [Float](repeating: 0, count: 8 * 3 * fk.bodyCount)
        var quaternions = [Float](repeating: 0, count: 8 * 4 * fk.bodyCount)
        qpos.withUnsafeBufferPointer { q in
            positions.withUnsafeMutableBufferPointer { p in
                quaternions.withUnsafeMutableBufferPointer { r in
                    fk(qpos: q, bodyPositions: p, bodyQuaternions: r)
                    let before = wm_malloc_counter_thread_count()
                    for _ in 0..<10 { fk(qpos: q, bodyPositions: p, bodyQuaternions: r) }
                    let allocations = wm_malloc_counter_thread_count() - before
                    #expect(allocations == 0, "\(allocations) allocations in 10 batches of 8")
                }
            }
        }
    }
}
