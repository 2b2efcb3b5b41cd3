@preconcurrency import CMuJoCo

extension MuJoCoSimulation {
    /// Starts episode `index` of `seed` as the teacher's recordings do: resets, places the bodies, lets contacts
    /// settle for `settlePhysicsSteps` physics steps with zero `ctrl`; returns the episode's generator (stream
    /// `index` of `seed`, advanced past the placement) for whatever the episode draws next.
    ///
    /// Placement: a free-object scene (`freeObjects`: free objects and a slide-joint pusher, like
    /// `scenes/push.xml`) uses ``InitialPlacement``; any other scene draws
    /// ``SceneModel/randomConfiguration(slideSpreadMeters:using:)`` and draws again (up to 100 times) while two
    /// geoms overlap by more than 1 mm, falling back to `qpos0`.
    ///
    /// ```swift
    /// var rng = try sim.startEpisode(3, seed: 11, settlePhysicsSteps: 50, freeObjects: try? sim.scene)
    /// ```
    @discardableResult
    public func startEpisode(_ index: Int, seed: UInt64, settlePhysicsSteps: Int, freeObjects: SceneDescription?) throws -> SeededRandom {
        var rng = SeededRandom(seed: seed, stream: UInt64(index))
        if let scene = freeObjects {
            try start(from: InitialPlacement.sample(for: scene, using: &rng), settlePhysicsSteps: settlePhysicsSteps)
            return rng
        }
        reset()
        let zero = [Double](repeating: 0, count: sceneModel.nv)
        var placed = false
        for _ in 0..<100 {
            try setGeneralizedState(qpos: sceneModel.randomConfiguration(using: &rng), qvel: zero)
            if deepestPenetrationMeters <= 0.001 { placed = true; break }
        }
        if !placed { try setGeneralizedState(qpos: sceneModel.qpos0.map(Double.init), qvel: zero) }
        if settlePhysicsSteps > 0 {
            try step(action: [Float](repeating: 0, count: sceneModel.nu), substeps: settlePhysicsSteps)
        }
        return rng
    }

    /// Writes every body's pose, the world's included (nbody, MuJoCo's order): positions nbody x 3 (m, world),
    /// quaternions nbody x 4 ((w, x, y, z), body -> world), for the current `qpos` (runs `mj_kinematics`).
    /// Allocates nothing.
    public func writeAllBodyPoses(positions: UnsafeMutablePointer<Float>, quaternions: UnsafeMutablePointer<Float>) {
        mj_kinematics(model, data)
        for b in 0..<sceneModel.bodies.count {
            for k in 0..<3 { positions[3 * b + k] = Float(data.pointee.xpos[3 * b + k]) }
            for k in 0..<4 { quaternions[4 * b + k] = Float(data.pointee.xquat[4 * b + k]) }
        }
    }
}
