#if Viewer
#if canImport(Glibc)
import Glibc
#endif
import WorldModel

/// A 4x4 single-precision matrix in OpenGL's column-major order, for view, projection and model transforms.
///
/// ```swift
/// let view = Matrix4.lookAt(eye: [1, 0, 1], target: .zero, up: [0, 0, 1])
/// let clip = Matrix4.perspective(fovYRadians: .pi / 4, aspect: 16 / 9, near: 0.01, far: 10) * view * SIMD4(0, 0, 0, 1)
/// ```
public struct Matrix4: Sendable, Equatable {
    public var columns: (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>)

    public init(_ c0: SIMD4<Float>, _ c1: SIMD4<Float>, _ c2: SIMD4<Float>, _ c3: SIMD4<Float>) {
        columns = (c0, c1, c2, c3)
    }

    public static let identity = Matrix4([1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1])

    /// The 16 values column after column, as `glLoadMatrixf` takes them.
    public var elements: [Float] {
        let (a, b, c, d) = columns
        return [a.x, a.y, a.z, a.w, b.x, b.y, b.z, b.w, c.x, c.y, c.z, c.w, d.x, d.y, d.z, d.w]
    }

    public static func * (m: Matrix4, v: SIMD4<Float>) -> SIMD4<Float> {
        m.columns.0 * v.x + m.columns.1 * v.y + m.columns.2 * v.z + m.columns.3 * v.w
    }

    public static func * (a: Matrix4, b: Matrix4) -> Matrix4 {
        Matrix4(a * b.columns.0, a * b.columns.1, a * b.columns.2, a * b.columns.3)
    }

    public static func == (a: Matrix4, b: Matrix4) -> Bool { a.elements == b.elements }

    /// A camera at `eye` looking at `target`, with `up` pointing up on screen (gluLookAt).
    public static func lookAt(eye: SIMD3<Float>, target: SIMD3<Float>, up: SIMD3<Float>) -> Matrix4 {
        let f = normalized(target - eye)
        let s = normalized(RotationMath.cross(f, up))
        let u = RotationMath.cross(s, f)
        return Matrix4(SIMD4(s.x, u.x, -f.x, 0), SIMD4(s.y, u.y, -f.y, 0), SIMD4(s.z, u.z, -f.z, 0),
                       SIMD4(-dot(s, eye), -dot(u, eye), dot(f, eye), 1))
    }

    /// A perspective projection (gluPerspective): vertical field of view, width / height, clip distances (m).
    public static func perspective(fovYRadians: Float, aspect: Float, near: Float, far: Float) -> Matrix4 {
        let f = 1 / tanf(fovYRadians / 2)
        return Matrix4(SIMD4(f / aspect, 0, 0, 0), SIMD4(0, f, 0, 0),
                       SIMD4(0, 0, (far + near) / (near - far), -1), SIMD4(0, 0, 2 * far * near / (near - far), 0))
    }

    /// An orthographic projection onto a `width` x `height` pixel grid, x right and y down from the top-left
    /// corner (for on-screen text).
    public static func pixels(width: Float, height: Float) -> Matrix4 {
        Matrix4(SIMD4(2 / width, 0, 0, 0), SIMD4(0, -2 / height, 0, 0), SIMD4(0, 0, -1, 0), SIMD4(-1, 1, 0, 1))
    }

    /// The rigid transform of a body at `position` (m, world) with orientation `quaternion` (w, x, y, z).
    /// The columns of the rotation are the body axes rotated into the world.
    public static func pose(position p: SIMD3<Float>, quaternion q: SIMD4<Float>) -> Matrix4 {
        let u = q / (q * q).sum().squareRoot()
        let x = RotationMath.rotate(u, SIMD3(1, 0, 0)), y = RotationMath.rotate(u, SIMD3(0, 1, 0))
        let z = RotationMath.rotate(u, SIMD3(0, 0, 1))
        return Matrix4(SIMD4(x, 0), SIMD4(y, 0), SIMD4(z, 0), SIMD4(p, 1))
    }
}

@inline(__always) func dot(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }

@inline(__always) func normalized(_ v: SIMD3<Float>) -> SIMD3<Float> { v / dot(v, v).squareRoot() }
#endif
