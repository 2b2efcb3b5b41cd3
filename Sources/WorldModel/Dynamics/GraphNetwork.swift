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
    /// Hidden layers in every MLP (at least 1).
    public var hiddenLayers: Int
    /// Message-passing steps M (each with its own edge and node MLP weights).
    public var messagePassingSteps: Int
    /// The hidden layers' activation.
    public var activation: Activation

    public init(nodeInputWidth: Int, edgeInputWidth: Int, outputWidth: Int, latentWidth: Int, hiddenLayers: Int, messagePassingSteps: Int,
                activation: Activation = .relu) {
        self.nodeInputWidth = nodeInputWidth
        self.edgeInputWidth = edgeInputWidth
        self.outputWidth = outputWidth
        self.latentWidth = latentWidth
        self.hiddenLayers = hiddenLayers
        self.messagePassingSteps = messagePassingSteps
        self.activation = activation
    }

    func mlp(input: Int, output: Int, layerNorm: Bool) -> MLPDescription {
        MLPDescription(widths: [input] + Array(repeating: latentWidth, count: hiddenLayers) + [output],
                       activation: activation, layerNorm: layerNorm)
    }
}

/// An encode-process-decode graph network (Sanchez-Gonzalez et al. 2020) on the NN core.
///
/// Nodes and edges are encoded to latents by MLPs ending in LayerNorm; each of M message-passing steps
/// updates every edge from [edge, sender, receiver] and every node from [node, sum of incoming edges], both
/// with residual connections; a decoder MLP maps the latents of the rows in `outputRows` (the objects, not the
/// robot) to outputs. A batch of graphs is one graph with disjoint node indices.
///
/// Speed without changing the function: the first layer of each edge MLP, `[e, h_s, h_r] W + b` with
/// `W = [W_e; W_s; W_r]`, is computed as `e W_e + gather(h W_s, senders) + gather(h W_r, receivers) + b`, so the
/// node terms are multiplied once per node instead of once per edge, and no [E, 3L] concatenation is built.
///
/// Shapes (V nodes, E edges, O output rows, L latent width):
///   nodeFeatures [V, nodeInputWidth], edgeFeatures [E, edgeInputWidth], senders/receivers [E],
///   outputRows [O], output [O, outputWidth].
///
/// ```swift
/// let net = GraphNetwork(architecture, seed: 1)
/// let workspace = net.makeWorkspace(maxNodes: 64, maxEdges: 512)
/// let y = net.forward(nodeFeatures: nodes, edgeFeatures: edges, senders: s, receivers: r, outputRows: objects, workspace: workspace)
/// net.backward(outputGradient: dy, workspace: workspace)     // accumulates parameter gradients
/// ```
public final class GraphNetwork {
    public let architecture: GraphNetworkArchitecture
    let nodeEncoder: MLP
    let edgeEncoder: MLP
    /// Per step: the edge MLP's first layer ([3L, L], rows e | sender | receiver) and the rest of it.
    let edgeFirstLayers: [Dense]
    let edgeRest: [MLP]
    let nodeProcessors: [MLP]
    let decoder: MLP
    /// Every parameter, named `node_encoder.*`, `edge_encoder.*`, `edge_processor.M.0.*` and `edge_processor.M.rest.*`,
    /// `node_processor.M.*`, `decoder.*`.
    public let parameters: [Parameter]

    public init(_ architecture: GraphNetworkArchitecture, seed: UInt64) {
        precondition(architecture.hiddenLayers >= 1, "GraphNetwork: at least one hidden layer")
        self.architecture = architecture
        var rng = SeededRandom(seed: seed)
        let a = architecture, l = a.latentWidth
        nodeEncoder = MLP(a.mlp(input: a.nodeInputWidth, output: l, layerNorm: true), name: "node_encoder", using: &rng)
        edgeEncoder = MLP(a.mlp(input: a.edgeInputWidth, output: l, layerNorm: true), name: "edge_encoder", using: &rng)
        var first: [Dense] = [], rest: [MLP] = []
        for m in 0..<a.messagePassingSteps {
            first.append(Dense(name: "edge_processor.\(m).0", inputWidth: 3 * l, outputWidth: l, using: &rng))
            let widths = Array(repeating: l, count: a.hiddenLayers + 1)
            rest.append(MLP(MLPDescription(widths: widths, activation: a.activation, layerNorm: true), name: "edge_processor.\(m).rest", using: &rng))
        }
        edgeFirstLayers = first
        edgeRest = rest
        nodeProcessors = (0..<a.messagePassingSteps).map {
            MLP(a.mlp(input: 2 * l, output: l, layerNorm: true), name: "node_processor.\($0)", using: &rng)
        }
        decoder = MLP(a.mlp(input: l, output: a.outputWidth, layerNorm: false), name: "decoder", using: &rng)
        var all = nodeEncoder.parameters + edgeEncoder.parameters
        for m in 0..<a.messagePassingSteps { all += edgeFirstLayers[m].parameters + edgeRest[m].parameters }
        parameters = all + nodeProcessors.flatMap(\.parameters) + decoder.parameters
    }

