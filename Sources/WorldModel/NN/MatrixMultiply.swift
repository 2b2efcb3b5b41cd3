import CBLAS

/// `C = alpha * op(A) * op(B) + beta * C` on row-major views, through OpenBLAS `cblas_sgemm`.
///
/// `op(X)` is `X` or its transpose (`transposeA`, `transposeB`). Shapes: `op(A)` is `[M, K]`, `op(B)` is
/// `[K, N]`, `C` is `[M, N]`. Views may be column blocks of wider matrices (their `stride` is the
/// leading dimension). This is the only place the NN core calls BLAS for products.
///
/// ```swift
/// matrixMultiply(x.view, w.view, into: y.view)                     // Y = X W
/// matrixMultiply(x.view, dy.view, into: dw.view, transposeA: true, beta: 1) // dW += X^T dY
/// ```
public func matrixMultiply(
    _ a: MatrixView, _ b: MatrixView, into c: MatrixView,
    transposeA: Bool = false, transposeB: Bool = false,
    alpha: Float = 1, beta: Float = 0
) {
    let m = transposeA ? a.cols : a.rows
    let k = transposeA ? a.rows : a.cols
    let kb = transposeB ? b.cols : b.rows
    let n = transposeB ? b.rows : b.cols
    precondition(k == kb && c.rows == m && c.cols == n, "matrixMultiply: shapes [\(m),\(k)] x [\(kb),\(n)] -> [\(c.rows),\(c.cols)]")
    if m == 0 || n == 0 { return }
    if k == 0 {
        if beta == 0 { c.fill(0) } else if beta != 1 { scale(c, by: beta) }
        return
    }
    cblas_sgemm(
        CblasRowMajor,
        transposeA ? CblasTrans : CblasNoTrans,
        transposeB ? CblasTrans : CblasNoTrans,
        Int32(m), Int32(n), Int32(k),
        alpha, a.base, Int32(max(1, a.stride)), b.base, Int32(max(1, b.stride)),
        beta, c.base, Int32(max(1, c.stride)))
}

/// Multiplies every element of `x` by `factor`.
public func scale(_ x: MatrixView, by factor: Float) {
    for r in 0..<x.rows {
        let p = x.row(r)
        for c in 0..<x.cols { p[c] *= factor }
    }
}

/// The number of threads OpenBLAS uses for every product in this process.
public enum BLASThreads {
    /// Sets how many threads OpenBLAS uses (1 is best below large batches on this machine).
    public static func set(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var count: Int { Int(openblas_get_num_threads()) }
}
