#if canImport(Glibc)
import Glibc
#endif

/// The rotations that leave a uniformly coloured primitive looking the same: no camera can tell them apart, so a
/// tracker's rotation error is measured up to them (as pose benchmarks do for symmetric objects).
///
/// Box: the proper signed permutations of its axes that map its half-extents onto themselves (24 for a cube, 8 for
/// a square prism, 4 for three different extents). Sphere: every rotation. Capsule and cylinder: every turn about
/// their z axis and the half turn about x. Pure functions.
public enum ShapeSymmetry {
    /// The smallest angle (radians) between `estimate` and `truth` (unit quaternions, body -> world) over the
    /// shape's symmetries.
    public static func rotationError(estimate: SIMD4<Float>, truth: SIMD4<Float>, shape: ShapeKind, halfExtents h: [Float]) -> Float {
        // R = R_truth^T R_estimate, in the body frame; error = min over symmetries S of angle(S^T R).
        let r = matrix(RotationMath.multiply(RotationMath.conjugate(truth), estimate))
        switch shape {
        case .sphere:
            return 0
        case .capsule, .cylinder:
            // Any turn about z costs nothing: the angle left is the tilt of the body's z axis, up to flipping it.
            let tilt = acosf(min(1, abs(r[2][2])))
            return tilt
        case .box:
            var best = Float.pi
            for s in boxSymmetries(h) {
                var trace: Float = 0
                for i in 0..<3 { for j in 0..<3 { trace += s[j][i] * r[j][i] } }
                best = min(best, acosf(min(1, max(-1, (trace - 1) / 2))))
            }
            return best
        }
    }

    /// Rows of the rotation matrix of a unit quaternion (w, x, y, z).
    static func matrix(_ q: SIMD4<Float>) -> [[Float]] {
        let (w, x, y, z) = (q[0], q[1], q[2], q[3])
        return [[1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
                [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
                [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]]
    }

    /// The proper signed permutation matrices that map a box of half-extents `h` onto itself (1% tolerance).
    static func boxSymmetries(_ h: [Float]) -> [[[Float]]] {
        let extents = (0..<3).map { $0 < h.count ? h[$0] : 0 }
        var out: [[[Float]]] = []
        for p in [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]] {
            guard (0..<3).allSatisfy({ abs(extents[p[$0]] - extents[$0]) <= 0.01 * max(extents[$0], 1e-9) }) else { continue }
            for signs in 0..<8 {
                var m = [[Float]](repeating: [0, 0, 0], count: 3)
                for i in 0..<3 { m[i][p[i]] = (signs >> i) & 1 == 0 ? 1 : -1 }
                let det = m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                    + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])
                if det > 0 { out.append(m) }
            }
        }
        return out
    }
}
