import Testing
import WorldModel

@Suite struct LossTests {
    @Test func meanSquaredErrorWithFeatureWeights() {
        let p = Matrix(rows: 2, cols: 2, values: [1, 2, 3, 4])
        let t = Matrix(rows: 2, cols: 2, values: [0, 2, 1, 4])
        let g = Matrix(rows: 2, cols: 2)
        #expect(MeanSquaredError.evaluate(prediction: p.view, target: t.view, gradient: g.view) == 1.25)
        #expect(g.values == [0.5, 0, 1, 0])
        let weights: [Float] = [2, 1]
        let weighted = weights.withUnsafeBufferPointer {
            MeanSquaredError.evaluate(prediction: p.view, target: t.view, featureWeights: $0, gradient: g.view)
        }
        #expect(weighted == 2.5)
        #expect(g.values == [1, 0, 2, 0])
    }

    @Test func huberIsQuadraticInsideDeltaAndLinearOutside() {
        let p = Matrix(rows: 1, cols: 2, values: [0.5, 3])
        let t = Matrix(rows: 1, cols: 2, values: [0, 0])
        let g = Matrix(rows: 1, cols: 2)
        let loss = HuberLoss.evaluate(prediction: p.view, target: t.view, delta: 1, gradient: g.view)
        #expect(abs(loss - (0.125 + 2.5) / 2) < 1e-6)
        #expect(g.values == [0.25, 0.5])
    }

    @Test func gradientsMatchFiniteDifferences() {
        var generator = SeededRandom(seed: 8)
        let p = GradientCheck.random(3, 4, in: -3...3, using: &generator)
        let t = GradientCheck.random(3, 4, using: &generator)
        let g = Matrix(rows: 3, cols: 4)
        _ = HuberLoss.evaluate(prediction: p.view, target: t.view, delta: 0.7, gradient: g.view)
        GradientCheck.verify([GradientCheck.variable("huber", p, gradient: g)]) {
            Double(HuberLoss.evaluate(prediction: p.view, target: t.view, delta: 0.7, gradient: g.view))
        }
        _ = MeanSquaredError.evaluate(prediction: p.view, target: t.view, gradient: g.view)
        GradientCheck.verify([GradientCheck.variable("mse", p, gradient: g)]) {
            Double(MeanSquaredError.evaluate(prediction: p.view, target: t.view, gradient: g.view))
        }
    }
}
