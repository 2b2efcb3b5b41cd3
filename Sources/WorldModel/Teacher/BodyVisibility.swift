@preconcurrency import CMuJoCo

extension MuJoCoSimulation {
    /// How much of each body in `bodies` (MuJoCo body ids) `camera` sees at the current state: per body, the
    /// fraction of the pixels its geoms would cover alone (`mju_rayGeom`, one ray per pixel centre) where it is the
    /// nearest surface (`mj_ray` over every geom, the robot included). 0 for a body outside the view; 1 for one
    /// nothing hides. A tracker should find every body whose fraction is at least one half.
    ///
    /// ```swift
    /// let seen = sim.visibleFractions(of: [2, 3, 4, 5], camera: camera)   // after setGeneralizedState
    /// ```
    public func visibleFractions(of bodies: [Int], camera: PinholeCamera) -> [Float] {
        mj_forward(model, data)
        let m = model.pointee, d = data.pointee
        let geomsOf = bodies.map { body in (0..<Int(m.ngeom)).filter { Int(m.geom_bodyid[$0]) == body } }
        var alone = [Int](repeating: 0, count: bodies.count), nearest = [Int](repeating: 0, count: bodies.count)
        var origin = [Double](repeating: 0, count: 3), direction = [Double](repeating: 0, count: 3)
        for k in 0..<3 { origin[k] = Double(camera.position[k]) }
        var hitGeom: Int32 = -1
        for y in 0..<camera.height {
            for x in 0..<camera.width {
                let ray = camera.rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                for k in 0..<3 { direction[k] = Double(ray[k]) }
                let t = mj_ray(model, data, origin, direction, nil, 1, -1, &hitGeom)
                let hitBody = t >= 0 && hitGeom >= 0 ? Int(m.geom_bodyid[Int(hitGeom)]) : -1
                for (i, geoms) in geomsOf.enumerated() {
                    let covers = geoms.contains { g in
                        mju_rayGeom(d.geom_xpos + 3 * g, d.geom_xmat + 9 * g, m.geom_size + 3 * g, origin, direction, m.geom_type[g]) >= 0
                    }
                    guard covers else { continue }
                    alone[i] += 1
                    if hitBody == bodies[i] { nearest[i] += 1 }
                }
            }
        }
        return zip(nearest, alone).map { $1 > 0 ? Float($0) / Float($1) : 0 }
    }
}
