import Testing
import WorldModel

@Suite struct AdamOptimizerTests {
    /// With bias correction the first step moves every parameter by the learning rate, against the gradient's sign.
    @Test func firstStepMovesByTheLearningRate() {
        let p = Parameter(name: "p", value: Matrix(rows: 1, cols: 3, values: [1, 1, 1]), decays: true)
        _ = p.gradient.buffer.update(fromContentsOf: [0.5, -2, 1e-3])
        let adam = AdamOptimizer(parameters: [p])
        adam.step(learningRate: 0.1)
        #expect(abs(p.value[0, 0] - 0.9) < 1e-5)
        #expect(abs(p.value[0, 1] - 1.1) < 1e-5)
        #expect(abs(p.value[0, 2] - 0.9) < 1e-4)
    }

    @Test func adamWDecaysOnlyDecayingParameters() {
        let w = Parameter(name: "w", value: Matrix(rows: 1, cols: 1, values: [2]), decays: true)
        let b = Parameter(name: "b", value: Matrix(rows: 1, cols: 1, values: [2]), decays: false)
        let adam = AdamOptimizer(parameters: [w, b], configuration: AdamConfiguration(weightDecay: 0.5))
        adam.step(learningRate: 0.1)  // zero gradients: only the decay acts
        #expect(abs(w.value[0, 0] - (2 - 0.1 * 0.5 * 2)) < 1e-6)
        #expect(b.value[0, 0] == 2)
    }

    @Test func minimisesAQuadratic() {
        let p = Parameter(name: "p", value: Matrix(rows: 1, cols: 2, values: [3, -4]), decays: false)
        let adam = AdamOptimizer(parameters: [p])
        for _ in 0..<500 {
            for i in 0..<2 { p.gradient.base[i] = 2 * (p.value.base[i] - Float(i + 1)) }
            adam.step(learningRate: 0.05)
        }
        #expect(abs(p.value[0, 0] - 1) < 1e-2 && abs(p.value[0, 1] - 2) < 1e-2)
    }

    @Test func clippingScalesToTheGlobalNorm() {
        let a = Parameter(name: "a", value: Matrix(rows: 1, cols: 1), decays: true)
        let b = Parameter(name: "b", value: Matrix(rows: 1, cols: 1), decays: true)
        a.gradient[0, 0] = 3
        b.gradient[0, 0] = 4
        let norm = GradientClipping.clipGlobalNorm([a, b], maxNorm: 1)
        #expect(norm == 5)
        #expect(abs(a.gradient[0, 0] - 0.6) < 1e-6 && abs(b.gradient[0, 0] - 0.8) < 1e-6)
        #expect(GradientClipping.clipGlobalNorm([a, b], maxNorm: 2) < 1.0001)
        #expect(abs(a.gradient[0, 0] - 0.6) < 1e-6)
    }
}
