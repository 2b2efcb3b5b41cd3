/// A plain description of a multilayer perceptron, stored as JSON in checkpoint metadata.
///
/// `widths` lists every layer width from input to output: `[3, 64, 64, 1]` is three dense layers.
/// Hidden layers use `activation`; the last uses `outputActivation`; with `layerNorm` the output is
/// then layer-normalised (the MLPs of encode-process-decode GNNs end this way).
///
/// ```swift
/// let edgeMLP = MLPDescription(widths: [384, 128, 128, 128], activation: .relu, layerNorm: true)
/// ```
public struct MLPDescription: Codable, Equatable, Sendable {
    /// Widths from input to output; at least two entries, all positive.
    public var widths: [Int]
    /// Activation after every hidden layer.
    public var activation: Activation
    /// Activation after the last dense layer (before the optional LayerNorm).
    public var outputActivation: Activation
    /// Whether a LayerNorm with affine parameters follows the output.
    public var layerNorm: Bool

    public init(widths: [Int], activation: Activation = .relu, outputActivation: Activation = .identity, layerNorm: Bool = false) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 > 0 }, "MLPDescription: need at least two positive widths")
        self.widths = widths
        self.activation = activation
        self.outputActivation = outputActivation
        self.layerNorm = layerNorm
    }

    public var inputWidth: Int { widths[0] }
    public var outputWidth: Int { widths[widths.count - 1] }

    /// Floating-point operations of the matrix products in one forward pass over `batch` rows.
    public func forwardProductFlops(batch: Int) -> Double {
        zip(widths, widths.dropFirst()).reduce(0) { $0 + 2 * Double(batch) * Double($1.0) * Double($1.1) }
    }
}

/// A multilayer perceptron with hand-written backward pass: dense layers, activations, optional output LayerNorm.
///
/// Activations live in an ``MLPWorkspace`` sized for a maximum batch; a forward and backward pass over
/// any batch up to that size allocates nothing. Parameters are named `NAME.i.weight`, `NAME.i.bias`
/// (layer `i` from 0) and `NAME.norm.gamma`, `NAME.norm.beta`.
///
/// ```swift
/// let mlp = MLP(MLPDescription(widths: [3, 64, 64, 1], activation: .silu), name: "field", seed: 7)
/// let workspace = mlp.makeWorkspace(maxBatch: 1024)
/// let y = mlp.forward(x, workspace: workspace)           // [batch, 1], a view into the workspace
/// let loss = MeanSquaredError.evaluate(prediction: y, target: t, gradient: dy)
/// mlp.parameters.zeroGradients()
/// mlp.backward(input: x, outputGradient: dy, workspace: workspace)
/// optimizer.step(learningRate: 1e-3)
/// ```
public final class MLP {
    /// What this network is.
    public let architecture: MLPDescription
    /// The dense layers, input to output.
    public let layers: [Dense]
    /// The output LayerNorm, if the description asks for one.
    public let norm: LayerNorm?
    /// Every parameter, in layer order.
    public let parameters: [Parameter]

    /// A network with Glorot-uniform weights from `generator`.
    public init<G: RandomNumberGenerator>(_ architecture: MLPDescription, name: String, using generator: inout G) {
        self.architecture = architecture
        var layers: [Dense] = []
        for i in 0..<(architecture.widths.count - 1) {
            layers.append(Dense(name: "\(name).\(i)", inputWidth: architecture.widths[i], outputWidth: architecture.widths[i + 1], using: &generator))
        }
        self.layers = layers
        norm = architecture.layerNorm ? LayerNorm(name: "\(name).norm", width: architecture.outputWidth) : nil
        parameters = layers.flatMap(\.parameters) + (norm?.parameters ?? [])
    }

    /// A network with Glorot-uniform weights from a ``SeededRandom`` seeded with `seed`.
    public convenience init(_ architecture: MLPDescription, name: String, seed: UInt64) {
        var generator = SeededRandom(seed: seed)
        self.init(architecture, name: name, using: &generator)
    }

    /// Buffers for a forward and backward pass over up to `maxBatch` rows.
    public func makeWorkspace(maxBatch: Int) -> MLPWorkspace {
        MLPWorkspace(architecture: architecture, maxBatch: maxBatch)
    }

    private func activation(of layer: Int) -> Activation {
        layer == layers.count - 1 ? architecture.outputActivation : architecture.activation
    }

    /// Runs the network on `input` (`[batch, inputWidth]`, batch <= the workspace's `maxBatch`) and returns
    /// the output `[batch, outputWidth]`, a view into `workspace` valid until its next use.
    @discardableResult
    public func forward(_ input: MatrixView, workspace: MLPWorkspace) -> MatrixView {
        let batch = input.rows
        precondition(batch <= workspace.maxBatch, "MLP.forward: batch \(batch) exceeds workspace maxBatch \(workspace.maxBatch)")
        precondition(input.cols == architecture.inputWidth, "MLP.forward: input width \(input.cols), expected \(architecture.inputWidth)")
        var x = input
        for i in 0..<layers.count {
            let a = workspace.activated[i].view.rows(0..<batch)
            layers[i].forward(x, into: workspace.preActivation[i].view.rows(0..<batch), activation: activation(of: i), activated: a)
            x = a
        }
        if let norm {
            let y = workspace.normalized.view.rows(0..<batch)
            norm.forward(x, into: y, statistics: workspace.normStatistics.view)
            return y
        }
        return x
    }

