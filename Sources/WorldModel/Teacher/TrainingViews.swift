@preconcurrency import CMuJoCo
#if canImport(Glibc)
import Glibc
#endif

/// How wm's views are lit: one directional light plus ambient, Lambertian surfaces, no shadows, and a flat
/// background colour for rays that hit nothing. The ray-cast teacher and the field renderer share it.
///
/// A surface point with albedo `a` and unit normal `n` (world) has colour `a * (ambient + diffuse * max(0, n . towardsLight))`.
public struct ViewLighting: Sendable, Equatable, Codable {
    /// Unit vector from a surface towards the light (world frame).
    public var towardsLight: SIMD3<Float>
    public var ambient: Float
    public var diffuse: Float
    /// RGB in [0, 1] of rays that miss everything.
    public var background: SIMD3<Float>

    public init(towardsLight: SIMD3<Float>, ambient: Float, diffuse: Float, background: SIMD3<Float>) {
        self.towardsLight = normalized(towardsLight)
        self.ambient = ambient
        self.diffuse = diffuse
        self.background = background
    }

    /// The lighting of every wm view: a light above and to one side, so box faces differ in brightness.
    public static let standard = ViewLighting(towardsLight: [0.4, 0.3, 1.0], ambient: 0.35, diffuse: 0.65, background: [0.60, 0.70, 0.85])

    /// The shaded colour of a surface with `albedo` and unit world `normal`.
    @inline(__always)
    public func shade(albedo: SIMD3<Float>, normal: SIMD3<Float>) -> SIMD3<Float> {
        albedo * (ambient + diffuse * max(0, dot(normal, towardsLight)))
    }
}

/// The table of a scene: the plane z = `heightMeters`, a rectangle of half-size `halfExtentsMeters` (x, y)
/// centred at the origin (0 = unbounded, as MuJoCo's plane size), with albedo `rgb`. Rays see it only from above.
public struct TableDescription: Sendable, Equatable, Codable {
    public var heightMeters: Float
    public var halfExtentsMeters: SIMD2<Float>
    public var rgb: SIMD3<Float>

    public init(heightMeters: Float, halfExtentsMeters: SIMD2<Float>, rgb: SIMD3<Float>) {
        self.heightMeters = heightMeters
        self.halfExtentsMeters = halfExtentsMeters
        self.rgb = rgb
    }

    /// The ray parameter where a ray meets the table from above, or nil.
    @inline(__always)
    public func intersect(origin: SIMD3<Float>, direction: SIMD3<Float>) -> Float? {
        guard direction.z < -1e-9 else { return nil }
        let t = (heightMeters - origin.z) / direction.z
        guard t > 0 else { return nil }
        let x = origin.x + t * direction.x, y = origin.y + t * direction.y
        if halfExtentsMeters.x > 0 && abs(x) > halfExtentsMeters.x { return nil }
        if halfExtentsMeters.y > 0 && abs(y) > halfExtentsMeters.y { return nil }
        return t
    }
}

/// An RGB-D image: `rgb[(y * width + x) * 3 + c]` in [0, 1] (linear, as shaded) and `depth[y * width + x]`,
/// the distance in metres along the pixel's unit ray to the first surface, 0 where the ray hits nothing.
public struct RGBDImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    public var rgb: [Float]
    public var depth: [Float]

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        rgb = [Float](repeating: 0, count: width * height * 3)
        depth = [Float](repeating: 0, count: width * height)
    }

    /// The 8-bit colour image.
    public var image: RGBImage { RGBImage(width: width, height: height, rgb: rgb) }
}

/// One view for training or evaluating a field: a camera, the objects' poses (`N x 7`: position (m, world),
/// quaternion (w, x, y, z)), the robot's body pose (`linkPoses`, 7 values, the same layout; empty when not
/// recorded), and the teacher's RGB-D image of the scene at those poses (with or without the robot in it:
/// `RayCastRenderer.includesRobot`).
public struct TrainingView: Sendable {
    public var camera: PinholeCamera
    public var objectPoses: [Float]
    public var linkPoses: [Float]
    public var image: RGBDImage

