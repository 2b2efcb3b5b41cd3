import CGeometry
#if canImport(Glibc)
import Glibc
#endif

/// SIMD wrappers over the geometry shim's quaternion and SO(3) functions, for single values in hot loops
/// (no allocation). Quaternions are (w, x, y, z), body -> world.
enum RotationMath {
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

    @inline(__always) static func conjugate(_ q: SIMD4<Float>) -> SIMD4<Float> { SIMD4(q.x, -q.y, -q.z, -q.w) }

    @inline(__always) static func normalized(_ q: SIMD4<Float>) -> SIMD4<Float> {
        let n = (q * q).sum().squareRoot()
        let u = q / n
        return u.x < 0 ? -u : u
    }

    /// Rotates v by q.
    @inline(__always) static func rotate(_ q: SIMD4<Float>, _ v: SIMD3<Float>) -> SIMD3<Float> {
        let u = SIMD3(q.y, q.z, q.w), s = q.x
        let t = 2 * cross(u, v)
        return v + s * t + cross(u, t)
    }

    @inline(__always) static func cross(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> SIMD3<Float> {
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
