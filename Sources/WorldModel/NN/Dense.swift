#if canImport(Glibc)
import Glibc
#endif
import CKernels

/// A fully connected layer `Z = X * W + b`, optionally followed by an activation `A = f(Z)` in the same pass.
///
/// Shapes: `X` is `[batch, inputWidth]`, `W` is `[inputWidth, outputWidth]` (stored so the product needs no
/// transpose), `b` is `[1, outputWidth]`, `Z` and `A` are `[batch, outputWidth]`. The bias add and the
/// activation are fused into one pass over the product's output.
///
/// ```swift
/// var generator = SeededRandom(seed: 1)
/// let layer = Dense(name: "enc.0", inputWidth: 3, outputWidth: 64, using: &generator)
/// layer.forward(x, into: z)                                  // Z = X W + b
/// layer.backward(input: x, outputGradient: dz, inputGradient: dx) // dW += X^T dZ, db += sum dZ, dX = dZ W^T
/// ```
public final class Dense {
    /// `[inputWidth, outputWidth]`, named `NAME.weight`.
    public let weight: Parameter
    /// `[1, outputWidth]`, named `NAME.bias`.
    public let bias: Parameter

    public var inputWidth: Int { weight.value.rows }
    public var outputWidth: Int { weight.value.cols }
    public var parameters: [Parameter] { [weight, bias] }

    /// A layer with weights drawn uniformly from `±sqrt(6 / (in + out))` (Glorot) and zero bias.
    public init<G: RandomNumberGenerator>(name: String, inputWidth: Int, outputWidth: Int, using generator: inout G) {
        let w = Matrix(rows: inputWidth, cols: outputWidth)
        let limit = sqrtf(6 / Float(inputWidth + outputWidth))
        for i in 0..<w.count { w.base[i] = Float.random(in: -limit...limit, using: &generator) }
        weight = Parameter(name: name + ".weight", value: w, decays: true)
        bias = Parameter(name: name + ".bias", value: Matrix(rows: 1, cols: outputWidth), decays: false)
    }

    /// `Z = X W + b`, then `A = f(Z)`. `activated` defaults to `output` (in place), which is fine unless
    /// the activation ``Activation/needsPreActivation`` and the backward pass will need `Z`.
    public func forward(_ input: MatrixView, into output: MatrixView, activation: Activation = .identity, activated: MatrixView? = nil) {
        precondition(input.cols == inputWidth && output.cols == outputWidth && output.rows == input.rows, "Dense.forward: shape mismatch")
        let a = activated ?? output
        precondition(a.rows == output.rows && a.cols == outputWidth, "Dense.forward: activated shape mismatch")
        // The product adds the bias and applies ReLU as it stores; other activations take a pass over each block
        // of rows whose output fits in L2, so they read what the product just wrote from cache.
        let fused = a.base == output.base && (activation == .relu || activation == .identity)
        let blockRows = fused ? max(1, input.rows) : max(64, Dense.blockFloats / max(1, outputWidth))
        var start = 0
        while start < input.rows {
            let end = min(input.rows, start + blockRows)
            let z = output.rows(start..<end)
            matrixMultiply(input.rows(start..<end), weight.value.view, into: z, bias: bias.value.base, relu: fused && activation == .relu)
            if !fused { for r in 0..<z.rows { activation.apply(z.row(r), a.row(start + r), outputWidth) } }
            start = end
        }
    }

    /// Floats of product output per block in ``forward(_:into:activation:activated:)`` (256 KiB).
    static let blockFloats = 65_536

    /// Accumulates `dW += X^T dZ` and `db += column sums of dZ`; writes `dX = dZ W^T` when `inputGradient` is given.
    public func backward(input: MatrixView, outputGradient: MatrixView, inputGradient: MatrixView?) {
        precondition(outputGradient.cols == outputWidth && outputGradient.rows == input.rows, "Dense.backward: shape mismatch")
        wm_rows_column_sums(outputGradient.base, outputGradient.stride, outputGradient.rows, outputWidth, bias.gradient.base)
        multiplyBackward(input: input, preActivationGradient: outputGradient, inputGradient: inputGradient)
    }

    /// Backward through `A = f(X W + b)` as made by ``forward(_:into:activation:activated:)``: computes
    /// `dZ = dA * f'(Z)` into `preActivationGradient` (which may be `outputGradient`) while accumulating `db`
    /// in the same pass, then `dW += X^T dZ` and, when `inputGradient` is given, `dX = dZ W^T`.
    /// With the identity activation `dZ` is `outputGradient` itself and `preActivationGradient` is left untouched.
    public func backward(
        input: MatrixView, preActivation: MatrixView, activated: MatrixView, activation: Activation,
        outputGradient: MatrixView, preActivationGradient: MatrixView, inputGradient: MatrixView?
    ) {
        precondition(outputGradient.cols == outputWidth && outputGradient.rows == input.rows
            && preActivationGradient.rows == input.rows && preActivationGradient.cols == outputWidth, "Dense.backward: shape mismatch")
        if activation == .identity {
            backward(input: input, outputGradient: outputGradient, inputGradient: inputGradient)
            return
        }
        activation.backward(preActivation: preActivation, output: activated, outputGradient: outputGradient, into: preActivationGradient,
                            columnSums: bias.gradient.base)
        multiplyBackward(input: input, preActivationGradient: preActivationGradient, inputGradient: inputGradient)
    }

    private func multiplyBackward(input: MatrixView, preActivationGradient: MatrixView, inputGradient: MatrixView?) {
        matrixMultiply(input, preActivationGradient, into: weight.gradient.view, transposeA: true, beta: 1)
        if let inputGradient {
            matrixMultiply(preActivationGradient, weight.value.view, into: inputGradient, transposeB: true)
        }
    }
}
