#if canImport(Glibc)
import Glibc
#endif
import CBLAS
import CKernels

/// `C = f(beta * C + bias + alpha * op(A) * op(B))` on row-major views: the one matrix product of the NN core.
///
/// `op(X)` is `X` or its transpose (`transposeA`, `transposeB`). Shapes: `op(A)` is `[M, K]`, `op(B)` is
/// `[K, N]`, `C` is `[M, N]`, `bias` (when given) is `[N]`; `f` is ReLU (keeping NaN) when `relu`, else the
/// identity. Views may be column blocks of wider matrices (their `stride` is the leading dimension).
///
/// Which code multiplies: on CPUs with AVX-512F, `wm_product` (CKernels/product_kernel.c) for `X W` with at
/// least 3 rows, `X^T dY` with a reduction of at least 64 rows and `dY W^T` with at least 32 rows, with `alpha`
/// 1 and `beta` 0 or 1; it reads the operands in place (only W^T's panels are gathered) and applies bias,
/// accumulation and ReLU as it stores, where OpenBLAS packs both operands and makes separate passes (`wm bench mlp` measures the two on the layers' shapes in
/// alternating rounds). Everything else goes to OpenBLAS `cblas_sgemm`, followed by one pass for the bias
/// and ReLU when asked for.
///
/// With `precision` ``ProductPrecision/bfloat16`` (inference passes), `X W` with `alpha` 1 and `beta` 0 or 1 runs
/// on the CPU's AMX tiles (`wm_product_bf16`, CKernels/product_kernel_amx.c) where it has them: `X` and `W` are
/// rounded to bfloat16 and the products summed in float32; elsewhere, and for every other form, the float32 paths
/// above run.
///
/// ```swift
/// matrixMultiply(x.view, w.view, into: y.view)                                // Y = X W
/// matrixMultiply(x.view, w.view, into: y.view, bias: b.base, relu: true)      // Y = ReLU(X W + b)
/// matrixMultiply(x.view, dy.view, into: dw.view, transposeA: true, beta: 1)   // dW += X^T dY
/// ```
public func matrixMultiply(
    _ a: MatrixView, _ b: MatrixView, into c: MatrixView,
    transposeA: Bool = false, transposeB: Bool = false,
    alpha: Float = 1, beta: Float = 0,
    bias: UnsafePointer<Float>? = nil, relu: Bool = false, precision: ProductPrecision = .float32
) {
    let m = transposeA ? a.cols : a.rows
    let k = transposeA ? a.rows : a.cols
    let kb = transposeB ? b.cols : b.rows
    let n = transposeB ? b.rows : b.cols
    precondition(k == kb && c.rows == m && c.cols == n, "matrixMultiply: shapes [\(m),\(k)] x [\(kb),\(n)] -> [\(c.rows),\(c.cols)]")
    precondition(bias == nil && !relu || alpha == 1 && (beta == 0 || beta == 1), "matrixMultiply: bias and ReLU need alpha 1 and beta 0 or 1")
    if m == 0 || n == 0 { return }
    if precision == .bfloat16 && k > 0 && !transposeA && !transposeB && alpha == 1 && (beta == 0 || beta == 1) {
        if wm_product_bf16(m, n, k, a.base, a.stride, b.base, b.stride, c.base, c.stride, bias, beta == 1 ? 1 : 0, relu ? 1 : 0) != 0 { return }
    }
    if k > 0 && alpha == 1 && (beta == 0 || beta == 1) && ProductKernel.applies(m: m, k: k, transposeA: transposeA, transposeB: transposeB) {
        let done = wm_product(m, n, k, a.base, transposeA ? 1 : a.stride, transposeA ? a.stride : 1,
                              b.base, transposeB ? 1 : b.stride, transposeB ? b.stride : 1,
                              c.base, c.stride, bias, beta == 1 ? 1 : 0, relu ? 1 : 0)
        if done != 0 { return }
    }
    if k == 0 {
        if beta == 0 { c.fill(0) } else if beta != 1 { scale(c, by: beta) }
    } else {
        cblas_sgemm(
            CblasRowMajor,
            transposeA ? CblasTrans : CblasNoTrans,
            transposeB ? CblasTrans : CblasNoTrans,
            Int32(m), Int32(n), Int32(k),
            alpha, a.base, Int32(max(1, a.stride)), b.base, Int32(max(1, b.stride)),
            beta, c.base, Int32(max(1, c.stride)))
    }
    if let bias {
        wm_rows_bias_activate(c.base, c.rows, n, c.stride, bias, relu ? 1 : 0)
    } else if relu {
        wm_rows_relu(c.base, c.rows, n, c.stride)
    }
}

/// Which code runs ``matrixMultiply(_:_:into:transposeA:transposeB:alpha:beta:bias:relu:)``'s products.
public enum ProductKernel {
    /// Whether wm's own AVX-512 product runs where it applies (false: every product goes to `cblas_sgemm`,
    /// as on CPUs without AVX-512F or with `WM_PRODUCT_KERNEL=sgemm` in the environment).
    public static var isEnabled: Bool { wm_product_kernel_available() != 0 }

    /// The shapes where the kernel beats `cblas_sgemm` here (`wm bench mlp`): `X W` from 3 rows, `X^T dY` from a
    /// reduction of 64 rows, `dY W^T` from 32 rows (its weight panels are gathered once per call).
    static func applies(m: Int, k: Int, transposeA: Bool, transposeB: Bool) -> Bool {
        if transposeA && transposeB { return false }
        if transposeA { return k >= 64 }
        if transposeB { return m >= 32 }
        return m >= 3
    }
}

/// How the inputs of a product are rounded: float32 everywhere (training, and by default), or bfloat16 inputs with
/// float32 sums on AMX tiles for inference passes (``GraphNetwork/infer(nodeFeatures:edgeFeatures:senders:receivers:outputRows:workspace:)``).
///
/// bfloat16 keeps float32's range and 8 bits of mantissa, so each input is rounded by at most 2^-9 of itself;
/// the sums over the reduction stay float32. `wm bench step` measures both in alternating rounds, and
/// `wm eval`'s errors with each are in the README.
public enum ProductPrecision: String, Sendable, CaseIterable {
    case float32
    case bfloat16

    /// Whether the CPU and the OS give this process AMX-BF16 tiles (`bfloat16` falls back to float32 otherwise).
    public static var bfloat16Available: Bool { wm_product_bf16_available() != 0 }

    /// The precision of inference workspaces made without one: `WM_INFERENCE_PRECISION` (`float32` or
    /// `bfloat16`) from the environment, else bfloat16 where the CPU has AMX tiles and float32 elsewhere. Set it
    /// before making models (their runners keep the precision they were made with), e.g. from a command-line flag.
    nonisolated(unsafe) public static var inference: ProductPrecision = {
        if let name = getenv("WM_INFERENCE_PRECISION"), let chosen = ProductPrecision(rawValue: String(cString: name)) {
            return chosen
        }
        return bfloat16Available ? .bfloat16 : .float32
    }()

    /// What runs the products at this precision on this machine.
    public var kernelName: String {
        switch self {
        case .bfloat16 where ProductPrecision.bfloat16Available: return "wm_product_bf16 (AMX, bfloat16 inputs, float32 sums)"
        default: return ProductKernel.isEnabled ? "wm_product (AVX-512, float32)" : "cblas_sgemm (float32)"
        }
    }
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
