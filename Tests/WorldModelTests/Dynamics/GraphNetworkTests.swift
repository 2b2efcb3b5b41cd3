import Testing
@testable import WorldModel

@Suite struct GraphNetworkTests {
    /// A small random graph: 5 nodes, 8 edges, outputs on 4 rows.
    struct Graph {
        let nodes: Matrix, edges: Matrix
        let senders: [Int32] = [0, 1, 2, 3, 4, 0, 2, 4]
        let receivers: [Int32] = [1, 2, 3, 4, 0, 2, 4, 1]
        let outputs: [Int32] = [0, 1, 2, 3]
        init(seed: UInt64) {
            var rng = SeededRandom(seed: seed)
            nodes = GradientCheck.random(5, 3, using: &rng)
            edges = GradientCheck.random(8, 2, using: &rng)
        }
    }

    func forward(_ net: GraphNetwork, _ g: Graph, _ w: GraphNetworkWorkspace) -> MatrixView {
        g.senders.withUnsafeBufferPointer { s in
            g.receivers.withUnsafeBufferPointer { r in
                g.outputs.withUnsafeBufferPointer { o in
                    net.forward(nodeFeatures: g.nodes.view, edgeFeatures: g.edges.view, senders: s, receivers: r, outputRows: o, workspace: w)
                }
            }
        }
    }

    @Test func backwardMatchesFiniteDifferences() {
        let architecture = GraphNetworkArchitecture(nodeInputWidth: 3, edgeInputWidth: 2, outputWidth: 2, latentWidth: 6,
                                                    hiddenLayers: 1, messagePassingSteps: 2, activation: .tanh)
        let net = GraphNetwork(architecture, seed: 3)
        let g = Graph(seed: 4)
        let w = net.makeWorkspace(maxNodes: 5, maxEdges: 8)
        var rng = SeededRandom(seed: 5)
        let projection = GradientCheck.random(4, 2, using: &rng)
        net.parameters.zeroGradients()
        g.senders.withUnsafeBufferPointer { s in
            g.receivers.withUnsafeBufferPointer { r in
                g.outputs.withUnsafeBufferPointer { o in
                    // The indices must outlive forward and backward: rebind them for the backward pass.
                    _ = net.forward(nodeFeatures: g.nodes.view, edgeFeatures: g.edges.view, senders: s, receivers: r, outputRows: o, workspace: w)
                    net.backward(outputGradient: projection.view, workspace: w)
                }
            }
        }
        // Every parameter of the encoders, the first processor step and the decoder.
        let checked = net.parameters.filter { !$0.name.hasPrefix("edge_processor.1") && !$0.name.hasPrefix("node_processor.1") }
        GradientCheck.verify(checked.map(GradientCheck.variable)) {
            GradientCheck.project(forward(net, g, w), projection)
        }
    }

    @Test func relabellingNodesPermutesOutputs() {
        let architecture = GraphNetworkArchitecture(nodeInputWidth: 3, edgeInputWidth: 2, outputWidth: 2, latentWidth: 8,
                                                    hiddenLayers: 2, messagePassingSteps: 3)
        let net = GraphNetwork(architecture, seed: 9)
        let g = Graph(seed: 10)
        let w = net.makeWorkspace(maxNodes: 5, maxEdges: 8)
        let original = forward(net, g, w).values
        // Reverse the node order: node i becomes 4 - i; edges and outputs follow.
        let nodes = Matrix(rows: 5, cols: 3)
        for i in 0..<5 { for c in 0..<3 { nodes[4 - i, c] = g.nodes[i, c] } }
        let s = g.senders.map { 4 - $0 }, r = g.receivers.map { 4 - $0 }, o = g.outputs.map { 4 - $0 }
        let permuted = s.withUnsafeBufferPointer { sp in
            r.withUnsafeBufferPointer { rp in
                o.withUnsafeBufferPointer { op in
                    net.forward(nodeFeatures: nodes.view, edgeFeatures: g.edges.view, senders: sp, receivers: rp, outputRows: op, workspace: w).values
                }
            }
        }
        for k in 0..<original.count { #expect(abs(original[k] - permuted[k]) < 1e-5) }
    }
}
