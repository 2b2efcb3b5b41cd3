#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WorldModel

@Suite struct TrainingBenchmarkTests {
    /// `wm bench train`'s figures come from the training loop itself, on the threads `wm train --threads` uses.
    @Test func timesTheTrainingLoopInWindowsOnDataParallelThreads() throws {
        var configuration = DynamicsConfiguration.preset(named: "small")!
        configuration.features.historyLength = 3
        let path = try temporaryFile("bench_train_one_box.xml", oneSlidingBoxScene)
        defer { unlink(path) }
        let scene = try MuJoCoSimulation(path: path).scene
        let model = DynamicsModel(configuration: configuration, objects: scene.objects, robot: scene.robot, dtSeconds: Float(scene.controlDtSeconds),
                                  robotKinematics: RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-0.35, -0.35), upperBound: SIMD2(0.35, 0.35)),
                                  seed: 1)
        let before = model.parameters.map { Array(UnsafeBufferPointer(start: $0.value.base, count: $0.value.count)) }
        let report = try TrainingBenchmark.run(model: model, configName: "small", scenePath: path, windows: 2, stepsPerWindow: 10, warmupSteps: 10,
                                               episodes: 2, episodeSteps: 20, threads: 2)
        #expect(report.threads == 2 && report.batch == configuration.batchSize && report.objects == 1)
        #expect(report.nodesPerGraph == 2 && report.edgesPerGraph >= 0)
        #expect(report.stepsPerSecond.rounds == 2 && report.stepsPerSecond.min > 0 && report.stepsPerSecond.max.isFinite)
        #expect(report.millisecondsPerStep.min > 0 && abs(report.millisecondsPerStep.min * report.stepsPerSecond.max - 1000) < 1e-6 * 1000)
        #expect(abs(report.graphsPerSecond - report.stepsPerSecond.median * Double(configuration.batchSize)) < 1e-9 * report.graphsPerSecond)
        // The loop trained: the weights moved.
        let after = model.parameters.map { Array(UnsafeBufferPointer(start: $0.value.base, count: $0.value.count)) }
        #expect(before != after)
        #expect(throws: WorldModelError.self) {
            try TrainingBenchmark.run(model: model, configName: "small", scenePath: path, windows: 1, stepsPerWindow: 15, threads: 1)
        }
    }
}
