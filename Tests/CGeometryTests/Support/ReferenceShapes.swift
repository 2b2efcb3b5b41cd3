import CGeometry
import Glibc

/// A primitive for reference computations: exact signed distance of a point, and its surface as patches.
struct ReferenceShape {
    var kind: wm_shape_kind
    var half: Vec3
    var pos: Vec3
    var quat: Quat { didSet { rotation = quat.matrix } }
    private(set) var rotation: Mat3

    init(kind: wm_shape_kind, half: Vec3, pos: Vec3, quat: Quat) {
        (self.kind, self.half, self.pos, self.quat, self.rotation) = (kind, half, pos, quat, quat.matrix)
    }
    var c: wm_shape {
        wm_shape(kind: Int32(kind.rawValue), half_extents: (Float(half.x), Float(half.y), Float(half.z)),
                 pos: (Float(pos.x), Float(pos.y), Float(pos.z)),
                 quat: (Float(quat.w), Float(quat.x), Float(quat.y), Float(quat.z)))
    }

    /// The same shape as the float32 struct the shim sees, so references use the exact same numbers.
    var asFloat32: ReferenceShape {
        let f = c
        let q = Quat(Double(f.quat.0), Double(f.quat.1), Double(f.quat.2), Double(f.quat.3))
        return ReferenceShape(kind: kind, half: Vec3(Double(f.half_extents.0), Double(f.half_extents.1), Double(f.half_extents.2)),
                              pos: Vec3(Double(f.pos.0), Double(f.pos.1), Double(f.pos.2)), quat: q.scaled(1 / q.norm))
    }

    func local(_ p: Vec3) -> Vec3 { rotation.transposeTimes(p - pos) }
    func world(_ p: Vec3) -> Vec3 { rotation * p + pos }

    /// A capsule's (or sphere's) core segment end points in the world.
    var segment: (Vec3, Vec3) {
        let h = kind == WM_SHAPE_CAPSULE ? half.y : 0
        return (world(Vec3(0, 0, -h)), world(Vec3(0, 0, h)))
    }

    /// Exact signed distance from p to the solid (< 0 inside); a plane's solid is local z <= 0.
    func signedDistance(_ p: Vec3) -> Double {
        let l = local(p)
        switch kind {
        case WM_SHAPE_SPHERE:
            return l.norm - half.x
        case WM_SHAPE_BOX:
            let q = Vec3(abs(l.x) - half.x, abs(l.y) - half.y, abs(l.z) - half.z)
            let outside = Vec3(max(q.x, 0), max(q.y, 0), max(q.z, 0)).norm
            return outside + min(max(q.x, q.y, q.z), 0)
        case WM_SHAPE_CAPSULE:
            let z = min(max(l.z, -half.y), half.y)
            return (l - Vec3(0, 0, z)).norm - half.x
        case WM_SHAPE_CYLINDER:
            let dr = (l.x * l.x + l.y * l.y).squareRoot() - half.x, dz = abs(l.z) - half.y
            return min(max(dr, dz), 0) + (max(dr, 0) * max(dr, 0) + max(dz, 0) * max(dz, 0)).squareRoot()
        default:
            return l.z
        }
    }

    /// Surface patches: spheres and hemispheres as cube faces pushed out onto the sphere, disks by a
    /// square-to-disk map, so no patch has a singular point (a pole or a centre) where a search could stall.
    var patchCount: Int {
        switch kind {
        case WM_SHAPE_SPHERE: 6
        case WM_SHAPE_BOX: 6
        case WM_SHAPE_CAPSULE: 11
        default: 3
        }
    }

    /// Whether v is an angle (wraps around) on this patch.
    func isPeriodic(patch: Int) -> Bool { (kind == WM_SHAPE_CAPSULE || kind == WM_SHAPE_CYLINDER) && patch == 0 }

