import Foundation
import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct BodyDynamicsTests {
    func trained(kind: BodyDynamicsKind, steps: Int) throws -> (BodyDynamicsModel, Float, Float) {
        var configuration = BodyDynamicsConfiguration.preset(named: "small")!
        configuration.kind = kind
        configuration.denseHiddenWidth = 64
        let model = try BodyDynamicsModel(configuration: configuration, scene: armData.scene, seed: 3)
        let trainer = try BodyDynamicsTrainer(model: model, trainEpisodes: armData.train, validEpisodes: armData.valid, seed: 4)
        trainer.computeStatistics(frames: 400)
        let first = (0..<10).map { _ in trainer.minibatchLoss() }.reduce(0, +) / 10
        // The training loop `wm train` runs (warm-up, decay, clipping, Adam); no checkpoint is kept.
        let path = "/tmp/wm-body-dynamics-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).safetensors"
        defer { unlink(path) }
        _ = try trainer.run(budgetSeconds: 600, maxSteps: steps, validateEverySeconds: 1e9, path: path)
        let last = (0..<10).map { _ in trainer.minibatchLoss() }.reduce(0, +) / 10
        return (model, first, last)
    }

    @Test(arguments: [BodyDynamicsKind.gnn, .denseMLP])
    func trainingLowersTheLoss(_ kind: BodyDynamicsKind) throws {
        let (_, first, last) = try trained(kind: kind, steps: 300)
        #expect(last < 0.7 * first, "normalised loss \(first) -> \(last)")
    }

    @Test func checkpointRoundTripPredictsTheSame() throws {
        let (model, _, _) = try trained(kind: .gnn, steps: 20)
        let path = "/tmp/wm-test-\(getpid())-body.safetensors"
        defer { unlink(path) }
        try model.save(to: path)
        #expect(try BodyDynamicsModel.isBodyModel(path: path))
        let loaded = try BodyDynamicsModel.load(from: path)
        #expect(loaded.scene == model.scene && loaded.configuration == model.configuration)
        let episode = armData.valid[0], nu = armData.scene.nu
        func rollout(_ m: BodyDynamicsModel) throws -> [Float] {
            let runner = try BodyDynamicsRunner(model: m, maxEnvironments: 1)
            var states = [BodyState(episode: episode, frame: 2, historyLength: m.historyLength, nq: m.scene.nq)]
            for t in 2..<12 { runner.step(&states, ctrl: Array(episode.actions[(t * nu)..<((t + 1) * nu)])) }
            return states[0].qposHistory
        }
        #expect(try rollout(model) == rollout(loaded))
    }

    /// Stepping runs the inference pass, training the pass that keeps activations: both give the same outputs.
    @Test func theInferencePassMatchesTheTrainingPass() throws {
        let (model, _, _) = try trained(kind: .gnn, steps: 20)
        let runner = try BodyDynamicsRunner(model: model, maxEnvironments: 3)
        let nu = armData.scene.nu
        let states = (0..<3).map { BodyState(episode: armData.valid[$0 % armData.valid.count], frame: 3 + 5 * $0, historyLength: model.historyLength, nq: model.scene.nq) }
        let ctrl = (0..<(3 * nu)).map { Float($0 % 3) * 0.4 - 0.4 }
        let (trained, inferred) = states.withUnsafeBufferPointer { st in
            ctrl.withUnsafeBufferPointer { c in
                (runner.forward(states: st, ctrl: c).values, runner.infer(states: st, ctrl: c).values)
            }
        }
        #expect(trained.count == inferred.count && !trained.isEmpty)
        let scale = trained.map(abs).max()!
        let worst = zip(trained, inferred).map { abs($0 - $1) }.max()!
        // Inference rounds its products' inputs to bfloat16 where the CPU has AMX tiles (ProductPrecision.inference).
        let tolerance: Float = ProductPrecision.inference == .bfloat16 ? 3e-2 : 1e-4
        #expect(worst <= tolerance * max(scale, 1), "largest difference \(worst) (outputs up to \(scale))")
    }

    @Test func aCheckpointOfAnotherKindIsRefused() throws {
        let path = "/tmp/wm-test-\(getpid())-notbody.safetensors"
        defer { unlink(path) }
        try Checkpoint.save([], to: path, architecture: "{}", extra: ["model": "wm-dynamics"])
        #expect(throws: WorldModelError.self) { try BodyDynamicsModel.load(from: path) }
    }

    @Test func rolloutsKeepJointsInTheirRangeAndLinksAttached() throws {
        let (model, _, _) = try trained(kind: .gnn, steps: 50)
        let runner = try BodyDynamicsRunner(model: model, maxEnvironments: 2)
        let episodes = Array(armData.train.prefix(2))
        let report = try BodyLongRollout.run(runner, scene: model.scene, episodes: episodes, workspaceEpisodes: armData.train, steps: 300, seed: 1)
        #expect(report.environments == 2 && report.divergedEnvironments == 0)
        #expect(report.maxHingeLimitExcessDegrees <= Double(model.configuration.jointLimitMarginRadians) * 180 / .pi + 1e-3)
    }

    @Test func jointLimitsClampHingesAndSlidesWithTheirMargins() throws {
        var qpos: [Float] = [-3, 3, 5, 5, 5]  // shoulder, elbow (hinges, limited), box (unlimited)
        qpos.withUnsafeMutableBufferPointer { JointLimits.clamp($0, tree: armData.scene.tree, marginRadians: 0.01) }
        #expect(abs(qpos[0] - (-100 * .pi / 180 - 0.01)) < 1e-5 && abs(qpos[1] - (120 * .pi / 180 + 0.01)) < 1e-5)
        #expect(qpos[2...] == [5, 5, 5])
    }

    @Test func aDivergedEnvironmentStopsAndIsReported() throws {
        let model = try BodyDynamicsModel(configuration: BodyDynamicsConfiguration.preset(named: "small")!, scene: armData.scene, seed: 1)
        model.targetStatistics = FeatureStatistics(mean: [Float](repeating: .nan, count: BodyGraphLayout.targetClassCount),
                                                   std: [Float](repeating: 1, count: BodyGraphLayout.targetClassCount))
        let runner = try BodyDynamicsRunner(model: model, maxEnvironments: 1)
        let start = BodyState(episode: armData.train[0], frame: 2, historyLength: 2, nq: armData.scene.nq)
        var states = [start]
        var flags = [false]
        let count = flags.withUnsafeMutableBufferPointer { runner.step(&states, ctrl: [0, 0], diverged: $0) }
        #expect(count == 1 && flags == [true] && states[0] == start)
    }

    @Test func constantVelocityIsExactOnConstantVelocityMotion() throws {
        let scene = armData.scene
        let integrator = JointSpaceIntegrator(tree: scene.tree)
        let v: [Float] = [0.3, -0.2, 0.05, 0, 0.4]
        var qpos = scene.tree.referenceQpos, frames = qpos
        for _ in 0..<30 { qpos = integrator.integrate(qpos: qpos, qvel: v, dtSeconds: scene.controlDtSeconds); frames += qpos }
        let episode = Episode(frameCount: 31, objectCount: 0, actionDimension: 2, objectStates: [], robotStates: [],
                              actions: [Float](repeating: 0, count: 60), contactCounts: [Int32](repeating: 0, count: 31), qpos: frames)
        let evaluation = try BodyRolloutEvaluation(scene: scene, horizons: [1, 10, 25])
        let stepper = ConstantJointVelocityStepper(scene: scene, historyLength: 2, maxEnvironments: evaluation.maxStarts(episodes: [episode], historyLength: 2))
        let errors = try evaluation.evaluate(stepper, episodes: [episode])
        #expect(errors.rollouts == 3)
        #expect(errors.bodyPositionErrorMeters.allSatisfy { $0! < 1e-5 }, "\(errors.bodyPositionErrorMeters)")
        #expect(errors.jointAngleErrorDegrees.allSatisfy { $0! < 1e-3 })
        #expect(errors.handBody == "hand")
    }
}

