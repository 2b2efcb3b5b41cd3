@preconcurrency import CMuJoCo

/// What one ray hit in a MuJoCo scene: the distance along the ray and the geom's colour.
public struct TeacherRayHit: Sendable, Equatable {
    /// Distance (m) from the origin along the unit direction.
    public var distanceMeters: Double
    /// The hit geom's colour (r, g, b, a) as MuJoCo draws it (`displayColor(ofGeom:)`).
    public var rgba: SIMD4<Float>
}

extension MuJoCoSimulation {
    /// Casts one ray against every geom of the current state with MuJoCo's `mj_ray` (about 10M rays/s); nil on a miss.
    /// Positions are as of the last `step`, `setObject`, `restore` or `reset` (each ends with `mj_forward`).
    ///
    /// ```swift
    /// if let hit = sim.castRay(origin: [0, 0, 1], direction: [0, 0, -1]) { print(hit.distanceMeters) }
    /// ```
    public func castRay(origin: SIMD3<Double>, direction: SIMD3<Double>) -> TeacherRayHit? {
        var point = [origin.x, origin.y, origin.z]
        let length = (direction * direction).sum().squareRoot()
        var unit = [direction.x / length, direction.y / length, direction.z / length]
        var geom: Int32 = -1
        let distance = mj_ray(model, data, &point, &unit, nil, 1, -1, &geom)
        guard distance >= 0, geom >= 0 else { return nil }
        return TeacherRayHit(distanceMeters: distance, rgba: displayColor(ofGeom: Int(geom)))
    }
}

extension MuJoCoSimulation {
    /// An RGB image of the current state from `camera`: one `castRay` per pixel, in each geom's display colour.
    public func render(camera: PinholeCamera) -> RGBImage {
        RayCastImage.render(camera: camera) { origin, direction in
            guard let hit = castRay(origin: SIMD3<Double>(origin), direction: SIMD3<Double>(direction)) else { return nil }
            return (Float(hit.distanceMeters), SIMD3(hit.rgba[0], hit.rgba[1], hit.rgba[2]))
        }
    }
}
