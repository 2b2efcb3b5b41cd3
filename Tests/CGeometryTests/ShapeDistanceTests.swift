import CGeometry
import Glibc
import Testing

/// A pair of shape kinds, for parameterised tests.
struct KindPair: Sendable, CustomTestStringConvertible {
    var a: wm_shape_kind
    var b: wm_shape_kind
    var testDescription: String { "\(a.rawValue)-\(b.rawValue)" }

    static let all: [KindPair] = {
        let kinds = [WM_SHAPE_SPHERE, WM_SHAPE_BOX, WM_SHAPE_CAPSULE, WM_SHAPE_CYLINDER, WM_SHAPE_PLANE]
        var pairs: [KindPair] = []
        for i in 0..<kinds.count { for j in i..<kinds.count where !(i == 4 && j == 4) { pairs.append(KindPair(a: kinds[i], b: kinds[j])) } }
        return pairs
    }()
}

@Suite struct ShapeDistanceTests {
    static func isRounded(_ k: wm_shape_kind) -> Bool { k == WM_SHAPE_SPHERE || k == WM_SHAPE_CAPSULE }

    static func randomShape(_ kind: wm_shape_kind, at pos: Vec3, rng: inout SplitMix64) -> ReferenceShape {
        let half: Vec3
        switch kind {
        case WM_SHAPE_SPHERE: half = Vec3(rng.uniform(0.01, 0.06), 0, 0)
        case WM_SHAPE_BOX: half = Vec3(rng.uniform(0.01, 0.06), rng.uniform(0.01, 0.06), rng.uniform(0.01, 0.06))
        case WM_SHAPE_CAPSULE: half = Vec3(rng.uniform(0.005, 0.04), rng.uniform(0.01, 0.06), 0)
        case WM_SHAPE_CYLINDER: half = Vec3(rng.uniform(0.01, 0.05), rng.uniform(0.01, 0.06), 0)
        default: half = .zero
        }
        return ReferenceShape(kind: kind, half: half, pos: pos, quat: rng.unitQuaternion()).asFloat32
    }

    static func boundingRadius(_ s: ReferenceShape) -> Double {
        switch s.kind {
        case WM_SHAPE_SPHERE: s.half.x
        case WM_SHAPE_BOX: s.half.norm
        case WM_SHAPE_CAPSULE: s.half.x + s.half.y
        default: (s.half.x * s.half.x + s.half.y * s.half.y).squareRoot()
        }
    }

