/// Reach a point with a body: the hand's origin to `target`.
///
/// Cost of a predicted sequence: Σ_t |r_t - g| / H + terminalWeight |r_H - g|.
///
/// ```swift
/// let task = ReachTask(body: scene.handBodyIndex!, target: SIMD3(0.2, 0, 0.3))
/// ```
public struct ReachTask: PlanningTask, Equatable {
    public var body: Int
    public var bodyName: String
    public var target: SIMD3<Float>
    public var terminalWeight: Float
    public var toleranceMeters: Float

    public init(body: Int, bodyName: String = "", target: SIMD3<Float>, terminalWeight: Float = 2, toleranceMeters: Float = 0.02) {
        self.body = body
        self.bodyName = bodyName
        self.target = target
        self.terminalWeight = terminalWeight
        self.toleranceMeters = toleranceMeters
    }

    public var name: String { "reach" }
    public var summary: String {
        "reach (\(MoveObjectTask.metres(target.x)), \(MoveObjectTask.metres(target.y)), \(MoveObjectTask.metres(target.z))) with \(bodyName.isEmpty ? "body \(body)" : bodyName) within \(MoveObjectTask.metres(toleranceMeters))"
    }

    public func cost(of trajectories: SampledTrajectories, sample s: Int) -> Float {
        let h = trajectories.horizon
        var total: Float = 0, distance: Float = 0
        for t in 0..<h {
            let d = trajectories.position(sample: s, step: t, body: body) - target
            distance = (d * d).sum().squareRoot()
            total += distance
        }
        return total / Float(max(h, 1)) + terminalWeight * distance
    }

    public func distance(_ observation: Observation) -> Float {
        let d = observation.bodyPositions[body] - target
        return (d * d).sum().squareRoot()
    }
}
