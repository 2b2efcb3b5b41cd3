import CKernels

/// The inference pass of a ``GraphNetwork``: the same function as `forward`, without what only `backward` needs.
///
/// - Edges (and nodes) go through each MLP in blocks of `chunkRows` rows, so a block's activations stay in cache
///   between the products; the bias, ReLU, LayerNorm, residual add and message sum are fused row kernels.
/// - Latents are updated in place (e_{m+1} overwrites e_m), so memory does not grow with the number of steps.
/// - With a team of T threads, edges are split by rows: each thread encodes and processes its share of the
///   edges, summing messages into its own aggregate buffer. Nodes are split by rows too (each thread adds up
///   the T aggregates of its rows; two barriers per message-passing step), except in small graphs (up to
///   `columnSplitMaxNodes` nodes, a batch-1 step): there a product over a handful of rows costs the same
///   whoever computes it, so each thread computes its share of every node-side product's output columns, and
///   the cheap row-wise steps (message sums, LayerNorm, residual) for every row in a private copy (five
///   barriers per step). Graphs under `minimumSharedFlops` run on the caller alone.
///
/// Buffers (V nodes, E edges, L latent width, T threads, R chunk rows):
///   edgeLatent [E, L]; nodeInput [V, 2L] = [h | sum of incoming edges]; projected [V, 2L] = [h W_s | h W_r];
///   aggregates T x [V, L]; per thread two block buffers [R, L] (edge and node rows both go through the MLPs in
///   blocks); output [O, outputWidth]. Column mode: per thread features, [h | sum] and decoder input for up to
///   64 rows; shared MLP workspaces for the products' outputs.
public final class GraphInferenceWorkspace: ThreadTeamTask {
    /// What one `infer` call works on (bound for the duration of the call).
    struct Inputs {
        var nodeFeatures: MatrixView, edgeFeatures: MatrixView
        var senders: UnsafeBufferPointer<Int32>, receivers: UnsafeBufferPointer<Int32>, outputRows: UnsafeBufferPointer<Int32>
        var columns: Bool
        /// The team running this call: the workspace's, or `solo` when the graph is too small to share.
        var team: ThreadTeam
    }

    let network: GraphNetwork
    var inputs: Inputs?
    public let maxNodes: Int
    public let maxEdges: Int
    /// Edge or node rows per block through an MLP.
    public let chunkRows: Int
    /// How the products round their inputs (``ProductPrecision``): every product of a pass uses the same, so a
    /// graph's result does not depend on the batch it is in.
    public let precision: ProductPrecision
    let team: ThreadTeam
    /// A team of one, for graphs whose products are too small to share (the barriers would cost more).
    let solo: ThreadTeam
    /// Below this many flops per pass a graph runs on the calling thread alone.
    public let minimumSharedFlops: Double
    /// The network's product flops per node, per edge and per output row (a pass is linear in the three).
    let flopsPerNode: Double, flopsPerEdge: Double, flopsPerOutput: Double
    let edgeLatent: Matrix
    let nodeInput: Matrix
    let projected: Matrix
    let aggregates: [Matrix]
    /// Per thread: the rows its edges send messages to, [lowest, highest + 1) (edges of a batch come
    /// environment by environment, so each thread's messages land in about its share of the rows).
    let touched: UnsafeMutableBufferPointer<Int>
    let chunkA: [Matrix]
    let chunkB: [Matrix]
    let output: Matrix
    /// Small graphs on a team: node-side layers split by output columns instead of rows (a product over a
    /// handful of rows costs the same whoever computes it, so splitting rows would only duplicate the work of
    /// packing the weights). Used up to `columnSplitMaxNodes` nodes; rows are padded to a multiple of 4.
    let columnSplitMaxNodes: Int
    /// Per thread, in column mode: every node's features, [h | sum of messages], and the decoder's input rows. Each
    /// thread computes the (cheap) row-wise steps for every row itself, so only the products need barriers.
    let privateFeatures: [Matrix]
    let privateInput: [Matrix]
    let privateDecoderInput: [Matrix]
    /// In column mode: the products' outputs, written by columns by the team.
    let sharedEncoder: MLPWorkspace?
    let sharedProcessor: MLPWorkspace?
    let sharedDecoder: MLPWorkspace?