    /// a (never a plane) and b placed so that they are sometimes apart, sometimes overlapping.
    static func randomPair(_ pair: KindPair, rng: inout SplitMix64) -> (ReferenceShape, ReferenceShape) {
        let a = randomShape(pair.a, at: Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(0, 1)), rng: &rng)
        var b = randomShape(pair.b, at: .zero, rng: &rng)
        let ra = boundingRadius(a)
        if pair.b == WM_SHAPE_PLANE {
            b.pos = a.pos - rng.uniform(-0.3, 2) * ra * b.rotation.column2
        } else {
            b.pos = a.pos + rng.uniform(0.3, 1.3) * (ra + boundingRadius(b)) * rng.unitVector()
        }
        return (a, b.asFloat32)
    }

    /// What the shim must return, computed independently: exact where the header promises a signed depth,
    /// else `nil` when the pair overlaps (the shim must return 0) and the sampled surface distance when apart.
    static func expectedDistance(_ a: ReferenceShape, _ b: ReferenceShape) -> Double? {
        if b.kind == WM_SHAPE_PLANE { return minimumOverSurface(of: a) { b.signedDistance($0) } }
        if isRounded(a.kind) && isRounded(b.kind) {
            let (sa, sb) = (a.segment, b.segment)
            let core = minimumOfConvex { s in distanceToSegment(sa.0 + s * (sa.1 - sa.0), sb) }
            return core - a.half.x - b.half.x
        }
        if isRounded(a.kind) || isRounded(b.kind) {
            let (round, solid) = isRounded(a.kind) ? (a, b) : (b, a)
            let seg = round.segment
            let core = minimumOfConvex { s in solid.signedDistance(seg.0 + s * (seg.1 - seg.0)) }
            if round.kind == WM_SHAPE_SPHERE { return core - round.half.x }
            return core > 0 ? core - round.half.x : 0
        }
        let sampled = minimumOverSurface(of: a) { b.signedDistance($0) }
        return sampled > 0 ? sampled : nil
    }

    /// The points must lie on the surfaces and be `distance` apart.
    static func checkPoints(_ a: ReferenceShape, _ b: ReferenceShape, _ d: Double, _ pa: Vec3, _ pb: Vec3) {
        if d == 0 && !(a.kind == WM_SHAPE_PLANE || b.kind == WM_SHAPE_PLANE) && (pa - pb).norm < 1e-7 {
            // An overlap without depth: one point inside both shapes.
            #expect(a.signedDistance(pa) < 1e-6 && b.signedDistance(pb) < 1e-6)
            return
        }
        #expect(abs(a.signedDistance(pa)) < 2e-6, "point_a off a's surface")
        #expect(abs(b.signedDistance(pb)) < 2e-6, "point_b off b's surface")
        #expect(abs((pb - pa).norm - abs(d)) < 2e-6)
    }

    @Test(arguments: KindPair.all) func matchesIndependentReference(_ pair: KindPair) {
        var rng = SplitMix64(seed: 100 + UInt64(pair.a.rawValue * 10 + pair.b.rawValue))
        var (apart, overlapping) = (0, 0)
        for _ in 0..<30 {
            let (a, b) = Self.randomPair(pair, rng: &rng)
            let (d, pa, pb) = shimDistance(a, b)
            #expect(d.isFinite)
            if let expected = Self.expectedDistance(a, b) {
                #expect(abs(d - expected) < 3e-6, "got \(d), expected \(expected)")
                if expected > 0 { apart += 1 } else { overlapping += 1 }
            } else {
                #expect(d == 0)
                overlapping += 1
            }
            Self.checkPoints(a, b, d, pa, pb)
            // The same answer either way round, with the points swapped.
            let (dr, pbr, par) = shimDistance(b, a)
            #expect(abs(dr - d) < 1e-6 && (par - pa).norm < 1e-5 && (pbr - pb).norm < 1e-5)
        }
        #expect(apart >= 5 && overlapping >= 5)
    }

    @Test(arguments: KindPair.all) func movingBByTheClosestPointsMakesShapesTouch(_ pair: KindPair) {
        var rng = SplitMix64(seed: 200 + UInt64(pair.a.rawValue * 10 + pair.b.rawValue))
        var (touchedFromApart, touchedFromDepth) = (0, 0)
        for _ in 0..<200 where touchedFromApart < 8 || touchedFromDepth < 4 {
            var (a, b) = Self.randomPair(pair, rng: &rng)
            let (d, pa, pb) = shimDistance(a, b)
            // From a gap, or from an exact (negative) penetration depth.
            if d > 1e-3 && touchedFromApart < 8 {
                touchedFromApart += 1
            } else if d < -1e-3 && touchedFromDepth < 4 {
                touchedFromDepth += 1
            } else {
                continue
            }
            b.pos = b.pos + (pa - pb)
            b = b.asFloat32
            let (touching, _, _) = shimDistance(a, b)
            #expect(abs(touching) < 5e-6, "distance after closing a gap of \(d): \(touching)")
            #expect(abs(Self.expectedDistance(a, b) ?? 0) < 5e-6)
        }
        #expect(touchedFromApart >= 8)
    }

    @Test func planeVersusPlaneIsZero() {
        let p = ReferenceShape(kind: WM_SHAPE_PLANE, half: .zero, pos: .zero, quat: Quat(1, 0, 0, 0))
        var q = p
        q.pos = Vec3(0, 0, 1)
        #expect(shimDistance(p, q).0 == 0)
    }

    @Test func twoSpheresFromTheHeaderExample() {
        let a = ReferenceShape(kind: WM_SHAPE_SPHERE, half: Vec3(1, 0, 0), pos: .zero, quat: Quat(1, 0, 0, 0))
        var b = a
        b.pos = Vec3(3, 0, 0)
        let (d, pa, pb) = shimDistance(a, b)
        #expect(d == 1 && pa == Vec3(1, 0, 0) && pb == Vec3(2, 0, 0))
    }

    @Test func unknownKindIsInfiniteNotNaN() {
        var a = ReferenceShape(kind: WM_SHAPE_SPHERE, half: Vec3(1, 0, 0), pos: .zero, quat: Quat(1, 0, 0, 0)).c
        var b = a
        b.kind = 99
        #expect(wm_shape_distance(&a, &b, nil, nil) == .infinity)
    }

    @Test func batchMatchesSingleCalls() {
        var rng = SplitMix64(seed: 300)
        var aa: [wm_shape] = [], bb: [wm_shape] = []
        for pair in KindPair.all {
            let (a, b) = Self.randomPair(pair, rng: &rng)
            aa.append(a.c)
            bb.append(b.c)
        }
        let n = aa.count
        var distance = [Float](repeating: 0, count: n), pa = [Float](repeating: 0, count: 3 * n), pb = pa
        wm_shape_distance_batch(aa, bb, Int32(n), &distance, &pa, &pb)
        var justDistance = [Float](repeating: 0, count: n)
        wm_shape_distance_batch(aa, bb, Int32(n), &justDistance, nil, nil)
        #expect(distance == justDistance)
        for i in 0..<n {
            var one = [Float](repeating: 0, count: 3), two = one
            #expect(wm_shape_distance(&aa[i], &bb[i], &one, &two) == distance[i])
            #expect(one == Array(pa[(3 * i)..<(3 * i + 3)]) && two == Array(pb[(3 * i)..<(3 * i + 3)]))
        }
    }
}
