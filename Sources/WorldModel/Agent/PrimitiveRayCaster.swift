import CGeometry

/// Ray casting against primitive shapes (sphere, box, capsule, cylinder) at given poses and the table plane,
/// through the geometry shim's `wm_ray_shape`: how the learned environment renders its predicted state.
/// Pure functions; each returns the distance along a unit ray to the first surface it meets, or nil on a miss.
enum PrimitiveRayCaster {
    /// The first hit of the ray (`origin`, unit `direction`) on a shape with `halfExtents` (see `ShapeKind`)
    /// at `position` with orientation `quaternion` (w, x, y, z); from inside the shape, its exit.
    static func distance(origin: SIMD3<Float>, direction: SIMD3<Float>, shape: ShapeKind, halfExtents h: SIMD3<Float>,
                         position p: SIMD3<Float>, quaternion q: SIMD4<Float>) -> Float? {
        let placed = wm_shape(kind: shape.rawValue, half_extents: (h.x, h.y, h.z), pos: (p.x, p.y, p.z), quat: (q[0], q[1], q[2], q[3]))
        guard let (near, far) = interval(placed, origin: origin, direction: direction) else { return nil }
        if near > 0 { return near }
        return far > 0 && far.isFinite ? far : nil
    }

    /// The hit of a ray on the plane z = `height` from above (a ray starting below it sees nothing of it).
    static func table(origin: SIMD3<Float>, direction: SIMD3<Float>, height: Float) -> Float? {
        let plane = wm_shape(kind: Int32(WM_SHAPE_PLANE.rawValue), half_extents: (0, 0, 0), pos: (0, 0, height), quat: (1, 0, 0, 0))
        guard let (near, _) = interval(plane, origin: origin, direction: direction), near > 0 else { return nil }
        return near
    }

    /// The shim's entry and exit distances of one ray, or nil on a miss.
    @inline(__always) private static func interval(_ shape: wm_shape, origin: SIMD3<Float>, direction: SIMD3<Float>) -> (Float, Float)? {
        var shape = shape, o = origin, d = direction, near: Float = 0, far: Float = 0
        withUnsafePointer(to: &o) { op in
            withUnsafePointer(to: &d) { dp in
                wm_ray_shape(&shape, UnsafeRawPointer(op).assumingMemoryBound(to: Float.self),
                             UnsafeRawPointer(dp).assumingMemoryBound(to: Float.self), 1, &near, &far)
            }
        }
        return near <= far ? (near, far) : nil
    }
}