    public init(camera: PinholeCamera, objectPoses: [Float], linkPoses: [Float] = [], image: RGBDImage) {
        self.camera = camera
        self.objectPoses = objectPoses
        self.linkPoses = linkPoses
        self.image = image
    }
}

/// A recorded frame to view: the objects' states (`N x 13`, or `N x 7` poses) and the robot's recorded state
/// (`robotStateWidth` values, position first; empty: the robot stays where the simulation has it).
public struct FieldFrame: Sendable, Equatable {
    public var objectStates: [Float]
    public var robotState: [Float]

    public init(objectStates: [Float], robotState: [Float] = []) {
        self.objectStates = objectStates
        self.robotState = robotState
    }

    /// Frame `f` of a recorded episode.
    public init(_ episode: Episode, frame f: Int) {
        let objects = episode.objectCount * objectStateWidth, robot = episode.robotStates.count / max(episode.frameCount, 1)
        self.init(objectStates: Array(episode.objectStates[(f * objects)..<((f + 1) * objects)]),
                  robotState: Array(episode.robotStates[(f * robot)..<((f + 1) * robot)]))
    }
}

/// The teacher's camera: RGB-D images of a MuJoCo scene by ray casting (`mj_ray`) against its geoms, with the
/// geoms' colours and `ViewLighting` shading. By default the robot is left out (rays pass through it), so views
/// show the table and the objects; with `includesRobot` it is in the picture, as a camera sees it and as a field
/// set with a robot link (`ObjectFieldSet.robotLinks`) is trained.
///
/// ```swift
/// let sim = try MuJoCoSimulation(path: "scenes/push.xml")
/// let renderer = RayCastRenderer(simulation: sim)
/// let camera = PinholeCamera(lookFrom: [0.6, 0, 0.5], at: .zero, fieldOfViewDegrees: 50, width: 128, height: 128)
/// let view = renderer.render(camera: camera)   // at the simulation's current state
/// ```
public final class RayCastRenderer {
    public let simulation: MuJoCoSimulation
    public let lighting: ViewLighting
    /// The scene's table (its first plane geom).
    public let table: TableDescription
    private let robotBodyID: Int32
    /// The free-object view of the simulation's scene.
    public let scene: SceneDescription
    /// The robot body's shape (its first geom) in the body frame, for a field of the robot link.
    public let robotLink: RobotLinkShape
    /// The colour (r, g, b) of the robot's first geom, for whoever draws the robot (`RobotOverlay`).
    public var robotAlbedo: SIMD3<Float> { SIMD3(robotLink.rgba[0], robotLink.rgba[1], robotLink.rgba[2]) }
    /// When true, rays hit the robot too, so it hides what is behind it (a camera's view); when false (training
    /// views of the objects), rays pass through it.
    public var includesRobot = false

    /// Throws for a scene without free objects (the renderer places them).
    public init(simulation: MuJoCoSimulation, lighting: ViewLighting = .standard) throws {
        self.simulation = simulation
        self.lighting = lighting
        let m = simulation.model.pointee
        var table = TableDescription(heightMeters: 0, halfExtentsMeters: .zero, rgb: [0.5, 0.5, 0.5])
        for g in 0..<Int(m.ngeom) where m.geom_type[g] == Int32(mjGEOM_PLANE.rawValue) {
            table = TableDescription(
                heightMeters: Float(m.geom_pos[3 * g + 2]),
                halfExtentsMeters: SIMD2(Float(m.geom_size[3 * g]), Float(m.geom_size[3 * g + 1])),
                rgb: SIMD3(Float(m.geom_rgba[4 * g]), Float(m.geom_rgba[4 * g + 1]), Float(m.geom_rgba[4 * g + 2])))
            break
        }
        self.table = table
        scene = try simulation.scene
        robotBodyID = mj_name2id(simulation.model, Int32(mjOBJ_BODY.rawValue), scene.robot.name)
        var link = RobotLinkShape(bodyName: scene.robot.name, shape: scene.robot.shape, halfExtentsMeters: scene.robot.halfExtentsMeters,
                                  rgba: [0.5, 0.5, 0.5, 1], centreMeters: .zero)
        for g in 0..<Int(m.ngeom) where m.geom_bodyid[g] == robotBodyID {
            link.rgba = (0..<4).map { Float(m.geom_rgba[4 * g + $0]) }
            link.centreMeters = SIMD3(Float(m.geom_pos[3 * g]), Float(m.geom_pos[3 * g + 1]), Float(m.geom_pos[3 * g + 2]))
            link.quaternion = SIMD4(Float(m.geom_quat[4 * g]), Float(m.geom_quat[4 * g + 1]), Float(m.geom_quat[4 * g + 2]), Float(m.geom_quat[4 * g + 3]))
            break
        }
        robotLink = link
    }

