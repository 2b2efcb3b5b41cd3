import Testing
@testable import WorldModel

@Suite(.serialized) struct ScalingBenchmarkTests {
    /// A small run: a row per size and batch, the edges of the start state's graph, buffers that grow with the
    /// scene, and the growth ratio between the sizes. Times are only checked to be positive.
    @Test func reportsEverySizeAndBatch() throws {
        let report = try ScalingBenchmark.run(configuration: DynamicsConfiguration(latentWidth: 16, messagePassingSteps: 1), configName: "tiny",
                                              robotKinematics: RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-0.35, -0.35), upperBound: SIMD2(0.35, 0.35)),
                                              templatePath: scenePath("clutter.xml"), bodies: [8, 32], batches: [1, 2], rounds: 3, stepsPerBurst: 2,
                                              bodyStepsPerSample: 64)
        #expect(report.rows.map { [$0.bodies, $0.batch] } == [[8, 1], [8, 2], [32, 1], [32, 2]])
        for row in report.rows {
            #expect(row.nanosecondsPerBodyStep.rounds == 3 && row.nanosecondsPerBodyStep.min > 0)
            #expect(row.edgesPerGraph > 0)
            #expect(abs(row.workspaceBytesPerBody * Double(row.bodies * row.batch) - Double(row.workspaceBytes)) < 1)
        }
        #expect(report.rows[2].edgesPerGraph > report.rows[0].edgesPerGraph)
        #expect(report.rows[3].workspaceBytes > report.rows[2].workspaceBytes && report.rows[2].workspaceBytes > report.rows[0].workspaceBytes)
        #expect(report.growth.keys.sorted() == ["batch 1: 8 -> 32", "batch 2: 8 -> 32"])
        #expect(throws: WorldModelError.self) {
            try ScalingBenchmark.run(configuration: DynamicsConfiguration(), configName: "x", robotKinematics: RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-1, -1), upperBound: SIMD2(1, 1)),
                                     templatePath: scenePath("clutter.xml"), bodies: [24], rounds: 1, stepsPerBurst: 1)
        }
    }
}
