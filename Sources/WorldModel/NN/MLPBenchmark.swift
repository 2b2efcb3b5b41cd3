import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// One line of `wm bench mlp`: MLP throughput next to raw `cblas_sgemm` on the same products, same run.
public struct MLPBenchmarkRow: Codable, Equatable, Sendable {
    /// Rows per pass.
    public var batch: Int
    /// OpenBLAS threads.
    public var threads: Int
    /// `forward`, `forward_backward`, or `forward_bfloat16` (the forward's products at ``ProductPrecision/bfloat16``, on AMX
    /// tiles, where the CPU has them: the inference passes' products).
    public var pass: String
    /// Product FLOPs of the pass divided by the MLP's median time, in GFLOP/s.
    public var mlpGflops: Double
    /// The same FLOPs divided by the median time of the bare `cblas_sgemm` calls, in GFLOP/s.
    public var sgemmGflops: Double
    /// `mlpGflops / sgemmGflops`: the MLP's speed against the bare `cblas_sgemm` calls. Below 1: the share of raw
    /// GEMM speed the MLP keeps (bias, activations and bookkeeping cost the rest); above 1 where the MLP's products
    /// run in wm's own kernel (``ProductKernel``), which also applies the bias and ReLU.
    public var ratio: Double

    enum CodingKeys: String, CodingKey {
        case batch, threads, pass, ratio
        case mlpGflops = "mlp_gflops"
        case sgemmGflops = "sgemm_gflops"
    }
}

/// Measures an MLP's forward and forward+backward throughput against raw `cblas_sgemm` at the same shapes.
///
/// For each batch the MLP (ReLU hidden layers, identity output, no LayerNorm) runs in a workspace sized
/// for that batch. The reference runs exactly the products the MLP runs, with the same shapes and
/// transposes, straight through `cblas_sgemm`: forward is `X W_i` per layer; forward+backward adds
/// `dW_i += A_{i-1}^T dZ_i` per layer and `dA_{i-1} = dZ_i W_i^T` for every layer but the first. Both count
/// only product FLOPs, so `ratio` is the reference time over the MLP time. MLP and reference samples alternate;
/// GFLOP/s are from median times of `repeats` samples (`CLOCK_MONOTONIC`, about 20 ms each) and `ratio` is
/// the median of the per-repeat ratios.
///
/// ```swift
/// let rows = MLPBenchmark.run(widths: [128, 128, 128], batches: [1024], threads: 1)
/// print(rows[0].ratio)
/// ```
public enum MLPBenchmark {
    /// The batches `wm bench mlp` measures.
    public static let defaultBatches = [1, 8, 64, 1024, 16384]

    public static func run(widths: [Int] = [128, 128, 128], batches: [Int] = defaultBatches, threads: Int = 1, repeats: Int = 7) -> [MLPBenchmarkRow] {
        BLASThreads.set(threads)
        let architecture = MLPDescription(widths: widths, activation: .relu)
        var generator = SeededRandom(seed: 1)
        let mlp = MLP(architecture, name: "bench", using: &generator)
        var rows: [MLPBenchmarkRow] = []
        for batch in batches {
            let workspace = mlp.makeWorkspace(maxBatch: batch)
            let input = Matrix(rows: batch, cols: architecture.inputWidth)
            let outputGradient = Matrix(rows: batch, cols: architecture.outputWidth)
            for i in 0..<input.count { input.base[i] = Float.random(in: -1...1, using: &generator) }
            for i in 0..<outputGradient.count { outputGradient.base[i] = Float.random(in: -1...1, using: &generator) }
            let reference = SgemmReference(widths: widths, batch: batch, generator: &generator)

            let forwardFlops = architecture.forwardProductFlops(batch: batch)
            let forward = compare(repeats: repeats) {
                mlp.forward(input.view, workspace: workspace)
            } against: {
                reference.forward(input.view)
            }
            rows.append(row(batch, threads, "forward", forwardFlops, forward))
            if ProductPrecision.bfloat16Available {
                // The inference passes' products (bias and ReLU applied as they store) on AMX tiles, bfloat16 inputs.
                let inference = compare(repeats: repeats) {
                    var x = input.view
                    for (i, layer) in mlp.layers.enumerated() {
                        let y = workspace.activated[i].view.rows(0..<batch)
                        matrixMultiply(x, layer.weight.value.view, into: y, bias: layer.bias.value.base, relu: i < mlp.layers.count - 1,
                                       precision: .bfloat16)
                        x = y
                    }
                } against: {
                    reference.forward(input.view)
                }
                rows.append(row(batch, threads, "forward_bfloat16", forwardFlops, inference))
            }

            var backwardFlops = forwardFlops
            for i in 0..<(widths.count - 1) {
                let layerFlops = 2 * Double(batch) * Double(widths[i]) * Double(widths[i + 1])
                backwardFlops += i == 0 ? layerFlops : 2 * layerFlops
            }
            let step = compare(repeats: repeats) {
                mlp.forward(input.view, workspace: workspace)
                mlp.backward(input: input.view, outputGradient: outputGradient.view, workspace: workspace)
            } against: {
                reference.forward(input.view)
                reference.backward(input: input.view, outputGradient: outputGradient.view)
            }
            rows.append(row(batch, threads, "forward_backward", backwardFlops, step))
            withExtendedLifetime((workspace, input, outputGradient, reference)) {}
        }
        return rows
    }

