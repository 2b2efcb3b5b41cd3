/// The sizes of an encode-process-decode graph network. Stored in checkpoints as JSON.
public struct GraphNetworkArchitecture: Codable, Equatable, Sendable {
    /// Raw node feature width (input of the node encoder).
    public var nodeInputWidth: Int
    /// Raw edge feature width (input of the edge encoder).
    public var edgeInputWidth: Int
    /// Decoder output width (6: linear and angular acceleration).
    public var outputWidth: Int
    /// Width of node and edge latents.
    public var latentWidth: Int
    /// Hidden layers in every MLP.
    public var hiddenLayers: Int
    /// Message-passing steps M (each with its own edge and node MLP weights).
    public var messagePassingSteps: Int

    public init(nodeInputWidth: Int, edgeInputWidth: Int, outputWidth: Int, latentWidth: Int, hiddenLayers: Int, messagePassingSteps: Int) {
        self.nodeInputWidth = nodeInputWidth
        self.edgeInputWidth = edgeInputWidth
        self.outputWidth = outputWidth
        self.latentWidth = latentWidth
        self.hiddenLayers = hiddenLayers
        self.messagePassingSteps = messagePassingSteps
    }

    func mlp(input: Int, output: Int, layerNorm: Bool) -> MLPDescription {
        MLPDescription(widths: [input] + Array(repeating: latentWidth, count: hiddenLayers) + [output],
                       activation: .relu, layerNorm: layerNorm)
    }
}

/// An encode-process-decode graph network (Sanchez-Gonzalez et al. 2020) on the NN core.
///
/// Nodes and edges are encoded to latents by MLPs ending in LayerNorm; each of M message-passing steps
/// updates every edge from [edge, sender, receiver] and every node from [node, sum of incoming edges], both
/// with residual connections; a decoder MLP maps the latents of the rows in `outputRows` (the objects, not the
/// robot) to outputs. A batch of graphs is one graph with disjoint node indices.
///
/// Shapes (V nodes, E edges, O output rows, L latent width):
///   nodeFeatures [V, nodeInputWidth], edgeFeatures [E, edgeInputWidth], senders/receivers [E],
///   outputRows [O], output [O, outputWidth].
///
/// ```swift
/// let net = GraphNetwork(architecture, seed: 1)
/// let workspace = net.makeWorkspace(maxNodes: 64, maxEdges: 512)
/// let y = net.forward(nodes, edges, senders: s, receivers: r, outputRows: objects, workspace: workspace)
/// net.backward(outputGradient: dy, workspace: workspace)     // accumulates parameter gradients
/// ```
public final class GraphNetwork {
    public let architecture: GraphNetworkArchitecture
    let nodeEncoder: MLP
    let edgeEncoder: MLP
    let edgeProcessors: [MLP]
    let nodeProcessors: [MLP]
    let decoder: MLP
    /// Every parameter, named `node_encoder.*`, `edge_encoder.*`, `edge_processor.M.*`, `node_processor.M.*`, `decoder.*`.
    public let parameters: [Parameter]

    public init(_ architecture: GraphNetworkArchitecture, seed: UInt64) {
        self.architecture = architecture
        var rng = SeededRandom(seed: seed)
        let a = architecture, l = a.latentWidth
        nodeEncoder = MLP(a.mlp(input: a.nodeInputWidth, output: l, layerNorm: true), name: "node_encoder", using: &rng)
        edgeEncoder = MLP(a.mlp(input: a.edgeInputWidth, output: l, layerNorm: true), name: "edge_encoder", using: &rng)
        edgeProcessors = (0..<a.messagePassingSteps).map {
            MLP(a.mlp(input: 3 * l, output: l, layerNorm: true), name: "edge_processor.\($0)", using: &rng)
        }
        nodeProcessors = (0..<a.messagePassingSteps).map {
            MLP(a.mlp(input: 2 * l, output: l, layerNorm: true), name: "node_processor.\($0)", using: &rng)
        }
        decoder = MLP(a.mlp(input: l, output: a.outputWidth, layerNorm: false), name: "decoder", using: &rng)
        parameters = nodeEncoder.parameters + edgeEncoder.parameters + edgeProcessors.flatMap(\.parameters)
            + nodeProcessors.flatMap(\.parameters) + decoder.parameters
    }

