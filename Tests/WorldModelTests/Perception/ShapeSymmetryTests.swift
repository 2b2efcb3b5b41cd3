import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ShapeSymmetryTests {
    func yaw(_ degrees: Float) -> SIMD4<Float> { SIMD4(cosf(degrees * .pi / 360), 0, 0, sinf(degrees * .pi / 360)) }
    func degrees(_ a: SIMD4<Float>, _ b: SIMD4<Float>, _ shape: ShapeKind, _ h: [Float]) -> Float {
        ShapeSymmetry.rotationError(estimate: a, truth: b, shape: shape, halfExtents: h) * 180 / .pi
    }

    @Test func aCubeTurnedByAQuarterLooksTheSame() {
        let cube: [Float] = [0.025, 0.025, 0.025], identity = SIMD4<Float>(1, 0, 0, 0)
        #expect(degrees(yaw(90), identity, .box, cube) < 0.01)
        #expect(abs(degrees(yaw(100), identity, .box, cube) - 10) < 0.01)
        let tipped = SIMD4<Float>(cosf(.pi / 4), sinf(.pi / 4), 0, 0)   // 90 degrees about x
        #expect(degrees(tipped, identity, .box, cube) < 0.01)
    }

    @Test func aBoxOfThreeExtentsOnlyLooksTheSameAfterHalfTurns() {
        let box: [Float] = [0.01, 0.02, 0.03], identity = SIMD4<Float>(1, 0, 0, 0)
        #expect(abs(degrees(yaw(90), identity, .box, box) - 90) < 0.01)
        #expect(degrees(yaw(180), identity, .box, box) < 0.01)
        #expect(abs(degrees(yaw(20), identity, .box, box) - 20) < 0.01)
    }

    @Test func roundShapes() {
        let identity = SIMD4<Float>(1, 0, 0, 0)
        #expect(degrees(yaw(73), identity, .cylinder, [0.02, 0.05]) < 0.01)
        #expect(degrees(yaw(73), identity, .sphere, [0.02]) == 0)
        let tilt = SIMD4<Float>(cosf(.pi / 18), sinf(.pi / 18), 0, 0)   // 20 degrees about x
        #expect(abs(degrees(tilt, identity, .capsule, [0.02, 0.05]) - 20) < 0.01)
    }
}
