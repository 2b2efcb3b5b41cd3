import Foundation
import Testing
import WorldModel

@Suite struct MatrixMultiplyTests {
    /// Every transpose combination and strided operands against a naive triple loop.
    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func matchesNaiveProduct(transposes: (Bool, Bool)) {
        var generator = SeededRandom(seed: 3)
        let (m, k, n) = (3, 5, 4)
        let (ta, tb) = transposes
        let a = GradientCheck.random(ta ? k : m, (ta ? m : k) + 2, using: &generator)
        let b = GradientCheck.random(tb ? n : k, tb ? k : n, using: &generator)
        let aView = a.view.columns(1..<(1 + (ta ? m : k)))
        let c = GradientCheck.random(m, n, using: &generator)
        let before = c.values
        matrixMultiply(aView, b.view, into: c.view, transposeA: ta, transposeB: tb, alpha: 2, beta: 0.5)
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                for p in 0..<k { sum += (ta ? aView[p, i] : aView[i, p]) * (tb ? b[j, p] : b[p, j]) }
                #expect(abs(c[i, j] - (2 * sum + 0.5 * before[i * n + j])) < 1e-4)
            }
        }
    }
}

/// The product with bias, accumulation and ReLU, on shapes that reach wm's AVX-512 kernel (tiles of 6 x 64,
/// partial tiles and masked column tails, reduction chunks of 256, gathered W^T panels) and shapes below its
/// thresholds, which go to sgemm: either way the result is the naive sum in double precision.
@Suite struct FusedProductTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var m: Int, k: Int, n: Int, transposeA: Bool, transposeB: Bool
        var testDescription: String { "[\(m),\(k)]x[\(k),\(n)]\(transposeA ? " A^T" : "")\(transposeB ? " B^T" : "")" }
    }

    static let cases: [Case] = [
        Case(m: 1, k: 128, n: 128, transposeA: false, transposeB: false),
        Case(m: 5, k: 7, n: 17, transposeA: false, transposeB: false),
        Case(m: 13, k: 300, n: 130, transposeA: false, transposeB: false),
        Case(m: 64, k: 128, n: 128, transposeA: false, transposeB: false),
        Case(m: 7, k: 600, n: 65, transposeA: false, transposeB: false),
        Case(m: 33, k: 70, n: 16, transposeA: true, transposeB: false),
        Case(m: 130, k: 520, n: 47, transposeA: true, transposeB: false),
        Case(m: 40, k: 33, n: 100, transposeA: false, transposeB: true),
        Case(m: 400, k: 129, n: 300, transposeA: false, transposeB: true),
        Case(m: 6, k: 20, n: 8, transposeA: false, transposeB: true),
    ]

    @Test(arguments: cases)
    func biasAccumulationAndReLUMatchTheNaiveSum(shape: Case) {
        var generator = SeededRandom(seed: UInt64(shape.m * 1_000_003 + shape.k * 1_009 + shape.n))
        let (m, k, n) = (shape.m, shape.k, shape.n)
        // Operands are column blocks of wider matrices (strides larger than widths).
        let a = GradientCheck.random(shape.transposeA ? k : m, (shape.transposeA ? m : k) + 3, using: &generator)
        let b = GradientCheck.random(shape.transposeB ? n : k, (shape.transposeB ? k : n) + 5, using: &generator)
        let aView = a.view.columns(2..<(2 + (shape.transposeA ? m : k)))
        let bView = b.view.columns(1..<(1 + (shape.transposeB ? k : n)))
        let bias = GradientCheck.random(1, n, using: &generator)
        for accumulate in [false, true] {
            for relu in [false, true] {
                let c = GradientCheck.random(m, n + 4, using: &generator)
                let before = c.values
                let cView = c.view.columns(2..<(2 + n))
                matrixMultiply(aView, bView, into: cView, transposeA: shape.transposeA, transposeB: shape.transposeB,
                               beta: accumulate ? 1 : 0, bias: bias.base, relu: relu)
                var worst: Double = 0
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = Double(bias.base[j]) + (accumulate ? Double(before[i * (n + 4) + 2 + j]) : 0)
                        for p in 0..<k {
                            let x = shape.transposeA ? aView[p, i] : aView[i, p], y = shape.transposeB ? bView[j, p] : bView[p, j]
                            sum += Double(x) * Double(y)
                        }
                        if relu { sum = max(sum, 0) }
                        worst = max(worst, abs(Double(cView[i, j]) - sum))
                    }
                    // The columns beside the output view are not touched.
                    for j in [0, 1, n + 2, n + 3] { #expect(c[i, j] == before[i * (n + 4) + j]) }
                }
                #expect(worst < 1e-5 * Double(k).squareRoot() * 4, "\(shape.testDescription) accumulate \(accumulate) relu \(relu): \(worst)")
            }
        }
    }

    /// ReLU keeps NaN, so a diverging network stays visibly non-finite (as the row kernels do).
    @Test(arguments: [1, 9, 64])
    func reluKeepsNaN(rows: Int) {
        var generator = SeededRandom(seed: 11)
        let x = GradientCheck.random(rows, 32, using: &generator), w = GradientCheck.random(32, 40, using: &generator)
        x[rows - 1, 3] = .nan
        let y = Matrix(rows: rows, cols: 40)
        matrixMultiply(x.view, w.view, into: y.view, relu: true)
        for j in 0..<40 { #expect(y[rows - 1, j].isNaN) }
        for i in 0..<(rows - 1) { for j in 0..<40 { #expect(y[i, j] >= 0) } }
    }

    @Test func kernelIsReportedAsTheCPUAllows() {
        // The kernel needs AVX-512F; where it is missing or turned off, every product goes to sgemm.
        let flags = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let off = ProcessInfo.processInfo.environment["WM_PRODUCT_KERNEL"] == "sgemm"
        #expect(ProductKernel.isEnabled == (flags.contains(" avx512f ") && !off))
    }
}

/// The AMX product of inference passes (`ProductPrecision.bfloat16`): each input rounded to bfloat16 (nearest
/// even), the products summed in float32, with bias, accumulation and ReLU; partial tiles of rows, columns and
/// the reduction (blocks of 32 x 32 outputs, reductions of 32), strided views.
@Suite(.enabled(if: ProductPrecision.bfloat16Available, "needs a CPU with AMX-BF16 and AVX512-BF16 (and Linux's tile permission)"))
struct BFloat16ProductTests {
    /// `x` rounded to the nearest bfloat16 (ties to even), as the kernel rounds it.
    static func bfloat16(_ x: Float) -> Float {
        if x.isNaN { return x }
        let bits = x.bitPattern
        return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
    }

    @Test(arguments: [(1, 128, 128), (9, 128, 128), (16, 32, 16), (37, 45, 70), (64, 384, 128), (70, 3, 5), (300, 128, 3)])
    func matchesTheRoundedSum(shape: (Int, Int, Int)) {
        let (m, k, n) = shape
        var generator = SeededRandom(seed: UInt64(m * 10_007 + k * 101 + n))
        let a = GradientCheck.random(m, k + 3, using: &generator), b = GradientCheck.random(k, n + 5, using: &generator)
        let aView = a.view.columns(2..<(2 + k)), bView = b.view.columns(1..<(1 + n))
        let bias = GradientCheck.random(1, n, using: &generator)
        for accumulate in [false, true] {
            for relu in [false, true] {
                let c = GradientCheck.random(m, n + 4, using: &generator), f = Matrix(rows: m, cols: n + 4)
                let before = c.values
                f.view.copy(from: c.view)
                let cView = c.view.columns(2..<(2 + n))
                matrixMultiply(aView, bView, into: cView, beta: accumulate ? 1 : 0, bias: bias.base, relu: relu, precision: .bfloat16)
                matrixMultiply(aView, bView, into: f.view.columns(2..<(2 + n)), beta: accumulate ? 1 : 0, bias: bias.base, relu: relu)
                var worst: Double = 0, differs = false
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = Double(bias.base[j]) + (accumulate ? Double(before[i * (n + 4) + 2 + j]) : 0)
                        for p in 0..<k { sum += Double(Self.bfloat16(aView[i, p])) * Double(Self.bfloat16(bView[p, j])) }
                        if relu { sum = max(sum, 0) }
                        worst = max(worst, abs(Double(cView[i, j]) - sum))
                        if cView[i, j] != f[i, 2 + j] { differs = true }
                    }
                    for j in [0, 1, n + 2, n + 3] { #expect(c[i, j] == before[i * (n + 4) + j]) }
                }
                #expect(worst < 1e-5 * Double(k).squareRoot() * 4, "[\(m),\(k)]x[\(k),\(n)] accumulate \(accumulate) relu \(relu): \(worst)")
                // The inputs were rounded: the float32 product differs somewhere (not on 3-wide reductions of a few rows).
                if m * n >= 64 && k >= 32 { #expect(differs, "bfloat16 and float32 gave the same bits: the AMX path did not run") }
            }
        }
    }

    @Test func reluKeepsNaN() {
        var generator = SeededRandom(seed: 12)
        let x = GradientCheck.random(40, 64, using: &generator), w = GradientCheck.random(64, 48, using: &generator)
        x[33, 5] = .nan
        let y = Matrix(rows: 40, cols: 48)
        matrixMultiply(x.view, w.view, into: y.view, relu: true, precision: .bfloat16)
        for j in 0..<48 { #expect(y[33, j].isNaN) }
        for i in 0..<40 where i != 33 { for j in 0..<48 { #expect(y[i, j] >= 0) } }
    }

    @Test func transposedFormsStayFloat32() {
        // Only X W runs on the tiles: X^T dY (a weight gradient) gives float32's bits.
        var generator = SeededRandom(seed: 13)
        let x = GradientCheck.random(96, 64, using: &generator), dy = GradientCheck.random(96, 32, using: &generator)
        let g16 = Matrix(rows: 64, cols: 32), g32 = Matrix(rows: 64, cols: 32)
        matrixMultiply(x.view, dy.view, into: g16.view, transposeA: true, precision: .bfloat16)
        matrixMultiply(x.view, dy.view, into: g32.view, transposeA: true)
        #expect(g16.values == g32.values)
    }
}
