#if canImport(Glibc)
import Glibc
#endif

/// A pinhole camera: where it is, where it looks, and how pixels map to rays.
///
/// Frames and units: world frame (z up), metres. Pixel (x, y) counts from the top-left corner; its centre is
/// (x + 0.5, y + 0.5). The camera looks along `forward`; `right` is image +x, `down` is image +y. A pixel's ray
/// starts at `position` with a unit direction, so a distance along it is a depth in metres (ray length, not z).
///
/// ```swift
/// let camera = PinholeCamera(lookFrom: [0.8, 0, 0.5], at: [0, 0, 0], fieldOfViewDegrees: 45, width: 128, height: 128)
/// let direction = camera.rayDirection(x: 64, y: 64)
/// let pixel = camera.project([0, 0, 0])   // about (64, 64)
/// ```
public struct PinholeCamera: Sendable, Equatable {
    public var position: SIMD3<Float>
    public var forward: SIMD3<Float>
    public var right: SIMD3<Float>
    public var down: SIMD3<Float>
    public var width: Int
    public var height: Int
    /// Focal length in pixels (the same for x and y).
    public var focalPixels: Float

    /// A camera at `eye` looking at `target`, with `up` as the world's up (z by default) and a vertical field
    /// of view in degrees.
    public init(lookFrom eye: SIMD3<Float>, at target: SIMD3<Float>, up: SIMD3<Float> = [0, 0, 1],
                fieldOfViewDegrees: Float, width: Int, height: Int) {
        position = eye
        forward = normalized(target - eye)
        right = normalized(RotationMath.cross(forward, up))
        down = RotationMath.cross(forward, right)
        self.width = width
        self.height = height
        focalPixels = Float(height) / 2 / tanf(fieldOfViewDegrees * .pi / 360)
    }

    /// The unit direction (world) of the ray through pixel coordinates (x, y); pixel centres are at + 0.5.
    @inline(__always)
    public func rayDirection(x: Float, y: Float) -> SIMD3<Float> {
        let u = (x - Float(width) / 2) / focalPixels, v = (y - Float(height) / 2) / focalPixels
        return normalized(forward + u * right + v * down)
    }

    /// Writes the rays of every pixel centre, row-major from the top-left: `origins` and `directions` get
    /// `width * height * 3` floats each.
    public func writeRays(origins: inout [Float], directions: inout [Float]) {
        origins = [Float](repeating: 0, count: width * height * 3)
        directions = [Float](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                let d = rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                for k in 0..<3 {
                    origins[i + k] = position[k]
                    directions[i + k] = d[k]
                }
            }
        }
    }

    /// The pixel coordinates (x, y) where a world point appears, or nil when it is behind the camera.
    public func project(_ point: SIMD3<Float>) -> SIMD2<Float>? {
        let p = point - position
        let z = dot(p, forward)
        guard z > 1e-6 else { return nil }
        return SIMD2(Float(width) / 2 + focalPixels * dot(p, right) / z, Float(height) / 2 + focalPixels * dot(p, down) / z)
    }

    /// Calls `visit` with the index (`y * width + x`) of every pixel whose centre lies within the projection of a
    /// sphere (world centre, radius m), a disc bounding it; none when the sphere reaches behind the camera.
    public func forEachPixel(coveringSphere centre: SIMD3<Float>, radius: Float, _ visit: (Int) -> Void) {
        let z = dot(centre - position, forward)
        guard z > radius, let pixel = project(centre) else { return }
        let r = focalPixels * radius / (z - radius)
        let x0 = max(0, Int((pixel.x - r).rounded(.down))), x1 = min(width - 1, Int((pixel.x + r).rounded(.up)))
        let y0 = max(0, Int((pixel.y - r).rounded(.down))), y1 = min(height - 1, Int((pixel.y + r).rounded(.up)))
        guard x0 <= x1 && y0 <= y1 else { return }
        for y in y0...y1 {
            for x in x0...x1 {
                let dx = Float(x) + 0.5 - pixel.x, dy = Float(y) + 0.5 - pixel.y
                if dx * dx + dy * dy <= r * r { visit(y * width + x) }
            }
        }
    }

    /// Cameras on a ring around `target`: `count` azimuths starting at `azimuthOffsetDegrees`, at horizontal
    /// distance `radius` (m) and height `height` (m) above the target, all looking at it.
    public static func ring(count: Int, radius: Float, height: Float, target: SIMD3<Float> = .zero,
                            azimuthOffsetDegrees: Float = 0, fieldOfViewDegrees: Float, width: Int, pixelHeight: Int) -> [PinholeCamera] {
        (0..<count).map { i in
            let a = (azimuthOffsetDegrees + 360 * Float(i) / Float(count)) * .pi / 180
            let eye = target + SIMD3(radius * cosf(a), radius * sinf(a), height)
            return PinholeCamera(lookFrom: eye, at: target, fieldOfViewDegrees: fieldOfViewDegrees, width: width, height: pixelHeight)
        }
    }
}

