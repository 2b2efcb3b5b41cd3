#if canImport(Glibc)
import Glibc
#endif

/// A pinhole camera looking from `eye` at `target`, for `Environment.render(camera:)`.
///
/// ```swift
/// let camera = Camera(eye: [0.45, -0.45, 0.55], target: [0, 0, 0], width: 160, height: 120)
/// try PNGFile.write(environment.render(camera: camera), to: "/tmp/view.png")
/// ```
public struct Camera: Sendable, Equatable {
    /// Camera position (m, world).
    public var eye: SIMD3<Float>
    /// The point it looks at (m, world).
    public var target: SIMD3<Float>
    /// Which way is up in the image (world); need not be orthogonal to the view direction.
    public var up: SIMD3<Float>
    /// Vertical field of view, degrees.
    public var verticalFieldOfViewDegrees: Float
    public var width: Int
    public var height: Int

    public init(eye: SIMD3<Float>, target: SIMD3<Float>, up: SIMD3<Float> = [0, 0, 1], verticalFieldOfViewDegrees: Float = 50,
                width: Int = 128, height: Int = 96) {
        self.eye = eye
        self.target = target
        self.up = up
        self.verticalFieldOfViewDegrees = verticalFieldOfViewDegrees
        self.width = width
        self.height = height
    }

    /// A view of the table from the front, above.
    public static let tableOverview = Camera(eye: [0, -0.62, 0.62], target: [0, 0, 0], up: [0, 0, 1])

    /// The unit direction (world) of the ray through the centre of pixel (`x`, `y`), row 0 at the top.
    public func rayDirection(x: Int, y: Int) -> SIMD3<Float> {
        let forward = normalize(target - eye)
        var up = self.up
        if abs((forward * normalize(up)).sum()) > 0.999 { up = [0, 1, 0] }
        let right = normalize(cross(forward, up))
        let trueUp = cross(right, forward)
        let halfHeight = tanHalf(verticalFieldOfViewDegrees)
        let halfWidth = halfHeight * Float(width) / Float(height)
        let u = (2 * (Float(x) + 0.5) / Float(width) - 1) * halfWidth
        let v = (1 - 2 * (Float(y) + 0.5) / Float(height)) * halfHeight
        return normalize(forward + u * right + v * trueUp)
    }

    private func tanHalf(_ degrees: Float) -> Float {
        let r = degrees * .pi / 360
        return Float(sin(Double(r)) / cos(Double(r)))
    }
}

@inline(__always) func normalize(_ v: SIMD3<Float>) -> SIMD3<Float> { v / (v * v).sum().squareRoot() }

@inline(__always) func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
