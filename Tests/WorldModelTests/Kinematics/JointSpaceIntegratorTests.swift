import CMallocCounter
import Testing
@testable import WorldModel

@Suite struct JointSpaceIntegratorTests {
    static let scenes = projectScenes + ["every_joint_kind"]
    static let dmControlScenes = ["stacker.xml", "manipulator.xml"]

    /// Largest differences from mj_integratePos and mj_differentiatePos over 50 seeded random (qpos, qvel), and
    /// between qvel and differentiate(qpos, integrate(qpos, qvel)).
    static func errorsAgainstMuJoCo(_ scene: String) throws -> (integrate: Double, differentiate: Double, roundTrip: Double) {
        let mujoco = try fixture(scene: scene)
        let joints = JointSpaceIntegrator(tree: mujoco.tree)
        var rng = SeededRandom(seed: 21)
        var worst = (integrate: 0.0, differentiate: 0.0, roundTrip: 0.0)
        let dt = 0.05
        for _ in 0..<50 {
            let qpos = mujoco.randomQpos(&rng), qvel = mujoco.randomQvel(&rng), other = mujoco.randomQpos(&rng)
            let next = joints.integrate(qpos: qpos, qvel: qvel, dtSeconds: dt)
            worst.integrate = max(worst.integrate, maxDifference(next, mujoco.mujocoIntegrate(qpos: qpos, qvel: qvel, dtSeconds: dt)))
            // Far-apart configurations too: rotations up to pi, taken the shorter way round.
            let velocity = joints.differentiate(from: qpos, to: other, dtSeconds: dt)
            worst.differentiate = max(worst.differentiate, maxDifference(velocity, mujoco.mujocoDifferentiate(from: qpos, to: other, dtSeconds: dt)))
            let back = joints.differentiate(from: qpos, to: next, dtSeconds: dt)
            worst.roundTrip = max(worst.roundTrip, maxDifference(back, qvel.map(Double.init)))
        }
        print("joint-space integration vs MuJoCo, \(scene): integrate \(worst.integrate), differentiate \(worst.differentiate), round trip \(worst.roundTrip)")
        return worst
    }

    static func check(_ scene: String) throws {
        let error = try errorsAgainstMuJoCo(scene)
        #expect(error.integrate < 1e-5, "\(scene): integrate \(error.integrate)")
        // qvel = difference / dt: float32 qpos entries near 1 m carry about 6e-8 m, 1.2e-6 m/s at dt = 0.05 s.
        #expect(error.differentiate < 1e-5, "\(scene): differentiate \(error.differentiate)")
        #expect(error.roundTrip < 1e-5, "\(scene): round trip \(error.roundTrip)")
    }

    @Test(arguments: scenes)
    func integrateAndDifferentiateMatchMuJoCo(scene: String) throws { try Self.check(scene) }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (pip download dm-control, unzip)"),
          arguments: dmControlScenes)
    func integrateAndDifferentiateMatchMuJoCoOnDMControlArms(scene: String) throws { try Self.check(scene) }

    @Test func integrationInPlaceEqualsIntoAnotherBufferAndAllocatesNothing() throws {
        let mujoco = try fixture(scene: "every_joint_kind")
        let joints = JointSpaceIntegrator(tree: mujoco.tree)
        var rng = SeededRandom(seed: 22)
        let qpos = (0..<4).flatMap { _ in mujoco.randomQpos(&rng) }, qvel = (0..<4).flatMap { _ in mujoco.randomQvel(&rng) }
        let expected = joints.integrate(qpos: qpos, qvel: qvel, dtSeconds: 0.02)
        var state = qpos, velocity = [Float](repeating: 0, count: qvel.count)
        var allocations: UInt64 = 0
        qvel.withUnsafeBufferPointer { v in
            state.withUnsafeMutableBufferPointer { q in
                velocity.withUnsafeMutableBufferPointer { out in
                    let before = wm_malloc_counter_thread_count()
                    joints.integrate(qpos: UnsafeBufferPointer(q), qvel: v, dtSeconds: 0.02, into: q)
                    joints.differentiate(from: UnsafeBufferPointer(q), to: UnsafeBufferPointer(q), dtSeconds: 0.02, into: out)
                    allocations = wm_malloc_counter_thread_count() - before
                }
            }
        }
        #expect(state == expected)
        #expect(velocity.allSatisfy { $0 == 0 })
        #expect(allocations == 0)
    }
}
