import CMallocCounter
import Testing
@testable import WorldModel

/// The inference pass computes what `forward` computes, on one thread or several, in row or column mode.
@Suite struct GraphInferenceTests {
    /// A random graph: `nodes` nodes, `edges` edges with random ends, outputs on every node but the last.
    struct Graph {
        let nodes: Matrix, edges: Matrix
        let senders: [Int32], receivers: [Int32], outputs: [Int32]
        init(nodes v: Int, edges e: Int, nodeWidth: Int, edgeWidth: Int, seed: UInt64) {
            var rng = SeededRandom(seed: seed)
            nodes = GradientCheck.random(v, nodeWidth, using: &rng)
            edges = GradientCheck.random(e, edgeWidth, using: &rng)
            senders = (0..<e).map { _ in Int32.random(in: 0..<Int32(v), using: &rng) }
            receivers = (0..<e).map { _ in Int32.random(in: 0..<Int32(v), using: &rng) }
            outputs = (0..<Int32(v - 1)).map { $0 }
        }

        func run(_ body: (UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>, UnsafeBufferPointer<Int32>) -> [Float]) -> [Float] {
            senders.withUnsafeBufferPointer { s in receivers.withUnsafeBufferPointer { r in outputs.withUnsafeBufferPointer { o in body(s, r, o) } } }
        }
    }

    /// `infer` at `precision` against `forward` (float32): within `tolerance` relative to 1 + |value|.
    func compare(activation: Activation, nodes v: Int, edges e: Int, threads: Int, chunkRows: Int, sharedFrom: Double = 0,
                 precision: ProductPrecision = .float32, tolerance: Float = 1e-4) throws {
        let architecture = GraphNetworkArchitecture(nodeInputWidth: 7, edgeInputWidth: 5, outputWidth: 6, latentWidth: 16,
                                                    hiddenLayers: 2, messagePassingSteps: 3, activation: activation)
        let net = GraphNetwork(architecture, seed: 21)
        let g = Graph(nodes: v, edges: e, nodeWidth: 7, edgeWidth: 5, seed: 22)
        let training = net.makeWorkspace(maxNodes: v, maxEdges: e)
        let expected = g.run { s, r, o in
            net.forward(nodeFeatures: g.nodes.view, edgeFeatures: g.edges.view, senders: s, receivers: r, outputRows: o, workspace: training).values
        }
        let team = try ThreadTeam(threads: threads)
        let inference = net.makeInferenceWorkspace(maxNodes: v, maxEdges: e, team: team, chunkRows: chunkRows, minimumSharedFlops: sharedFrom,
                                                   precision: precision)
        for _ in 0..<2 {  // twice: the second pass must not depend on what the first left in the buffers
            let got = g.run { s, r, o in
                net.infer(nodeFeatures: g.nodes.view, edgeFeatures: g.edges.view, senders: s, receivers: r, outputRows: o, workspace: inference).values
            }
            #expect(got.count == expected.count)
            let worst = zip(got, expected).map { abs($0 - $1) / (1 + abs($1)) }.max() ?? 0
            #expect(worst < tolerance, "\(activation), \(v) nodes, \(e) edges, \(threads) threads, \(precision): worst relative difference \(worst)")
        }
    }

    @Test(arguments: [1, 2, 3])
    func smallGraphMatchesForward(threads: Int) throws {
        // Few nodes: on a team the node-side layers are split by columns.
        try compare(activation: .relu, nodes: 9, edges: 64, threads: threads, chunkRows: 16)
        try compare(activation: .silu, nodes: 5, edges: 7, threads: threads, chunkRows: 256)
        // Too small to share: the caller runs it alone.
        try compare(activation: .relu, nodes: 9, edges: 64, threads: threads, chunkRows: 16, sharedFrom: .infinity)
    }

    @Test(arguments: [1, 2])
    func largeGraphMatchesForward(threads: Int) throws {
        // More nodes than the column-split limit: every phase is split by rows.
        try compare(activation: .relu, nodes: 150, edges: 900, threads: threads, chunkRows: 64)
        try compare(activation: .tanh, nodes: 70, edges: 40, threads: threads, chunkRows: 256)
    }

    /// bfloat16 products (AMX) round every input to 8 bits of mantissa: the outputs stay within a few parts in a
    /// thousand of float32's through 3 message-passing steps, in row and column mode.
    @Test(.enabled(if: ProductPrecision.bfloat16Available, "needs a CPU with AMX-BF16 and AVX512-BF16"), arguments: [1, 2])
    func bfloat16InferenceStaysCloseToForward(threads: Int) throws {
        try compare(activation: .relu, nodes: 9, edges: 64, threads: threads, chunkRows: 16, precision: .bfloat16, tolerance: 3e-2)
        try compare(activation: .relu, nodes: 150, edges: 900, threads: threads, chunkRows: 64, precision: .bfloat16, tolerance: 3e-2)
    }

