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
        let plan = [[Float]](repeating: [0.3, 0.1], count: 30)
        let futures = try world.rollout(actions: [plan, plan])
        #expect(world.observation == b)
        #expect(futures[0] == futures[1])
        var last = b
        for action in plan { last = try world.step(action: action) }
        #expect(last == futures[0][29])
        #expect(last.ctrl == [0.3, 0.1] && last.step == 30)
    }

    /// `reset(seed:episode:)` starts exactly where the teacher's recorded episode starts.
    @Test func resetStartsWhereTheRecordedEpisodeStarts() throws {
        let world = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        let episode = try recorder.record(episode: 3, steps: 2, seed: 11, policy: .random).episode
        let seen = try world.reset(seed: 11, episode: 3)
        #expect(seen.qpos == Array(episode.qpos[0..<world.sceneModel.nq]))
        #expect(seen.ctrl == [0, 0] && seen.bodyPositions.count == world.sceneModel.bodies.count)
    }

    /// Out-of-range actions are clamped into ctrlrange; a wrong count or a NaN throws one line naming the file,
    /// and the world does not move.
    @Test func actionsAreCheckedAndBounded() throws {
        let world = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let start = try world.reset(seed: 2)
        for bad: [Float] in [[0.1], [0.1, 0, 0], [.nan, 0], [0, .infinity]] {
            #expect { try world.step(action: bad) } throws: { error in
                let text = "\(error)"
                return text.contains("push.xml") && !text.contains("\n")
            }
        }
        #expect(world.observation == start)
        #expect(try world.step(action: [5, -5]).ctrl == [0.3, -0.3])
    }

    /// Any scene: dm_control's stacker takes its 5 actuators' ctrl, and observes nq, nv and every body.
    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (tools/fetch-dm-control.sh)"))
    func anySceneTakesItsActionVector() throws {
        let world = try MuJoCoEnvironment(scenePath: dmControlSuite + "stacker.xml")
        let scene = world.sceneModel
        let start = try world.reset(seed: 5)
        var seen = start
        for _ in 0..<10 { seen = try world.step(action: [Float](repeating: 0.5, count: scene.nu)) }
        #expect(seen.qpos.count == scene.nq && seen.qvel.count == scene.nv && seen.bodyQuaternions.count == scene.bodies.count)
        #expect(seen.qpos != start.qpos)
    }

    /// The oracle rollout model (threads, restored snapshots) reproduces the environment's own steps.
    @Test func oracleRolloutMatchesTheEnvironment() throws {
        let world = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        try world.reset(seed: 9)
        let oracle = try MuJoCoRolloutModel(scenePath: scenePath("push.xml"), threads: 2)
        let horizon = 6, samples = 3
        var actions: [Float] = []
        for k in 0..<(samples * horizon) { actions += [Float(k % 5) * 0.05 - 0.1, 0.2] }
        func action(_ s: Int, _ t: Int) -> [Float] { Array(actions[((s * horizon + t) * 2)..<((s * horizon + t) * 2 + 2)]) }
        let trajectories = SampledTrajectories(samples: samples, horizon: horizon, scene: oracle.sceneModel)
        try actions.withUnsafeBufferPointer {
            try oracle.rollout(from: world.simulation.snapshot(), actions: $0, samples: samples, horizon: horizon, into: trajectories)
        }
        let futures = try world.rollout(actions: (0..<samples).map { s in (0..<horizon).map { t in action(s, t) } })
        for s in 0..<samples {
            #expect(!trajectories.diverged[s])
            for t in 0..<horizon {
                #expect(Array(trajectories.qpos(sample: s, step: t)) == futures[s][t].qpos)
                for b in 0..<trajectories.bodyCount {
                    #expect(trajectories.position(sample: s, step: t, body: b) == futures[s][t].bodyPositions[b])
                }
            }
        }
    }
}
