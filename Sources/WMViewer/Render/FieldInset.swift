#if Viewer
import WorldModel

/// The neural field's picture of one source's world, for the viewer's inset: the per-object fields volume-rendered
/// at the source's free-body and robot poses (the robot by its link's field, or its primitives for fields without one:
/// `BodySceneRenderer`, as
/// `LearnedEnvironment.render` draws), from a camera that frames the moving bodies (`PinholeCamera.framing`, as
/// `wm rollout --render`).
///
/// ```swift
/// let inset = try FieldInset(fields: try ObjectFieldSet.load(from: "models/push-field.safetensors"), scene: scene)
/// let picture = inset.image(of: learnedSource, size: 128)    // 128 x 128 RGB, top row first
/// ```
/// Volume rendering costs far more than drawing the primitives, so the window re-renders the inset only every
/// `ViewerWindow.insetEveryFrames` frames.
public final class FieldInset {
    public var fields: ObjectFieldSet { renderer.fields! }
    private let renderer: BodySceneRenderer
    private let moving: [Int]

    /// Throws, naming `source` (the fields' file), for fields of another scene or another number of objects.
    public init(fields: ObjectFieldSet, scene: SceneModel, source: String? = nil) throws {
        renderer = try BodySceneRenderer(scene: scene, fields: fields, source: source)
        moving = scene.movingBodyIndices.filter { $0 != 0 }
    }

    /// The field at `source`'s poses, `size` x `size` pixels.
    public func image(of source: any PoseSource, size: Int) -> RGBImage {
        let seen = source.observation
        let camera = PinholeCamera.framing(points: moving.map { seen.bodyPositions[$0] }, size: size)
        return renderer.renderRGBD(camera: camera, qpos: seen.qpos).image
    }
}
#endif
