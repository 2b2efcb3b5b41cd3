/// The teacher's policy of one episode, for any `ActionPolicyKind`: a scripted one (`ActionPolicy`, which sees the
/// pusher and the free objects) or the reach policy (`ReachPolicy`, which reads the simulation).
///
/// `TeacherRecorder` records with it and the viewer drives its ground truth with it: seeded from the episode's
/// generator (`MuJoCoEnvironment.startEpisode`), it gives the recorded episode's actions.
///
/// ```swift
/// let teacher = try MuJoCoEnvironment(scenePath: "scenes/push.xml")
/// var rng = try teacher.startEpisode(2, seed: 3)
/// var policy = try TeacherPolicy(kind: .waypoints, simulation: teacher.simulation, rng: &rng)
/// let robot = try teacher.simulation.robotState(), objects = try teacher.simulation.objectStates()
/// let action = policy.action(robotPosition: SIMD2(Double(robot[0]), Double(robot[1])),
///                            objectPositions: [SIMD2(Double(objects[0]), Double(objects[1]))])
/// ```
public struct TeacherPolicy {
    private enum Kind {
        case scripted(ActionPolicy)
        case reach(ReachPolicy)
    }

    private var policy: Kind

    /// Draws the policy's seed from `rng`. Throws, naming the scene's file, for a policy the scene cannot run
    /// (`waypoints` without free objects, `reach` without a hand or objects).
    public init(kind: ActionPolicyKind, simulation: MuJoCoSimulation, rng: inout SeededRandom) throws {
        try Self.check(kind, simulation: simulation)
        let policyRandom = SeededRandom(seed: rng.next())
        if kind == .reach {
            policy = .reach(try ReachPolicy(simulation: simulation, rng: policyRandom))
        } else {
            let model = simulation.sceneModel
            policy = .scripted(ActionPolicy(kind: kind, actionLow: model.ctrlLow, actionHigh: model.ctrlHigh,
                                            controlDtSeconds: model.controlDtSeconds, rng: policyRandom))
        }
    }

    /// Throws, naming the scene's file, when `kind` steers a pusher towards free objects and the scene has none.
    public static func check(_ kind: ActionPolicyKind, simulation: MuJoCoSimulation) throws {
        if kind.needsFreeObjects && (try? simulation.scene) == nil {
            throw WorldModelError(file: simulation.path, "policy '\(kind.rawValue)' steers a pusher towards free objects; this scene has none (use smooth, random or still)")
        }
    }

    /// The next action (nu values of `ctrl`). `robotPosition` and `objectPositions`: the pusher's and the free
    /// objects' (x, y) in a free-object scene (the scripted policies that steer read them); zero and empty elsewhere.
    public mutating func action(robotPosition: SIMD2<Double>, objectPositions: [SIMD2<Double>]) -> [Float] {
        switch policy {
        case .scripted(var scripted):
            let action = scripted.action(robotPosition: robotPosition, objectPositions: objectPositions)
            policy = .scripted(scripted)
            return action
        case .reach(var reach):
            let action = reach.action()
            policy = .reach(reach)
            return action
        }
    }
}
