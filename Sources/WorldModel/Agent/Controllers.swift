/// Something that picks the teacher's next action while doing a task: a planner with a model, or random actions.
/// `TaskEvaluation` drives the MuJoCo teacher with one.
public protocol Controller: AnyObject {
    /// A short name for reports (`learned`, `oracle`, `random`).
    var name: String { get }
    /// Called after the teacher is reset for a new task.
    func begin(environment: MuJoCoEnvironment)
    /// The next action (nu values of `ctrl`), given the teacher as it is now (read it, do not step it).
    func action(environment: MuJoCoEnvironment, task: any PlanningTask) throws -> [Float]
    /// Called after each executed step with what the teacher then showed.
    func observe(_ observation: Observation)
    /// Milliseconds of planning per control step so far (0 for controllers that do not plan).
    var planningMillisecondsPerStep: Double { get }
}

/// Plans with the learned body dynamics from the observed teacher state (the last H + 1 observed `qpos`).
public final class LearnedController: Controller {
    public let name = "learned"
    public let planner: Planner<LearnedRolloutModel>
    private var tracker: BodyStateTracker

    public init(model: BodyDynamicsModel, configuration: PlannerConfiguration, threads: Int = 1) throws {
        planner = Planner(model: try LearnedRolloutModel(model: model, maxSamples: configuration.samples, threads: threads),
                          configuration: configuration)
        tracker = BodyStateTracker(scene: model.scene, historyLength: model.historyLength)
    }

    public func begin(environment: MuJoCoEnvironment) {
        planner.reset()
        tracker.start(at: environment.observation)
    }

    public func action(environment: MuJoCoEnvironment, task: any PlanningTask) throws -> [Float] {
        try planner.plan(from: tracker.state, task: task)
    }

    public func observe(_ observation: Observation) { tracker.advance(to: observation) }

    public var planningMillisecondsPerStep: Double { planner.millisecondsPerCall }
}

/// Plans with MuJoCo itself from an exact snapshot of the teacher: the oracle.
public final class OracleController: Controller {
    public let name = "oracle"
    public let planner: Planner<MuJoCoRolloutModel>

    public init(scenePath: String, configuration: PlannerConfiguration, threads: Int = 2) throws {
        planner = Planner(model: try MuJoCoRolloutModel(scenePath: scenePath, threads: threads), configuration: configuration)
    }

    public func begin(environment: MuJoCoEnvironment) { planner.reset() }

    public func action(environment: MuJoCoEnvironment, task: any PlanningTask) throws -> [Float] {
        try planner.plan(from: environment.simulation.snapshot(), task: task)
    }

    public func observe(_ observation: Observation) {}

    public var planningMillisecondsPerStep: Double { planner.millisecondsPerCall }
}

/// Uniform random actions within `ctrlrange`, each held for `holdSteps` control steps: the floor a planner must beat.
public final class RandomController: Controller {
    public let name = "random"
    private var rng: SeededRandom
    private let low: [Float], high: [Float]
    private let holdSteps: Int
    private var held: [Float]
    private var remaining = 0

    public init(scene: SceneModel, seed: UInt64, holdSteps: Int = 10) {
        rng = SeededRandom(seed: seed)
        low = scene.ctrlLow
        high = scene.ctrlHigh
        held = low
        self.holdSteps = max(1, holdSteps)
    }

    public func begin(environment: MuJoCoEnvironment) { remaining = 0 }

    public func action(environment: MuJoCoEnvironment, task: any PlanningTask) throws -> [Float] {
        if remaining == 0 {
            for j in held.indices { held[j] = Float(rng.uniform(Double(low[j]), Double(high[j]))) }
            remaining = holdSteps
        }
        remaining -= 1
        return held
    }

    public func observe(_ observation: Observation) {}

    public var planningMillisecondsPerStep: Double { 0 }
}
