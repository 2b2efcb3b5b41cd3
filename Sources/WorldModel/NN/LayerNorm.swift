import CKernels

/// Layer normalisation over the features of each row, with a learned affine map:
/// `y = (x - mean) / sqrt(var + epsilon) * gamma + beta`.
///
/// Shapes: `x`, `y` are `[batch, width]`; `gamma`, `beta` are `[1, width]`; the per-row statistics the
/// backward pass needs are `[batch, 2]` (mean, 1/std), kept by the caller (usually in a workspace).
///
/// ```swift
/// let norm = LayerNorm(name: "node_mlp.norm", width: 128)
/// norm.forward(x, into: y, statistics: stats)
/// norm.backward(input: x, statistics: stats, outputGradient: dy, into: dx)
/// ```
public final class LayerNorm {
    /// `[1, width]`, initialised to 1, named `NAME.gamma`.
    public let gamma: Parameter
    /// `[1, width]`, initialised to 0, named `NAME.beta`.
    public let beta: Parameter
    /// Added to the variance before the square root.
    public let epsilon: Float

    public var width: Int { gamma.value.cols }
    public var parameters: [Parameter] { [gamma, beta] }

    public init(name: String, width: Int, epsilon: Float = 1e-5) {
        let g = Matrix(rows: 1, cols: width)
        g.fill(1)
        gamma = Parameter(name: name + ".gamma", value: g, decays: false)
        beta = Parameter(name: name + ".beta", value: Matrix(rows: 1, cols: width), decays: false)
        self.epsilon = epsilon
    }

    /// Normalises each row of `input` into `output` (which may be `input`) and records `[mean, 1/std]` per row.
    public func forward(_ input: MatrixView, into output: MatrixView, statistics: MatrixView) {
        precondition(input.cols == width && output.cols == width && output.rows == input.rows, "LayerNorm.forward: shape mismatch")
        precondition(statistics.rows >= input.rows && statistics.cols >= 2, "LayerNorm.forward: statistics must be [batch, 2]")
        precondition(statistics.stride == 2 || input.rows <= 1, "LayerNorm.forward: statistics must be contiguous [batch, 2]")
        wm_rows_layer_norm(input.base, input.stride, output.base, output.stride, input.rows, width,
                           gamma.value.base, beta.value.base, epsilon, statistics.base)
    }

    /// Accumulates `dgamma`, `dbeta` and writes `dx` (which may be `outputGradient`, not `input`).
    public func backward(input: MatrixView, statistics: MatrixView, outputGradient: MatrixView, into inputGradient: MatrixView) {
        precondition(outputGradient.rows == input.rows && inputGradient.rows == input.rows, "LayerNorm.backward: shape mismatch")
        precondition(statistics.stride == 2 || input.rows <= 1, "LayerNorm.backward: statistics must be contiguous [batch, 2]")
        wm_rows_layer_norm_backward(input.base, input.stride, statistics.base, outputGradient.base, outputGradient.stride,
                                    inputGradient.base, inputGradient.stride, input.rows, width, gamma.value.base,
                                    gamma.gradient.base, beta.gradient.base)
    }
}
