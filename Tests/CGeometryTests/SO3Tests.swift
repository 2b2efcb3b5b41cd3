import CGeometry
import Glibc
import Testing

@Suite struct SO3Tests {
    func exp(_ omega: Vec3) -> Quat {
        var q = [Float](repeating: 0, count: 4)
        wm_so3_exp(omega.floats, &q, 1)
        return Quat(floats: q)
    }

    func log(_ q: Quat) -> Vec3 {
        var omega = [Float](repeating: 0, count: 3)
        wm_so3_log(q.floats, &omega, 1)
        return Vec3(floats: omega)
    }

    /// Random rotation vectors of every size, plus the edge angles.
    static func rotationVectors() -> [Vec3] {
        var rng = SplitMix64(seed: 11)
        var out: [Vec3] = []
        for angle in [0, 1e-12, 1e-8, 1e-6, 1e-4, 1e-3, 0.5, 2, .pi - 1e-3, .pi - 1e-6] {
            out.append(angle * rng.unitVector())
        }
        for _ in 0..<200 { out.append(rng.uniform(0, .pi) * rng.unitVector()) }
        return out
    }

    @Test func expMatchesRodrigues() {
        for omega in Self.rotationVectors() {
            let q = exp(omega)
            #expect(abs(q.norm - 1) < 1e-6)
            #expect(q.matrix.distance(to: rodrigues(omega)) < 1e-6)
        }
    }

    @Test func expIsExactNearZero() {
        let axis = Vec3(0.6, 0, 0.8)
        for angle in [1e-8, 1e-6, 1e-5] {
            let q = exp(angle * axis)
            #expect(q.w == 1 || abs(q.w - 1) < 1e-7)
            // The vector part is (angle / 2) axis to float precision, relative to its own size.
            #expect(abs(q.x / (0.5 * angle * 0.6) - 1) < 1e-6)
            #expect(abs(q.z / (0.5 * angle * 0.8) - 1) < 1e-6)
        }
        #expect(exp(.zero).floats == [1, 0, 0, 0])
    }

    @Test func logInvertsExp() {
        for omega in Self.rotationVectors() {
            let back = log(exp(omega))
            let tolerance = omega.norm < 1e-3 ? 1e-6 * omega.norm + 1e-30 : 2e-6
            #expect((back - omega).norm <= tolerance, "omega \(omega)")
        }
    }

    @Test func logOfNegatedQuaternionIsTheSame() {
        var rng = SplitMix64(seed: 12)
        for _ in 0..<100 {
            let q = rng.unitQuaternion()
            #expect((log(q) - log(q.scaled(-1))).norm < 1e-6)
        }
    }

    @Test func logAngleIsInZeroPi() {
        var rng = SplitMix64(seed: 13)
        for _ in 0..<200 {
            let q = rng.unitQuaternion()
            let omega = log(q)
            #expect(omega.norm <= .pi + 1e-6)
            #expect(rodrigues(omega).distance(to: q.matrix) < 2e-6)
        }
    }

    @Test func logNearPiIsAccurate() {
        let axis = Vec3(0, 0.6, -0.8)
        for angle in [Double.pi - 1e-6, .pi - 1e-4, .pi] {
            let omega = log(Quat(axis: axis, angle: angle))
            // Near pi, the axis may come out negated only at exactly pi.
            let err = min((omega - angle * axis).norm, (omega + angle * axis).norm)
            #expect(err < 1e-6)
        }
    }

    @Test func expOfLogIsTheSameRotation() {
        var rng = SplitMix64(seed: 14)
        for _ in 0..<200 {
            let q = rng.unitQuaternion()
            #expect(exp(log(q)).matrix.distance(to: q.matrix) < 2e-6)
        }
    }
}
