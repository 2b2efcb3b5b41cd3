// The in-memory layout of recorded trajectories, documented once.
//
// Units and frames (everywhere in wm):
//   positions in metres, world frame (z up, the table top at z = tableHeightMeters, usually 0);
//   quaternions (w, x, y, z), body -> world; linear velocity m/s, world; angular velocity rad/s, world;
//   time in seconds; masses in kg; half-extents in metres, in the object's own frame.
// Per episode: F frames and T = F - 1 actions. Frame t is the state before actions[t]; frame t + 1 the state after it
// (one control step, e.g. 10 MuJoCo physics steps of 2 ms).

/// Primitive shape kinds. Raw values match `wm_shape_kind` in the geometry shim.
public enum ShapeKind: Int32, Sendable, Codable, CaseIterable {
    /// Half-extents: (radius, -, -).
    case sphere = 0
    /// Half-extents: (hx, hy, hz).
    case box = 1
    /// Half-extents: (radius, half-length of the core segment along local z, -).
    case capsule = 2
    /// Half-extents: (radius, half-height along local z, -).
    case cylinder = 3

    /// How far the primitive reaches below its centre along the world's z axis (m), given the world up direction
    /// in its own frame (`up`, unit) and its half-extents: the centre's height minus this is its lowest point.
    @inline(__always)
    public func reachBelowCentre(halfExtents half: [Float], up: SIMD3<Float>) -> Float {
        switch self {
        case .sphere: half[0]
        case .box: abs(up.x) * half[0] + abs(up.y) * half[1] + abs(up.z) * half[2]
        case .capsule: half[0] + abs(up.z) * half[1]
        case .cylinder: abs(up.z) * half[1] + half[0] * max(0, 1 - up.z * up.z).squareRoot()
        }
    }

    /// The name used in files and on the command line.
    public var name: String {
        switch self {
        case .sphere: "sphere"
        case .box: "box"
        case .capsule: "capsule"
        case .cylinder: "cylinder"
        }
    }
}

/// One free object of a scene: its shape, mass and colour. Constant over a dataset.
public struct ObjectDescription: Sendable, Codable, Equatable {
    /// The MuJoCo body name (or a generated name for imported data).
    public var name: String
    public var shape: ShapeKind
    /// Half-extents in metres, 3 values; see `ShapeKind` for their meaning per shape.
    public var halfExtentsMeters: [Float]
    /// Mass in kg; 0 when unknown.
    public var massKg: Float
    /// Colour (r, g, b, a), each in [0, 1].
    public var rgba: [Float]

    public init(name: String, shape: ShapeKind, halfExtentsMeters: [Float], massKg: Float, rgba: [Float]) {
        self.name = name
        self.shape = shape
        self.halfExtentsMeters = halfExtentsMeters
        self.massKg = massKg
        self.rgba = rgba
    }
}

/// The robot of a free-object scene: a kinematic node whose next state comes from the action.
public struct RobotDescription: Sendable, Codable, Equatable {
    public var name: String
    /// The robot's collision shape (e.g. a vertical capsule pusher).
    public var shape: ShapeKind
    public var halfExtentsMeters: [Float]
    /// The height (m, world z) of the robot's shape centre; the recorded robot position has the body origin.
    public var shapeCentreHeightMeters: Float
    /// Number of action components per control step.
    public var actionDimension: Int
    /// What an action means, in words (e.g. "commanded pusher velocity (vx, vy) in m/s, world frame").
    public var actionMeaning: String
    /// Per-component bounds of an action.
    public var actionLow: [Float]
    public var actionHigh: [Float]

    public init(name: String, shape: ShapeKind, halfExtentsMeters: [Float], shapeCentreHeightMeters: Float,
                actionDimension: Int, actionMeaning: String, actionLow: [Float], actionHigh: [Float]) {
        self.name = name
        self.shape = shape
        self.halfExtentsMeters = halfExtentsMeters
        self.shapeCentreHeightMeters = shapeCentreHeightMeters
        self.actionDimension = actionDimension
        self.actionMeaning = actionMeaning
        self.actionLow = actionLow
        self.actionHigh = actionHigh
    }
}

/// Floats per object per frame in `Episode.objectStates`.
public let objectStateWidth = 13
/// Floats per frame in `Episode.robotStates` (when the scene has a free-object robot).
public let robotStateWidth = 6
/// Floats per body per frame in `Episode.bodyPoses`: position (3) and quaternion (4).
public let bodyPoseWidth = 7

/// The sizes of an episode's arrays: everything but the frame count.
public struct EpisodeDimensions: Sendable, Equatable {
    /// N, free objects (0 in a scene without the free-object conventions).
    public var objectCount: Int
    /// Whether the free-object robot's state is recorded (`robotStates`).
    public var hasRobot: Bool
    /// A = nu, the action (`ctrl`) components.
    public var actionDimension: Int
    /// MuJoCo's nq and nv (0 when the generalized state is unknown, e.g. data imported without its scene).
    public var nq: Int
    public var nv: Int
    /// B, the moving bodies whose poses are recorded (`SceneModel.movingBodyIndices`).
    public var bodyCount: Int

    public init(objectCount: Int, hasRobot: Bool, actionDimension: Int, nq: Int = 0, nv: Int = 0, bodyCount: Int = 0) {
        self.objectCount = objectCount
        self.hasRobot = hasRobot
        self.actionDimension = actionDimension
        self.nq = nq
        self.nv = nv
        self.bodyCount = bodyCount
    }

