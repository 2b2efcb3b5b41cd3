import Testing
@testable import WorldModel

@Suite struct MuJoCoEnvironmentTests {
    /// The same seed gives the same start; a rollout answers "what if" without moving the world, and agrees
    /// with stepping for real.
    @Test func rolloutIsWhatStepsWouldDoAndChangesNothing() throws {
        let world = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let a = try world.reset(seed: 4)
        let b = try world.reset(seed: 4)
        #expect(a == b)
        let plan = [SIMD2<Float>](repeating: SIMD2(0.3, 0.1), count: 30)
        let futures = try world.rollout(actions: [plan, plan])
        #expect(world.observation == b)
        #expect(futures[0] == futures[1])
        var last = b
        for action in plan { last = try world.step(action: action) }
        #expect(last == futures[0][29])
    }

    /// The oracle rollout model (threads, restored snapshots) reproduces the environment's own steps.
    @Test func oracleRolloutMatchesTheEnvironment() throws {
        let world = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        try world.reset(seed: 9)
        let oracle = try MuJoCoRolloutModel(scenePath: scenePath("push.xml"), threads: 2)
        let horizon = 6, samples = 3
        let actions = (0..<(samples * horizon)).map { k in SIMD2(Float(k % 5) * 0.05 - 0.1, 0.2) }
        let trajectories = SampledTrajectories(samples: samples, horizon: horizon, objectCount: 4)
        try actions.withUnsafeBufferPointer {
            try oracle.rollout(from: world.simulation.snapshot(), actions: $0, samples: samples, horizon: horizon, into: trajectories)
        }
        let futures = try world.rollout(actions: (0..<samples).map { s in Array(actions[(s * horizon)..<((s + 1) * horizon)]) })
        for s in 0..<samples {
            for t in 0..<horizon {
                #expect(trajectories.robotPosition(sample: s, step: t) == futures[s][t].robotPosition)
                #expect(trajectories.position(sample: s, step: t, object: 2) == futures[s][t].objects[2].position)
            }
        }
    }
}
