/// A named trainable tensor and its gradient, both `[rows, cols]`.
///
/// Layers expose their weights as a flat list of `Parameter`s, which is all an optimiser
/// (``AdamOptimizer``) and a checkpoint (``Checkpoint``) need to walk a model. Backward passes
/// *accumulate* into `gradient`; call ``zeroGradient()`` (or `[Parameter].zeroGradients()`) before each step.
///
/// ```swift
/// let mlp = MLP(MLPDescription(widths: [3, 64, 1]), name: "f", seed: 1)
/// for p in mlp.parameters { print(p.name, p.value.rows, p.value.cols) } // f.0.weight 3 64, ...
/// ```
public final class Parameter {
    /// Unique dotted name, e.g. `edge_mlp.1.weight`; the tensor name in a checkpoint.
    public let name: String
    /// The current values.
    public let value: Matrix
    /// The accumulated gradient of the loss with respect to `value`.
    public let gradient: Matrix
    /// Whether decoupled weight decay (AdamW) applies; false for biases and LayerNorm parameters.
    public let decays: Bool

    public init(name: String, value: Matrix, decays: Bool) {
        self.name = name
        self.value = value
        self.gradient = Matrix(rows: value.rows, cols: value.cols)
        self.decays = decays
    }

    /// The shape `[rows, cols]`, as stored in a checkpoint.
    public var shape: [Int] { [value.rows, value.cols] }

    /// Sets the gradient to zero.
    public func zeroGradient() { gradient.fill(0) }
}

extension Array where Element == Parameter {
    /// Sets every parameter's gradient to zero.
    public func zeroGradients() {
        // Index loops: iterating an array through the generic Sequence path heap-allocates in debug builds.
        for i in 0..<count { self[i].zeroGradient() }
    }

    /// Total number of scalar parameters.
    public var scalarCount: Int { reduce(0) { $0 + $1.value.count } }

    /// Copies the values of `source` (the same parameters by name and shape, in the same order) into these.
    public func copyValues(from source: [Parameter]) {
        precondition(count == source.count, "copyValues: \(source.count) parameters into \(count)")
        for i in 0..<count {
            precondition(self[i].name == source[i].name && self[i].shape == source[i].shape, "copyValues: \(source[i].name) into \(self[i].name)")
            self[i].value.base.update(from: source[i].value.base, count: source[i].value.count)
        }
    }
}