    init(network: GraphNetwork, maxNodes: Int, maxEdges: Int, team: ThreadTeam, chunkRows: Int, minimumSharedFlops: Double,
         precision: ProductPrecision) {
        self.minimumSharedFlops = minimumSharedFlops
        self.precision = precision
        let l = network.architecture.latentWidth, t = team.size
        self.network = network
        solo = try! ThreadTeam(threads: 1)  // a team of one starts no thread: it cannot fail
        flopsPerNode = network.forwardFlops(nodes: 1, edges: 0, outputs: 0)
        flopsPerEdge = network.forwardFlops(nodes: 0, edges: 1, outputs: 0)
        flopsPerOutput = network.forwardFlops(nodes: 0, edges: 0, outputs: 1)
        self.maxNodes = maxNodes
        self.maxEdges = maxEdges
        let chunkRows = min(chunkRows, max(maxEdges, maxNodes, 1))
        self.chunkRows = chunkRows
        self.team = team
        let padded = (maxNodes + 7) / 8 * 8
        edgeLatent = Matrix(rows: max(maxEdges, 1), cols: l)
        nodeInput = Matrix(rows: maxNodes, cols: 2 * l)
        projected = Matrix(rows: padded, cols: 2 * l)
        aggregates = (0..<t).map { _ in Matrix(rows: maxNodes, cols: l) }
        touched = .allocate(capacity: 2 * t)
        touched.initialize(repeating: 0)
        chunkA = (0..<t).map { _ in Matrix(rows: chunkRows, cols: l) }
        chunkB = (0..<t).map { _ in Matrix(rows: chunkRows, cols: l) }
        output = Matrix(rows: maxNodes, cols: network.architecture.outputWidth)
        columnSplitMaxNodes = t > 1 ? 64 : 0
        let small = min(padded, (columnSplitMaxNodes + 7) / 8 * 8)
        let column = columnSplitMaxNodes > 0
        privateFeatures = (0..<t).map { _ in Matrix(rows: column ? small : 0, cols: network.architecture.nodeInputWidth) }
        privateInput = (0..<t).map { _ in Matrix(rows: column ? small : 0, cols: 2 * l) }
        privateDecoderInput = (0..<t).map { _ in Matrix(rows: column ? small : 0, cols: l) }
        sharedEncoder = column ? network.nodeEncoder.makeWorkspace(maxBatch: small) : nil
        sharedProcessor = column ? (network.nodeProcessors.first ?? network.nodeEncoder).makeWorkspace(maxBatch: small) : nil
        sharedDecoder = column ? network.decoder.makeWorkspace(maxBatch: small) : nil
    }

    deinit { touched.deallocate() }

    /// Thread `t`'s share of the bound `infer` call. Called by the team inside `infer`; not for direct use.
    public func run(thread t: Int) {
        network.inferShare(thread: t, workspace: self)
    }

    /// Bytes of every buffer held.
    public var byteCount: Int {
        var floats = edgeLatent.count + nodeInput.count + projected.count + output.count
        for m in aggregates + chunkA + chunkB + privateFeatures + privateInput + privateDecoderInput { floats += m.count }
        let mlps = [sharedEncoder, sharedProcessor, sharedDecoder].compactMap { $0 }
        return floats * MemoryLayout<Float>.stride + mlps.reduce(0) { $0 + $1.byteCount }
    }
}

