import CMallocCounter
import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MLPTests {
    @Test(arguments: [
        MLPDescription(widths: [3, 5, 4], activation: .tanh, layerNorm: true),
        MLPDescription(widths: [2, 4, 3, 2], activation: .silu, outputActivation: .tanh),
        MLPDescription(widths: [4, 6, 3], activation: .silu, layerNorm: true),
    ])
    func gradientsMatchFiniteDifferences(architecture: MLPDescription) {
        var generator = SeededRandom(seed: 51)
        let mlp = MLP(architecture, name: "mlp", using: &generator)
        let batch = 3
        let workspace = mlp.makeWorkspace(maxBatch: 5)
        let x = GradientCheck.random(batch, architecture.inputWidth, using: &generator)
        let projection = GradientCheck.random(batch, architecture.outputWidth, using: &generator)
        let dx = Matrix(rows: batch, cols: architecture.inputWidth)
        mlp.forward(x.view, workspace: workspace)
        mlp.backward(input: x.view, outputGradient: projection.view, workspace: workspace, inputGradient: dx.view)
        let variables = [GradientCheck.variable("x", x, gradient: dx)] + mlp.parameters.map(GradientCheck.variable)
        GradientCheck.verify(variables) {
            GradientCheck.project(mlp.forward(x.view, workspace: workspace), projection)
        }
    }

    @Test func parametersAreNamedByLayer() {
        let mlp = MLP(MLPDescription(widths: [3, 8, 2], layerNorm: true), name: "edge", seed: 1)
        #expect(mlp.parameters.map(\.name) == ["edge.0.weight", "edge.0.bias", "edge.1.weight", "edge.1.bias", "edge.norm.gamma", "edge.norm.beta"])
        #expect(mlp.parameters.map(\.shape) == [[3, 8], [1, 8], [8, 2], [1, 2], [1, 2], [1, 2]])
        #expect(mlp.parameters.scalarCount == 24 + 8 + 16 + 2 + 4)
    }

    /// The MLP learns f(x, y, z) = sin(x) cos(y) + z^2 on [-1, 1]^3 to a held-out MSE below 2e-3
    /// (the function's variance is about 0.2), with seed 2024 and a fixed step count.
    @Test func learnsASmoothFunction() {
        var generator = SeededRandom(seed: 2024)
        func sample(_ count: Int) -> (Matrix, Matrix) {
            let x = GradientCheck.random(count, 3, using: &generator)
            let y = Matrix(rows: count, cols: 1)
            for i in 0..<count { y[i, 0] = sinf(x[i, 0]) * cosf(x[i, 1]) + x[i, 2] * x[i, 2] }
            return (x, y)
        }
        let (trainX, trainY) = sample(512)
        let (testX, testY) = sample(256)
        let mlp = MLP(MLPDescription(widths: [3, 32, 32, 1], activation: .tanh), name: "f", using: &generator)
        let workspace = mlp.makeWorkspace(maxBatch: 512)
        let gradient = Matrix(rows: 512, cols: 1)
        let optimizer = AdamOptimizer(parameters: mlp.parameters)
        let steps = 600
        let schedule = LearningRateSchedule(.cosine(initial: 1e-2, final: 1e-4, steps: steps), warmupSteps: 20)
        let batch = 128
        for step in 0..<steps {
            let rows = (step * batch % 512)..<(step * batch % 512 + batch)
            let x = trainX.view.rows(rows)
            let y = mlp.forward(x, workspace: workspace)
            let g = gradient.view.rows(0..<batch)
            _ = MeanSquaredError.evaluate(prediction: y, target: trainY.view.rows(rows), gradient: g)
            mlp.parameters.zeroGradients()
            mlp.backward(input: x, outputGradient: g, workspace: workspace)
            GradientClipping.clipGlobalNorm(mlp.parameters, maxNorm: 1)
            optimizer.step(learningRate: schedule.rate(at: step))
        }
        let prediction = mlp.forward(testX.view, workspace: workspace)
        let testLoss = MeanSquaredError.evaluate(prediction: prediction, target: testY.view, gradient: gradient.view.rows(0..<256))
        #expect(testLoss < 2e-3, "held-out MSE \(testLoss)")
    }

    @Test func mallocCounterSeesSwiftArrayAllocations() {
        let before = wm_malloc_counter_thread_count()
        let array = [Float](repeating: 1, count: Int.random(in: 1000...2000))
        let after = wm_malloc_counter_thread_count()
        #expect(array.count >= 1000)
        #expect(after > before, "the malloc counter must count a Swift Array allocation, or the zero-allocation test proves nothing")
    }

    /// After one warm-up step, a full training step (forward, loss, backward, clipping, Adam) allocates nothing.
    @Test func trainingStepAllocatesNothingAfterWarmUp() {
        var generator = SeededRandom(seed: 61)
        let mlp = MLP(MLPDescription(widths: [16, 32, 32, 4], activation: .silu, layerNorm: true), name: "m", using: &generator)
        let workspace = mlp.makeWorkspace(maxBatch: 64)
        let x = GradientCheck.random(64, 16, using: &generator)
        let target = GradientCheck.random(64, 4, using: &generator)
        let gradient = Matrix(rows: 64, cols: 4)
        let dx = Matrix(rows: 64, cols: 16)
        let optimizer = AdamOptimizer(parameters: mlp.parameters, configuration: AdamConfiguration(weightDecay: 1e-4))
        let parameters = mlp.parameters
        func step(batch: Int) {
            let input = x.view.rows(0..<batch)
            let y = mlp.forward(input, workspace: workspace)
            _ = MeanSquaredError.evaluate(prediction: y, target: target.view.rows(0..<batch), gradient: gradient.view.rows(0..<batch))
            parameters.zeroGradients()
            mlp.backward(input: input, outputGradient: gradient.view.rows(0..<batch), workspace: workspace, inputGradient: dx.view.rows(0..<batch))
            GradientClipping.clipGlobalNorm(parameters, maxNorm: 1)
            optimizer.step(learningRate: 1e-3)
        }
        step(batch: 64)
        let batches = [64, 17, 64, 1, 32]
        let before = wm_malloc_counter_thread_count()
        for i in 0..<batches.count { step(batch: batches[i]) }
        let after = wm_malloc_counter_thread_count()
        #expect(after - before == 0, "\(after - before) allocations in 5 training steps")
    }

    /// The benchmark's shapes: a 128-128-128 MLP at batch 1024 (blocked forward, large products) allocates
    /// nothing on the calling thread after warm-up (with one OpenBLAS thread, the product runs on it too).
    @Test func largeBatchPassAllocatesNothingAfterWarmUp() {
        var generator = SeededRandom(seed: 62)
        let mlp = MLP(MLPDescription(widths: [128, 128, 128]), name: "b", using: &generator)
        let workspace = mlp.makeWorkspace(maxBatch: 1024)
        let x = GradientCheck.random(1024, 128, using: &generator)
        let dy = GradientCheck.random(1024, 128, using: &generator)
        BLASThreads.set(1)
        mlp.forward(x.view, workspace: workspace)
        mlp.backward(input: x.view, outputGradient: dy.view, workspace: workspace)
        let before = wm_malloc_counter_thread_count()
        for _ in 0..<3 {
            mlp.forward(x.view, workspace: workspace)
            mlp.backward(input: x.view, outputGradient: dy.view, workspace: workspace)
        }
        let after = wm_malloc_counter_thread_count()
        #expect(after - before == 0, "\(after - before) allocations in 3 passes")
    }
}
