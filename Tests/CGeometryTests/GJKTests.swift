import CGeometry
import Glibc
import Testing

/// Pairs that go through GJK (box, capsule, cylinder vs box or cylinder) on configurations with known answers.
@Suite struct GJKTests {
    static let identity = Quat(1, 0, 0, 0)

    static func shape(_ kind: wm_shape_kind, _ half: Vec3, at pos: Vec3, _ quat: Quat = identity) -> ReferenceShape {
        ReferenceShape(kind: kind, half: half, pos: pos, quat: quat)
    }

    /// Applies the same rigid motion to both shapes: distances must not change.
    static func moved(_ s: ReferenceShape, by q: Quat, _ t: Vec3) -> ReferenceShape {
        let r = q.matrix, o = s.quat
        let composed = Quat(q.w * o.w - q.x * o.x - q.y * o.y - q.z * o.z, q.w * o.x + q.x * o.w + q.y * o.z - q.z * o.y,
                            q.w * o.y - q.x * o.z + q.y * o.w + q.z * o.x, q.w * o.z + q.x * o.y - q.y * o.x + q.z * o.w)
        return ReferenceShape(kind: s.kind, half: s.half, pos: r * s.pos + t, quat: composed).asFloat32
    }

    static func expectDistance(_ a: ReferenceShape, _ b: ReferenceShape, _ expected: Double, tolerance: Double = 1e-6) {
        var rng = SplitMix64(seed: 51)
        for trial in 0..<5 {
            let (q, t) = trial == 0 ? (identity, Vec3.zero) : (rng.unitQuaternion(), Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), 0))
            let (d, pa, pb) = shimDistance(moved(a, by: q, t), moved(b, by: q, t))
            #expect(abs(d - expected) <= tolerance, "trial \(trial): \(d) vs \(expected)")
            if expected > 0 { #expect(abs((pb - pa).norm - d) < 1e-6) }
        }
    }

    @Test func boxesFaceToFace() {
        for gap in [0.05, 1e-3, 1e-6, 0] {
            let a = Self.shape(WM_SHAPE_BOX, Vec3(0.1, 0.2, 0.05), at: .zero)
            let b = Self.shape(WM_SHAPE_BOX, Vec3(0.03, 0.03, 0.04), at: Vec3(0.07, -0.15, 0.09 + gap))
            Self.expectDistance(a, b, gap, tolerance: 2e-7)
        }
    }

    @Test func cubesEdgeToEdge() {
        // a's top is an edge along x at z = sqrt(2); b's bottom an edge along y at z = 3 - sqrt(2).
        let a = Self.shape(WM_SHAPE_BOX, Vec3(1, 1, 1), at: .zero, Quat(axis: Vec3(1, 0, 0), angle: .pi / 4))
        let b = Self.shape(WM_SHAPE_BOX, Vec3(1, 1, 1), at: Vec3(0, 0, 3), Quat(axis: Vec3(0, 1, 0), angle: .pi / 4))
        Self.expectDistance(a, b, 3 - 2 * 2.0.squareRoot(), tolerance: 1e-6)
    }

    @Test func identicalBoxesOverlapAtAPointInsideBoth() {
        let a = Self.shape(WM_SHAPE_BOX, Vec3(0.1, 0.1, 0.1), at: Vec3(0.3, 0.3, 0.3), Quat(axis: Vec3(0, 0, 1), angle: 0.3))
        let (d, pa, pb) = shimDistance(a, a)
        #expect(d == 0 && pa == pb && a.signedDistance(pa) <= 1e-7)
    }

    @Test func cylindersSideBySideAndStacked() {
        let r = 0.03, h = 0.05
        for gap in [0.02, 1e-4, 0] {
            let a = Self.shape(WM_SHAPE_CYLINDER, Vec3(r, h, 0), at: .zero)
            let side = Self.shape(WM_SHAPE_CYLINDER, Vec3(r, h, 0), at: Vec3(2 * r + gap, 0, 0.01))
            Self.expectDistance(a, side, gap, tolerance: 1e-6)
            let stacked = Self.shape(WM_SHAPE_CYLINDER, Vec3(r, h, 0), at: Vec3(0.01, 0.02, 2 * h + gap))
            Self.expectDistance(a, stacked, gap, tolerance: 1e-7)
        }
    }

    @Test func cylinderLyingOnABox() {
        let box = Self.shape(WM_SHAPE_BOX, Vec3(0.2, 0.2, 0.02), at: .zero)
        let lying = Quat(axis: Vec3(0, 1, 0), angle: .pi / 2)
        for gap in [0.03, 1e-5] {
            let cylinder = Self.shape(WM_SHAPE_CYLINDER, Vec3(0.04, 0.1, 0), at: Vec3(0.05, 0, 0.02 + 0.04 + gap), lying)
            Self.expectDistance(box, cylinder, gap, tolerance: 1e-6)
        }
    }

    @Test func capsuleAlongABoxFaceHasExactDepthWhileItsCoreIsOutside() {
        let box = Self.shape(WM_SHAPE_BOX, Vec3(0.2, 0.2, 0.02), at: .zero)
        let lying = Quat(axis: Vec3(0, 1, 0), angle: .pi / 2)
        let r = 0.01
        for gap in [0.02, 0.0, -0.3 * r, -0.9 * r] {
            let capsule = Self.shape(WM_SHAPE_CAPSULE, Vec3(r, 0.05, 0), at: Vec3(0, 0.1, 0.02 + r + gap), lying)
            Self.expectDistance(box, capsule, gap, tolerance: 1e-7)
        }
        let sunk = Self.shape(WM_SHAPE_CAPSULE, Vec3(r, 0.05, 0), at: Vec3(0, 0.1, 0.01), lying)
        #expect(shimDistance(box, sunk).0 == 0)
    }

    @Test func farApartScalesStayAccurate() {
        let floor = Self.shape(WM_SHAPE_BOX, Vec3(50, 50, 1), at: Vec3(0, 0, -1))
        let pebble = Self.shape(WM_SHAPE_BOX, Vec3(0.001, 0.001, 0.001), at: Vec3(3, -7, 0.011), Quat(axis: Vec3(0, 0, 1), angle: 0.7))
        Self.expectDistance(floor, pebble, 0.01, tolerance: 1e-6)
    }

    @Test func degenerateAndRandomShapesNeverGiveNaN() {
        var rng = SplitMix64(seed: 52)
        let kinds = [WM_SHAPE_BOX, WM_SHAPE_CAPSULE, WM_SHAPE_CYLINDER]
        for i in 0..<2000 {
            func size() -> Double { rng.uniform(0, 1) < 0.2 ? 0 : rng.uniform(1e-4, 0.1) }
            let a = ReferenceShape(kind: kinds[i % 3], half: Vec3(size(), size(), size()), pos: .zero, quat: rng.unitQuaternion()).asFloat32
            let offset = rng.uniform(0, 0.3) * rng.unitVector()
            let b = ReferenceShape(kind: kinds[(i / 3) % 3], half: Vec3(size(), size(), size()), pos: offset, quat: rng.unitQuaternion()).asFloat32
            let (d, pa, pb) = shimDistance(a, b)
            #expect(d.isFinite && pa.norm.isFinite && pb.norm.isFinite)
            // Only a capsule's radius can make a GJK pair negative.
            if a.kind != WM_SHAPE_CAPSULE && b.kind != WM_SHAPE_CAPSULE { #expect(d >= 0) }
        }
    }
}
