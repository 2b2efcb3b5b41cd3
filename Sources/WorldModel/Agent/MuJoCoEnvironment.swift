/// The MuJoCo teacher as an `Environment`: ground-truth physics, the reference every learned model is judged by.
///
/// A reset places objects and robot, then lets contacts settle for `settlePhysicsSteps` with zero action (as the
/// teacher's recordings do). `rollout(actions:)` tries each sequence from a snapshot of the current state and
/// restores it. `snapshot()` / `restore(_:)` expose the full simulation state, e.g. for `MuJoCoRolloutModel`.
///
/// ```swift
/// let teacher = try MuJoCoEnvironment(scenePath: "scenes/push.xml")
/// try teacher.reset(seed: 3)
/// let seen = try teacher.step(action: SIMD2(0.2, 0))
/// ```
/// Not thread-safe (it owns a MuJoCo simulation): one per thread.
public final class MuJoCoEnvironment: Environment {
    public let simulation: MuJoCoSimulation
    public let scene: SceneDescription
    public private(set) var observation: Observation
    /// Physics steps with zero action after a reset.
    public var settlePhysicsSteps = 50
    private var stepCount = 0
    private var lastAction = SIMD2<Float>.zero

    /// Loads the scene's MJCF file.
    public init(scenePath: String) throws {
        simulation = try MuJoCoSimulation(path: scenePath)
        scene = try simulation.scene
        observation = Observation(objects: [], robotPosition: .zero)
        observation = makeObservation()
    }

    @discardableResult
    public func reset(to placement: InitialPlacement) throws -> Observation {
        try simulation.start(from: placement, settlePhysicsSteps: settlePhysicsSteps)
        stepCount = 0
        lastAction = .zero
        observation = makeObservation()
        return observation
    }

    @discardableResult
    public func step(action: SIMD2<Float>) throws -> Observation {
        try simulation.step(action: actuatorCommand(action), substeps: scene.controlSubsteps)
        stepCount += 1
        lastAction = scene.robot.clamped(action)
        observation = makeObservation()
        return observation
    }

    public func rollout(actions: [[SIMD2<Float>]]) throws -> [[Observation]] {
        let saved = snapshot()
        defer { restore(saved) }
        return try actions.map { sequence in
            restore(saved)
            return try sequence.map { try step(action: $0) }
        }
    }

    public func render(camera: PinholeCamera) -> RGBImage {
        RayCastImage.render(camera: camera) { origin, direction in
            guard let hit = simulation.castRay(origin: SIMD3<Double>(origin), direction: SIMD3<Double>(direction)) else { return nil }
            return (Float(hit.distanceMeters), SIMD3(hit.rgba[0], hit.rgba[1], hit.rgba[2]))
        }
    }

    /// The whole simulation state (and this environment's step count and last action) as a value.
    public func snapshot() -> Snapshot {
        Snapshot(simulation: simulation.snapshot(), step: stepCount, lastAction: lastAction)
    }

    /// Returns to a state taken by `snapshot()`.
    public func restore(_ snapshot: Snapshot) {
        simulation.restore(snapshot.simulation)
        stepCount = snapshot.step
        lastAction = snapshot.lastAction
        observation = makeObservation()
    }

    /// A `MuJoCoEnvironment` state: the MuJoCo state plus the step count and last action.
    public struct Snapshot: Sendable, Equatable {
        public var simulation: MuJoCoStateSnapshot
        public var step: Int
        public var lastAction: SIMD2<Float>
    }

    private func actuatorCommand(_ action: SIMD2<Float>) -> [Float] {
        var command = [Float](repeating: 0, count: scene.robot.actionDimension)
        for k in 0..<min(2, command.count) { command[k] = action[k] }
        return command
    }


    private func makeObservation() -> Observation {
        // Cannot fail: `init` resolved the free-object view of this simulation.
        let states = (try? simulation.objectStates()) ?? [], robot = (try? simulation.robotState()) ?? [0, 0, 0, 0, 0, 0]
        let poses = (0..<scene.objects.count).map { i -> ObjectPose in
            let o = i * objectStateWidth
            return ObjectPose(position: SIMD3(states[o], states[o + 1], states[o + 2]),
                              quaternion: SIMD4(states[o + 3], states[o + 4], states[o + 5], states[o + 6]))
        }
        return Observation(objects: poses, robotPosition: SIMD3(robot[0], robot[1], robot[2]), lastAction: lastAction, step: stepCount)
    }
}