    /// The surface point of `patch` at parameters (u, v) in [0, 1]^2.
    func surfacePoint(patch: Int, u: Double, v: Double) -> Vec3 {
        let a = 2 * u - 1, b = 2 * v - 1
        switch kind {
        case WM_SHAPE_SPHERE:
            return world(half.x * cubeFace(patch, a, b, zLow: -1))
        case WM_SHAPE_BOX:
            let axis = patch / 2, sign: Double = patch % 2 == 0 ? 1 : -1
            switch axis {
            case 0: return world(Vec3(sign * half.x, a * half.y, b * half.z))
            case 1: return world(Vec3(a * half.x, sign * half.y, b * half.z))
            default: return world(Vec3(a * half.x, b * half.y, sign * half.z))
            }
        default:  // capsule or cylinder: the side, then the ends
            let r = half.x, h = half.y, phi = 2 * .pi * v
            if patch == 0 { return world(Vec3(r * cos(phi), r * sin(phi), a * h)) }
            if kind == WM_SHAPE_CAPSULE {
                // Patches 1-5: the top hemisphere (cube faces +z, +-x, +-y with z in [0, 1]); 6-10: mirrored.
                let face = (patch - 1) % 5, sign: Double = patch <= 5 ? 1 : -1
                let p = r * cubeFace([4, 0, 1, 2, 3][face], a, b, zLow: 0)
                return world(Vec3(p.x, p.y, sign * (p.z + h)))
            }
            let sign: Double = patch == 1 ? 1 : -1
            return world(Vec3(r * a * (1 - b * b / 2).squareRoot(), r * b * (1 - a * a / 2).squareRoot(), sign * h))
        }
    }

    /// Cube face `face` (+x, -x, +y, -y, +z, -z) at (a, b) in [-1, 1]^2, on the unit sphere; side faces span
    /// z in [zLow, 1].
    private func cubeFace(_ face: Int, _ a: Double, _ b: Double, zLow: Double) -> Vec3 {
        let sign: Double = face % 2 == 0 ? 1 : -1
        let z = zLow + (1 - zLow) * (b + 1) / 2
        let p: Vec3
        switch face / 2 {
        case 0: p = Vec3(sign, a, z)
        case 1: p = Vec3(a, sign, z)
        default: p = Vec3(a, b, sign)
        }
        return p / p.norm
    }
}

/// min over the surface of `a` of `f`: a dense grid on every patch, then a shrinking pattern search
/// from the best grid point of each patch.
func minimumOverSurface(of a: ReferenceShape, grid: Int = 32, _ f: (Vec3) -> Double) -> Double {
    var best = Double.infinity
    for patch in 0..<a.patchCount {
        var (bu, bv, bf) = (0.0, 0.0, Double.infinity)
        for i in 0...grid {
            for j in 0...grid {
                let u = Double(i) / Double(grid), v = Double(j) / Double(grid)
                let value = f(a.surfacePoint(patch: patch, u: u, v: v))
                if value < bf { (bu, bv, bf) = (u, v, value) }
            }
        }
        var step = 1.0 / Double(grid)
        while step > 1e-9 {
            var moved = false
            for k in 0..<16 {
                let angle = Double(k) * .pi / 8
                let u = min(max(bu + step * cos(angle), 0), 1)
                var v = bv + step * sin(angle)
                v = a.isPeriodic(patch: patch) ? v - v.rounded(.down) : min(max(v, 0), 1)
                let value = f(a.surfacePoint(patch: patch, u: u, v: v))
                if value < bf {
                    (bu, bv, bf) = (u, v, value)
                    moved = true
                }
            }
            if !moved { step *= 0.5 }
        }
        best = min(best, bf)
    }
    return best
}

/// min over s in [0, 1] of a convex function, by ternary search.
func minimumOfConvex(_ f: (Double) -> Double) -> Double {
    var (lo, hi) = (0.0, 1.0)
    for _ in 0..<100 {
        let m1 = lo + (hi - lo) / 3, m2 = hi - (hi - lo) / 3
        if f(m1) <= f(m2) { hi = m2 } else { lo = m1 }
    }
    return min(f(0.5 * (lo + hi)), f(0), f(1))
}

/// Distance between a point and a segment, by ternary search along it.
func distanceToSegment(_ p: Vec3, _ s: (Vec3, Vec3)) -> Double {
    minimumOfConvex { t in (s.0 + t * (s.1 - s.0) - p).norm }
}

/// Calls the shim; returns the distance and both points.
func shimDistance(_ a: ReferenceShape, _ b: ReferenceShape) -> (Double, Vec3, Vec3) {
    var ca = a.c, cb = b.c
    var pa = [Float](repeating: 0, count: 3), pb = pa
    let d = wm_shape_distance(&ca, &cb, &pa, &pb)
    return (Double(d), Vec3(floats: pa), Vec3(floats: pb))
}