@Suite struct BodyTargetTests {
    /// The training target and the rollout step are inverses: advancing a recorded state by its target
    /// acceleration lands on the recorded next qpos, for hinges, slides and free joints (world-frame rotations).
    @Test(arguments: ["arm", "tumble.xml"])
    func advancingByTheTargetReachesTheRecordedNextState(_ which: String) throws {
        let scene: SceneModel, episodes: [Episode]
        if which == "arm" {
            (scene, episodes) = (armData.scene, armData.train)
        } else {
            let recorder = try TeacherRecorder(scenePath: scenePath(which))
            episodes = [try recorder.record(episode: 0, steps: 30, seed: 2, policy: .waypoints).episode]
            scene = recorder.sceneModel
        }
        var configuration = BodyDynamicsConfiguration.preset(named: "small")!
        configuration.jointLimitMarginRadians = 1  // the recorded state may overshoot a limit: compare without clamping
        configuration.staticPenetrationToleranceMeters = 1  // and MuJoCo's soft contacts sink more than 2 mm: without projecting
        let model = try BodyDynamicsModel(configuration: configuration, scene: scene, seed: 1)
        let trainer = try BodyDynamicsTrainer(model: model, trainEpisodes: episodes, validEpisodes: [], seed: 1)
        let runner = try BodyDynamicsRunner(model: model, maxEnvironments: 1)
        var worst: Float = 0
        for k in stride(from: 0, to: trainer.frames.count, by: 7) {
            let sample = trainer.sample(k)
            let target = trainer.targetAccelerations(state: sample.state, next: sample.next)
            var state = sample.state
            #expect(target.withUnsafeBufferPointer { runner.advance(&state, accelerations: $0.baseAddress!) })
            let next = Array(sample.next)
            for (i, x) in state.qpos.enumerated() { worst = max(worst, abs(x - next[i])) }
        }
        #expect(worst < 2e-4, "largest qpos difference \(worst)")
    }
}