    /// The derivative of the output along `tangent` (`dx`, `[batch, inputWidth]`) at the pass just made by
    /// ``forward(_:workspace:)``: `dy = J(x) dx` per row (forward mode: each layer's `dz = dx W`, then the
    /// activation's slope). Returns a view into `workspace` (its gradient buffers) valid until its next use; the
    /// parameters' gradients are untouched. Not for a layer-normed MLP.
    public func jacobianVectorProduct(tangent: MatrixView, workspace: MLPWorkspace) -> MatrixView {
        let batch = tangent.rows
        precondition(norm == nil, "MLP.jacobianVectorProduct: a layer-normed MLP is not supported")
        precondition(tangent.cols == architecture.inputWidth && batch <= workspace.maxBatch, "MLP.jacobianVectorProduct: tangent shape mismatch")
        var t = tangent
        for i in 0..<layers.count {
            let d = workspace.gradient[i].view.rows(0..<batch)
            matrixMultiply(t, layers[i].weight.value.view, into: d)
            let f = activation(of: i)
            if f != .identity {
                let pre = workspace.preActivation[i].view.rows(0..<batch), post = workspace.activated[i].view.rows(0..<batch)
                f.backward(preActivation: pre, output: post, outputGradient: d, into: d)
            }
            t = d
        }
        return t
    }

    /// Backpropagates `outputGradient` (`dL/dy`, `[batch, outputWidth]`) through the pass just made by
    /// ``forward(_:workspace:)`` with the same `input`: accumulates every parameter's gradient and, when
    /// `inputGradient` is given, writes `dL/dx` into it. `outputGradient` is not modified.
    public func backward(input: MatrixView, outputGradient: MatrixView, workspace: MLPWorkspace, inputGradient: MatrixView? = nil) {
        let batch = input.rows
        precondition(outputGradient.rows == batch && outputGradient.cols == architecture.outputWidth, "MLP.backward: gradient shape mismatch")
        let last = layers.count - 1
        var g = outputGradient
        if let norm {
            let d = workspace.gradient[last].view.rows(0..<batch)
            norm.backward(input: workspace.activated[last].view.rows(0..<batch), statistics: workspace.normStatistics.view, outputGradient: g, into: d)
            g = d
        }
        for i in stride(from: last, through: 0, by: -1) {
            let x = i == 0 ? input : workspace.activated[i - 1].view.rows(0..<batch)
            let dx = i == 0 ? inputGradient : workspace.gradient[i - 1].view.rows(0..<batch)
            layers[i].backward(
                input: x,
                preActivation: workspace.preActivation[i].view.rows(0..<batch),
                activated: workspace.activated[i].view.rows(0..<batch),
                activation: activation(of: i),
                outputGradient: g,
                preActivationGradient: workspace.gradient[i].view.rows(0..<batch),
                inputGradient: dx)
            if let dx { g = dx }
        }
    }
}

/// Preallocated activations and gradients of an ``MLP`` for batches of up to `maxBatch` rows.
///
/// Layer `i` keeps its pre-activation `[maxBatch, widths[i+1]]` (the same buffer as the activation unless
/// the activation is SiLU, whose backward pass needs it), its activation, and a gradient buffer.
/// One workspace per concurrent pass; they are not thread-safe.
public final class MLPWorkspace {
    /// The largest batch this workspace holds.
    public let maxBatch: Int
    let preActivation: [Matrix]
    let activated: [Matrix]
    let gradient: [Matrix]
    let normalized: Matrix
    let normStatistics: Matrix

    init(architecture: MLPDescription, maxBatch: Int) {
        self.maxBatch = maxBatch
        var pre: [Matrix] = [], post: [Matrix] = [], grad: [Matrix] = []
        for i in 1..<architecture.widths.count {
            let width = architecture.widths[i]
            let a = Matrix(rows: maxBatch, cols: width)
            let isLast = i == architecture.widths.count - 1
            let activation = isLast ? architecture.outputActivation : architecture.activation
            post.append(a)
            pre.append(activation.needsPreActivation ? Matrix(rows: maxBatch, cols: width) : a)
            grad.append(Matrix(rows: maxBatch, cols: width))
        }
        preActivation = pre
        activated = post
        gradient = grad
        normalized = Matrix(rows: architecture.layerNorm ? maxBatch : 0, cols: architecture.outputWidth)
        normStatistics = Matrix(rows: architecture.layerNorm ? maxBatch : 0, cols: 2)
    }

    /// Bytes of activation and gradient storage held.
    public var byteCount: Int {
        var floats = normalized.count + normStatistics.count
        for i in activated.indices {
            floats += activated[i].count + gradient[i].count
            if preActivation[i] !== activated[i] { floats += preActivation[i].count }
        }
        return floats * MemoryLayout<Float>.stride
    }
}
