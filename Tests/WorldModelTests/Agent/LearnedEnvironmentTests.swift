import Testing
@testable import WorldModel

@Suite struct LearnedEnvironmentTests {
    /// The shipped push model, started where the teacher is, follows the teacher's pusher in free space (the
    /// boxes in the corners, out of reach) to within a few millimetres over 40 steps, and the boxes stay put.
    @Test func shippedModelFollowsTheTeacherInFreeSpace() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned: any Environment = try LearnedEnvironment(model: AgentFixtures.shippedPushModel(), maxBatch: 4)
        let start = try teacher.reset(to: AgentFixtures.cornerPlacement())
        try learned.reset(to: start)
        let pusher = try #require(teacher.sceneModel.handBodyIndex), boxes = teacher.sceneModel.passiveBodyIndices
        var worstPusher: Float = 0, worstBox: Float = 0
        for action in AgentFixtures.freeSpaceActions(count: 40) {
            let real = try teacher.step(action: action), dream = try learned.step(action: action)
            #expect(real.step == dream.step && real.ctrl == dream.ctrl)
            worstPusher = max(worstPusher, simd_distance(real.bodyPositions[pusher], dream.bodyPositions[pusher]))
            for b in boxes { worstBox = max(worstBox, simd_distance(dream.bodyPositions[b], start.bodyPositions[b])) }
        }
        #expect(worstPusher < 0.005, "pusher off by \(worstPusher) m")
        #expect(worstBox < 0.002, "a box moved \(worstBox) m")
    }

    /// A batched rollout gives what stepping gives, and leaves the environment where it was.
    @Test func rolloutMatchesSteppingAndKeepsTheState() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned = try LearnedEnvironment(model: AgentFixtures.untrainedPushModel(), maxBatch: 2)
        let start = try teacher.reset(to: AgentFixtures.cornerPlacement())
        try learned.reset(to: start)
        let before = learned.observation
        let plans = [AgentFixtures.freeSpaceActions(count: 10), [[Float]](repeating: [-0.1, 0.05], count: 7), [[0.2, 0]]]
        let futures = try learned.rollout(actions: plans)
        #expect(learned.observation == before)
        #expect(futures.map(\.count) == [10, 7, 1])
        for (plan, future) in zip(plans, futures) {
            try learned.reset(to: start)
            for (t, action) in plan.enumerated() {
                let seen = try learned.step(action: action)
                // One environment and a batch of three take different GEMM kernels: equal to rounding.
                for k in seen.qpos.indices { #expect(abs(seen.qpos[k] - future[t].qpos[k]) < 1e-5) }
                for b in seen.bodyPositions.indices { #expect(simd_distance(seen.bodyPositions[b], future[t].bodyPositions[b]) < 1e-5) }
            }
        }
    }

    /// A step whose prediction is not finite throws one line and leaves the state as it was; a batched rollout
    /// flags the diverged sequence instead of returning garbage.
    @Test func divergenceIsReportedAndTheStateKept() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let model = try AgentFixtures.divergingPushModel()
        let learned = try LearnedEnvironment(model: model, maxBatch: 2)
        try learned.reset(to: try teacher.reset(seed: 1))
        let before = learned.observation
        #expect { try learned.step(action: [0.1, 0]) } throws: { "\($0)".contains("diverged at step 1") }
        #expect(learned.observation == before)
        let rollout = try LearnedRolloutModel(model: model, maxSamples: 3)
        let trajectories = SampledTrajectories(samples: 3, horizon: 4, scene: model.scene)
        try [Float](repeating: 0.1, count: 3 * 4 * 2).withUnsafeBufferPointer {
            try rollout.rollout(from: learned.state, actions: $0, samples: 3, horizon: 4, into: trajectories)
        }
        #expect((0..<3).allSatisfy { trajectories.diverged[$0] })
    }

    /// Wrong action widths and NaN actions are refused with one line.
    @Test func badActionsAreRefused() throws {
        let learned = try LearnedEnvironment(model: AgentFixtures.untrainedPushModel(), maxBatch: 1)
        #expect { try learned.step(action: [0.1, 0.2, 0.3]) } throws: { "\($0)".contains("needs 2 values") }
        #expect { try learned.step(action: [.nan, 0.2]) } throws: { "\($0)".contains("is nan") }
        #expect(learned.observation.step == 0)
    }

    /// Rendering draws every geom at its predicted pose: from the teacher's state, the learned picture matches
    /// MuJoCo's, and the pixel at a box's centre seen from above has the box's colour.
    @Test func renderingShowsBodiesAtTheirPoses() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned = try LearnedEnvironment(model: AgentFixtures.untrainedPushModel(), maxBatch: 1)
        try learned.reset(to: try teacher.reset(to: AgentFixtures.cornerPlacement()))
        let camera = PinholeCamera(lookFrom: [0, 0, 1], at: [0, 0, 0], up: [0, 1, 0], fieldOfViewDegrees: 40, width: 64, height: 64)
        let dream = learned.render(camera: camera), real = teacher.render(camera: camera)
        // Box 0 at (0.25, 0.25): right and up of the centre. Its pixel: x = (0.5 + 0.25 / (2 tan 20°)) * 64.
        let x = Int((0.5 + 0.25 / (2 * 0.36397)) * 64), y = Int((0.5 - 0.25 / (2 * 0.36397)) * 64)
        for image in [dream, real] {
            let o = (y * 64 + x) * 3
            let rgb = SIMD3(Float(image.pixels[o]), Float(image.pixels[o + 1]), Float(image.pixels[o + 2]))
            #expect(rgb.z > rgb.x + 40)  // box0 is blue (0.2, 0.5, 0.8)
        }
        var differing = 0
        for k in 0..<dream.pixels.count where abs(Int(dream.pixels[k]) - Int(real.pixels[k])) > 40 { differing += 1 }
        #expect(differing < dream.pixels.count / 20)
    }
}

func simd_distance(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { ((a - b) * (a - b)).sum().squareRoot() }
