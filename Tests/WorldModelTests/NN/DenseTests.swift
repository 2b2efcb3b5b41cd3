import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DenseTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func gradientsMatchFiniteDifferences(seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let batch = Int.random(in: 1...5, using: &generator)
        let inWidth = Int.random(in: 1...6, using: &generator)
        let outWidth = Int.random(in: 1...6, using: &generator)
        let layer = Dense(name: "d", inputWidth: inWidth, outputWidth: outWidth, using: &generator)
        for i in 0..<outWidth { layer.bias.value.base[i] = Float.random(in: -1...1, using: &generator) }
        let x = GradientCheck.random(batch, inWidth, using: &generator)
        let projection = GradientCheck.random(batch, outWidth, using: &generator)
        let y = Matrix(rows: batch, cols: outWidth)
        let dx = Matrix(rows: batch, cols: inWidth)
        layer.forward(x.view, into: y.view)
        layer.backward(input: x.view, outputGradient: projection.view, inputGradient: dx.view)
        let variables = [GradientCheck.variable("x", x, gradient: dx)] + layer.parameters.map(GradientCheck.variable)
        GradientCheck.verify(variables) {
            layer.forward(x.view, into: y.view)
            return GradientCheck.project(y.view, projection)
        }
    }

    @Test func forwardIsXTimesWPlusBias() {
        var generator = SeededRandom(seed: 9)
        let layer = Dense(name: "d", inputWidth: 2, outputWidth: 3, using: &generator)
        let w: [Float] = [1, 2, 3, 4, 5, 6]
        w.withUnsafeBufferPointer { layer.weight.value.base.update(from: $0.baseAddress!, count: 6) }
        layer.bias.value[0, 2] = 10
        let x = Matrix(rows: 1, cols: 2, values: [1, -1])
        let y = Matrix(rows: 1, cols: 3)
        layer.forward(x.view, into: y.view, activation: .relu)
        #expect(y.values == [0, 0, 7])
    }

    @Test func backwardAccumulatesParameterGradients() {
        var generator = SeededRandom(seed: 4)
        let layer = Dense(name: "d", inputWidth: 3, outputWidth: 2, using: &generator)
        let x = GradientCheck.random(4, 3, using: &generator)
        let dy = GradientCheck.random(4, 2, using: &generator)
        layer.backward(input: x.view, outputGradient: dy.view, inputGradient: nil)
        let once = layer.weight.gradient.values
        layer.backward(input: x.view, outputGradient: dy.view, inputGradient: nil)
        for (a, b) in zip(once, layer.weight.gradient.values) { #expect(abs(2 * a - b) < 1e-5) }
    }
}

extension DenseTests {
    /// A batch larger than one row block (wide outputs make blocks of 64 rows) matches a plain product.
    @Test func blockedForwardMatchesNaiveProduct() {
        var generator = SeededRandom(seed: 12)
        let layer = Dense(name: "wide", inputWidth: 3, outputWidth: 2048, using: &generator)
        for i in 0..<2048 { layer.bias.value.base[i] = Float.random(in: -1...1, using: &generator) }
        let x = GradientCheck.random(150, 3, using: &generator)
        let z = Matrix(rows: 150, cols: 2048), a = Matrix(rows: 150, cols: 2048)
        layer.forward(x.view, into: z.view, activation: .silu, activated: a.view)
        var worst: Float = 0
        for r in stride(from: 0, to: 150, by: 7) {
            for c in stride(from: 0, to: 2048, by: 13) {
                var sum = layer.bias.value[0, c]
                for k in 0..<3 { sum += x[r, k] * layer.weight.value[k, c] }
                worst = max(worst, abs(z[r, c] - sum), abs(a[r, c] - sum / (1 + expf(-sum))))
            }
        }
        #expect(worst < 1e-5)
    }
}