extension GraphNetwork {
    /// Buffers for `infer` on graphs of up to `maxNodes` nodes and `maxEdges` edges, run by `team`, edges in
    /// blocks of `chunkRows` (256 rows of 128 floats: 128 KiB per buffer, so a block's buffers fit in L2).
    /// Graphs under `minimumSharedFlops` per pass run on the calling thread alone: below about 4 MFLOP (a batch-1
    /// step of the small push model is 0.05 MFLOP) the barriers cost more than the second thread brings.
    /// `precision`: how every product of a pass rounds its inputs (default ``ProductPrecision/inference``).
    public func makeInferenceWorkspace(maxNodes: Int, maxEdges: Int, team: ThreadTeam, chunkRows: Int = 256,
                                       minimumSharedFlops: Double = 4e6,
                                       precision: ProductPrecision = .inference) -> GraphInferenceWorkspace {
        precondition(chunkRows >= 1, "GraphNetwork.makeInferenceWorkspace: chunkRows must be positive")
        return GraphInferenceWorkspace(network: self, maxNodes: maxNodes, maxEdges: maxEdges, team: team, chunkRows: chunkRows,
                                       minimumSharedFlops: minimumSharedFlops, precision: precision)
    }

    /// `workspace` when it holds graphs of `maxNodes` nodes and `maxEdges` edges, else a new one (default blocks)
    /// that does: for a runner whose graph builder has grown its edge buffers. Allocates only when it grows.
    public func inferenceWorkspace(_ workspace: GraphInferenceWorkspace?, holdingNodes maxNodes: Int, edges maxEdges: Int,
                                   team: ThreadTeam) -> GraphInferenceWorkspace {
        if let workspace, workspace.maxNodes >= maxNodes && workspace.maxEdges >= maxEdges { return workspace }
        return makeInferenceWorkspace(maxNodes: maxNodes, maxEdges: maxEdges, team: team, precision: workspace?.precision ?? .inference)
    }

    /// The same outputs as `forward` (up to float rounding), faster and in less memory; nothing is kept for
    /// `backward`. Returns `[O, outputWidth]`, a view into `workspace` valid until its next use. Allocates nothing.
    @discardableResult
    public func infer(nodeFeatures: MatrixView, edgeFeatures: MatrixView,
                      senders: UnsafeBufferPointer<Int32>, receivers: UnsafeBufferPointer<Int32>,
                      outputRows: UnsafeBufferPointer<Int32>, workspace w: GraphInferenceWorkspace) -> MatrixView {
        let v = nodeFeatures.rows, e = edgeFeatures.rows, o = outputRows.count
        precondition(v <= w.maxNodes && e <= w.maxEdges && o <= w.maxNodes, "GraphNetwork.infer: batch exceeds workspace")
        precondition(senders.count == e && receivers.count == e, "GraphNetwork.infer: \(e) edges, \(senders.count) senders")
        let flops = Double(v) * w.flopsPerNode + Double(e) * w.flopsPerEdge + Double(o) * w.flopsPerOutput
        let shared = w.team.size > 1 && flops >= w.minimumSharedFlops
        let team = shared ? w.team : w.solo
        let columns = shared && v <= w.columnSplitMaxNodes && o <= w.columnSplitMaxNodes
        precondition(w.network === self, "GraphNetwork.infer: the workspace belongs to another network")
        w.inputs = GraphInferenceWorkspace.Inputs(nodeFeatures: nodeFeatures, edgeFeatures: edgeFeatures, senders: senders, receivers: receivers,
                                                  outputRows: outputRows, columns: columns, team: team)
        team.run(w)
        w.inputs = nil
        return columns ? w.sharedDecoder!.activated[decoder.layers.count - 1].view.rows(0..<o) : w.output.view.rows(0..<o)
    }

