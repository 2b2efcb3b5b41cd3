import Testing
@testable import WorldModel

@Suite struct RotationMathTests {
    /// 90 degrees about z, then a general unit quaternion.
    static let quarterTurnZ = SIMD4<Float>(0.70710678, 0, 0, 0.70710678)

    @Test func rotatesLikeTheRotationMatrix() {
        let r = RotationMath.rotate(Self.quarterTurnZ, SIMD3<Float>(1, 2, 3))
        #expect(abs(r.x + 2) < 1e-6 && abs(r.y - 1) < 1e-6 && abs(r.z - 3) < 1e-6)
        // Against R(q) v written out, for a quaternion with every component non-zero.
        let q = SIMD4<Float>(0.5, -0.3, 0.7, 0.1) / (SIMD4<Float>(0.5, -0.3, 0.7, 0.1) * SIMD4<Float>(0.5, -0.3, 0.7, 0.1)).sum().squareRoot()
        let (w, x, y, z) = (q[0], q[1], q[2], q[3]), v = SIMD3<Float>(0.4, -1.1, 2.0)
        let expected = SIMD3<Float>((1 - 2 * (y * y + z * z)) * v.x + 2 * (x * y - w * z) * v.y + 2 * (x * z + w * y) * v.z,
                                    2 * (x * y + w * z) * v.x + (1 - 2 * (x * x + z * z)) * v.y + 2 * (y * z - w * x) * v.z,
                                    2 * (x * z - w * y) * v.x + 2 * (y * z + w * x) * v.y + (1 - 2 * (x * x + y * y)) * v.z)
        let got = RotationMath.rotate(q, v)
        #expect(((got - expected) * (got - expected)).sum() < 1e-10)
    }

    @Test func inverseUndoesTheRotationInFloatAndDouble() {
        let q = SIMD4<Float>(0.5, 0.5, -0.5, 0.5), v = SIMD3<Float>(0.3, -0.2, 0.9)
        let back = RotationMath.rotateInverse(q, RotationMath.rotate(q, v))
        #expect(((back - v) * (back - v)).sum() < 1e-12)
        #expect(RotationMath.rotateInverse(q, v) == RotationMath.rotate(RotationMath.conjugate(q), v))
        let qd = SIMD4<Double>(q), vd = SIMD3<Double>(v)
        let rd = RotationMath.rotate(qd, vd), rf = RotationMath.rotate(q, v)
        for k in 0..<3 { #expect(abs(rd[k] - Double(rf[k])) < 1e-6) }
        let backD = RotationMath.rotateInverse(qd, rd)
        #expect(((backD - vd) * (backD - vd)).sum() < 1e-24)
    }

    @Test func inPlaceRotationMatchesTheValueForm() {
        var values: [Float] = [9, 1, 2, 3, 9]
        values.withUnsafeMutableBufferPointer { RotationMath.rotate(Self.quarterTurnZ, inPlace: $0.baseAddress! + 1) }
        let expected = RotationMath.rotate(Self.quarterTurnZ, SIMD3<Float>(1, 2, 3))
        #expect(values[0] == 9 && values[4] == 9)
        #expect(SIMD3(values[1], values[2], values[3]) == expected)
    }
}