    public func makeWorkspace(maxNodes: Int, maxEdges: Int) -> GraphNetworkWorkspace {
        GraphNetworkWorkspace(network: self, maxNodes: maxNodes, maxEdges: maxEdges)
    }

    /// Floating-point operations of the matrix products of one forward pass.
    public func forwardFlops(nodes: Int, edges: Int, outputs: Int) -> Double {
        var f = nodeEncoder.architecture.forwardProductFlops(batch: nodes) + edgeEncoder.architecture.forwardProductFlops(batch: edges)
        for m in 0..<architecture.messagePassingSteps {
            f += edgeProcessors[m].architecture.forwardProductFlops(batch: edges)
            f += nodeProcessors[m].architecture.forwardProductFlops(batch: nodes)
        }
        return f + decoder.architecture.forwardProductFlops(batch: outputs)
    }

    /// Runs the network; returns `[O, outputWidth]`, a view into `workspace` valid until its next use.
    /// The index buffers must stay alive and unchanged until `backward` (if called).
    @discardableResult
    public func forward(nodeFeatures: MatrixView, edgeFeatures: MatrixView,
                        senders: UnsafeBufferPointer<Int32>, receivers: UnsafeBufferPointer<Int32>,
                        outputRows: UnsafeBufferPointer<Int32>, workspace w: GraphNetworkWorkspace) -> MatrixView {
        let v = nodeFeatures.rows, e = edgeFeatures.rows, o = outputRows.count, l = architecture.latentWidth
        precondition(v <= w.maxNodes && e <= w.maxEdges && o <= w.maxNodes, "GraphNetwork: batch exceeds workspace")
        precondition(senders.count == e && receivers.count == e, "GraphNetwork: \(e) edges, \(senders.count) senders")
        w.bind(nodes: v, edges: e, outputs: o, senders: senders, receivers: receivers, outputRows: outputRows, nodeFeatures: nodeFeatures, edgeFeatures: edgeFeatures)
        let steps = architecture.messagePassingSteps
        // Latents h_0 and e_0 go straight into the first processor's input blocks.
        w.nodeInput[0].view.rows(0..<v).columns(0..<l).copy(from: nodeEncoder.forward(nodeFeatures, workspace: w.nodeEncoder))
        w.edgeInput[0].view.rows(0..<e).columns(0..<l).copy(from: edgeEncoder.forward(edgeFeatures, workspace: w.edgeEncoder))
        for m in 0..<steps {
            let edgeIn = w.edgeInput[m].view.rows(0..<e), nodeIn = w.nodeInput[m].view.rows(0..<v)
            let h = nodeIn.columns(0..<l), eLatent = edgeIn.columns(0..<l)
            RowIndexing.gather(h, indices: senders, into: edgeIn.columns(l..<(2 * l)))
            RowIndexing.gather(h, indices: receivers, into: edgeIn.columns((2 * l)..<(3 * l)))
            let edgeUpdate = edgeProcessors[m].forward(edgeIn, workspace: w.edgeProcessors[m])
            // e_{m+1} = e_m + update, written where the next step (or the aggregation) reads it.
            let nextE = m + 1 < steps ? w.edgeInput[m + 1].view.rows(0..<e).columns(0..<l) : w.lastEdgeLatent.view.rows(0..<e)
            ResidualAdd.forward(eLatent, edgeUpdate, into: nextE)
            let aggregate = nodeIn.columns(l..<(2 * l))
            aggregate.fill(0)
            RowIndexing.scatterAdd(nextE, indices: receivers, into: aggregate)
            let nodeUpdate = nodeProcessors[m].forward(nodeIn, workspace: w.nodeProcessors[m])
            let nextH = m + 1 < steps ? w.nodeInput[m + 1].view.rows(0..<v).columns(0..<l) : w.lastNodeLatent.view.rows(0..<v)
            ResidualAdd.forward(h, nodeUpdate, into: nextH)
        }
        let finalH = steps > 0 ? w.lastNodeLatent.view.rows(0..<v) : w.nodeInput[0].view.rows(0..<v).columns(0..<l)
        let decoderIn = w.decoderInput.view.rows(0..<o)
        RowIndexing.gather(finalH, indices: outputRows, into: decoderIn)
        return decoder.forward(decoderIn, workspace: w.decoder)
    }