    /// Floats per frame of `robotStates`.
    public var robotWidth: Int { hasRobot ? robotStateWidth : 0 }
}

/// One recorded episode: F frames and the F - 1 actions between them.
///
/// Two views of the same frames are recorded:
/// - the **generalized state**, MuJoCo's own: `qpos` (nq), `qvel` (nv), the action `ctrl` (nu, stored as
///   `actions`) and every moving body's pose, with `mjData`'s meaning, order and units;
/// - the **free-object view** that the free-object models read: each free object's pose and velocities in the
///   world frame (`objectStates`) and the robot body's position and velocity (`robotStates`). It is empty for a
///   scene without free objects (then `objectCount` is 0 and there is no robot state).
public struct Episode: Sendable, Equatable {
    /// F, the number of frames (actions + 1).
    public var frameCount: Int
    /// N, the number of free objects.
    public var objectCount: Int
    /// A, the number of action components (MuJoCo's nu).
    public var actionDimension: Int
    /// F x N x 13, row-major: position (3, m, world), quaternion (4, w x y z, body -> world),
    /// linear velocity (3, m/s, world), angular velocity (3, rad/s, world).
    public var objectStates: [Float]
    /// F x 6, or empty when the scene has no free-object robot: robot body position (3, m, world), robot
    /// velocity (3, m/s, world).
    public var robotStates: [Float]
    /// (F - 1) x A: the action (MuJoCo's `ctrl`) applied from frame t to frame t + 1.
    public var actions: [Float]
    /// F: the number of MuJoCo contacts at each frame (0 when unknown).
    public var contactCounts: [Int32]
    /// F x nq: MuJoCo's `qpos` (free joint: position 3 m world + quaternion 4; ball: quaternion; hinge rad; slide m).
    public var qpos: [Float]
    /// F x nv: MuJoCo's `qvel` (free joint: linear 3 m/s world + angular 3 rad/s **body frame**; ball: angular
    /// body frame; hinge rad/s; slide m/s).
    public var qvel: [Float]
    /// F x B x 7: each moving body's position (3, m, world) and quaternion (4, w x y z, body -> world), MuJoCo's
    /// `xpos`/`xquat`, bodies in `SceneModel.movingBodyIndices` order.
    public var bodyPoses: [Float]

    public init(frameCount: Int, objectCount: Int, actionDimension: Int, objectStates: [Float], robotStates: [Float],
                actions: [Float], contactCounts: [Int32], qpos: [Float] = [], qvel: [Float] = [], bodyPoses: [Float] = []) {
        self.frameCount = frameCount
        self.objectCount = objectCount
        self.actionDimension = actionDimension
        self.objectStates = objectStates
        self.robotStates = robotStates
        self.actions = actions
        self.contactCounts = contactCounts
        self.qpos = qpos
        self.qvel = qvel
        self.bodyPoses = bodyPoses
    }

    /// The sizes this episode's arrays imply (with `nq`, `nv` and `bodyCount` read from the array lengths).
    public var dimensions: EpisodeDimensions {
        let f = max(frameCount, 1)
        return EpisodeDimensions(objectCount: objectCount, hasRobot: !robotStates.isEmpty, actionDimension: actionDimension,
                                 nq: qpos.count / f, nv: qvel.count / f, bodyCount: bodyPoses.count / (f * bodyPoseWidth))
    }

    /// Checks that every array has the size `dimensions` imply for this episode's frame count; throws naming `file` if not.
    public func validate(_ dimensions: EpisodeDimensions, file: String? = nil) throws {
        let f = frameCount, n = dimensions.objectCount, a = dimensions.actionDimension
        guard f >= 1, n >= 0, a >= 0 else { throw WorldModelError(file: file, "episode has \(f) frames, \(n) objects") }
        guard objectCount == n, actionDimension == a else {
            throw WorldModelError(file: file, "episode has \(objectCount) objects and \(actionDimension) action components, expected \(n) and \(a)")
        }
        func check(_ name: String, _ count: Int, _ expected: Int, _ shape: String) throws {
            if count != expected { throw WorldModelError(file: file, "\(name) have \(count) floats, expected \(shape)") }
        }
        try check("object states", objectStates.count, f * n * objectStateWidth, "\(f)x\(n)x\(objectStateWidth)")
        try check("robot states", robotStates.count, f * dimensions.robotWidth, "\(f)x\(dimensions.robotWidth)")
        try check("actions", actions.count, (f - 1) * a, "\(f - 1)x\(a)")
        try check("qpos", qpos.count, f * dimensions.nq, "\(f)x\(dimensions.nq)")
        try check("qvel", qvel.count, f * dimensions.nv, "\(f)x\(dimensions.nv)")
        try check("body poses", bodyPoses.count, f * dimensions.bodyCount * bodyPoseWidth, "\(f)x\(dimensions.bodyCount)x\(bodyPoseWidth)")
        if contactCounts.count != f {
            throw WorldModelError(file: file, "contact counts have \(contactCounts.count) entries, expected \(f)")
        }
    }
}

/// Which part of a dataset an episode belongs to.
public enum Split: String, Sendable, Codable, CaseIterable {
    case train, valid, test
}
