/// A scene's primitive geoms placed at the body poses of one configuration, for the analytic ray caster
/// (`PrimitiveRayCaster`): what the learned environment draws, and where a tracker knows the robot is.
///
/// Frames and units: world frame, metres; `bodyPositions` is B x 3 and `bodyQuaternions` B x 4 (w, x, y, z), every
/// body of the scene (`ForwardKinematics.bodyPoses`). Spheres and ellipsoids are drawn as spheres; horizontal
/// planes of static bodies become tables seen from above; tilted planes are not drawn.
struct PlacedPrimitives {
    struct Primitive {
        var shape: ShapeKind
        var half: SIMD3<Float>
        var position: SIMD3<Float>
        var quaternion: SIMD4<Float>
        var rgb: SIMD3<Float>
    }

    var primitives: [Primitive] = []
    var planes: [(height: Float, rgb: SIMD3<Float>)] = []

    /// The geoms of the bodies `including` accepts (every body by default), in `colors` (one per geom) when given,
    /// else in their `rgba`.
    init(scene: SceneModel, bodyPositions p: [Float], bodyQuaternions q: [Float], colors: [SIMD4<Float>]? = nil,
         including: (Int) -> Bool = { _ in true }) {
        for (g, geom) in scene.geoms.enumerated() where including(geom.body) {
            let b = geom.body
            let bodyPosition = SIMD3(p[3 * b], p[3 * b + 1], p[3 * b + 2]), bodyQuaternion = SIMD4(q[4 * b], q[4 * b + 1], q[4 * b + 2], q[4 * b + 3])
            let (position, quaternion) = geom.worldPose(bodyPosition: bodyPosition, bodyQuaternion: bodyQuaternion)
            let rgb = colors.map { SIMD3($0[g][0], $0[g][1], $0[g][2]) } ?? SIMD3(geom.rgba[0], geom.rgba[1], geom.rgba[2])
            let size = geom.size + [0, 0, 0]
            let half = SIMD3(size[0], size[1], size[2])
            let shape: ShapeKind
            switch geom.shape {
            case .plane:
                if scene.bodies[b].isStatic && geom.isHorizontal { planes.append((position.z, rgb)) }
                continue
            case .sphere, .ellipsoid: shape = .sphere
            case .box: shape = .box
            case .capsule: shape = .capsule
            case .cylinder: shape = .cylinder
            }
            primitives.append(Primitive(shape: shape, half: half, position: position, quaternion: quaternion, rgb: rgb))
        }
    }

    /// The nearest surface along a unit ray: its distance and colour, or nil on a miss.
    func nearest(origin: SIMD3<Float>, direction: SIMD3<Float>) -> (Float, SIMD3<Float>)? {
        var best: (Float, SIMD3<Float>)? = nil
        func consider(_ t: Float?, _ rgb: SIMD3<Float>) {
            if let t, t < (best?.0 ?? .infinity) { best = (t, rgb) }
        }
        for plane in planes { consider(PrimitiveRayCaster.table(origin: origin, direction: direction, height: plane.height), plane.rgb) }
        for g in primitives {
            consider(PrimitiveRayCaster.distance(origin: origin, direction: direction, shape: g.shape, halfExtents: g.half,
                                                 position: g.position, quaternion: g.quaternion), g.rgb)
        }
        return best
    }
}
