/// Signed distance (m) from a point in a primitive's own frame to its surface: negative inside.
/// Half-extents as in `ShapeKind`. Pure function; the dense baseline is filled from it.
///
/// ```swift
/// signedDistance(.box, halfExtents: [0.025, 0.025, 0.025], [0.05, 0, 0])   // 0.025
/// ```
public func signedDistance(_ shape: ShapeKind, halfExtents h: SIMD3<Float>, _ p: SIMD3<Float>) -> Float {
    switch shape {
    case .sphere:
        return (p * p).sum().squareRoot() - h.x
    case .box:
        let q = SIMD3(abs(p.x), abs(p.y), abs(p.z)) - h
        let outside = SIMD3(max(q.x, 0), max(q.y, 0), max(q.z, 0))
        return (outside * outside).sum().squareRoot() + min(max(q.x, max(q.y, q.z)), 0)
    case .cylinder:
        let dx = (p.x * p.x + p.y * p.y).squareRoot() - h.x, dz = abs(p.z) - h.y
        let ox = max(dx, 0), oz = max(dz, 0)
        return min(max(dx, dz), 0) + (ox * ox + oz * oz).squareRoot()
    case .capsule:
        let c = SIMD3<Float>(0, 0, min(max(p.z, -h.y), h.y))
        return ((p - c) * (p - c)).sum().squareRoot() - h.x
    }
}

/// The outward unit normal of the primitive's surface nearest to `p` (own frame), from the distance gradient.
public func surfaceNormal(_ shape: ShapeKind, halfExtents h: SIMD3<Float>, _ p: SIMD3<Float>) -> SIMD3<Float> {
    let e: Float = 1e-4
    var g = SIMD3<Float>.zero
    for k in 0..<3 {
        var a = p, b = p
        a[k] += e; b[k] -= e
        g[k] = signedDistance(shape, halfExtents: h, a) - signedDistance(shape, halfExtents: h, b)
    }
    let n = (g * g).sum().squareRoot()
    return n > 0 ? g / n : SIMD3(0, 0, 1)
}

/// The half-extents of the axis-aligned box (own frame) that holds the primitive.
public func boundingHalfExtents(_ shape: ShapeKind, halfExtents h: SIMD3<Float>) -> SIMD3<Float> {
    switch shape {
    case .sphere: return SIMD3(repeating: h.x)
    case .box: return h
    case .cylinder: return SIMD3(h.x, h.x, h.y)
    case .capsule: return SIMD3(h.x, h.x, h.x + h.y)
    }
}

extension ObjectDescription {
    /// Half-extents as a vector.
    var halfExtents: SIMD3<Float> { SIMD3(halfExtentsMeters[0], halfExtentsMeters[1], halfExtentsMeters[2]) }
    /// Albedo (r, g, b).
    var albedo: SIMD3<Float> { SIMD3(rgba[0], rgba[1], rgba[2]) }
}
