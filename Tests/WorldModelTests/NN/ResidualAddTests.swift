import Testing
import WorldModel

@Suite struct ResidualAddTests {
    /// `y = x + tanh(x W + b)`: the skip path and the branch both carry gradient to `x`.
    @Test func residualBlockGradientsMatchFiniteDifferences() {
        var generator = SeededRandom(seed: 21)
        let batch = 3, width = 4
        let layer = Dense(name: "r", inputWidth: width, outputWidth: width, using: &generator)
        let x = GradientCheck.random(batch, width, using: &generator)
        let projection = GradientCheck.random(batch, width, using: &generator)
        let branch = Matrix(rows: batch, cols: width), y = Matrix(rows: batch, cols: width)
        let dBranch = Matrix(rows: batch, cols: width), dx = Matrix(rows: batch, cols: width)
        func forward() {
            layer.forward(x.view, into: branch.view, activation: .tanh)
            ResidualAdd.forward(x.view, branch.view, into: y.view)
        }
        forward()
        ResidualAdd.backward(outputGradient: projection.view, into: dx.view, and: dBranch.view)
        Activation.tanh.backward(preActivation: branch.view, output: branch.view, outputGradient: dBranch.view, into: dBranch.view)
        let dxBranch = Matrix(rows: batch, cols: width)
        layer.backward(input: x.view, outputGradient: dBranch.view, inputGradient: dxBranch.view)
        ResidualAdd.accumulate(dxBranch.view, into: dx.view)
        let variables = [GradientCheck.variable("x", x, gradient: dx)] + layer.parameters.map(GradientCheck.variable)
        GradientCheck.verify(variables) {
            forward()
            return GradientCheck.project(y.view, projection)
        }
    }

    @Test func backwardAccumulates() {
        let dy = Matrix(rows: 1, cols: 2, values: [1, 2])
        let a = Matrix(rows: 1, cols: 2, values: [10, 10]), b = Matrix(rows: 1, cols: 2)
        ResidualAdd.backward(outputGradient: dy.view, into: a.view, and: b.view)
        #expect(a.values == [11, 12])
        #expect(b.values == [1, 2])
    }
}
