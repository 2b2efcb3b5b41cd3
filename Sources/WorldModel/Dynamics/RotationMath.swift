import CGeometry
#if canImport(Glibc)
import Glibc
#endif

/// Quaternion and SO(3) math on single SIMD values, for hot loops (no allocation): the library's one copy of
/// each formula (exp and log wrap the geometry shim's). Quaternions are (w, x, y, z), body -> world.
public enum RotationMath {
    @inline(__always) static func exp(_ rotationVector: SIMD3<Float>) -> SIMD4<Float> {
        var w = rotationVector, q = SIMD4<Float>()
        withUnsafeMutablePointer(to: &w) { wp in
            withUnsafeMutablePointer(to: &q) { qp in
                wm_so3_exp(UnsafeRawPointer(wp).assumingMemoryBound(to: Float.self),
                           UnsafeMutableRawPointer(qp).assumingMemoryBound(to: Float.self), 1)
            }
        }
        return q
    }

    @inline(__always) static func log(_ quaternion: SIMD4<Float>) -> SIMD3<Float> {
        var q = quaternion, w = SIMD3<Float>()
        withUnsafeMutablePointer(to: &q) { qp in
            withUnsafeMutablePointer(to: &w) { wp in
                wm_so3_log(UnsafeRawPointer(qp).assumingMemoryBound(to: Float.self),
                           UnsafeMutableRawPointer(wp).assumingMemoryBound(to: Float.self), 1)
            }
        }
        return w
    }

    /// Hamilton product a * b.
    @inline(__always) static func multiply(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> SIMD4<Float> {
        SIMD4(a.x * b.x - a.y * b.y - a.z * b.z - a.w * b.w,
              a.x * b.y + a.y * b.x + a.z * b.w - a.w * b.z,
              a.x * b.z - a.y * b.w + a.z * b.x + a.w * b.y,
              a.x * b.w + a.y * b.z - a.z * b.y + a.w * b.x)
    }

    /// The conjugate (w, -x, -y, -z): the inverse rotation of a unit quaternion.
    @inline(__always) public static func conjugate<T: BinaryFloatingPoint & SIMDScalar>(_ q: SIMD4<T>) -> SIMD4<T> {
        SIMD4(q.x, -q.y, -q.z, -q.w)
    }

    @inline(__always) static func normalized(_ q: SIMD4<Float>) -> SIMD4<Float> {
        let n = (q * q).sum().squareRoot()
        let u = q / n
        return u.x < 0 ? -u : u
    }

    /// Rotates `v` by the unit quaternion `q` (w, x, y, z): body -> world for a direction. The one quaternion
    /// rotation formula of the library, in Float or Double: v + 2w (u x v) + 2 u x (u x v), u = (x, y, z).
    ///
    /// ```swift
    /// RotationMath.rotate(SIMD4<Float>(0.7071068, 0, 0, 0.7071068), SIMD3(1, 0, 0))  // ~(0, 1, 0)
    /// ```
    @inline(__always) public static func rotate<T: BinaryFloatingPoint & SIMDScalar>(_ q: SIMD4<T>, _ v: SIMD3<T>) -> SIMD3<T> {
        let u = SIMD3(q.y, q.z, q.w), s = q.x
        let t = 2 * cross(u, v)
        return v + s * t + cross(u, t)
    }

    /// Rotates `v` by the inverse (conjugate) of the unit quaternion `q`: world -> body for a direction.
    @inline(__always) public static func rotateInverse<T: BinaryFloatingPoint & SIMDScalar>(_ q: SIMD4<T>, _ v: SIMD3<T>) -> SIMD3<T> {
        rotate(conjugate(q), v)
    }

    /// Rotates the 3-vector at `v` (three consecutive values) by `q`, in place.
    @inline(__always) static func rotate(_ q: SIMD4<Float>, inPlace v: UnsafeMutablePointer<Float>) {
        let r = rotate(q, SIMD3(v[0], v[1], v[2]))
        v[0] = r.x; v[1] = r.y; v[2] = r.z
    }

    /// The cross product a x b.
    @inline(__always) public static func cross<T: BinaryFloatingPoint & SIMDScalar>(_ a: SIMD3<T>, _ b: SIMD3<T>) -> SIMD3<T> {
        SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
    }

    /// The rotation angle (rad, in [0, pi]) between two orientations.
    @inline(__always) static func angleBetween(_ a: SIMD4<Float>, _ b: SIMD4<Float>) -> Float {
        let d = min(1, abs((a * b).sum()))
        return 2 * acosf(d)
    }

    /// Heading about world z: atan2 of the body x axis in the world xy plane.
    @inline(__always) static func yaw(_ q: SIMD4<Float>) -> Float {
        let w = q.x, x = q.y, y = q.z, z = q.w
        let sinYaw: Float = 2 * (w * z + x * y)
        let cosYaw: Float = 1 - 2 * (y * y + z * z)
        return atan2f(sinYaw, cosYaw)
    }

    /// Rotates v about world z by `angle` (rad).
    @inline(__always) static func rotateZ(_ v: SIMD3<Float>, by angle: Float) -> SIMD3<Float> {
        let c = cosf(angle), s = sinf(angle)
        return SIMD3(c * v.x - s * v.y, s * v.x + c * v.y, v.z)
    }
}