    /// Places the objects at `poses` (`N x 7`, or `N x 13` object states whose velocities are ignored) and, when
    /// `robotState` is given (its recorded position first, as `Episode.robotStates`), the robot's slide joints at
    /// that position's x and y.
    public func place(poses: [Float], robotState: [Float] = []) throws {
        let n = scene.objects.count
        let width = poses.count / max(n, 1)
        for i in 0..<n {
            let o = i * width
            try simulation.setObject(i, position: SIMD3(Double(poses[o]), Double(poses[o + 1]), Double(poses[o + 2])),
                                 quaternion: SIMD4(Double(poses[o + 3]), Double(poses[o + 4]), Double(poses[o + 5]), Double(poses[o + 6])))
        }
        if robotState.count >= 2 { try simulation.setRobotJoints([Double(robotState[0]), Double(robotState[1])]) }
    }

    /// The robot body's pose in the simulation now (7 values: position (m, world), quaternion w x y z).
    public var robotPose: [Float] {
        mj_forward(simulation.model, simulation.data)
        let d = simulation.data.pointee, b = Int(robotBodyID)
        return (0..<3).map { Float(d.xpos[3 * b + $0]) } + (0..<4).map { Float(d.xquat[4 * b + $0]) }
    }

    /// Renders the scene at the simulation's current state.
    public func render(camera: PinholeCamera) -> RGBDImage {
        let model = simulation.model, data = simulation.data
        mj_forward(model, data)
        var out = RGBDImage(width: camera.width, height: camera.height)
        var origin = [Double](repeating: 0, count: 3), direction = [Double](repeating: 0, count: 3)
        for k in 0..<3 { origin[k] = Double(camera.position[k]) }
        var geom: Int32 = -1
        for y in 0..<camera.height {
            for x in 0..<camera.width {
                let d = camera.rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                for k in 0..<3 { direction[k] = Double(d[k]) }
                let t = mj_ray(model, data, origin, direction, nil, 1, includesRobot ? -1 : robotBodyID, &geom)
                let p = y * camera.width + x
                var colour = lighting.background
                if t >= 0 && geom >= 0 {
                    let hit = camera.position + Float(t) * d
                    let normal = surfaceNormal(geom: Int(geom), at: hit)
                    let g = Int(geom)
                    let albedo = SIMD3(Float(model.pointee.geom_rgba[4 * g]), Float(model.pointee.geom_rgba[4 * g + 1]),
                                       Float(model.pointee.geom_rgba[4 * g + 2]))
                    colour = lighting.shade(albedo: albedo, normal: normal)
                    out.depth[p] = Float(t)
                }
                for k in 0..<3 { out.rgb[3 * p + k] = colour[k] }
            }
        }
        return out
    }

    /// Renders one view per (frame, camera) pair; each view records the objects' and the robot's poses.
    public func views(frames: [FieldFrame], cameras: [PinholeCamera]) throws -> [TrainingView] {
        var views: [TrainingView] = []
        for frame in frames {
            try place(poses: frame.objectStates, robotState: frame.robotState)
            let n = scene.objects.count, width = frame.objectStates.count / max(n, 1)
            var compact = [Float](repeating: 0, count: n * 7)
            for i in 0..<n { for k in 0..<7 { compact[i * 7 + k] = frame.objectStates[i * width + k] } }
            let robot = robotPose
            for camera in cameras {
                views.append(TrainingView(camera: camera, objectPoses: compact, linkPoses: robot, image: render(camera: camera)))
            }
        }
        return views
    }

    /// Renders one view per (poses, camera) pair, the robot where the simulation has it.
    public func views(poses: [[Float]], cameras: [PinholeCamera]) throws -> [TrainingView] {
        try views(frames: poses.map { FieldFrame(objectStates: $0) }, cameras: cameras)
    }

