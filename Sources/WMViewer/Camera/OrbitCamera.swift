#if Viewer
#if canImport(Glibc)
import Glibc
#endif
import WorldModel

/// A perspective camera orbiting a target point, z up: what the mouse moves in the viewer.
///
/// The same camera gives the matrices the renderer loads and the pixel where a world point lands, so a test
/// can check a screenshot against the scene.
///
/// ```swift
/// var camera = OrbitCamera()
/// camera.orbit(dx: 40, dy: 0)             // drag 40 pixels to the right
/// let pixel = camera.project([0, 0, 0.025], width: 640, height: 480)  // from the top-left, or nil if behind
/// ```
public struct OrbitCamera: Sendable, Equatable {
    /// The point the camera looks at (m, world).
    public var target: SIMD3<Float>
    /// Distance from the target (m).
    public var distanceMeters: Float
    /// Angle around world z of the eye seen from the target (rad; -pi/2 puts the eye on the -y side).
    public var yawRadians: Float
    /// Elevation of the eye above the target's horizontal plane (rad).
    public var pitchRadians: Float
    public var fieldOfViewYRadians: Float

    public init(target: SIMD3<Float> = [0, 0, 0], distanceMeters: Float = 1.0, yawRadians: Float = -.pi / 2,
                pitchRadians: Float = 0.8, fieldOfViewYRadians: Float = .pi / 4) {
        self.target = target
        self.distanceMeters = distanceMeters
        self.yawRadians = yawRadians
        self.pitchRadians = pitchRadians
        self.fieldOfViewYRadians = fieldOfViewYRadians
    }

    /// A camera on the -y side that frames `points` (m, world; e.g. the moving bodies' origins) with some margin,
    /// looking down at 0.8 rad, or at 0.25 rad when the points lie in one x-z plane (a planar scene such as
    /// dm_control's stacker, seen from the side).
    public static func framing(points: [SIMD3<Float>]) -> OrbitCamera {
        guard let first = points.first else { return OrbitCamera(target: [0, 0, 0], distanceMeters: 0.8) }
        let low = points.reduce(first) { pointwiseMin($0, $1) }, high = points.reduce(first) { pointwiseMax($0, $1) }
        let centre = (low + high) / 2, extent = high - low
        let radius = max(((extent * extent).sum()).squareRoot() / 2, 0.1)
        let fov = Float.pi / 4
        return OrbitCamera(target: centre, distanceMeters: max(0.6, 1.3 * radius / tanf(fov / 2)), yawRadians: -.pi / 2,
                           pitchRadians: extent.y < 0.01 ? 0.25 : 0.8, fieldOfViewYRadians: fov)
    }

    /// The eye position (m, world).
    public var eye: SIMD3<Float> {
        target + distanceMeters * SIMD3(cosf(pitchRadians) * cosf(yawRadians), cosf(pitchRadians) * sinf(yawRadians), sinf(pitchRadians))
    }

    public var viewMatrix: Matrix4 { Matrix4.lookAt(eye: eye, target: target, up: [0, 0, 1]) }

    public func projectionMatrix(aspect: Float) -> Matrix4 {
        Matrix4.perspective(fovYRadians: fieldOfViewYRadians, aspect: aspect, near: 0.01 * distanceMeters, far: 20 * distanceMeters)
    }

    /// The pixel (x right, y down, from the top-left corner) where `point` lands in a `width` x `height`
    /// image, or nil when it is behind the camera.
    public func project(_ point: SIMD3<Float>, width: Int, height: Int) -> SIMD2<Float>? {
        let clip = projectionMatrix(aspect: Float(width) / Float(height)) * (viewMatrix * SIMD4(point, 1))
        guard clip.w > 0 else { return nil }
        let ndc = SIMD2(clip.x, clip.y) / clip.w
        return SIMD2((ndc.x + 1) / 2 * Float(width), (1 - ndc.y) / 2 * Float(height))
    }

    /// Turns the camera around the target by a mouse drag of (dx, dy) pixels.
    public mutating func orbit(dx: Float, dy: Float) {
        yawRadians -= dx * 0.008
        pitchRadians = min(max(pitchRadians + dy * 0.008, -0.3), 1.55)
    }

    /// Moves the target in the screen plane by a mouse drag of (dx, dy) pixels.
    public mutating func pan(dx: Float, dy: Float) {
        let forward = normalized(target - eye)
        let right = normalized(RotationMath.cross(forward, [0, 0, 1]))
        let up = RotationMath.cross(right, forward)
        let scale = distanceMeters * 0.0015
        target += scale * (-dx * right + dy * up)
    }

    /// Moves closer (positive `steps`) or farther, as a scroll wheel does.
    public mutating func zoom(steps: Float) {
        distanceMeters = min(max(distanceMeters * powf(0.9, steps), 0.05), 20)
    }
}
#endif