    private static func row(_ batch: Int, _ threads: Int, _ pass: String, _ flops: Double, _ timing: Comparison) -> MLPBenchmarkRow {
        MLPBenchmarkRow(batch: batch, threads: threads, pass: pass,
                        mlpGflops: flops / timing.seconds / 1e9, sgemmGflops: flops / timing.referenceSeconds / 1e9, ratio: timing.ratio)
    }

    /// Median times of `body` and `reference`, and the median of their per-repeat time ratios.
    struct Comparison {
        var seconds: Double
        var referenceSeconds: Double
        /// Median over repeats of `referenceSeconds / seconds`.
        var ratio: Double
    }

    /// Times `body` and `reference` in alternating samples, so both see the same machine load (other
    /// processes on a shared machine swing absolute numbers; the ratio of neighbouring samples is stabler).
    /// Each sample times enough calls to last about 20 ms.
    static func compare(repeats: Int, _ body: () -> Void, against reference: () -> Void) -> Comparison {
        let calls = callsPerSample(body), referenceCalls = callsPerSample(reference)
        var times: [Double] = [], referenceTimes: [Double] = [], ratios: [Double] = []
        for _ in 0..<max(1, repeats) {
            let t = time(calls, body) / Double(calls)
            let r = time(referenceCalls, reference) / Double(referenceCalls)
            times.append(t)
            referenceTimes.append(r)
            ratios.append(r / t)
        }
        return Comparison(seconds: median(times), referenceSeconds: median(referenceTimes), ratio: median(ratios))
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private static func callsPerSample(_ body: () -> Void) -> Int {
        body()
        var calls = 1
        while true {
            let t = time(calls, body)
            if t >= 0.02 || calls >= 1 << 24 { return calls }
            calls = t <= 0.0005 ? calls * 16 : max(calls + 1, Int(Double(calls) * 0.025 / t))
        }
    }

    private static func time(_ calls: Int, _ body: () -> Void) -> Double {
        let start = monotonicSeconds()
        for _ in 0..<calls { body() }
        return monotonicSeconds() - start
    }
}

/// The bare `cblas_sgemm` calls an MLP pass makes, on buffers of the same shapes, with nothing else.
private final class SgemmReference {
    let weights: [Matrix]
    let weightGradients: [Matrix]
    let activations: [Matrix]
    let gradients: [Matrix]

    init(widths: [Int], batch: Int, generator: inout SeededRandom) {
        var w: [Matrix] = [], dw: [Matrix] = [], a: [Matrix] = [], g: [Matrix] = []
        for i in 0..<(widths.count - 1) {
            let m = Matrix(rows: widths[i], cols: widths[i + 1])
            for j in 0..<m.count { m.base[j] = Float.random(in: -0.1...0.1, using: &generator) }
            w.append(m)
            dw.append(Matrix(rows: widths[i], cols: widths[i + 1]))
            a.append(Matrix(rows: batch, cols: widths[i + 1]))
            g.append(Matrix(rows: batch, cols: widths[i + 1]))
        }
        weights = w
        weightGradients = dw
        activations = a
        gradients = g
    }

    func forward(_ input: MatrixView) {
        var x = input
        for i in 0..<weights.count {
            let y = activations[i].view
            sgemm(false, false, x, weights[i].view, y, 0)
            x = y
        }
    }

    func backward(input: MatrixView, outputGradient: MatrixView) {
        var dz = outputGradient
        for i in stride(from: weights.count - 1, through: 0, by: -1) {
            let x = i == 0 ? input : activations[i - 1].view
            sgemm(true, false, x, dz, weightGradients[i].view, 1)
            if i > 0 {
                let dx = gradients[i - 1].view
                sgemm(false, true, dz, weights[i].view, dx, 0)
                dz = dx
            }
        }
    }

    private func sgemm(_ ta: Bool, _ tb: Bool, _ a: MatrixView, _ b: MatrixView, _ c: MatrixView, _ beta: Float) {
        cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
                    Int32(c.rows), Int32(c.cols), Int32(ta ? a.rows : a.cols),
                    1, a.base, Int32(a.stride), b.base, Int32(b.stride), beta, c.base, Int32(c.stride))
    }
}
