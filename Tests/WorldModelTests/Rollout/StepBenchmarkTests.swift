#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WorldModel

@Suite(.serialized) struct StepBenchmarkTests {
    @Test func reportsTheBatchOneStepTheBatchAndMuJoCoOnTheSameScene() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 2)
        let path = try temporaryFile("bench_one_box.xml", oneSlidingBoxScene)
        defer { unlink(path) }
        let report = try StepBenchmark.run(model: model, configName: "one box", scenePath: path, batchSize: 4, repeats: 1, threads: 1)
        #expect(report.config == "one box" && report.batch == 4 && report.threads == 1)
        #expect(report.parameters == model.parameters.scalarCount)
        #expect(report.stepMillisecondsBatch1 > 0 && report.stepMillisecondsBatch1.isFinite)
        #expect(report.batchGraphStepsPerSecond > 0 && report.batchGraphStepsPerSecond.isFinite)
        #expect(report.mujocoControlStepsPerSecond > 0 && report.mujocoControlStepsPerSecond.isFinite)
        #expect(abs(report.learnedControlStepsPerSecond * report.stepMillisecondsBatch1 - 1000) < 1e-6 * 1000)
    }
}
