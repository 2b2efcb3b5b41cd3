@preconcurrency import CMuJoCo
#if canImport(Glibc)
import Glibc
#endif

extension PinholeCamera {
    /// A camera from its pose and focal length: `forward` (viewing direction), `right` (image +x) and `down`
    /// (image +y), unit and orthogonal, world frame.
    public init(position: SIMD3<Float>, forward: SIMD3<Float>, right: SIMD3<Float>, down: SIMD3<Float>,
                focalPixels: Float, width: Int, height: Int) {
        self.init(lookFrom: position, at: position + forward, fieldOfViewDegrees: 45, width: width, height: height)
        self.forward = forward
        self.right = right
        self.down = down
        self.focalPixels = focalPixels
    }
}

/// The cameras an MJCF scene declares (`<camera>` elements, fixed or attached to bodies), as `PinholeCamera`s at
/// the simulation's current state.
///
/// MuJoCo's camera frame looks along its -z with +y up (`cam_xmat`, row-major camera -> world, so its columns are
/// the camera's axes in the world) and `fovy` is the vertical field of view in degrees: image +x is the camera's
/// +x, image +y (down) its -y, the viewing direction its -z.
public struct SceneCamera: Sendable {
    public var name: String
    public var camera: PinholeCamera
}

extension MuJoCoSimulation {
    /// The scene's `<camera>` elements at the current state, `width` x `height` pixels each, in MJCF order;
    /// unnamed cameras are called `camera<i>`.
    public func sceneCameras(width: Int, height: Int) -> [SceneCamera] {
        mj_forward(model, data)
        let m = model.pointee, d = data.pointee
        return (0..<Int(m.ncam)).map { i in
            let name = mj_id2name(model, Int32(mjOBJ_CAMERA.rawValue), Int32(i)).map { String(cString: $0) } ?? "camera\(i)"
            let position = SIMD3(Float(d.cam_xpos[3 * i]), Float(d.cam_xpos[3 * i + 1]), Float(d.cam_xpos[3 * i + 2]))
            func column(_ c: Int) -> SIMD3<Float> {
                SIMD3(Float(d.cam_xmat[9 * i + c]), Float(d.cam_xmat[9 * i + 3 + c]), Float(d.cam_xmat[9 * i + 6 + c]))
            }
            let fovy = Float(m.cam_fovy[i])
            let focal = Float(height) / 2 / tanf(fovy * .pi / 360)
            return SceneCamera(name: name, camera: PinholeCamera(position: position, forward: -column(2), right: column(0), down: -column(1),
                                                                focalPixels: focal, width: width, height: height))
        }
    }

    /// The scene camera called `name`; throws naming the scene and the cameras it has when there is none.
    public func sceneCamera(named name: String, width: Int, height: Int) throws -> PinholeCamera {
        let cameras = sceneCameras(width: width, height: height)
        guard let found = cameras.first(where: { $0.name == name }) else {
            let names = cameras.isEmpty ? "none" : cameras.map(\.name).joined(separator: ", ")
            throw WorldModelError(file: path, "no camera called '\(name)' (the scene's cameras: \(names))")
        }
        return found.camera
    }
}