@Suite struct BodyTrainingNoiseTests {
    /// The configuration offset moves every frame of the robot's DOFs by the same amount only with robot noise
    /// set, and the passive bodies' only with their own.
    @Test(arguments: [(Float(0.05), Float(0)), (Float(0), Float(0.05))])
    func configurationOffsetsReachTheRobotOnlyWithRobotNoise(robot: Float, passive: Float) throws {
        var configuration = BodyDynamicsConfiguration.preset(named: "small")!
        configuration.linearVelocityNoise = 0
        configuration.angularVelocityNoise = 0
        configuration.positionNoiseMeters = passive
        configuration.rotationNoiseRadians = passive
        configuration.robotPositionNoiseMeters = robot
        configuration.robotRotationNoiseRadians = robot
        let model = try BodyDynamicsModel(configuration: configuration, scene: armData.scene, seed: 1)
        let trainer = try BodyDynamicsTrainer(model: model, trainEpisodes: armData.train, validEpisodes: [], seed: 1)
        let clean = trainer.sample(5).state
        var noisy = clean, rng = SeededRandom(seed: 7)
        trainer.addNoise(to: &noisy, using: &rng)
        let layout = model.layout, tree = armData.scene.tree, nq = armData.scene.nq, h = model.historyLength
        var movedRobot = false, movedPassive = false
        for joint in tree.joints where joint.kind != .ball {
            // A free joint's x; the robot's DOFs are those of the first target classes.
            let a = joint.qposAddress, isRobot = layout.targetClass[joint.dofAddress] < BodyGraphLayout.DofClass.allCases.count
            let shifts = (0...h).map { noisy.qposHistory[$0 * nq + a] - clean.qposHistory[$0 * nq + a] }
            #expect(shifts.allSatisfy { abs($0 - shifts[0]) < 1e-5 }, "joint \(joint.name): offsets \(shifts) differ between frames")
            if abs(shifts[0]) > 1e-6 { if isRobot { movedRobot = true } else { movedPassive = true } }
        }
        #expect(movedRobot == (robot > 0) && movedPassive == (passive > 0))
    }
}

