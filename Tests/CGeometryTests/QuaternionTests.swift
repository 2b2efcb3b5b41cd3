import CGeometry
import Testing

@Suite struct QuaternionTests {
    static func randomQuaternions(_ n: Int, seed: UInt64) -> [Float] {
        var rng = SplitMix64(seed: seed)
        return (0..<n).flatMap { _ in rng.unitQuaternion().floats }
    }

    @Test func productMatchesRotationMatrixProduct() {
        let n = 200
        let a = Self.randomQuaternions(n, seed: 1), b = Self.randomQuaternions(n, seed: 2)
        var out = [Float](repeating: 0, count: 4 * n)
        wm_quat_mul(a, b, &out, Int32(n))
        for i in 0..<n {
            let expected = Quat(floats: a, at: i).matrix * Quat(floats: b, at: i).matrix
            #expect(Quat(floats: out, at: i).matrix.distance(to: expected) < 1e-6)
        }
    }

    @Test func productMayAliasItsInput() {
        let a = Self.randomQuaternions(8, seed: 3), b = Self.randomQuaternions(8, seed: 4)
        var separate = [Float](repeating: 0, count: 32)
        wm_quat_mul(a, b, &separate, 8)
        var aliased = a
        aliased.withUnsafeMutableBufferPointer { wm_quat_mul($0.baseAddress, b, $0.baseAddress, 8) }
        #expect(aliased == separate)
    }

    @Test func conjugateIsTheTransposedRotation() {
        let q = Self.randomQuaternions(50, seed: 5)
        var out = [Float](repeating: 0, count: q.count)
        wm_quat_conj(q, &out, 50)
        for i in 0..<50 {
            #expect(Quat(floats: out, at: i).matrix.distance(to: Quat(floats: q, at: i).matrix.transposed) < 1e-6)
        }
    }

    @Test func rotateMatchesMatrixTimesVector() {
        let n = 200
        var rng = SplitMix64(seed: 6)
        let q = Self.randomQuaternions(n, seed: 7)
        let v = (0..<(3 * n)).map { _ in Float(rng.uniform(-2, 2)) }
        var out = [Float](repeating: 0, count: 3 * n)
        wm_quat_rotate(q, v, &out, Int32(n))
        for i in 0..<n {
            let expected = Quat(floats: q, at: i).matrix * Vec3(floats: v, at: i)
            #expect((Vec3(floats: out, at: i) - expected).norm < 3e-6)
        }
    }

    @Test func rotateByNonUnitQuaternionRotatesByItsDirection() {
        let q = Quat(axis: Vec3(0, 0, 1), angle: .pi / 2).scaled(3)
        var out = [Float](repeating: 0, count: 3)
        wm_quat_rotate(q.floats, [1, 0, 0], &out, 1)
        #expect((Vec3(floats: out) - Vec3(0, 1, 0)).norm < 1e-6)
        wm_quat_rotate([0, 0, 0, 0], [1, 2, 3], &out, 1)
        #expect(out == [1, 2, 3])
    }

    @Test func normalizeMakesUnitWithNonNegativeW() {
        var rng = SplitMix64(seed: 8)
        var q = (0..<400).map { _ in Float(rng.uniform(-3, 3)) }
        let original = q
        wm_quat_normalize(&q, 100)
        for i in 0..<100 {
            let r = Quat(floats: q, at: i)
            #expect(abs(r.norm - 1) < 1e-6)
            #expect(r.w >= 0)
            let o = Quat(floats: original, at: i)
            #expect(r.matrix.distance(to: o.scaled(1 / o.norm).matrix) < 1e-6)
        }
        var zero: [Float] = [0, 0, 0, 0]
        wm_quat_normalize(&zero, 1)
        #expect(zero == [1, 0, 0, 0])
    }

    @Test func emptyBatchesAreAccepted() {
        var out = [Float](repeating: 7, count: 4)
        wm_quat_mul([], [], &out, 0)
        wm_quat_rotate([], [], &out, 0)
        #expect(out == [7, 7, 7, 7])
    }
}
