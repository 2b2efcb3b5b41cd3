import Testing
import WorldModel

@Suite struct LayerNormTests {
    @Test(arguments: [5, 6, 7] as [UInt64])
    func gradientsMatchFiniteDifferences(seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let batch = Int.random(in: 1...4, using: &generator), width = Int.random(in: 3...8, using: &generator)
        let norm = LayerNorm(name: "n", width: width)
        for i in 0..<width {
            norm.gamma.value.base[i] = Float.random(in: 0.5...1.5, using: &generator)
            norm.beta.value.base[i] = Float.random(in: -1...1, using: &generator)
        }
        // A spread of at least a few units per row keeps the curvature of 1/std small against the step.
        let x = GradientCheck.random(batch, width, in: -3...3, using: &generator)
        let projection = GradientCheck.random(batch, width, using: &generator)
        let y = Matrix(rows: batch, cols: width), dx = Matrix(rows: batch, cols: width)
        let statistics = Matrix(rows: batch, cols: 2)
        norm.forward(x.view, into: y.view, statistics: statistics.view)
        norm.backward(input: x.view, statistics: statistics.view, outputGradient: projection.view, into: dx.view)
        let variables = [GradientCheck.variable("x", x, gradient: dx)] + norm.parameters.map(GradientCheck.variable)
        GradientCheck.verify(variables) {
            norm.forward(x.view, into: y.view, statistics: statistics.view)
            return GradientCheck.project(y.view, projection)
        }
    }

    @Test func outputRowsHaveZeroMeanAndUnitVariance() {
        let norm = LayerNorm(name: "n", width: 4)
        let x = Matrix(rows: 2, cols: 4, values: [1, 2, 3, 4, -10, 0, 10, 20])
        let y = Matrix(rows: 2, cols: 4), statistics = Matrix(rows: 2, cols: 2)
        norm.forward(x.view, into: y.view, statistics: statistics.view)
        for r in 0..<2 {
            let row = (0..<4).map { y[r, $0] }
            let mean = row.reduce(0, +) / 4
            let variance = row.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4
            #expect(abs(mean) < 1e-5)
            #expect(abs(variance - 1) < 1e-3)
        }
        #expect(statistics[0, 0] == 2.5)
    }
}
