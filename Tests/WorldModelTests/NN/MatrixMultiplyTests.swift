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