    /// Backpropagates `outputGradient` ([O, outputWidth]) through the last `forward` on `workspace`,
    /// accumulating every parameter's gradient.
    public func backward(outputGradient: MatrixView, workspace w: GraphNetworkWorkspace) {
        let v = w.boundNodes, e = w.boundEdges, o = w.boundOutputs, l = architecture.latentWidth
        let senders = w.senders!, receivers = w.receivers!, outputRows = w.outputRows!
        let steps = architecture.messagePassingSteps
        let decoderGrad = w.decoderInputGradient.view.rows(0..<o)
        decoder.backward(input: w.decoderInput.view.rows(0..<o), outputGradient: outputGradient, workspace: w.decoder, inputGradient: decoderGrad)
        let dH = w.nodeGradient.view.rows(0..<v), dE = w.edgeGradient.view.rows(0..<e)
        dH.fill(0)
        dE.fill(0)
        RowIndexing.scatterAdd(decoderGrad, indices: outputRows, into: dH)
        for m in stride(from: steps - 1, through: 0, by: -1) {
            let edgeIn = w.edgeInput[m].view.rows(0..<e), nodeIn = w.nodeInput[m].view.rows(0..<v)
            // h_{m+1} = h_m + nodeMLP([h_m, aggregate])
            let dNodeIn = w.nodeInputGradient.view.rows(0..<v)
            nodeProcessors[m].backward(input: nodeIn, outputGradient: dH, workspace: w.nodeProcessors[m], inputGradient: dNodeIn)
            ResidualAdd.accumulate(dNodeIn.columns(0..<l), into: dH)
            // aggregate = sum of e_{m+1} over incoming edges
            let dFromAggregate = w.edgeScratch.view.rows(0..<e)
            RowIndexing.gather(dNodeIn.columns(l..<(2 * l)), indices: receivers, into: dFromAggregate)
            ResidualAdd.accumulate(dFromAggregate, into: dE)
            // e_{m+1} = e_m + edgeMLP([e_m, h_s, h_r])
            let dEdgeIn = w.edgeInputGradient.view.rows(0..<e)
            edgeProcessors[m].backward(input: edgeIn, outputGradient: dE, workspace: w.edgeProcessors[m], inputGradient: dEdgeIn)
            ResidualAdd.accumulate(dEdgeIn.columns(0..<l), into: dE)
            RowIndexing.scatterAdd(dEdgeIn.columns(l..<(2 * l)), indices: senders, into: dH)
            RowIndexing.scatterAdd(dEdgeIn.columns((2 * l)..<(3 * l)), indices: receivers, into: dH)
        }
        nodeEncoder.backward(input: w.nodeFeatures!, outputGradient: dH, workspace: w.nodeEncoder)
        edgeEncoder.backward(input: w.edgeFeatures!, outputGradient: dE, workspace: w.edgeEncoder)
    }
}

