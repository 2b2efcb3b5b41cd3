/// Draws a scene at one configuration (`qpos`, nq) as a camera sees it, RGB-D: the primitive geoms ray-cast at
/// the bodies' forward-kinematics poses, or, with neural fields (`wm field train` on this scene: one object per
/// free joint, in MJCF order), the free bodies, the robot bodies with a field of their own (`robotLinks`, at their
/// forward-kinematics poses) and the table volume-rendered, and any other moving body as primitives wherever they
/// are nearer.
///
/// What `LearnedEnvironment.render` draws, and the viewer's field inset; no MuJoCo runs here.
///
/// ```swift
/// let renderer = try BodySceneRenderer(scene: model.scene, fields: try ObjectFieldSet.load(from: "models/push-field.safetensors"))
/// let view = renderer.renderRGBD(camera: .tableOverview, qpos: observation.qpos)
/// ```
/// Not thread-safe (the volume renderer keeps scratch buffers): one per thread.
public final class BodySceneRenderer {
    public let scene: SceneModel
    /// The fields that draw the free bodies, nil when primitives draw everything.
    public let fields: ObjectFieldSet?
    private let kinematics: ForwardKinematics
    /// With fields: their renderer, the free joints' qpos addresses (in the set's object order), the robot links'
    /// bodies (in the set's link order), and every body the fields draw.
    private let fieldDrawing: (renderer: VolumeRenderer, qposAddresses: [Int], links: [Int], bodies: Set<Int>)?

    /// The colour of each geom, when given (e.g. MuJoCo's display colours, `MuJoCoSimulation.displayColor(ofGeom:)`);
    /// nil: the geoms' `rgba`.
    public let colors: [SIMD4<Float>]?

    /// Throws, naming `source` (the fields' file), for fields of another scene or of another number of objects.
    /// `colors`: one per geom of `scene`, or nil for the geoms' own `rgba`.
    public init(scene: SceneModel, fields: ObjectFieldSet? = nil, source: String? = nil, colors: [SIMD4<Float>]? = nil) throws {
        precondition(colors == nil || colors!.count == scene.geoms.count, "BodySceneRenderer: \(colors!.count) colours for \(scene.geoms.count) geoms")
        self.scene = scene
        self.fields = fields
        self.colors = colors
        kinematics = ForwardKinematics(tree: scene.tree)
        if let fields {
            let free = try fields.freeJoints(of: scene, source: source)
            let links = try fields.robotLinks.map { link in
                guard let body = scene.tree.bodyNames.firstIndex(of: link.bodyName) else {
                    throw WorldModelError(file: source, "the fields have a robot link '\(link.bodyName)', scene '\(scene.name)' has no body of that name")
                }
                return body
            }
            fieldDrawing = (fields.makeRenderer(), free.map(\.qposAddress), links, Set(free.map(\.body)).union(links))
        } else {
            fieldDrawing = nil
        }
    }

    /// The image of configuration `qpos` from `camera` (depth 0 where nothing is hit).
    public func renderRGBD(camera: PinholeCamera, qpos: [Float]) -> RGBDImage {
        let (p, q) = kinematics.bodyPoses(qpos: qpos)
        guard let drawing = fieldDrawing, let fields else {
            let placed = PlacedPrimitives(scene: scene, bodyPositions: p, bodyQuaternions: q, colors: colors)
            return RayCastImage.renderRGBD(camera: camera) { origin, direction in placed.nearest(origin: origin, direction: direction) }
        }
        var linkPoses: [Float] = []
        for b in drawing.links {
            linkPoses += p[(3 * b)..<(3 * b + 3)]
            linkPoses += q[(4 * b)..<(4 * b + 4)]
        }
        var view = drawing.renderer.render(camera: camera, fields: fields.placed(poses: drawing.qposAddresses.flatMap { qpos[$0..<($0 + 7)] },
                                                                                 linkPoses: linkPoses))
        let bodies = scene.bodies
        let robot = PlacedPrimitives(scene: scene, bodyPositions: p, bodyQuaternions: q, colors: colors,
                                     including: { !drawing.bodies.contains($0) && !bodies[$0].isStatic })
        guard !robot.primitives.isEmpty else { return view }
        let drawn = RayCastImage.renderRGBD(camera: camera) { origin, direction in robot.nearest(origin: origin, direction: direction) }
        // A robot pixel (depth > 0: a hit) replaces the field's where it is nearer, or where the field saw nothing.
        for i in 0..<(view.width * view.height) where drawn.depth[i] > 0 && !(view.depth[i] > 0 && view.depth[i] <= drawn.depth[i]) {
            view.depth[i] = drawn.depth[i]
            for c in 0..<3 { view.rgb[3 * i + c] = drawn.rgb[3 * i + c] }
        }
        return view
    }
}