    /// The outward unit normal (world) of geom `g` at a surface point `p` (world).
    private func surfaceNormal(geom g: Int, at p: SIMD3<Float>) -> SIMD3<Float> {
        let m = simulation.model.pointee, d = simulation.data.pointee
        let centre = SIMD3(Float(d.geom_xpos[3 * g]), Float(d.geom_xpos[3 * g + 1]), Float(d.geom_xpos[3 * g + 2]))
        // geom_xmat is row-major geom -> world: columns are the geom's axes in the world.
        var axes = [SIMD3<Float>](repeating: .zero, count: 3)
        for c in 0..<3 {
            axes[c] = SIMD3(Float(d.geom_xmat[9 * g + c]), Float(d.geom_xmat[9 * g + 3 + c]), Float(d.geom_xmat[9 * g + 6 + c]))
        }
        let r = p - centre
        let local = SIMD3(dot(r, axes[0]), dot(r, axes[1]), dot(r, axes[2]))
        let size = SIMD3(Float(m.geom_size[3 * g]), Float(m.geom_size[3 * g + 1]), Float(m.geom_size[3 * g + 2]))
        let n = PrimitiveSurface.normal(type: Int32(m.geom_type[g]), size: size, localPoint: local)
        return normalized(n.x * axes[0] + n.y * axes[1] + n.z * axes[2])
    }
}

/// Outward normals of MuJoCo primitives in their own frame: pure functions of the geom type, size and point.
enum PrimitiveSurface {
    static func normal(type: Int32, size: SIMD3<Float>, localPoint p: SIMD3<Float>) -> SIMD3<Float> {
        switch type {
        case Int32(mjGEOM_PLANE.rawValue):
            return [0, 0, 1]
        case Int32(mjGEOM_SPHERE.rawValue), Int32(mjGEOM_ELLIPSOID.rawValue):
            return p
        case Int32(mjGEOM_CAPSULE.rawValue):
            return SIMD3(p.x, p.y, p.z - min(max(p.z, -size.y), size.y))
        case Int32(mjGEOM_CYLINDER.rawValue):
            let radial = (p.x * p.x + p.y * p.y).squareRoot() / size.x, axial = abs(p.z) / size.y
            return axial > radial ? SIMD3(0, 0, p.z < 0 ? -1 : 1) : SIMD3(p.x, p.y, 0)
        default:  // box
            let q = SIMD3(abs(p.x), abs(p.y), abs(p.z)) / size
            if q.x >= q.y && q.x >= q.z { return SIMD3(p.x < 0 ? -1 : 1, 0, 0) }
            if q.y >= q.z { return SIMD3(0, p.y < 0 ? -1 : 1, 0) }
            return SIMD3(0, 0, p.z < 0 ? -1 : 1)
        }
    }
}

extension RayCastRenderer {
    /// Views of recorded frames: `camerasPerFrame` cameras of `size` x `size` pixels around each frame's objects
    /// (`PinholeCamera.aroundObjects`), at an azimuth offset drawn from `seed`, so training and held-out view sets
    /// built with different seeds differ.
    public func views(frames: [FieldFrame], camerasPerFrame: Int, size: Int, seed: UInt64, distance: Float = 0.5) throws -> [TrainingView] {
        var rng = SeededRandom(seed: seed)
        let n = scene.objects.count
        return try frames.flatMap { frame in
            let cameras = PinholeCamera.aroundObjects(poses: frame.objectStates, objectCount: n, count: camerasPerFrame,
                                                      azimuthOffsetDegrees: Float(rng.uniform(0, 360)), distance: distance, size: size)
            return try views(frames: [frame], cameras: cameras)
        }
    }

    /// Views of recorded object states alone (`N x 13` or `N x 7` each), the robot where the simulation has it.
    public func views(frames: [[Float]], camerasPerFrame: Int, size: Int, seed: UInt64, distance: Float = 0.5) throws -> [TrainingView] {
        try views(frames: frames.map { FieldFrame(objectStates: $0) }, camerasPerFrame: camerasPerFrame, size: size, seed: seed, distance: distance)
    }
}
