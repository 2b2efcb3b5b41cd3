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

/// The robot: a kinematic node whose next state comes from the action.
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
/// Floats per frame in `Episode.robotStates`.
public let robotStateWidth = 6

/// One recorded episode: F frames of N objects and the robot, and the F - 1 actions between them.
public struct Episode: Sendable, Equatable {
    /// F, the number of frames (actions + 1).
    public var frameCount: Int
    /// N, the number of free objects.
    public var objectCount: Int
    /// A, the number of action components.
    public var actionDimension: Int
    /// F x N x 13, row-major: position (3, m, world), quaternion (4, w x y z, body -> world),
    /// linear velocity (3, m/s, world), angular velocity (3, rad/s, world).
    public var objectStates: [Float]
    /// F x 6: robot body position (3, m, world), robot velocity (3, m/s, world).
    public var robotStates: [Float]
    /// (F - 1) x A: the action applied from frame t to frame t + 1 (meaning: `RobotDescription.actionMeaning`).
    public var actions: [Float]
    /// F: the number of MuJoCo contacts at each frame (0 when unknown).
    public var contactCounts: [Int32]

    public init(frameCount: Int, objectCount: Int, actionDimension: Int, objectStates: [Float], robotStates: [Float],
                actions: [Float], contactCounts: [Int32]) {
        self.frameCount = frameCount
        self.objectCount = objectCount
        self.actionDimension = actionDimension
        self.objectStates = objectStates
        self.robotStates = robotStates
        self.actions = actions
        self.contactCounts = contactCounts
    }

    /// Checks that every array has the size the counts imply; throws naming `file` if not.
    public func validate(file: String? = nil) throws {
        let f = frameCount, n = objectCount, a = actionDimension
        guard f >= 1, n >= 0, a >= 0 else { throw WorldModelError(file: file, "episode has \(f) frames, \(n) objects") }
        if objectStates.count != f * n * objectStateWidth {
            throw WorldModelError(file: file, "object states have \(objectStates.count) floats, expected \(f)x\(n)x\(objectStateWidth)")
        }
        if robotStates.count != f * robotStateWidth {
            throw WorldModelError(file: file, "robot states have \(robotStates.count) floats, expected \(f)x\(robotStateWidth)")
        }
        if actions.count != (f - 1) * a {
            throw WorldModelError(file: file, "actions have \(actions.count) floats, expected \(f - 1)x\(a)")
        }
        if contactCounts.count != f {
            throw WorldModelError(file: file, "contact counts have \(contactCounts.count) entries, expected \(f)")
        }
    }
}

/// Which part of a dataset an episode belongs to.
public enum Split: String, Sendable, Codable, CaseIterable {
    case train, valid, test
}
