import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// One box, launched at 0.3-0.8 m/s each episode: it slides and friction stops it, which constant velocity cannot
/// know. The pusher stays still, away from the box.
let oneSlidingBoxScene = """
<mujoco model="one_box">
  <option timestep="0.002" gravity="0 0 -9.81"/>
  <default><geom friction="0.5 0.005 0.0001" condim="4"/></default>
  <worldbody>
    <geom name="table" type="plane" size="1 1 0.01" friction="0.8 0.005 0.0001"/>
    <body name="pusher" pos="0 0 0">
      <joint name="px" type="slide" axis="1 0 0" limited="true" range="-0.35 0.35"/>
      <joint name="py" type="slide" axis="0 1 0" limited="true" range="-0.35 0.35"/>
      <geom type="capsule" fromto="0 0 0.02 0 0 0.08" size="0.015" mass="1"/>
    </body>
    <body name="box" pos="0 0 0.025"><freejoint/><geom type="box" size="0.025 0.025 0.025" mass="0.1"/></body>
  </worldbody>
  <actuator>
    <velocity joint="px" kv="100" ctrllimited="true" ctrlrange="-0.3 0.3" forcelimited="true" forcerange="-20 20"/>
    <velocity joint="py" kv="100" ctrllimited="true" ctrlrange="-0.3 0.3" forcelimited="true" forcerange="-20 20"/>
  </actuator>
</mujoco>
"""

/// Recorded episodes of the one sliding box, made once for the suite.
let oneBoxData: (scene: SceneDescription, train: [Episode], valid: [Episode], test: [Episode]) = {
    let path = try! temporaryFile("one_box.xml", oneSlidingBoxScene)
    defer { unlink(path) }
    let recorder = try! TeacherRecorder(scenePath: path)
    let episodes = (0..<17).map { try! recorder.record(episode: $0, steps: 40, seed: 21, policy: .still, launchSpeed: 0.3...0.8).episode }
    return (try! recorder.scene, Array(episodes[0..<12]), Array(episodes[12..<14]), Array(episodes[14...]))
}()

func trainedOneBoxModel(kind: DynamicsKind = .gnn, steps: Int, seed: UInt64 = 6) throws -> (DynamicsModel, DynamicsTrainingSummary, Float) {
    let data = oneBoxData
    var configuration = DynamicsConfiguration.preset(named: "small")!
    configuration.kind = kind
    configuration.features.historyLength = 3
    configuration.denseHiddenWidth = 64
    let kinematics = RobotKinematics.fit(episodes: data.train, dtSeconds: 0.02, lowerBound: SIMD2(-0.35, -0.35), upperBound: SIMD2(0.35, 0.35))
    let model = DynamicsModel(configuration: configuration, objects: data.scene.objects, robot: data.scene.robot, dtSeconds: 0.02,
                              robotKinematics: kinematics, seed: 5)
    let trainer = try DynamicsTrainer(model: model, trainEpisodes: data.train, validEpisodes: data.valid, seed: seed)
    trainer.computeStatistics(frames: 600)
    let first = (0..<10).map { _ in trainer.minibatchLoss() }.reduce(0, +) / 10
    let path = "/tmp/wm-one-box-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-\(kind.rawValue).safetensors"
    defer { unlink(path) }
    // Validation by steps, not by the clock: the checkpoint kept must not depend on the machine's load.
    let summary = try trainer.run(budgetSeconds: 600, maxSteps: steps, validateEverySteps: 100, path: path)
    return (try DynamicsModel.load(from: path), summary, first)
}

