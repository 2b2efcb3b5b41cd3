import CMallocCounter
import Testing
@testable import WorldModel

@Suite struct DynamicsRunnerTests {
    /// A fresh-weight model of the default preset on `objects` (speed and shapes only, no training).
    static func freshModel(_ objects: [ObjectDescription]) -> DynamicsModel {
        DynamicsModel(configuration: DynamicsConfiguration(features: GraphFeatureConfiguration(historyLength: 3)), objects: objects, robot: testPusher,
                      dtSeconds: 0.02, robotKinematics: RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-1, -1), upperBound: SIMD2(1, 1)),
                      seed: 3)
    }

    /// A batch with more edges than the builder starts with: the builder grows, the network workspaces grow with it,
    /// and the steady state after that allocates nothing and repeats the same outputs.
    @Test func workspacesGrowWithTheGraphBuffers() throws {
        let objects = (0..<40).map { GraphFeaturesTests.mixedObjects[$0 % 5] }
        let runner = try DynamicsRunner(model: Self.freshModel(objects), objects: objects, maxEnvironments: 4)
        let states = GraphFeaturesTests.crowdedStates(objects: objects, seed: 5)
        let next = states.map { $0.robotPosition + SIMD3(0.002, 0, 0) }
        let initialEdges = runner.builder.maxEdges, initialBytes = runner.workspaceBytes
        func infer() -> [Float] {
            states.withUnsafeBufferPointer { s in next.withUnsafeBufferPointer { runner.infer(states: s, robotNext: $0).values } }
        }
        let first = infer()
        #expect(runner.builder.maxEdges > initialEdges && runner.builder.edgeCount > initialEdges)
        #expect(runner.inferenceWorkspace!.maxEdges >= runner.builder.maxEdges)
        #expect(runner.workspaceBytes > initialBytes)
        #expect(first.allSatisfy { $0.isFinite })
        let before = wm_malloc_counter_thread_count()
        states.withUnsafeBufferPointer { s in next.withUnsafeBufferPointer { _ = runner.infer(states: s, robotNext: $0) } }
        let after = wm_malloc_counter_thread_count()
        #expect(after - before == 0, "\(after - before) allocations in a step the buffers hold")
        #expect(infer() == first)
        // Training's pass gets a workspace of the grown size too, and agrees with the inference pass.
        let trained = states.withUnsafeBufferPointer { s in next.withUnsafeBufferPointer { runner.forward(states: s, robotNext: $0).values } }
        #expect(runner.trainingWorkspace!.maxEdges >= runner.builder.maxEdges)
        // Inference rounds its products' inputs to bfloat16 where the CPU has AMX tiles (ProductPrecision.inference).
        let tolerance: Float = ProductPrecision.inference == .bfloat16 ? 3e-2 : 1e-4
        let scale = max(1, first.map(abs).max() ?? 0), worst = zip(trained, first).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tolerance * scale, "largest difference \(worst) (outputs up to \(scale))")
    }
}
