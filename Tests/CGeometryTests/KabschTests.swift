import CGeometry
import Testing

@Suite struct KabschTests {
    func fit(_ a: [Vec3], _ b: [Vec3]) -> (pos: Vec3, quat: Quat) {
        var pos = [Float](repeating: 0, count: 3), quat = [Float](repeating: 0, count: 4)
        wm_kabsch_fit(a.flatMap(\.floats), b.flatMap(\.floats), Int32(a.count), &pos, &quat)
        return (Vec3(floats: pos), Quat(floats: quat))
    }

    func residual(_ a: [Vec3], _ b: [Vec3], _ r: Mat3, _ t: Vec3) -> Double {
        zip(a, b).map { let e = r * $0 + t - $1; return e.dot(e) }.reduce(0, +)
    }

    @Test func recoversAnExactRigidTransform() {
        var rng = SplitMix64(seed: 31)
        for _ in 0..<20 {
            let q = rng.unitQuaternion(), t = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let a = (0..<10).map { _ in Vec3(rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)) }
            let b = a.map { q.matrix * $0 + t }
            let (pos, quat) = fit(a, b)
            #expect(quat.matrix.distance(to: q.matrix) < 1e-5)
            #expect((pos - t).norm < 1e-5)
            #expect(quat.w >= 0)
        }
    }

    @Test func noisyFitIsALocalMinimumOfTheResidual() {
        var rng = SplitMix64(seed: 32)
        let q = rng.unitQuaternion(), t = Vec3(0.2, 0, -0.1)
        let a = (0..<30).map { _ in Vec3(rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3), rng.uniform(-0.3, 0.3)) }
        let b = a.map { q.matrix * $0 + t + Vec3(rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01), rng.uniform(-0.01, 0.01)) }
        let (pos, quat) = fit(a, b)
        let best = residual(a, b, quat.matrix, pos)
        for _ in 0..<50 {
            let nudge = rodrigues(1e-3 * rng.unitVector())
            let shift = 1e-3 * rng.unitVector()
            #expect(best <= residual(a, b, nudge * quat.matrix, pos + shift) + 1e-9)
        }
    }

    @Test func mirroredPointsStillGiveARotation() {
        let a = [Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1), Vec3(0, 0, 0)]
        let b = a.map { Vec3(-$0.x, $0.y, $0.z) }
        let (_, quat) = fit(a, b)
        #expect(abs(quat.norm - 1) < 1e-6)
    }

    @Test func emptyInputGivesIdentity() {
        let (pos, quat) = fit([], [])
        #expect(pos == .zero)
        #expect(quat.floats == [1, 0, 0, 0])
    }
}
