#if canImport(Glibc)
import Glibc
#endif

/// Where an agent wants an object: a planar goal position (and optionally a heading), and the cost a planner
/// minimises to get it there.
///
/// The cost of a rolled-out sequence (steps t = 1 ... H, object p_t, robot r_t, goal g):
///   Σ_t [ |p_t - g| + yawWeight |wrap(yaw_t - goalYaw)| + approachWeight |r_t - (p_t - standoff u_t)| ] / H
///   + terminalWeight |p_H - g|
/// with u_t the unit vector from the object to the goal: the approach term draws the robot behind the
/// object (as seen from the goal), which is where pushing starts; it fades out within 1 cm of the goal.
/// Smoothness is the planner's (`PlannerConfiguration.smoothnessWeight`).
///
/// ```swift
/// let goal = PushGoal(objectIndex: 0, position: SIMD2(0.1, -0.05))
/// let action = try planner.plan(from: state, goal: goal)
/// ```
public struct PushGoal: Sendable, Equatable {
    /// The object to move (scene order).
    public var objectIndex: Int
    /// Goal of the object's centre (m, world x and y).
    public var position: SIMD2<Float>
    /// Goal heading (rad, about world z), or nil to ignore orientation.
    public var yaw: Float?
    /// Cost per radian of heading error (only with `yaw`).
    public var yawWeight: Float
    /// Weight of the robot's distance (m) from the push position behind the object.
    public var approachWeight: Float
    /// How far behind the object's centre (m) the push position is: about the object's half-size plus the robot's radius.
    public var standoffMeters: Float
    /// Extra weight on the distance at the end of the horizon.
    public var terminalWeight: Float

    public init(objectIndex: Int, position: SIMD2<Float>, yaw: Float? = nil, yawWeight: Float = 0.02, approachWeight: Float = 0.3,
                standoffMeters: Float = 0.045, terminalWeight: Float = 2) {
        self.objectIndex = objectIndex
        self.position = position
        self.yaw = yaw
        self.yawWeight = yawWeight
        self.approachWeight = approachWeight
        self.standoffMeters = standoffMeters
        self.terminalWeight = terminalWeight
    }

    /// The cost of sample `s` of `trajectories` (lower is better; +inf for a diverged rollout).
    public func cost(of trajectories: SampledTrajectories, sample s: Int) -> Float {
        let h = trajectories.horizon, i = objectIndex
        var total: Float = 0
        var distance: Float = 0
        for t in 0..<h {
            let p = trajectories.position(sample: s, step: t, object: i)
            let offset = SIMD2(p.x, p.y) - position
            distance = (offset * offset).sum().squareRoot()
            var stepCost = distance
            if let yaw {
                stepCost += yawWeight * abs(Self.wrap(trajectories.yaw(sample: s, step: t, object: i) - yaw))
            }
            if distance > 0.01 {
                let behind = SIMD2(p.x, p.y) + offset / distance * standoffMeters
                let r = trajectories.robotPosition(sample: s, step: t)
                let gap = SIMD2(r.x, r.y) - behind
                stepCost += approachWeight * (gap * gap).sum().squareRoot()
            }
            total += stepCost
        }
        let cost = total / Float(max(h, 1)) + terminalWeight * distance
        return cost.isFinite ? cost : .infinity
    }

    /// An angle wrapped into (-π, π].
    @inline(__always) static func wrap(_ angle: Float) -> Float {
        var a = fmodf(angle + .pi, 2 * .pi)
        if a < 0 { a += 2 * .pi }
        return a - .pi
    }
}
