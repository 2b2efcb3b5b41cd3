/// Move an object to a target: push a box to a goal on the table (`push`), bring a box or a ball to a target
/// region on the floor with an arm (`bring`, as dm_control's `bring_ball`, with the target on the floor), or put
/// a box on another (`stack`, as dm_control's `stack_2`: the target moves with the box below, `relativeTo`).
///
/// With p_t the object's origin, r_t the pusher's (the robot's hand), g the target (g_t = target + b_t when the
/// target is relative to body b, whose origin is b_t at step t), and distances measured over
/// `axes` (1 counts an axis, 0 ignores it: a planar push ignores height), the cost of a predicted sequence is
///   Σ_t [ |p_t - g| + approachWeight |r_t - (p_t + standoff u_t)| ] / H + terminalWeight |p_H - g|
/// with u_t the unit vector from the target to the object: the approach term draws the pusher to the far side
/// of the object (seen from the target), where pushing starts; it fades out within 1 cm of the target.
///
/// ```swift
/// let task = MoveObjectTask(name: "push", object: 2, target: SIMD3(0.1, -0.05, 0), pusher: 1, axes: SIMD3(1, 1, 0))
/// let action = try planner.plan(from: state, task: task)
/// ```
public struct MoveObjectTask: PlanningTask, Equatable {
    public var name: String
    /// The object's body (MuJoCo's body index) and its name, for reports.
    public var object: Int
    public var objectName: String
    /// Where its origin should go (m, world; axes not counted are ignored); an offset from `relativeTo`'s origin
    /// when that is set.
    public var target: SIMD3<Float>
    /// A body the target moves with (its MuJoCo body index), e.g. the box to stack on; nil: a fixed target.
    public var relativeTo: Int?
    public var relativeToName: String
    /// The robot body that pushes (``SceneModel/handBodyIndex``).
    public var pusher: Int
    public var axes: SIMD3<Float>
    public var approachWeight: Float
    /// How far beyond the object's origin (m) the push position is: about the object's half-size plus the pusher's.
    public var standoffMeters: Float
    public var terminalWeight: Float
    public var toleranceMeters: Float

    public init(name: String, object: Int, objectName: String = "", target: SIMD3<Float>, pusher: Int, axes: SIMD3<Float> = SIMD3(1, 1, 1),
                approachWeight: Float = 0.3, standoffMeters: Float = 0.045, terminalWeight: Float = 2, toleranceMeters: Float = 0.02,
                relativeTo: Int? = nil, relativeToName: String = "") {
        self.name = name
        self.relativeTo = relativeTo
        self.relativeToName = relativeToName
        self.object = object
        self.objectName = objectName
        self.target = target
        self.pusher = pusher
        self.axes = axes
        self.approachWeight = approachWeight
        self.standoffMeters = standoffMeters
        self.terminalWeight = terminalWeight
        self.toleranceMeters = toleranceMeters
    }

    public var summary: String {
        let t = (0..<3).filter { axes[$0] != 0 }.map { ["x", "y", "z"][$0] + " " + Self.metres(target[$0]) }
        let what = objectName.isEmpty ? "body \(object)" : objectName
        if let relativeTo {
            let base = relativeToName.isEmpty ? "body \(relativeTo)" : relativeToName
            return "\(name) \(what) to \(base) + (\(t.joined(separator: ", "))) within \(Self.metres(toleranceMeters))"
        }
        return "\(name) \(what) to \(t.joined(separator: ", ")) within \(Self.metres(toleranceMeters))"
    }

    public func cost(of trajectories: SampledTrajectories, sample s: Int) -> Float {
        let h = trajectories.horizon
        var total: Float = 0, distance: Float = 0
        for t in 0..<h {
            let p = trajectories.position(sample: s, step: t, body: object)
            let goal = relativeTo.map { target + trajectories.position(sample: s, step: t, body: $0) } ?? target
            let offset = axes * (p - goal)
            distance = (offset * offset).sum().squareRoot()
            var stepCost = distance
            if distance > 0.01 {
                let behind = p + offset / distance * standoffMeters
                let gap = axes * (trajectories.position(sample: s, step: t, body: pusher) - behind)
                stepCost += approachWeight * (gap * gap).sum().squareRoot()
            }
            total += stepCost
        }
        return total / Float(max(h, 1)) + terminalWeight * distance
    }

    public func distance(_ observation: Observation) -> Float {
        let goal = relativeTo.map { target + observation.bodyPositions[$0] } ?? target
        let offset = axes * (observation.bodyPositions[object] - goal)
        return (offset * offset).sum().squareRoot()
    }

    static func metres(_ value: Float) -> String { "\((value * 1000).rounded() / 1000) m" }
}
