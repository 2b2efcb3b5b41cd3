#if canImport(Glibc)
import Glibc
#endif

/// Where one object is: centre position (m, world) and orientation (w, x, y, z), body -> world.
public struct ObjectPose: Sendable, Equatable {
    public var position: SIMD3<Float>
    public var quaternion: SIMD4<Float>

    public init(position: SIMD3<Float>, quaternion: SIMD4<Float>) {
        self.position = position
        self.quaternion = quaternion
    }

    /// The heading (rad, about world z) of the body's x axis, in (-π, π].
    public var yaw: Float { ObjectPose.yaw(of: quaternion) }

    /// The heading (rad) of a quaternion's x axis about world z.
    @inline(__always) public static func yaw(of q: SIMD4<Float>) -> Float {
        let (w, x, y, z) = (q[0], q[1], q[2], q[3])
        return atan2f(2 * (w * z + x * y), 1 - 2 * (y * y + z * z))
    }
}

/// What an agent sees after each step: every object's pose and the robot's position. The same type from the
/// MuJoCo teacher and from the learned model, so an agent cannot tell which one it talks to.
///
/// ```swift
/// let seen = try environment.step(action: SIMD2(0.1, 0))
/// print(seen.objects[0].position, seen.robotPosition)
/// ```
public struct Observation: Sendable, Equatable {
    /// One pose per object, in the scene's object order.
    public var objects: [ObjectPose]
    /// The robot body's origin (m, world).
    public var robotPosition: SIMD3<Float>
    /// The action applied over the step that led here (zero after a reset).
    public var lastAction: SIMD2<Float>
    /// Control steps since the last reset.
    public var step: Int

    public init(objects: [ObjectPose], robotPosition: SIMD3<Float>, lastAction: SIMD2<Float> = .zero, step: Int = 0) {
        self.objects = objects
        self.robotPosition = robotPosition
        self.lastAction = lastAction
        self.step = step
    }

    /// The planar distance (m) of object `index`'s centre from `goal`.
    public func planarDistance(object index: Int, to goal: SIMD2<Float>) -> Float {
        let p = objects[index].position
        let d = SIMD2(p.x, p.y) - goal
        return (d * d).sum().squareRoot()
    }
}
