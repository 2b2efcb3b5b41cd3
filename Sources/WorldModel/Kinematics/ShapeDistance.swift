import CGeometry

/// Surface distances between placed primitives, from the geometry shim (`wm_shape_distance`).
enum ShapeDistance {
    /// The surface distance of two placed shapes (m; overlaps as `wm_shape_distance` says) and the closest
    /// points on each (world).
    @inline(__always)
    static func closest(_ a: wm_shape, _ b: wm_shape) -> (Float, SIMD3<Float>, SIMD3<Float>) {
        var a = a, b = b
        var pa: (Float, Float, Float) = (0, 0, 0), pb: (Float, Float, Float) = (0, 0, 0)
        let d = withUnsafeMutablePointer(to: &pa) { ap in
            withUnsafeMutablePointer(to: &pb) { bp in
                wm_shape_distance(&a, &b, UnsafeMutableRawPointer(ap).assumingMemoryBound(to: Float.self),
                                  UnsafeMutableRawPointer(bp).assumingMemoryBound(to: Float.self))
            }
        }
        return (d, SIMD3(pa.0, pa.1, pa.2), SIMD3(pb.0, pb.1, pb.2))
    }

    /// The distance between the centres of `a` and `b` minus their bounding radii `ra` and `rb` (m): a lower
    /// bound of their surface distance, to skip pairs that are surely apart.
    @inline(__always)
    static func centreGap(_ a: wm_shape, _ b: wm_shape, _ ra: Float, _ rb: Float) -> Float {
        let dx = a.pos.0 - b.pos.0, dy = a.pos.1 - b.pos.1, dz = a.pos.2 - b.pos.2
        return (dx * dx + dy * dy + dz * dz).squareRoot() - ra - rb
    }
}