@Suite struct BodyDynamicsConfigurationTests {
    @Test func aConfigurationWithoutOffsetNoiseDecodesWithNone() throws {
        var json = String(decoding: try JSONEncoder().encode(BodyDynamicsConfiguration()), as: UTF8.self)
        #expect(try JSONDecoder().decode(BodyDynamicsConfiguration.self, from: Data(json.utf8)) == BodyDynamicsConfiguration())
        for key in ["positionNoiseMeters", "rotationNoiseRadians", "robotPositionNoiseMeters", "robotRotationNoiseRadians", "staticContactRadiusMeters",
                    "staticContactEdgesToWorld", "staticPenetrationToleranceMeters"] {
            json = json.replacingOccurrences(of: "\"\(key)\":", with: "\"unused_\(key)\":")
        }
        let old = try JSONDecoder().decode(BodyDynamicsConfiguration.self, from: Data(json.utf8))
        #expect(old.positionNoiseMeters == 0 && old.rotationNoiseRadians == 0 && old.latentWidth == 64)
        #expect(old.robotPositionNoiseMeters == 0 && old.robotRotationNoiseRadians == 0)
        // Checkpoints from before the static-contact radius used the contact radius for static edges too.
        #expect(old.staticContactRadiusMeters == old.contactRadiusMeters && !old.staticContactEdgesToWorld)
        // The static non-penetration of rollouts applies to older checkpoints too, at its default tolerance.
        #expect(old.staticPenetrationToleranceMeters == 0.002)
    }
}

@Suite struct ShippedBodyModelTests {
    /// The shipped stacker and manipulator models, on fresh episodes no model saw (another seed), beat constant
    /// velocity by far on every moving body at 25 steps.
    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (tools/fetch-dm-control.sh)"),
          arguments: ["stacker", "manipulator"])
    func shippedModelsBeatConstantVelocity(_ name: String) throws {
        let model = try BodyDynamicsModel.load(from: packageRoot + "/models/\(name).safetensors")
        let recorder = try TeacherRecorder(scenePath: dmControlSuite + "\(name).xml")
        #expect(recorder.sceneModel == model.scene)
        let episodes = try (0..<3).map { try recorder.record(episode: $0, steps: 60, seed: 9_001, policy: .smooth).episode }
        let evaluation = try BodyRolloutEvaluation(scene: model.scene, horizons: [25])
        let batch = evaluation.maxStarts(episodes: episodes, historyLength: model.historyLength)
        let learned = try evaluation.evaluate(try BodyDynamicsRunner(model: model, maxEnvironments: batch), episodes: episodes)
        let constant = try evaluation.evaluate(ConstantJointVelocityStepper(scene: model.scene, historyLength: model.historyLength, maxEnvironments: batch),
                                               episodes: episodes)
        let a = try #require(learned.bodyPositionErrorMeters[0]), b = try #require(constant.bodyPositionErrorMeters[0])
        #expect(learned.diverged == 0 && a < 0.5 * b, "learned \(a) m, constant velocity \(b) m")
        #expect(try #require(learned.jointAngleErrorDegrees[0]) < 0.5 * (try #require(constant.jointAngleErrorDegrees[0])))
    }

    /// The shipped stacker model, 1,000 closed-loop steps under smooth random torques (which press the hand into
    /// the floor): no geom deeper than 3 mm in a static plane (the projection's 2 mm, plus its linearisation), every
    /// hinge within its range plus the margin.
    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (tools/fetch-dm-control.sh)"))
    func theShippedStackerStaysOutOfTheFloor() throws {
        let model = try BodyDynamicsModel.load(from: packageRoot + "/models/stacker.safetensors")
        let recorder = try TeacherRecorder(scenePath: dmControlSuite + "stacker.xml")
        let episodes = try (0..<2).map { try recorder.record(episode: $0, steps: 4, seed: 9_002, policy: .smooth).episode }
        let report = try BodyLongRollout.run(try BodyDynamicsRunner(model: model, maxEnvironments: 2), scene: model.scene, episodes: episodes,
                                             workspaceEpisodes: episodes, steps: 1000, seed: 4)
        #expect(report.divergedEnvironments == 0)
        #expect(report.maxPlanePenetrationMeters <= 0.003, "deepest \(report.maxPlanePenetrationMeters) m at step \(report.maxPlanePenetrationStep)")
        #expect(report.maxHingeLimitExcessDegrees <= Double(model.configuration.jointLimitMarginRadians) * 180 / .pi + 1e-3)
    }
}
