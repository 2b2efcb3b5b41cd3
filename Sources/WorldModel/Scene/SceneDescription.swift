/// What wm knows about a scene: its free objects, its robot, and its timing.
///
/// Read from an MJCF file by `MuJoCoSimulation`, stored in every dataset header, and used by the learned
/// models (which never load MuJoCo). Conventions of a wm scene:
/// - **objects** are the bodies with a free joint, each with one primitive geom (sphere, box, capsule, cylinder)
///   at the body origin; their order is the MJCF order;
/// - the **robot** is the body of the first actuator's joints, a kinematic node for the learned models;
/// - the table is the plane z = `tableHeightMeters`;
/// - `<custom>` fields: `wm_control_substeps` (physics steps per action, default 10), `wm_action` (what an
///   action means, in words), optionally `wm_drop_height` (min, max start height in m for dropped objects).
public struct SceneDescription: Sendable, Equatable {
    /// The model name from `<mujoco model="...">`.
    public var name: String
    public var objects: [ObjectDescription]
    public var robot: RobotDescription
    /// The number of robot joints (slide joints x, y for the pusher), actuated in order.
    public var robotJointCount: Int
    /// Lower and upper joint limits of the robot joints (m), one pair per joint.
    public var robotJointRange: [ClosedRange<Float>]
    public var physicsDtSeconds: Double
    public var controlSubsteps: Int
    public var tableHeightMeters: Float
    /// When set, objects start between these heights (m) at random orientations and fall.
    public var dropHeightMeters: ClosedRange<Float>?
    /// The MJCF text of the scene.
    public var mjcf: String

    /// Seconds per control step.
    public var controlDtSeconds: Double { physicsDtSeconds * Double(controlSubsteps) }

    public init(name: String, objects: [ObjectDescription], robot: RobotDescription, robotJointCount: Int,
                robotJointRange: [ClosedRange<Float>], physicsDtSeconds: Double, controlSubsteps: Int,
                tableHeightMeters: Float, dropHeightMeters: ClosedRange<Float>?, mjcf: String) {
        self.name = name
        self.objects = objects
        self.robot = robot
        self.robotJointCount = robotJointCount
        self.robotJointRange = robotJointRange
        self.physicsDtSeconds = physicsDtSeconds
        self.controlSubsteps = controlSubsteps
        self.tableHeightMeters = tableHeightMeters
        self.dropHeightMeters = dropHeightMeters
        self.mjcf = mjcf
    }
}

extension ObjectDescription {
    /// The half-height (m) of the object when it rests on the table in its default orientation (local z up).
    public var restingHalfHeightMeters: Float {
        switch shape {
        case .sphere: halfExtentsMeters[0]
        case .box: halfExtentsMeters[2]
        case .capsule: halfExtentsMeters[0] + halfExtentsMeters[1]
        case .cylinder: halfExtentsMeters[1]
        }
    }

    /// The radius (m) of the smallest sphere around the object's centre that contains it.
    public var boundingRadiusMeters: Float {
        let h = halfExtentsMeters
        switch shape {
        case .sphere: return h[0]
        case .box: return (h[0] * h[0] + h[1] * h[1] + h[2] * h[2]).squareRoot()
        case .capsule: return h[0] + h[1]
        case .cylinder: return (h[0] * h[0] + h[1] * h[1]).squareRoot()
        }
    }
}

extension RobotDescription {
    /// A planar action as the actuators apply it: each component clamped to its control range.
    public func clamped(_ action: SIMD2<Float>) -> SIMD2<Float> {
        var out = action
        for k in 0..<min(2, actionDimension) { out[k] = min(max(action[k], actionLow[k]), actionHigh[k]) }
        return out
    }
}