    /// A graph's bfloat16 result does not depend on the batch it is in: the same bits alone and beside others.
    @Test(.enabled(if: ProductPrecision.bfloat16Available, "needs a CPU with AMX-BF16 and AVX512-BF16"))
    func bfloat16InferenceIsBatchInvariant() throws {
        let architecture = GraphNetworkArchitecture(nodeInputWidth: 7, edgeInputWidth: 5, outputWidth: 6, latentWidth: 32,
                                                    hiddenLayers: 2, messagePassingSteps: 3)
        let net = GraphNetwork(architecture, seed: 31)
        let g = Graph(nodes: 9, edges: 40, nodeWidth: 7, edgeWidth: 5, seed: 32)
        let copies = 37
        // The batch: the graph `copies` times, as a batch of environments is laid out.
        let nodes = Matrix(rows: 9 * copies, cols: 7), edges = Matrix(rows: 40 * copies, cols: 5)
        var senders: [Int32] = [], receivers: [Int32] = [], outputs: [Int32] = []
        for c in 0..<copies {
            nodes.view.rows((9 * c)..<(9 * c + 9)).copy(from: g.nodes.view)
            edges.view.rows((40 * c)..<(40 * c + 40)).copy(from: g.edges.view)
            senders += g.senders.map { $0 + Int32(9 * c) }
            receivers += g.receivers.map { $0 + Int32(9 * c) }
            outputs += g.outputs.map { $0 + Int32(9 * c) }
        }
        let team = try ThreadTeam(threads: 2)
        let alone = net.makeInferenceWorkspace(maxNodes: 9, maxEdges: 40, team: team, precision: .bfloat16)
        let batch = net.makeInferenceWorkspace(maxNodes: 9 * copies, maxEdges: 40 * copies, team: team, chunkRows: 64,
                                               minimumSharedFlops: 0, precision: .bfloat16)
        let one = g.run { s, r, o in
            net.infer(nodeFeatures: g.nodes.view, edgeFeatures: g.edges.view, senders: s, receivers: r, outputRows: o, workspace: alone).values
        }
        let many = senders.withUnsafeBufferPointer { s in receivers.withUnsafeBufferPointer { r in outputs.withUnsafeBufferPointer { o in
            net.infer(nodeFeatures: nodes.view, edgeFeatures: edges.view, senders: s, receivers: r, outputRows: o, workspace: batch).values
        } } }
        #expect(one.allSatisfy { $0.isFinite })
        for c in [0, 17, copies - 1] {
            #expect(Array(many[(c * one.count)..<((c + 1) * one.count)]) == one, "copy \(c)")
        }
    }

    @Test func graphWithoutEdgesMatchesForward() throws {
        try compare(activation: .relu, nodes: 4, edges: 0, threads: 2, chunkRows: 16)
    }

    @Test(arguments: [1, 2])
    func inferenceAllocatesNothingAfterWarmUp(threads: Int) throws {
        // Counted on the calling thread; the workers run the same code on their shares.
        let architecture = GraphNetworkArchitecture(nodeInputWidth: 7, edgeInputWidth: 5, outputWidth: 6, latentWidth: 16,
                                                    hiddenLayers: 2, messagePassingSteps: 3)
        let net = GraphNetwork(architecture, seed: 21)
        let small = Graph(nodes: 9, edges: 64, nodeWidth: 7, edgeWidth: 5, seed: 22)
        let large = Graph(nodes: 120, edges: 300, nodeWidth: 7, edgeWidth: 5, seed: 23)
        let team = try ThreadTeam(threads: threads)
        let workspace = net.makeInferenceWorkspace(maxNodes: 120, maxEdges: 300, team: team, chunkRows: 32, minimumSharedFlops: 0)
        for g in [small, large] {
            _ = g.run { s, r, o in
                net.infer(nodeFeatures: g.nodes.view, edgeFeatures: g.edges.view, senders: s, receivers: r, outputRows: o, workspace: workspace)
                let before = wm_malloc_counter_thread_count()
                for _ in 0..<5 {
                    net.infer(nodeFeatures: g.nodes.view, edgeFeatures: g.edges.view, senders: s, receivers: r, outputRows: o, workspace: workspace)
                }
                let allocations = wm_malloc_counter_thread_count() - before
                #expect(allocations == 0, "\(allocations) allocations in 5 passes on \(threads) thread(s)")
                return []
            }
        }
    }
}