    public func makeWorkspace(maxNodes: Int, maxEdges: Int) -> GraphNetworkWorkspace {
        GraphNetworkWorkspace(network: self, maxNodes: maxNodes, maxEdges: maxEdges)
    }

    /// `workspace` when it holds graphs of `maxNodes` nodes and `maxEdges` edges, else a new one that does (made
    /// on first use, or when a runner's graph builder has grown its edge buffers).
    public func workspace(_ workspace: GraphNetworkWorkspace?, holdingNodes maxNodes: Int, edges maxEdges: Int) -> GraphNetworkWorkspace {
        if let workspace, workspace.maxNodes >= maxNodes && workspace.maxEdges >= maxEdges { return workspace }
        return makeWorkspace(maxNodes: maxNodes, maxEdges: maxEdges)
    }

    /// Floating-point operations of the matrix products of one forward pass (with the split first edge layer).
    public func forwardFlops(nodes: Int, edges: Int, outputs: Int) -> Double {
        let l = Double(architecture.latentWidth)
        var f = nodeEncoder.architecture.forwardProductFlops(batch: nodes) + edgeEncoder.architecture.forwardProductFlops(batch: edges)
        for m in 0..<architecture.messagePassingSteps {
            f += 2 * Double(edges) * l * l + 2 * 2 * Double(nodes) * l * l
            f += edgeRest[m].architecture.forwardProductFlops(batch: edges)
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
        // Latents h_0 and e_0 go straight into the first step's buffers.
        w.nodeInput[0].view.rows(0..<v).columns(0..<l).copy(from: nodeEncoder.forward(nodeFeatures, workspace: w.nodeEncoder))
        w.edgeLatent[0].view.rows(0..<e).copy(from: edgeEncoder.forward(edgeFeatures, workspace: w.edgeEncoder))
        for m in 0..<steps {
            let nodeIn = w.nodeInput[m].view.rows(0..<v)
            let h = nodeIn.columns(0..<l), eLatent = w.edgeLatent[m].view.rows(0..<e)
            let first = edgeFirstLayers[m], weight = first.weight.value.view
            // Node terms once per node: [h W_s, h W_r].
            let projected = w.nodeProjection[m].view.rows(0..<v)
            matrixMultiply(h, weight.rows(l..<(2 * l)), into: projected.columns(0..<l))
            matrixMultiply(h, weight.rows((2 * l)..<(3 * l)), into: projected.columns(l..<(2 * l)))
            // z = e W_e + b + (h W_s)[sender] + (h W_r)[receiver]; a = f(z).
            let z = w.edgePreActivation[m].view.rows(0..<e), a = w.edgeActivated[m].view.rows(0..<e)
            matrixMultiply(eLatent, weight.rows(0..<l), into: z)
            let bias = first.bias.value.base, activation = architecture.activation
            for k in 0..<e {
                let row = z.row(k), ps = projected.row(Int(senders[k])), pr = projected.row(Int(receivers[k])) + l
                for c in 0..<l { row[c] += bias[c] + ps[c] + pr[c] }
                activation.apply(row, a.row(k), l)
            }
            let edgeUpdate = edgeRest[m].forward(a, workspace: w.edgeRest[m])
            // e_{m+1} = e_m + update, written where the next step (and the aggregation) reads it.
            let nextE = w.edgeLatent[m + 1].view.rows(0..<e)
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
            let nodeIn = w.nodeInput[m].view.rows(0..<v), h = nodeIn.columns(0..<l)
            // h_{m+1} = h_m + nodeMLP([h_m, aggregate])
            let dNodeIn = w.nodeInputGradient.view.rows(0..<v)
            nodeProcessors[m].backward(input: nodeIn, outputGradient: dH, workspace: w.nodeProcessors[m], inputGradient: dNodeIn)
            ResidualAdd.accumulate(dNodeIn.columns(0..<l), into: dH)
            // aggregate = sum of e_{m+1} over incoming edges
            let scratch = w.edgeScratch.view.rows(0..<e)
            RowIndexing.gather(dNodeIn.columns(l..<(2 * l)), indices: receivers, into: scratch)
            ResidualAdd.accumulate(scratch, into: dE)
            // e_{m+1} = e_m + rest(f(z)); dE keeps flowing to e_m through the skip connection.
            let a = w.edgeActivated[m].view.rows(0..<e), z = w.edgePreActivation[m].view.rows(0..<e)
            edgeRest[m].backward(input: a, outputGradient: dE, workspace: w.edgeRest[m], inputGradient: scratch)
            let dz = w.edgePreActivationGradient.view.rows(0..<e)
            let first = edgeFirstLayers[m], weight = first.weight.value.view, weightGradient = first.weight.gradient.view
            architecture.activation.backward(preActivation: z, output: a, outputGradient: scratch, into: dz, columnSums: first.bias.gradient.base)
            let eLatent = w.edgeLatent[m].view.rows(0..<e)
            matrixMultiply(eLatent, dz, into: weightGradient.rows(0..<l), transposeA: true, beta: 1)
            matrixMultiply(dz, weight.rows(0..<l), into: dE, transposeB: true, beta: 1)
            let dProjected = w.nodeProjectionGradient.view.rows(0..<v)
            dProjected.fill(0)
            RowIndexing.scatterAdd(dz, indices: senders, into: dProjected.columns(0..<l))
            RowIndexing.scatterAdd(dz, indices: receivers, into: dProjected.columns(l..<(2 * l)))
            matrixMultiply(h, dProjected.columns(0..<l), into: weightGradient.rows(l..<(2 * l)), transposeA: true, beta: 1)
            matrixMultiply(h, dProjected.columns(l..<(2 * l)), into: weightGradient.rows((2 * l)..<(3 * l)), transposeA: true, beta: 1)
            matrixMultiply(dProjected.columns(0..<l), weight.rows(l..<(2 * l)), into: dH, transposeB: true, beta: 1)
            matrixMultiply(dProjected.columns(l..<(2 * l)), weight.rows((2 * l)..<(3 * l)), into: dH, transposeB: true, beta: 1)
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
    let edgeRest: [MLPWorkspace]
    let nodeProcessors: [MLPWorkspace]
    let decoder: MLPWorkspace
    /// Per step m: edge latents e_m [E, L] (m = 0...M), [h_m, aggregate] [V, 2L], [h W_s, h W_r] [V, 2L],
    /// the first edge layer's pre-activation and activation [E, L].
    let edgeLatent: [Matrix]
    let nodeInput: [Matrix]
    let nodeProjection: [Matrix]
    let edgePreActivation: [Matrix]
    let edgeActivated: [Matrix]
    let lastNodeLatent: Matrix
    let decoderInput: Matrix
    let decoderInputGradient: Matrix
    let nodeGradient: Matrix
    let edgeGradient: Matrix
    let edgeScratch: Matrix
    let edgePreActivationGradient: Matrix
    let nodeProjectionGradient: Matrix
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
        let separateActivation = network.architecture.activation.needsPreActivation
        nodeEncoder = network.nodeEncoder.makeWorkspace(maxBatch: maxNodes)
        edgeEncoder = network.edgeEncoder.makeWorkspace(maxBatch: maxEdges)
        edgeRest = network.edgeRest.map { $0.makeWorkspace(maxBatch: maxEdges) }
        nodeProcessors = network.nodeProcessors.map { $0.makeWorkspace(maxBatch: maxNodes) }
        decoder = network.decoder.makeWorkspace(maxBatch: maxNodes)
        edgeLatent = (0...steps).map { _ in Matrix(rows: maxEdges, cols: l) }
        nodeInput = (0..<max(1, steps)).map { _ in Matrix(rows: maxNodes, cols: 2 * l) }
        nodeProjection = (0..<steps).map { _ in Matrix(rows: maxNodes, cols: 2 * l) }
        let activated = (0..<steps).map { _ in Matrix(rows: maxEdges, cols: l) }
        edgeActivated = activated
        edgePreActivation = separateActivation ? (0..<steps).map { _ in Matrix(rows: maxEdges, cols: l) } : activated
        lastNodeLatent = Matrix(rows: maxNodes, cols: l)
        decoderInput = Matrix(rows: maxNodes, cols: l)
        decoderInputGradient = Matrix(rows: maxNodes, cols: l)
        nodeGradient = Matrix(rows: maxNodes, cols: l)
        edgeGradient = Matrix(rows: maxEdges, cols: l)
        edgeScratch = Matrix(rows: maxEdges, cols: l)
        edgePreActivationGradient = Matrix(rows: maxEdges, cols: l)
        nodeProjectionGradient = Matrix(rows: maxNodes, cols: 2 * l)
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
        var seen = Set<ObjectIdentifier>()
        let all = edgeLatent + nodeInput + nodeProjection + edgePreActivation + edgeActivated
            + [lastNodeLatent, decoderInput, decoderInputGradient, nodeGradient, edgeGradient, edgeScratch,
               edgePreActivationGradient, nodeProjectionGradient, nodeInputGradient]
        for m in all where seen.insert(ObjectIdentifier(m)).inserted { floats += m.count }
        let mlps = [nodeEncoder, edgeEncoder, decoder] + edgeRest + nodeProcessors
        return floats * MemoryLayout<Float>.stride + mlps.reduce(0) { $0 + $1.byteCount }
    }
}