    /// What thread `t` of the team does in `infer`.
    fileprivate func inferShare(thread t: Int, workspace w: GraphInferenceWorkspace) {
        let inputs = w.inputs!, team = inputs.team, columns = inputs.columns
        let nodeFeatures = inputs.nodeFeatures, edgeFeatures = inputs.edgeFeatures
        let senders = inputs.senders, receivers = inputs.receivers, outputRows = inputs.outputRows
        let l = architecture.latentWidth, steps = architecture.messagePassingSteps, precision = w.precision
        let v = nodeFeatures.rows, e = edgeFeatures.rows, o = outputRows.count
        let myNodes = team.share(of: v, thread: t), myEdges = team.share(of: e, thread: t), myOutputs = team.share(of: o, thread: t)
        let h = w.nodeInput.view.columns(0..<l), aggregateColumns = w.nodeInput.view.columns(l..<(2 * l))
        let latent = w.edgeLatent.view, aggregate = w.aggregates[t].view

        // Rows of the node-side products in column mode (padded to a multiple of 4: odd row counts are slow).
        let paddedRows = (v + 3) / 4 * 4
        let privateInput = w.privateInput[t].view
        let privateH = privateInput.columns(0..<l)

        // Encoders: h = nodeEncoder(x) for my nodes (or my columns), e = edgeEncoder(y) for my edges.
        if columns {
            w.privateFeatures[t].view.rows(0..<v).copy(from: nodeFeatures)
            let y = columnForward(nodeEncoder, input: w.privateFeatures[t].view.rows(0..<paddedRows), workspace: w.sharedEncoder!, thread: t,
                                  team: team, barrierAfterLast: true, precision: precision)
            normalize(y.rows(0..<v), with: nodeEncoder.norm!, into: privateH.rows(0..<v), accumulate: false, receivers: nil, aggregate: aggregate)
            if steps > 0 { projectColumns(privateH.rows(0..<paddedRows), step: 0, into: w.projected.view.rows(0..<paddedRows), thread: t, team: team, precision: precision) }
        } else {
            // Node rows in blocks too: a block's activations stay in cache through the MLP, LayerNorm and projections.
            forEachChunk(of: myNodes, rows: w.chunkRows) { rows in
                let y = runHidden(nodeEncoder, input: nodeFeatures.rows(rows), thread: t, workspace: w)
                normalize(y, with: nodeEncoder.norm!, into: h.rows(rows), accumulate: false, receivers: nil, aggregate: aggregate)
                if steps > 0 { project(h.rows(rows), step: 0, into: w.projected.view.rows(rows), precision: precision) }
            }
        }
        forEachChunk(of: myEdges, rows: w.chunkRows) { rows in
            let y = runHidden(edgeEncoder, input: edgeFeatures.rows(rows), thread: t, workspace: w)
            normalize(y, with: edgeEncoder.norm!, into: latent.rows(rows), accumulate: false, receivers: nil, aggregate: aggregate)
        }
        team.barrier()

        for m in 0..<steps {
            // Edge phase: e += rest(f(e W_e + b + P_s[sender] + P_r[receiver])); my aggregate += e at receivers.
            if m == 0 {
                var low = Int.max, high = Int.min
                for k in myEdges { let r = Int(receivers[k]); low = min(low, r); high = max(high, r) }
                w.touched[2 * t] = myEdges.isEmpty ? 0 : low
                w.touched[2 * t + 1] = myEdges.isEmpty ? 0 : high + 1
            }
            aggregate.rows(w.touched[2 * t]..<w.touched[2 * t + 1]).fill(0)
            let first = edgeFirstLayers[m], weightE = first.weight.value.view.rows(0..<l)
            forEachChunk(of: myEdges, rows: w.chunkRows) { rows in
                let z = w.chunkA[t].view.rows(0..<rows.count)
                wm_rows_edge_input(z.base, z.rows, l, z.stride, first.bias.value.base, w.projected.base, 2 * l,
                                   senders.baseAddress! + rows.lowerBound, receivers.baseAddress! + rows.lowerBound)
                dense(latent.rows(rows), weightE, into: z, bias: nil, accumulate: true, activation: architecture.activation, precision: precision)
                let y = runHidden(edgeRest[m], input: z, thread: t, workspace: w)
                normalize(y, with: edgeRest[m].norm!, into: latent.rows(rows), accumulate: true,
                          receivers: receivers.baseAddress! + rows.lowerBound, aggregate: aggregate)
            }
            team.barrier()
            // Node phase: h += nodeMLP([h, sum of the team's aggregates]) for my nodes (in column mode: for every
            // node, in my private copy, my columns of each product); then the projections for the next step.
            let sumRows = columns ? 0..<v : myNodes
            let sumInto = columns ? privateInput.columns(l..<(2 * l)) : aggregateColumns
            if !sumRows.isEmpty {
                sumInto.rows(sumRows).fill(0)
                for k in 0..<team.size {
                    let rows = sumRows.clamped(to: w.touched[2 * k]..<w.touched[2 * k + 1])
                    guard !rows.isEmpty else { continue }
                    let a = w.aggregates[k].view.rows(rows), into = sumInto.rows(rows)
                    wm_rows_add(into.base, into.stride, a.base, a.stride, rows.count, l)
                }
            }
            if columns {
                let y = columnForward(nodeProcessors[m], input: privateInput.rows(0..<paddedRows), workspace: w.sharedProcessor!, thread: t,
                                      team: team, barrierAfterLast: true, precision: precision)
                normalize(y.rows(0..<v), with: nodeProcessors[m].norm!, into: privateH.rows(0..<v), accumulate: true, receivers: nil, aggregate: aggregate)
                if m + 1 < steps {
                    projectColumns(privateH.rows(0..<paddedRows), step: m + 1, into: w.projected.view.rows(0..<paddedRows), thread: t, team: team,
                                   precision: precision)
                    team.barrier()
                }
            } else {
                forEachChunk(of: myNodes, rows: w.chunkRows) { rows in
                    let y = runHidden(nodeProcessors[m], input: w.nodeInput.view.rows(rows), thread: t, workspace: w)
                    normalize(y, with: nodeProcessors[m].norm!, into: h.rows(rows), accumulate: true, receivers: nil, aggregate: aggregate)
                    if m + 1 < steps { project(h.rows(rows), step: m + 1, into: w.projected.view.rows(rows), precision: precision) }
                }
                team.barrier()
            }
        }

        // Decoder on my output rows (or my columns of all of them).
        if columns {
            let input = w.privateDecoderInput[t].view
            RowIndexing.gather(privateH, indices: outputRows, into: input.rows(0..<o))
            _ = columnForward(decoder, input: input.rows(0..<((o + 3) / 4 * 4)), workspace: w.sharedDecoder!, thread: t, team: team,
                              barrierAfterLast: false, precision: precision)
        } else {
            forEachChunk(of: myOutputs, rows: w.chunkRows) { rows in
                let input = w.chunkB[t].view.rows(0..<rows.count)
                RowIndexing.gather(h, indices: UnsafeBufferPointer(rebasing: outputRows[rows]), into: input)
                w.output.view.rows(rows).copy(from: runHidden(decoder, input: input, thread: t, workspace: w))
            }
        }
    }

