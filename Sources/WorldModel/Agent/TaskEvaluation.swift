/// Runs tasks in the MuJoCo teacher under a controller and scores them: task `k` starts where the teacher's
/// episode `k` of `seed` starts, is drawn by `TaskKind.sample`, and succeeds when the task's distance stays
/// within its tolerance for `holdSteps` consecutive control steps within `timeLimitSteps` (the episode ends
/// there): an object that rolls or falls through the target does not count. The final distance is the distance
/// when the episode ends.
///
/// ```swift
/// let teacher = try MuJoCoEnvironment(scenePath: "scenes/push.xml")
/// let evaluation = TaskEvaluation(kind: .push, seed: 7, count: 20, timeLimitSteps: 300)
/// let summary = try evaluation.run(controller: RandomController(scene: teacher.sceneModel, seed: 7), environment: teacher)
/// print(summary.successRate, summary.meanFinalDistanceMeters)
/// ```
public struct TaskEvaluation: Sendable {
    public var kind: TaskKind
    public var seed: UInt64
    public var count: Int
    public var timeLimitSteps: Int
    /// Consecutive control steps the task must stay solved for (1: touching the target once is enough).
    public var holdSteps: Int

    public init(kind: TaskKind, seed: UInt64, count: Int, timeLimitSteps: Int = 300, holdSteps: Int = 10) {
        self.kind = kind
        self.seed = seed
        self.count = count
        self.timeLimitSteps = timeLimitSteps
        self.holdSteps = max(1, holdSteps)
    }

    /// One task's outcome.
    public struct Outcome: Sendable, Equatable {
        public var task: String
        public var success: Bool
        public var initialDistanceMeters: Float
        public var finalDistanceMeters: Float
        /// Control steps taken.
        public var steps: Int
        /// Planner iterations in which every sample diverged.
        public var allDivergedSteps: Int
    }

    /// All tasks' outcomes under one controller.
    public struct Summary: Sendable, Equatable {
        public var controller: String
        public var outcomes: [Outcome]
        public var planningMillisecondsPerStep: Double
        public var successRate: Double { outcomes.isEmpty ? 0 : Double(outcomes.filter(\.success).count) / Double(outcomes.count) }
        public var meanFinalDistanceMeters: Double {
            outcomes.isEmpty ? 0 : outcomes.reduce(0) { $0 + Double($1.finalDistanceMeters) } / Double(outcomes.count)
        }
    }

    /// Task `index`: the teacher reset to its start, and the task.
    public func start(_ index: Int, environment: MuJoCoEnvironment) throws -> any PlanningTask {
        let seen = try environment.reset(seed: seed, episode: index)
        return try kind.sample(scene: environment.sceneModel, start: seen, seed: seed, index: index)
    }

    /// Runs task `index`.
    public func run(_ index: Int, controller: any Controller, environment: MuJoCoEnvironment) throws -> Outcome {
        try run(task: try start(index, environment: environment), controller: controller, environment: environment)
    }

    /// Runs `task` (any ``PlanningTask``, e.g. your own) from where `environment` is now, with this evaluation's
    /// time limit and hold.
    public func run(task: any PlanningTask, controller: any Controller, environment: MuJoCoEnvironment) throws -> Outcome {
        controller.begin(environment: environment)
        var seen = environment.observation
        let initial = task.distance(seen)
        var distance = initial, steps = 0, allDiverged = 0
        var held = distance <= task.toleranceMeters ? 1 : 0
        while held < holdSteps && steps < timeLimitSteps {
            let action = try controller.action(environment: environment, task: task)
            if (controller as? LearnedController)?.planner.allSamplesDiverged == true { allDiverged += 1 }
            seen = try environment.step(action: action)
            controller.observe(seen)
            distance = task.distance(seen)
            held = distance <= task.toleranceMeters ? held + 1 : 0
            steps += 1
        }
        return Outcome(task: task.summary, success: held >= holdSteps, initialDistanceMeters: initial,
                       finalDistanceMeters: distance, steps: steps, allDivergedSteps: allDiverged)
    }

    /// Runs every task; `progress(k, outcome)` after task k.
    public func run(controller: any Controller, environment: MuJoCoEnvironment,
                    progress: (Int, Outcome) -> Void = { _, _ in }) throws -> Summary {
        var outcomes: [Outcome] = []
        for k in 0..<count {
            let outcome = try run(k, controller: controller, environment: environment)
            outcomes.append(outcome)
            progress(k, outcome)
        }
        return Summary(controller: controller.name, outcomes: outcomes, planningMillisecondsPerStep: controller.planningMillisecondsPerStep)
    }
}
