/// Ray casting against primitive shapes (sphere, box, capsule, cylinder) at given poses and the table plane,
/// in pure Swift: how the learned environment renders its predicted state until the neural field renderer
/// (issue 5) replaces it. Pure functions; each returns the distance along a unit ray, or nil on a miss.
enum PrimitiveRayCaster {
    /// The first hit of the ray (`origin`, unit `direction`) on a shape with `halfExtents` (see `ShapeKind`)
    /// at `position` with orientation `quaternion` (w, x, y, z).
    static func distance(origin: SIMD3<Float>, direction: SIMD3<Float>, shape: ShapeKind, halfExtents h: SIMD3<Float>,
                         position: SIMD3<Float>, quaternion q: SIMD4<Float>) -> Float? {
        // Into the body frame.
        let o = RotationMath.rotateInverse(q, origin - position), d = RotationMath.rotateInverse(q, direction)
        switch shape {
        case .sphere: return sphere(o, d, centre: .zero, radius: h.x)
        case .box: return box(o, d, half: h)
        case .capsule:
            var best = cylinder(o, d, radius: h.x, halfHeight: h.y, capped: false)
            for end in [Float(-1), 1] {
                if let t = sphere(o, d, centre: [0, 0, end * h.y], radius: h.x) { best = min(best ?? t, t) }
            }
            return best
        case .cylinder: return cylinder(o, d, radius: h.x, halfHeight: h.y, capped: true)
        }
    }

    /// The hit of a ray on the plane z = `height` from above.
    static func table(origin: SIMD3<Float>, direction: SIMD3<Float>, height: Float) -> Float? {
        guard direction.z < -1e-6 else { return nil }
        let t = (height - origin.z) / direction.z
        return t > 0 ? t : nil
    }

    static func sphere(_ o: SIMD3<Float>, _ d: SIMD3<Float>, centre: SIMD3<Float>, radius: Float) -> Float? {
        let m = o - centre
        let b = (m * d).sum(), c = (m * m).sum() - radius * radius
        let discriminant = b * b - c
        guard discriminant >= 0 else { return nil }
        let root = discriminant.squareRoot()
        let t = -b - root
        if t > 0 { return t }
        return -b + root > 0 ? -b + root : nil
    }

    static func box(_ o: SIMD3<Float>, _ d: SIMD3<Float>, half: SIMD3<Float>) -> Float? {
        var near = -Float.infinity, far = Float.infinity
        for k in 0..<3 {
            if abs(d[k]) < 1e-9 {
                if abs(o[k]) > half[k] { return nil }
                continue
            }
            var t0 = (-half[k] - o[k]) / d[k], t1 = (half[k] - o[k]) / d[k]
            if t0 > t1 { swap(&t0, &t1) }
            near = max(near, t0)
            far = min(far, t1)
            if near > far { return nil }
        }
        if near > 0 { return near }
        return far > 0 ? far : nil
    }

    /// A cylinder along local z; `capped` adds the two discs.
    static func cylinder(_ o: SIMD3<Float>, _ d: SIMD3<Float>, radius: Float, halfHeight: Float, capped: Bool) -> Float? {
        var best: Float? = nil
        let a = d.x * d.x + d.y * d.y
        if a > 1e-12 {
            let b = o.x * d.x + o.y * d.y, c = o.x * o.x + o.y * o.y - radius * radius
            let discriminant = b * b - a * c
            if discriminant >= 0 {
                let root = discriminant.squareRoot()
                for t in [(-b - root) / a, (-b + root) / a] where t > 0 && abs(o.z + t * d.z) <= halfHeight {
                    best = min(best ?? t, t)
                }
            }
        }
        if capped, abs(d.z) > 1e-9 {
            for end in [-halfHeight, halfHeight] {
                let t = (end - o.z) / d.z
                let x = o.x + t * d.x, y = o.y + t * d.y
                if t > 0, x * x + y * y <= radius * radius { best = min(best ?? t, t) }
            }
        }
        return best
    }
}