    /// [h W_s, h W_r] for the edge MLP of step `m`.
    private func project(_ h: MatrixView, step m: Int, into projected: MatrixView, precision: ProductPrecision) {
        let l = architecture.latentWidth, weight = edgeFirstLayers[m].weight.value.view
        matrixMultiply(h, weight.rows(l..<(2 * l)), into: projected.columns(0..<l), precision: precision)
        matrixMultiply(h, weight.rows((2 * l)..<(3 * l)), into: projected.columns(l..<(2 * l)), precision: precision)
    }

    /// [h W_s, h W_r], the columns of thread `t` only.
    private func projectColumns(_ h: MatrixView, step m: Int, into projected: MatrixView, thread t: Int, team: ThreadTeam,
                                precision: ProductPrecision) {
        let l = architecture.latentWidth, weight = edgeFirstLayers[m].weight.value.view
        let mine = team.share(of: 2 * l, thread: t)
        // Columns 0..<L come from W_s (weight rows L..<2L), columns L..<2L from W_r (rows 2L..<3L).
        for block in 0..<2 {
            let c = mine.clamped(to: (block * l)..<((block + 1) * l))
            guard !c.isEmpty else { continue }
            let local = (c.lowerBound - block * l)..<(c.upperBound - block * l)
            matrixMultiply(h, weight.rows(((block + 1) * l)..<((block + 2) * l)).columns(local), into: projected.columns(c), precision: precision)
        }
    }

