import CGeometry

/// Composes child poses with their parents' world poses (see `wm_compose_poses` in the shim's geometry.h): e.g.
/// every geom of every body, from `ForwardKinematics`' body poses and each geom's body and pose in its body
/// (MuJoCo's `geom_bodyid`, `geom_pos`, `geom_quat`), as MuJoCo's `geom_xpos` / `geom_xmat`.
///
///   position[i] = parentPosition[p] + rotate(parentQuaternion[p], localPosition[i]),
///   quaternion[i] = parentQuaternion[p] * localQuaternion[i],   p = parent[i]
///
/// Positions are 3 floats each (m), quaternions 4 ((w, x, y, z), child -> world); `parent` indexes the parents'
/// arrays. Allocates nothing; the outputs may be the memory of the local poses, not of the parents'.
///
/// ```swift
/// PoseComposition.compose(parentPositions: bodyPositions, parentQuaternions: bodyQuaternions, parent: geomBody,
///                         localPositions: geomPositions, localQuaternions: geomQuaternions,
///                         positions: geomWorldPositions, quaternions: geomWorldQuaternions)
/// ```
public enum PoseComposition {
    /// One child pose composed with its parent's (the formula above, for one pose): e.g. a geom's pose in its body
    /// with the body's world pose.
    @inline(__always)
    public static func compose(parentPosition p: SIMD3<Float>, parentQuaternion q: SIMD4<Float>, localPosition: SIMD3<Float>,
                               localQuaternion: SIMD4<Float>) -> (position: SIMD3<Float>, quaternion: SIMD4<Float>) {
        (p + RotationMath.rotate(q, localPosition), RotationMath.multiply(q, localQuaternion))
    }

    public static func compose(parentPositions: UnsafeBufferPointer<Float>, parentQuaternions: UnsafeBufferPointer<Float>,
                               parent: UnsafeBufferPointer<Int32>, localPositions: UnsafeBufferPointer<Float>,
                               localQuaternions: UnsafeBufferPointer<Float>, positions: UnsafeMutableBufferPointer<Float>,
                               quaternions: UnsafeMutableBufferPointer<Float>) {
        let n = parent.count, parents = parentPositions.count / 3
        precondition(localPositions.count == 3 * n && localQuaternions.count == 4 * n && positions.count == 3 * n
                     && quaternions.count == 4 * n && parentQuaternions.count == 4 * parents,
                     "compose: n = \(n) children need n x 3 positions and n x 4 quaternions")
        precondition(parent.allSatisfy { (0..<Int32(parents)).contains($0) }, "compose: a parent index is out of range")
        wm_compose_poses(parentPositions.baseAddress, parentQuaternions.baseAddress, parent.baseAddress,
                         localPositions.baseAddress, localQuaternions.baseAddress, Int32(n), positions.baseAddress,
                         quaternions.baseAddress)
    }
}