/// Preallocated buffers of a `GraphNetwork` pass for up to `maxNodes` nodes and `maxEdges` edges.
/// One per concurrent pass; not thread-safe.
public final class GraphNetworkWorkspace {
    public let maxNodes: Int
    public let maxEdges: Int
    let nodeEncoder: MLPWorkspace
    let edgeEncoder: MLPWorkspace
    let edgeProcessors: [MLPWorkspace]
    let nodeProcessors: [MLPWorkspace]
    let decoder: MLPWorkspace
    /// Per step m: [E, 3L] = [e_m, h_sender, h_receiver] and [V, 2L] = [h_m, aggregate].
    let edgeInput: [Matrix]
    let nodeInput: [Matrix]
    let lastEdgeLatent: Matrix
    let lastNodeLatent: Matrix
    let decoderInput: Matrix
    let decoderInputGradient: Matrix
    let nodeGradient: Matrix
    let edgeGradient: Matrix
    let edgeScratch: Matrix
    let edgeInputGradient: Matrix
    let nodeInputGradient: Matrix
    private(set) var boundNodes = 0, boundEdges = 0, boundOutputs = 0
    private(set) var senders: UnsafeBufferPointer<Int32>?
    private(set) var receivers: UnsafeBufferPointer<Int32>?
    private(set) var outputRows: UnsafeBufferPointer<Int32>?
    private(set) var nodeFeatures: MatrixView?
    private(set) var edgeFeatures: MatrixView?

    init(network: GraphNetwork, maxNodes: Int, maxEdges: Int) {
        self.maxNodes = maxNodes
        self.maxEdges = maxEdges
        let l = network.architecture.latentWidth, steps = network.architecture.messagePassingSteps
        nodeEncoder = network.nodeEncoder.makeWorkspace(maxBatch: maxNodes)
        edgeEncoder = network.edgeEncoder.makeWorkspace(maxBatch: maxEdges)
        edgeProcessors = network.edgeProcessors.map { $0.makeWorkspace(maxBatch: maxEdges) }
        nodeProcessors = network.nodeProcessors.map { $0.makeWorkspace(maxBatch: maxNodes) }
        decoder = network.decoder.makeWorkspace(maxBatch: maxNodes)
        edgeInput = (0..<max(1, steps)).map { _ in Matrix(rows: maxEdges, cols: 3 * l) }
        nodeInput = (0..<max(1, steps)).map { _ in Matrix(rows: maxNodes, cols: 2 * l) }
        lastEdgeLatent = Matrix(rows: maxEdges, cols: l)
        lastNodeLatent = Matrix(rows: maxNodes, cols: l)
        decoderInput = Matrix(rows: maxNodes, cols: l)
        decoderInputGradient = Matrix(rows: maxNodes, cols: l)
        nodeGradient = Matrix(rows: maxNodes, cols: l)
        edgeGradient = Matrix(rows: maxEdges, cols: l)
        edgeScratch = Matrix(rows: maxEdges, cols: l)
        edgeInputGradient = Matrix(rows: maxEdges, cols: 3 * l)
        nodeInputGradient = Matrix(rows: maxNodes, cols: 2 * l)
    }

    func bind(nodes: Int, edges: Int, outputs: Int, senders: UnsafeBufferPointer<Int32>, receivers: UnsafeBufferPointer<Int32>,
              outputRows: UnsafeBufferPointer<Int32>, nodeFeatures: MatrixView, edgeFeatures: MatrixView) {
        boundNodes = nodes; boundEdges = edges; boundOutputs = outputs
        self.senders = senders; self.receivers = receivers; self.outputRows = outputRows
        self.nodeFeatures = nodeFeatures; self.edgeFeatures = edgeFeatures
    }

    /// Bytes of activations and gradients held.
    public var byteCount: Int {
        var floats = 0
        for m in edgeInput + nodeInput + [lastEdgeLatent, lastNodeLatent, decoderInput, decoderInputGradient, nodeGradient,
                                          edgeGradient, edgeScratch, edgeInputGradient, nodeInputGradient] {
            floats += m.count
        }
        let mlps = [nodeEncoder, edgeEncoder, decoder] + edgeProcessors + nodeProcessors
        return floats * MemoryLayout<Float>.stride + mlps.reduce(0) { $0 + $1.byteCount }
    }
}
