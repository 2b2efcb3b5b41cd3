extension SceneModel.Geom {
    /// The geom's world pose: its pose in its body composed with the body's world pose (`p`, `q`: position m,
    /// quaternion (w, x, y, z) body -> world), as MuJoCo's `geom_xpos` / `geom_xmat` from `xpos` / `xquat`.
    @inline(__always)
    public func worldPose(bodyPosition p: SIMD3<Float>, bodyQuaternion q: SIMD4<Float>) -> (position: SIMD3<Float>, quaternion: SIMD4<Float>) {
        PoseComposition.compose(parentPosition: p, parentQuaternion: q, localPosition: SIMD3(position[0], position[1], position[2]),
                                localQuaternion: SIMD4(quaternion[0], quaternion[1], quaternion[2], quaternion[3]))
    }

    /// How far below its body's origin the geom reaches along the body's z axis (m), for a body resting upright:
    /// the lowest point of a box, sphere, capsule or cylinder whose axes are the body's (planes: 0).
    public var depthBelowBodyOrigin: Float {
        let s = size + [0, 0, 0]
        let extent: Float
        switch shape {
        case .box, .ellipsoid: extent = s[2]
        case .sphere: extent = s[0]
        case .capsule: extent = s[0] + s[1]
        case .cylinder: extent = s[1]
        case .plane: return 0
        }
        return extent - position[2]
    }

    /// Whether the geom's z axis points straight up in its body's frame (a floor or table plane of the world body).
    public var isHorizontal: Bool {
        RotationMath.rotate(SIMD4(quaternion[0], quaternion[1], quaternion[2], quaternion[3]), SIMD3<Float>(0, 0, 1)).z > 0.999
    }
}
