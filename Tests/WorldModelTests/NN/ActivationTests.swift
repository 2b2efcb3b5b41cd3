import Testing
import WorldModel

@Suite struct ActivationTests {
    @Test(arguments: Activation.allCases)
    func gradientsMatchFiniteDifferences(activation: Activation) {
        var generator = SeededRandom(seed: 11)
        let batch = Int.random(in: 2...5, using: &generator), width = Int.random(in: 2...7, using: &generator)
        // Values at least 0.1 away from zero, so ReLU's kink never falls inside a finite-difference step.
        let x = GradientCheck.random(batch, width, in: 0.1...2, using: &generator)
        for i in 0..<x.count where Bool.random(using: &generator) { x.base[i] = -x.base[i] }
        let projection = GradientCheck.random(batch, width, using: &generator)
        let y = Matrix(rows: batch, cols: width), dx = Matrix(rows: batch, cols: width)
        activation.forward(x.view, into: y.view)
        activation.backward(preActivation: x.view, output: y.view, outputGradient: projection.view, into: dx.view)
        GradientCheck.verify([GradientCheck.variable("x", x, gradient: dx)]) {
            activation.forward(x.view, into: y.view)
            return GradientCheck.project(y.view, projection)
        }
    }

    @Test func knownValues() {
        let x = Matrix(rows: 1, cols: 3, values: [-2, 0, 3])
        let y = Matrix(rows: 1, cols: 3)
        Activation.relu.forward(x.view, into: y.view)
        #expect(y.values == [0, 0, 3])
        Activation.silu.forward(x.view, into: y.view)
        #expect(abs(y[0, 2] - 3 / (1 + 0.049787068)) < 1e-5)
        Activation.tanh.forward(x.view, into: x.view)
        #expect(abs(x[0, 0] + 0.96402758) < 1e-6)
    }
}
