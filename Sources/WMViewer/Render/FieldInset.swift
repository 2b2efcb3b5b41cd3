#if Viewer
import WorldModel

/// The neural field's picture of one source's world, for the viewer's inset: the per-object fields volume-rendered
/// at the source's object poses, with the pusher drawn at its position, from a camera that frames them
/// (`PinholeCamera.framing`, as `wm rollout --render`).
///
/// ```swift
/// let inset = FieldInset(fields: try ObjectFieldSet.load(from: "models/push-field.safetensors"), scene: scene)
/// let picture = inset.image(of: learnedSource, size: 128)    // 128 x 128 RGB, top row first
/// ```
/// Volume rendering costs far more than drawing the primitives, so the window re-renders the inset only every
/// `ViewerWindow.insetEveryFrames` frames.
public final class FieldInset {
    public let fields: ObjectFieldSet
    private let scene: SceneDescription
    private let renderer: VolumeRenderer
    /// The pusher's colour, as the viewer draws it.
    static let robotAlbedo = SIMD3<Float>(0.85, 0.20, 0.15)

    public init(fields: ObjectFieldSet, scene: SceneDescription) {
        self.fields = fields
        self.scene = scene
        renderer = fields.makeRenderer()
    }

    /// The field at `source`'s poses, `size` x `size` pixels.
    public func image(of source: any PoseSource, size: Int) -> RGBImage {
        let states = source.objectStates, n = scene.objects.count
        var poses: [Float] = [], points: [SIMD3<Float>] = []
        poses.reserveCapacity(7 * n)
        for i in 0..<n {
            let o = i * objectStateWidth
            poses += states[o..<(o + 7)]
            points.append(source.position(ofObject: i))
        }
        let r = source.robotState
        let robot = SIMD3(r[0], r[1], scene.robot.shapeCentreHeightMeters)
        points.append(robot)
        let camera = PinholeCamera.framing(points: points, size: size)
        var view = renderer.render(camera: camera, fields: fields.placed(poses: poses))
        RobotOverlay.draw(scene.robot, bodyPosition: robot, albedo: Self.robotAlbedo, lighting: renderer.lighting, camera: camera, into: &view)
        return view.image
    }
}
#endif