    /// Every dense layer of `mlp` on all rows of `input`, thread `t` computing its share of each layer's output
    /// columns, with a barrier after each layer; returns the last layer's output (before the MLP's LayerNorm).
    private func columnForward(_ mlp: MLP, input: MatrixView, workspace ws: MLPWorkspace, thread t: Int, team: ThreadTeam,
                               barrierAfterLast: Bool, precision: ProductPrecision) -> MatrixView {
        var x = input
        for i in 0..<mlp.layers.count {
            let layer = mlp.layers[i]
            let y = ws.activated[i].view.rows(0..<input.rows)
            let activation = i == mlp.layers.count - 1 ? mlp.architecture.outputActivation : mlp.architecture.activation
            let c = team.share(of: layer.outputWidth, thread: t)
            if !c.isEmpty {
                let yc = y.columns(c)
                dense(x, layer.weight.value.view.columns(c), into: yc, bias: layer.bias.value.base + c.lowerBound, accumulate: false,
                      activation: activation, precision: precision)
            }
            if i < mlp.layers.count - 1 || barrierAfterLast { team.barrier() }
            x = y
        }
        return x
    }

    /// Runs every dense layer of `mlp` on a block of rows (at most `chunkRows`) through the thread's two chunk
    /// buffers; returns the last layer's output (before the MLP's LayerNorm).
    private func runHidden(_ mlp: MLP, input: MatrixView, thread t: Int, workspace w: GraphInferenceWorkspace) -> MatrixView {
        var x = input
        for i in 0..<mlp.layers.count {
            let layer = mlp.layers[i]
            let buffer = (x.base == w.chunkA[t].base ? w.chunkB[t] : w.chunkA[t]).view.rows(0..<input.rows).columns(0..<layer.outputWidth)
            let activation = i == mlp.layers.count - 1 ? mlp.architecture.outputActivation : mlp.architecture.activation
            dense(x, layer.weight.value.view, into: buffer, bias: layer.bias.value.base, accumulate: false, activation: activation,
                  precision: w.precision)
            x = buffer
        }
        return x
    }

    /// y = f(y + bias + x W) when `accumulate`, else f(bias + x W): the product adds the bias and applies ReLU as
    /// it stores (no separate pass); other activations take one pass after it.
    private func dense(_ x: MatrixView, _ weight: MatrixView, into y: MatrixView, bias: UnsafePointer<Float>?, accumulate: Bool,
                       activation: Activation, precision: ProductPrecision) {
        matrixMultiply(x, weight, into: y, beta: accumulate ? 1 : 0, bias: bias, relu: activation == .relu, precision: precision)
        if activation != .relu && activation != .identity { activation.forward(y, into: y) }
    }

    private func normalize(_ y: MatrixView, with norm: LayerNorm, into latent: MatrixView, accumulate: Bool,
                           receivers: UnsafePointer<Int32>?, aggregate: MatrixView) {
        wm_rows_layer_norm_residual(y.base, y.stride, latent.base, latent.stride, y.rows, y.cols, norm.gamma.value.base,
                                    norm.beta.value.base, norm.epsilon, accumulate ? 1 : 0, receivers, aggregate.base, aggregate.stride)
    }

    private func forEachChunk(of range: Range<Int>, rows chunk: Int, _ body: (Range<Int>) -> Void) {
        var start = range.lowerBound
        while start < range.upperBound {
            let end = min(range.upperBound, start + chunk)
            body(start..<end)
            start = end
        }
    }
}