@inline(__always) func dot(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { (a * b).sum() }

@inline(__always) func normalized(_ v: SIMD3<Float>) -> SIMD3<Float> { v / dot(v, v).squareRoot() }

extension PinholeCamera {
    /// `count` cameras around the centroid of objects at `poses` (`N x 7` or `N x 13`, N = `objectCount`): evenly
    /// spaced azimuths from `azimuthOffsetDegrees`, elevations alternating between 35 and 55 degrees, at
    /// `distance` (m) from the centroid, 40 degree field of view. Training and held-out views use different offsets.
    public static func aroundObjects(poses: [Float], objectCount: Int, count: Int, azimuthOffsetDegrees: Float,
                                     distance: Float = 0.5, size: Int) -> [PinholeCamera] {
        let width = poses.count / max(objectCount, 1)
        var centre = SIMD3<Float>.zero
        for i in 0..<objectCount { centre += SIMD3(poses[i * width], poses[i * width + 1], poses[i * width + 2]) }
        centre /= Float(max(objectCount, 1))
        return (0..<count).map { i in
            let azimuth = (azimuthOffsetDegrees + 360 * Float(i) / Float(count)) * .pi / 180
            let elevation: Float = (i % 2 == 0 ? 35 : 55) * .pi / 180
            let eye = centre + distance * SIMD3(cosf(elevation) * cosf(azimuth), cosf(elevation) * sinf(azimuth), sinf(elevation))
            return PinholeCamera(lookFrom: eye, at: centre, fieldOfViewDegrees: 40, width: size, height: size)
        }
    }

    /// One camera at azimuth 210 degrees and elevation 35 around the centroid of `points` (m, world), far enough
    /// (the 40 degree view's half angle, plus 5 cm for the shapes around them, at least 0.5 m) that every point
    /// stays in view: the frames of `wm rollout --render` and the viewer's field inset. Points in one x-z plane (a
    /// planar scene such as dm_control's stacker) are seen from the -y side instead, 15 degrees above it.
    public static func framing(points: [SIMD3<Float>], size: Int) -> PinholeCamera {
        let centre = points.reduce(.zero, +) / Float(max(points.count, 1))
        let radius = points.map { (($0 - centre) * ($0 - centre)).sum().squareRoot() }.max() ?? 0
        let distance = max(0.5, (radius + 0.05) / Float(tan(20.0 * Double.pi / 180)))
        let ys = points.map(\.y)
        if let low = ys.min(), let high = ys.max(), high - low < 0.01, points.count > 1 {
            let elevation: Float = 15 * .pi / 180
            return PinholeCamera(lookFrom: centre + distance * SIMD3(0, -cosf(elevation), sinf(elevation)), at: centre,
                                 fieldOfViewDegrees: 40, width: size, height: size)
        }
        let flat = points.flatMap { [$0.x, $0.y, $0.z] }
        return aroundObjects(poses: flat, objectCount: points.count, count: 1, azimuthOffsetDegrees: 210, distance: distance, size: size)[0]
    }
}
