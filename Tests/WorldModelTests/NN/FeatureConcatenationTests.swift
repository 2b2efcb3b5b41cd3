import Testing
import WorldModel

@Suite struct FeatureConcatenationTests {
    @Test func concatenateThenSplitRoundTrips() {
        let a = Matrix(rows: 2, cols: 1, values: [1, 2])
        let b = Matrix(rows: 2, cols: 2, values: [3, 4, 5, 6])
        let joined = Matrix(rows: 2, cols: 3)
        FeatureConcatenation.concatenate([a.view, b.view], into: joined.view)
        #expect(joined.values == [1, 3, 4, 2, 5, 6])
        let a2 = Matrix(rows: 2, cols: 1), b2 = Matrix(rows: 2, cols: 2)
        FeatureConcatenation.split(joined.view, into: [a2.view, b2.view])
        #expect(a2.values == a.values && b2.values == b.values)
    }

    /// `y = tanh([a | b] W)`: the gradient of the concatenation is the split of the gradient.
    @Test(arguments: [31, 32] as [UInt64])
    func gradientsMatchFiniteDifferences(seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let batch = Int.random(in: 1...4, using: &generator)
        let wa = Int.random(in: 1...3, using: &generator), wb = Int.random(in: 1...3, using: &generator)
        let a = GradientCheck.random(batch, wa, using: &generator), b = GradientCheck.random(batch, wb, using: &generator)
        let layer = Dense(name: "c", inputWidth: wa + wb, outputWidth: 3, using: &generator)
        let joined = Matrix(rows: batch, cols: wa + wb), y = Matrix(rows: batch, cols: 3)
        let projection = GradientCheck.random(batch, 3, using: &generator)
        func forward() {
            FeatureConcatenation.concatenate([a.view, b.view], into: joined.view)
            layer.forward(joined.view, into: y.view, activation: .tanh)
        }
        forward()
        let dy = Matrix(rows: batch, cols: 3), dJoined = Matrix(rows: batch, cols: wa + wb)
        Activation.tanh.backward(preActivation: y.view, output: y.view, outputGradient: projection.view, into: dy.view)
        layer.backward(input: joined.view, outputGradient: dy.view, inputGradient: dJoined.view)
        let da = Matrix(rows: batch, cols: wa), db = Matrix(rows: batch, cols: wb)
        FeatureConcatenation.split(dJoined.view, into: [da.view, db.view])
        GradientCheck.verify([GradientCheck.variable("a", a, gradient: da), GradientCheck.variable("b", b, gradient: db)]) {
            forward()
            return GradientCheck.project(y.view, projection)
        }
    }
}