@Suite(.serialized) struct DynamicsTrainerTests {
    @Test func lossFallsAndTheModelBeatsConstantVelocity() throws {
        let (model, summary, initialLoss) = try trainedOneBoxModel(steps: 2500, seed: 8)
        #expect(summary.finalLoss < 0.5 * initialLoss, "loss \(initialLoss) -> \(summary.finalLoss)")
        let test = oneBoxData.test
        let runner = try DynamicsRunner(model: model, objects: oneBoxData.scene.objects, maxEnvironments: 16)
        let learned = try RolloutEvaluation.evaluate(runner, episodes: test, horizons: [10, 20], historyLength: 3, dtSeconds: 0.02, startStride: 5)
        let constant = try RolloutEvaluation.evaluate(ConstantVelocityStepper(robotKinematics: model.robotKinematics, dtSeconds: 0.02),
                                                      episodes: test, horizons: [10, 20], historyLength: 3, dtSeconds: 0.02, startStride: 5)
        print("LOSS \(initialLoss) -> \(summary.finalLoss) learned \(learned.positionErrorMeters) constant \(constant.positionErrorMeters)")
        #expect(learned.positionErrorMeters[1] < constant.positionErrorMeters[1],
                "learned \(learned.positionErrorMeters) vs constant velocity \(constant.positionErrorMeters)")
    }

    @Test func checkpointRoundTripsToIdenticalPredictions() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 20)
        let path = "/tmp/wm-roundtrip-\(getpid()).safetensors"
        defer { unlink(path) }
        try model.save(to: path)
        let loaded = try DynamicsModel.load(from: path)
        #expect(loaded.configuration == model.configuration && loaded.robotKinematics == model.robotKinematics)
        let episode = oneBoxData.test[0]
        var a = [DynamicsState(episode: episode, frame: 10, historyLength: 3, dtSeconds: 0.02)], b = a
        let ra = try DynamicsRunner(model: model, objects: oneBoxData.scene.objects, maxEnvironments: 1)
        let rb = try DynamicsRunner(model: loaded, objects: oneBoxData.scene.objects, maxEnvironments: 1)
        for t in 10..<39 {
            let action = SIMD2(episode.actions[t * 2], episode.actions[t * 2 + 1])
            try ra.step(&a, actions: [action])
            try rb.step(&b, actions: [action])
        }
        #expect(a == b)
    }

    @Test func batchedAndOneByOneStepsAgree() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 20)
        let episode = oneBoxData.test[1]
        let frames = [3, 8, 13, 19]
        var batch = frames.map { DynamicsState(episode: episode, frame: $0, historyLength: 3, dtSeconds: 0.02) }
        var single = batch
        let batched = try DynamicsRunner(model: model, objects: oneBoxData.scene.objects, maxEnvironments: 4)
        let alone = try DynamicsRunner(model: model, objects: oneBoxData.scene.objects, maxEnvironments: 1)
        for step in 0..<20 {
            let actions = frames.map { SIMD2(episode.actions[($0 + step) * 2], episode.actions[($0 + step) * 2 + 1]) }
            try batched.step(&batch, actions: actions)
            for k in 0..<frames.count {
                var one = [single[k]]
                try alone.step(&one, actions: [actions[k]])
                single[k] = one[0]
            }
        }
        for k in 0..<frames.count {
            for i in 0..<batch[k].positions.count { #expect(abs(batch[k].positions[i] - single[k].positions[i]) < 1e-6) }
            for i in 0..<batch[k].quaternions.count { #expect(abs(batch[k].quaternions[i] - single[k].quaternions[i]) < 1e-6) }
        }
    }

    @Test func denseBaselineRefusesAnotherObjectCount() throws {
        let (model, _, _) = try trainedOneBoxModel(kind: .denseMLP, steps: 20)
        #expect(throws: WorldModelError.self) { try DynamicsRunner(model: model, objects: [testBox, testBox], maxEnvironments: 1) }
        do {
            _ = try DynamicsRunner(model: model, objects: [testBox, testBox], maxEnvironments: 1)
        } catch let error as WorldModelError {
            #expect(error.description.contains("trained on 1 objects and cannot take 2"))
        }
    }

    @Test func corruptCheckpointIsAOneLineError() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 1)
        let path = "/tmp/wm-trunc-\(getpid()).safetensors"
        defer { unlink(path) }
        try model.save(to: path)
        let bytes = try FileBytes.read(path)
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Array(bytes[0..<(bytes.count - 100)]))
        try writer.commit()
        do {
            _ = try DynamicsModel.load(from: path)
            Issue.record("truncated checkpoint loaded")
        } catch let error as WorldModelError {
            #expect(error.description.hasPrefix(path + ": "))
            #expect(!error.description.contains("\n"))
        }
    }
}

@Suite(.enabled(if: DatasetFixture.sampleExists, "needs ../shared/peers/sample_push_n4.npz beside the project"))
struct ImportedDataTrainingTests {
    @Test func aModelTrainedOnImportedDataEvaluates() throws {
        let dataset = "/tmp/wm-imported-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).wmds"
        let checkpoint = dataset + ".safetensors"
        defer { unlink(dataset); unlink(checkpoint) }
        let scene = try MuJoCoSimulation(path: scenePath("push.xml")).scene
        var options = NPZImportOptions()
        options.objectsFromScene = scene.objects
        options.robotFromScene = scene.robot
        let header = try NPZImport.convert(npz: DatasetFixture.samplePath, to: dataset, options: options)
        let (_, train) = try DynamicsData.episodes(path: dataset, split: .train)
        let (_, test) = try DynamicsData.episodes(path: dataset, split: .test)
        var configuration = DynamicsConfiguration.preset(named: "small")!
        configuration.features.historyLength = 3
        let model = DynamicsModel(configuration: configuration, objects: header.objects, robot: try header.requireRobot(), dtSeconds: Float(header.controlDtSeconds),
                                  robotKinematics: DynamicsData.robotKinematics(header: header, episodes: train), seed: 3)
        let trainer = try DynamicsTrainer(model: model, trainEpisodes: train, validEpisodes: [], seed: 4)
        trainer.computeStatistics(frames: 300)
        _ = try trainer.run(budgetSeconds: 60, maxSteps: 30, path: checkpoint)
        let loaded = try DynamicsModel.load(from: checkpoint)
        let runner = try DynamicsRunner(model: loaded, objects: header.objects, maxEnvironments: 16)
        let errors = try RolloutEvaluation.evaluate(runner, episodes: test, horizons: [1, 10], historyLength: 3, dtSeconds: loaded.dtSeconds)
        #expect(errors.rollouts > 0 && errors.positionErrorMeters.allSatisfy { $0.isFinite })
        #expect(errors.positionErrorMeters[0] < 0.01)
    }
}
