/// One RGB-D frame seen by a camera whose pose and intrinsics are known: what a tracker compares its
/// rendering with.
///
/// Layout: `image` has the camera's `width x height` pixels (`RGBDImage`: RGB in [0, 1], depth in metres along
/// each pixel's unit ray, 0 where the ray hits nothing). A frame is checked once by `validated(source:)`.
public struct CameraFrame: Sendable, Equatable {
    public var camera: PinholeCamera
    public var image: RGBDImage
    /// Per pixel (`width x height`), the depth (m) of a surface known to be there that is not a tracked body (the
    /// robot, from its measured joints), `.infinity` where there is none; a pixel whose observed surface is that
    /// one is not compared. Nil when nothing is known.
    public var occluderDepth: [Float]?

    public init(camera: PinholeCamera, image: RGBDImage, occluderDepth: [Float]? = nil) {
        self.camera = camera
        self.image = image
        self.occluderDepth = occluderDepth
    }

    /// Throws, naming `source`, when the image is not the camera's size or holds a value that is not finite, a
    /// negative depth or a colour outside [0, 1].
    public func validate(source: String) throws {
        guard image.width == camera.width && image.height == camera.height
                && image.rgb.count == 3 * camera.width * camera.height && image.depth.count == camera.width * camera.height else {
            throw WorldModelError(file: source, "frame is \(image.width)x\(image.height) but its camera is \(camera.width)x\(camera.height)")
        }
        if let i = image.depth.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw WorldModelError(file: source, "depth at pixel (\(i % image.width), \(i / image.width)) is \(image.depth[i]): depths must be finite and >= 0 (0 = no return)")
        }
        if let occluderDepth, occluderDepth.count != camera.width * camera.height {
            throw WorldModelError(file: source, "occluder depths hold \(occluderDepth.count) values for \(camera.width * camera.height) pixels")
        }
        if let i = image.rgb.firstIndex(where: { !$0.isFinite || $0 < 0 || $0 > 1 }) {
            throw WorldModelError(file: source, "colour at pixel (\(i / 3 % image.width), \(i / 3 / image.width)) is \(image.rgb[i]): colours must be in [0, 1]")
        }
    }
}
