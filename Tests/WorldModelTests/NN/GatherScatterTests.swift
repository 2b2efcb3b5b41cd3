import Testing
import WorldModel

@Suite struct GatherScatterTests {
    @Test func gatherAndScatterAddMoveRowsByIndex() {
        let nodes = Matrix(rows: 3, cols: 2, values: [0, 1, 10, 11, 20, 21])
        let edges = Matrix(rows: 4, cols: 2)
        RowIndexing.gather(nodes.view, indices: [2, 0, 2, 1], into: edges.view)
        #expect(edges.values == [20, 21, 0, 1, 20, 21, 10, 11])
        let sums = Matrix(rows: 3, cols: 2)
        RowIndexing.scatterAdd(edges.view, indices: [1, 1, 0, 1], into: sums.view)
        #expect(sums.values == [20, 21, 30, 33, 0, 0])
    }

    /// One message-passing step: `agg = scatterAdd(tanh(gather(x, senders) W + b), receivers)`.
    /// Its backward is gather for the scatter, scatter-add for the gather.
    @Test(arguments: [41, 42, 43] as [UInt64])
    func messagePassingGradientsMatchFiniteDifferences(seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        let nodeCount = Int.random(in: 2...5, using: &generator)
        let edgeCount = Int.random(in: 1...8, using: &generator)
        let width = Int.random(in: 1...4, using: &generator), messageWidth = Int.random(in: 1...4, using: &generator)
        let senders = (0..<edgeCount).map { _ in Int32.random(in: 0..<Int32(nodeCount), using: &generator) }
        let receivers = (0..<edgeCount).map { _ in Int32.random(in: 0..<Int32(nodeCount), using: &generator) }
        let x = GradientCheck.random(nodeCount, width, using: &generator)
        let layer = Dense(name: "m", inputWidth: width, outputWidth: messageWidth, using: &generator)
        let gathered = Matrix(rows: edgeCount, cols: width), messages = Matrix(rows: edgeCount, cols: messageWidth)
        let aggregated = Matrix(rows: nodeCount, cols: messageWidth)
        let projection = GradientCheck.random(nodeCount, messageWidth, using: &generator)
        func forward() {
            RowIndexing.gather(x.view, indices: senders, into: gathered.view)
            layer.forward(gathered.view, into: messages.view, activation: .tanh)
            aggregated.fill(0)
            RowIndexing.scatterAdd(messages.view, indices: receivers, into: aggregated.view)
        }
        forward()
        let dMessages = Matrix(rows: edgeCount, cols: messageWidth), dGathered = Matrix(rows: edgeCount, cols: width)
        let dx = Matrix(rows: nodeCount, cols: width)
        RowIndexing.gather(projection.view, indices: receivers, into: dMessages.view)
        Activation.tanh.backward(preActivation: messages.view, output: messages.view, outputGradient: dMessages.view, into: dMessages.view)
        layer.backward(input: gathered.view, outputGradient: dMessages.view, inputGradient: dGathered.view)
        RowIndexing.scatterAdd(dGathered.view, indices: senders, into: dx.view)
        let variables = [GradientCheck.variable("x", x, gradient: dx)] + layer.parameters.map(GradientCheck.variable)
        GradientCheck.verify(variables) {
            forward()
            return GradientCheck.project(aggregated.view, projection)
        }
    }
}
