/// Something that picks the teacher's next action while pushing: a planner with a model, or random actions.
/// `PushEvaluation` drives the MuJoCo teacher with one.
public protocol PushController: AnyObject {
    /// A short name for reports (`learned`, `oracle`, `random`).
    var name: String { get }
    /// Called after the teacher is reset for a new task.
    func begin(task: PushTask, environment: MuJoCoEnvironment)
    /// The next action, given the teacher as it is now (the controller may read its state, not step it).
    func action(environment: MuJoCoEnvironment, goal: PushGoal) throws -> SIMD2<Float>
    /// Called after each executed step with what the teacher then showed.
    func observe(_ observation: Observation)
    /// Milliseconds of planning per control step so far (0 for controllers that do not plan).
    var planningMillisecondsPerStep: Double { get }
}

/// Plans with the learned model from the observed teacher state (tracked into a `DynamicsState` with
/// finite-difference histories of the last steps).
public final class LearnedPushController: PushController {
    public let name = "learned"
    public let planner: Planner<LearnedRolloutModel>
    private var tracker: DynamicsStateTracker

    public init(world: LearnedWorldModel, scene: SceneDescription, configuration: PlannerConfiguration, threads: Int = 1) throws {
        let model = try LearnedRolloutModel(world: world, scene: scene, maxSamples: configuration.samples, threads: threads)
        planner = Planner(model: model, configuration: configuration)
        tracker = DynamicsStateTracker(objectCount: scene.objects.count, historyLength: world.dynamics.historyLength,
                                       dtSeconds: world.dynamics.dtSeconds)
    }

    public func begin(task: PushTask, environment: MuJoCoEnvironment) {
        planner.reset()
        tracker.start(at: environment.observation)
    }

    public func action(environment: MuJoCoEnvironment, goal: PushGoal) throws -> SIMD2<Float> {
        try planner.plan(from: tracker.state, goal: goal)
    }

    public func observe(_ observation: Observation) { tracker.advance(to: observation) }

    public var planningMillisecondsPerStep: Double { planner.planCalls == 0 ? 0 : 1000 * planner.totalSeconds / Double(planner.planCalls) }
}

/// Plans with MuJoCo itself from an exact snapshot of the teacher: the oracle.
public final class OraclePushController: PushController {
    public let name = "oracle"
    public let planner: Planner<MuJoCoRolloutModel>

    public init(scenePath: String, configuration: PlannerConfiguration, threads: Int = 2) throws {
        planner = Planner(model: try MuJoCoRolloutModel(scenePath: scenePath, threads: threads), configuration: configuration)
    }

    public func begin(task: PushTask, environment: MuJoCoEnvironment) { planner.reset() }

    public func action(environment: MuJoCoEnvironment, goal: PushGoal) throws -> SIMD2<Float> {
        try planner.plan(from: environment.simulation.snapshot(), goal: goal)
    }

    public func observe(_ observation: Observation) {}

    public var planningMillisecondsPerStep: Double { planner.planCalls == 0 ? 0 : 1000 * planner.totalSeconds / Double(planner.planCalls) }
}

/// Uniform random actions within the bounds, each held for `holdSteps` control steps: the floor a planner must beat.
public final class RandomPushController: PushController {
    public let name = "random"
    private var rng: SeededRandom
    private let low: SIMD2<Float>, high: SIMD2<Float>
    private let holdSteps: Int
    private var held = SIMD2<Float>.zero
    private var remaining = 0

    public init(actionLow: SIMD2<Float>, actionHigh: SIMD2<Float>, seed: UInt64, holdSteps: Int = 10) {
        rng = SeededRandom(seed: seed)
        low = actionLow
        high = actionHigh
        self.holdSteps = max(1, holdSteps)
    }

    public func begin(task: PushTask, environment: MuJoCoEnvironment) { remaining = 0 }

    public func action(environment: MuJoCoEnvironment, goal: PushGoal) throws -> SIMD2<Float> {
        if remaining == 0 {
            held = SIMD2(Float(rng.uniform(Double(low.x), Double(high.x))), Float(rng.uniform(Double(low.y), Double(high.y))))
            remaining = holdSteps
        }
        remaining -= 1
        return held
    }

    public func observe(_ observation: Observation) {}

    public var planningMillisecondsPerStep: Double { 0 }
}
