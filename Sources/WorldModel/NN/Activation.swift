import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// An elementwise nonlinearity `a = f(z)` with its derivative.
///
/// ReLU, tanh and identity can be differentiated from their output alone, so a layer may apply them
/// in place (`z` and `a` the same buffer); SiLU needs the pre-activation `z` kept (``needsPreActivation``).
public enum Activation: String, Codable, Sendable, CaseIterable {
    case identity
    case relu
    case silu
    case tanh

    /// Whether ``backward(preActivation:output:outputGradient:into:)`` reads `z` (true) or only `a`.
    public var needsPreActivation: Bool { self == .silu }

    /// `a = f(z)` elementwise; `output` may be `input`.
    public func forward(_ input: MatrixView, into output: MatrixView) {
        precondition(input.rows == output.rows && input.cols == output.cols, "Activation.forward: shape mismatch")
        for r in 0..<input.rows {
            apply(input.row(r), output.row(r), input.cols)
        }
    }

    /// Applies `f` to `count` values from `z` into `a` (which may be `z`).
    @inline(__always)
    func apply(_ z: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ count: Int) {
        switch self {
        case .identity:
            if z != a { a.update(from: z, count: count) }
        case .relu:
            for i in 0..<count { a[i] = max(z[i], 0) }
        case .silu:
            for i in 0..<count { let v = z[i]; a[i] = v / (1 + expf(-v)) }
        case .tanh:
            for i in 0..<count { a[i] = tanhf(z[i]) }
        }
    }

    /// `dL/dz = dL/da * f'(z)`; `gradient` may be `outputGradient`. `preActivation` is read only for SiLU
    /// (pass the output view for the others).
    public func backward(preActivation z: MatrixView, output a: MatrixView, outputGradient: MatrixView, into gradient: MatrixView,
                         columnSums: UnsafeMutablePointer<Float>? = nil) {
        precondition(outputGradient.rows == gradient.rows && outputGradient.cols == gradient.cols, "Activation.backward: shape mismatch")
        if self == .relu {
            wm_rows_relu_backward(a.base, a.stride, outputGradient.base, outputGradient.stride, gradient.base, gradient.stride,
                                  gradient.rows, gradient.cols, columnSums)
            return
        }
        for r in 0..<gradient.rows {
            backwardRow(z.row(r), a.row(r), outputGradient.row(r), gradient.row(r), gradient.cols)
        }
        if let columnSums { wm_rows_column_sums(gradient.base, gradient.stride, gradient.rows, gradient.cols, columnSums) }
    }

    /// One row of ``backward(preActivation:output:outputGradient:into:)``.
    @inline(__always)
    func backwardRow(_ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ cols: Int) {
        switch self {
        case .identity:
            if g != d { d.update(from: g, count: cols) }
        case .relu:
            for i in 0..<cols { d[i] = y[i] > 0 ? g[i] : 0 }
        case .silu:
            for i in 0..<cols {
                let s = 1 / (1 + expf(-x[i]))
                d[i] = g[i] * s * (1 + x[i] * (1 - s))
            }
        case .tanh:
            for i in 0..<cols { d[i] = g[i] * (1 - y[i] * y[i]) }
        }
    }
}
