import CGeometry
import Glibc
import Testing

@Suite struct RayTests {
    /// Entry and exit of the whole line o + t d through a convex solid, by marching then bisecting.
    static func marchedInterval(_ o: Vec3, _ d: Vec3, inside: (Vec3) -> Bool) -> (Double, Double)? {
        let step = 2e-3, limit = 4.0
        var first: Double?, last: Double?
        var t = -limit
        while t <= limit {
            if inside(o + t * d) {
                if first == nil { first = t }
                last = t
            }
            t += step
        }
        guard let f = first, let l = last else { return nil }
        func bisect(_ outside: Double, _ inner: Double) -> Double {
            var (a, b) = (outside, inner)
            for _ in 0..<50 {
                let m = 0.5 * (a + b)
                if inside(o + m * d) { b = m } else { a = m }
            }
            return 0.5 * (a + b)
        }
        return (bisect(f - step, f), bisect(l + step, l))
    }

    @Test func rayBoxMatchesMarching() {
        var rng = SplitMix64(seed: 41)
        var hits = 0, misses = 0, inside = 0
        for _ in 0..<200 {
            let pos = Vec3(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5))
            let q = rng.unitQuaternion()
            let half = Vec3(rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4))
            let within = Vec3(rng.uniform(-0.9, 0.9) * half.x, rng.uniform(-0.9, 0.9) * half.y, rng.uniform(-0.9, 0.9) * half.z)
            let o = rng.uniform(0, 1) < 0.2 ? pos + q.matrix * within : Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let aim = pos + Vec3(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)) - o
            let d = (rng.uniform(1, 2) / aim.norm) * aim
            var tn: Float = 0, tf: Float = 0
            wm_ray_box(o.floats, d.floats, 1, pos.floats, q.floats, half.floats, &tn, &tf)
            let r = q.matrix.transposed
            let expected = Self.marchedInterval(o, d) { p in
                let l = r * (p - pos)
                return abs(l.x) <= half.x && abs(l.y) <= half.y && abs(l.z) <= half.z
            }
            if let (a, b) = expected, b >= 0 {
                hits += 1
                if a < 0 { inside += 1 }
                #expect(abs(Double(tn) - a) < 1e-5 && abs(Double(tf) - b) < 1e-5, "expected \(a) \(b), got \(tn) \(tf)")
            } else {
                misses += 1
                // A grazing ray might slip between march steps: then the hit must be a sliver.
                #expect(tn == .infinity && tf == -.infinity || Double(tf - tn) < 2e-3)
            }
        }
        #expect(hits > 20 && misses > 20 && inside > 5)
    }

    @Test func rayBoxParallelToAFace() {
        var tn: Float = 0, tf: Float = 0
        let identity: [Float] = [1, 0, 0, 0], half: [Float] = [1, 1, 1]
        wm_ray_box([-5, 0.5, 0], [1, 0, 0], 1, [0, 0, 0], identity, half, &tn, &tf)
        #expect(tn == 4 && tf == 6)
        wm_ray_box([-5, 1.5, 0], [1, 0, 0], 1, [0, 0, 0], identity, half, &tn, &tf)
        #expect(tn == .infinity && tf == -.infinity)
        wm_ray_box([5, 0, 0], [1, 0, 0], 1, [0, 0, 0], identity, half, &tn, &tf)  // box behind the origin
        #expect(tn == .infinity && tf == -.infinity)
        wm_ray_box([0, 0, 0], [0, 0, 0], 1, [0, 0, 0], identity, half, &tn, &tf)
        #expect(tn == -.infinity && tf == .infinity)
    }

    @Test func raySphereMatchesQuadraticFormula() {
        var rng = SplitMix64(seed: 42)
        let n = 400
        var origins: [Float] = [], directions: [Float] = []
        let centre = Vec3(0.1, -0.2, 0.3), radius = 0.4
        for _ in 0..<n {
            origins += Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)).floats
            let o = Vec3(floats: origins, at: origins.count / 3 - 1)
            let aim = centre + Vec3(rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6)) - o
            directions += (rng.uniform(0.2, 3) / aim.norm * aim).floats
        }
        var tn = [Float](repeating: 0, count: n), tf = tn
        wm_ray_sphere(origins, directions, Int32(n), centre.floats, Float(radius), &tn, &tf)
        var hits = 0
        for i in 0..<n {
            let o = Vec3(floats: origins, at: i), d = Vec3(floats: directions, at: i)
            let a = d.dot(d), b = 2 * d.dot(o - centre), c = (o - centre).dot(o - centre) - radius * radius
            let disc = b * b - 4 * a * c
            let t0 = (-b - disc.squareRoot()) / (2 * a), t1 = (-b + disc.squareRoot()) / (2 * a)
            if disc >= 0 && t1 >= 0 {
                hits += 1
                #expect(abs(Double(tn[i]) - t0) < 1e-5 && abs(Double(tf[i]) - t1) < 1e-5)
            } else {
                #expect(tn[i] == .infinity && tf[i] == -.infinity)
            }
        }
        #expect(hits > 50 && hits < n - 50)
    }

    @Test func raySphereFarAwayStaysAccurate() {
        // Origin 1 km away: the naive discriminant loses the 1 cm sphere to cancellation.
        var tn: Float = 0, tf: Float = 0
        wm_ray_sphere([-1000, 0.005, 0], [1, 0, 0], 1, [0, 0, 0], 0.01, &tn, &tf)
        let half = (0.01 * 0.01 - 0.005 * 0.005).squareRoot()
        #expect(abs(Double(tn) - (1000 - half)) < 1e-4 && abs(Double(tf) - (1000 + half)) < 1e-4)
    }

    /// Every kind of wm_ray_shape against marching the reference shape's signed distance along the line.
    @Test(arguments: [WM_SHAPE_SPHERE, WM_SHAPE_BOX, WM_SHAPE_CAPSULE, WM_SHAPE_CYLINDER])
    func rayShapeMatchesMarching(kind: wm_shape_kind) {
        var rng = SplitMix64(seed: 43 + UInt64(kind.rawValue))
        var hits = 0, misses = 0
        for _ in 0..<120 {
            let shape = ReferenceShape(kind: kind, half: Vec3(rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4)),
                                       pos: Vec3(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)),
                                       quat: rng.unitQuaternion()).asFloat32
            let o = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let aim = shape.pos + Vec3(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5)) - o
            let d = (rng.uniform(1, 2) / aim.norm) * aim
            var c = shape.c, tn: Float = 0, tf: Float = 0
            wm_ray_shape(&c, o.floats, d.floats, 1, &tn, &tf)
            if let (a, b) = Self.marchedInterval(o, d, inside: { shape.signedDistance($0) <= 0 }), b >= 0 {
                hits += 1
                #expect(abs(Double(tn) - a) < 1e-5 && abs(Double(tf) - b) < 1e-5, "\(kind): expected \(a) \(b), got \(tn) \(tf)")
            } else {
                misses += 1
                #expect(tn == .infinity && tf == -.infinity || Double(tf - tn) < 2e-3)
            }
        }
        #expect(hits > 20 && misses > 10)
    }

    @Test func rayShapePlaneIsTheHalfSpaceBelow() {
        var plane = wm_shape(kind: Int32(WM_SHAPE_PLANE.rawValue), half_extents: (0, 0, 0), pos: (0, 0, 0.5), quat: (1, 0, 0, 0))
        var tn: Float = 0, tf: Float = 0
        wm_ray_shape(&plane, [0, 0, 2], [0, 0, -0.5], 1, &tn, &tf)  // t in units of the direction's length
        #expect(tn == 3 && tf == .infinity)
        wm_ray_shape(&plane, [0, 0, 0], [0, 0, 1], 1, &tn, &tf)  // from inside, upwards: the exit
        #expect(tn == -.infinity && tf == 0.5)
        wm_ray_shape(&plane, [0, 0, 2], [0, 0, 1], 1, &tn, &tf)
        #expect(tn == .infinity && tf == -.infinity)
        wm_ray_shape(&plane, [0, 0, 2], [1, 0, 0], 1, &tn, &tf)
        #expect(tn == .infinity && tf == -.infinity)
        var unknown = plane
        unknown.kind = 99
        wm_ray_shape(&unknown, [0, 0, 2], [0, 0, -1], 1, &tn, &tf)
        #expect(tn == .infinity && tf == -.infinity)
    }
}
