import Testing
@testable import WorldModel

@Suite struct PrimitiveRayCasterTests {
    /// The ray caster for one placed shape, as a function of a ray (origin, unit direction).
    static func caster(_ shape: ShapeKind, _ half: SIMD3<Float>, at position: SIMD3<Float> = .zero,
                       turned quaternion: SIMD4<Float> = [1, 0, 0, 0]) -> (SIMD3<Float>, SIMD3<Float>) -> Float? {
        { origin, direction in
            PrimitiveRayCaster.distance(origin: origin, direction: direction, shape: shape, halfExtents: half, position: position,
                                        quaternion: quaternion)
        }
    }

    static func near(_ t: Float?, _ expected: Float) -> Bool { t.map { abs($0 - expected) < 1e-5 } ?? false }

    @Test func sphereEntryExitAndMiss() {
        let cast = Self.caster(.sphere, [0.5, 0, 0], at: [1, 0, 0])
        #expect(Self.near(cast([-2, 0, 0], [1, 0, 0]), 2.5))
        #expect(Self.near(cast([1, 0, 0], [0, 1, 0]), 0.5))  // from inside: the exit
        #expect(cast([-2, 0.6, 0], [1, 0, 0]) == nil)
        #expect(cast([3, 0, 0], [1, 0, 0]) == nil)  // behind the origin
    }

    @Test func rotatedBoxUsesItsOrientation() {
        // Half-extents (0.1, 0.2, 0.3) turned 90 degrees about z: 0.2 along world x, 0.1 along world y.
        let cast = Self.caster(.box, [0.1, 0.2, 0.3], at: [1, 0, 0], turned: [0.70710678, 0, 0, 0.70710678])
        #expect(Self.near(cast([1, -2, 0], [0, 1, 0]), 1.9))
        #expect(Self.near(cast([-1, 0, 0], [1, 0, 0]), 1.8))
        #expect(Self.near(cast([1, 0, 2], [0, 0, -1]), 1.7))
        #expect(cast([1.25, -2, 0], [0, 1, 0]) == nil)
    }

    @Test func capsuleSidesAndRoundedEnds() {
        let cast = Self.caster(.capsule, [0.1, 0.2, 0])
        #expect(Self.near(cast([0, 0, 2], [0, 0, -1]), 1.7))
        #expect(Self.near(cast([-1, 0, 0.1], [1, 0, 0]), 0.9))
        #expect(Self.near(cast([-1, 0, 0.25], [1, 0, 0]), 1 - (0.01 - 0.0025 as Float).squareRoot()))
        #expect(cast([-1, 0, 0.31], [1, 0, 0]) == nil)
    }

    @Test func cylinderSidesAndFlatCaps() {
        let cast = Self.caster(.cylinder, [0.1, 0.2, 0])
        #expect(Self.near(cast([0.05, 0, 2], [0, 0, -1]), 1.8))
        #expect(Self.near(cast([-1, 0, 0.15], [1, 0, 0]), 0.9))
        #expect(cast([-1, 0, 0.25], [1, 0, 0]) == nil)
        // Lying along x (90 degrees about y): a cap faces the ray.
        #expect(Self.near(Self.caster(.cylinder, [0.1, 0.2, 0], turned: [0.70710678, 0, 0.70710678, 0])([-1, 0, 0], [1, 0, 0]), 0.8))
    }

    @Test func tableIsSeenFromAboveOnly() {
        #expect(Self.near(PrimitiveRayCaster.table(origin: [0, 0, 1], direction: [0, 0, -1], height: 0.25), 0.75))
        #expect(Self.near(PrimitiveRayCaster.table(origin: [0, 0, 1], direction: [0.6, 0, -0.8], height: 0.2), 1))
        #expect(PrimitiveRayCaster.table(origin: [0, 0, 1], direction: [0, 0, 1], height: 0.25) == nil)
        #expect(PrimitiveRayCaster.table(origin: [0, 0, 0.1], direction: [0, 0, -1], height: 0.25) == nil)
        #expect(PrimitiveRayCaster.table(origin: [0, 0, 1], direction: [1, 0, 0], height: 0.25) == nil)
    }
}
