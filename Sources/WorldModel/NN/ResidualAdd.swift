/// The residual connection `y = x + f(x)` of an encode-process-decode block, as a pure elementwise sum.
///
/// ```swift
/// ResidualAdd.forward(latent, update, into: latent)          // latent += MLP(latent, ...)
/// ResidualAdd.backward(outputGradient: dy, into: dx, and: dUpdate) // both receive dy (accumulated)
/// ```
public enum ResidualAdd {
    /// `output = a + b`; `output` may be `a` or `b`.
    public static func forward(_ a: MatrixView, _ b: MatrixView, into output: MatrixView) {
        precondition(a.rows == b.rows && a.cols == b.cols && output.rows == a.rows && output.cols == a.cols, "ResidualAdd: shape mismatch")
        for r in 0..<a.rows {
            let x = a.row(r), y = b.row(r), z = output.row(r)
            for c in 0..<a.cols { z[c] = x[c] + y[c] }
        }
    }

    /// The gradient of a sum flows unchanged to both terms: `da += dy`, `db += dy` (accumulating, so
    /// a path that already holds a gradient, like the skip path, keeps it).
    public static func backward(outputGradient: MatrixView, into a: MatrixView, and b: MatrixView) {
        accumulate(outputGradient, into: a)
        accumulate(outputGradient, into: b)
    }

    /// `target += source`, elementwise.
    public static func accumulate(_ source: MatrixView, into target: MatrixView) {
        precondition(source.rows == target.rows && source.cols == target.cols, "ResidualAdd.accumulate: shape mismatch")
        for r in 0..<source.rows {
            let s = source.row(r), t = target.row(r)
            for c in 0..<source.cols { t[c] += s[c] }
        }
    }
}
