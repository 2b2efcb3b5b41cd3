/// Runs pushing tasks in the MuJoCo teacher under a controller and scores them: a task succeeds when the
/// object's centre comes within `toleranceMeters` (planar) of its goal within `timeLimitSteps` control steps
/// (the episode ends there); the final distance is the distance when the episode ends.
///
/// ```swift
/// let teacher = try MuJoCoEnvironment(scenePath: "scenes/push.xml")
/// let tasks = (0..<20).map { PushTask.sample(for: teacher.scene, seed: 7, index: $0) }
/// let summary = try PushEvaluation(timeLimitSteps: 300).run(tasks: tasks, controller: controller, environment: teacher)
/// print(summary.successRate, summary.meanFinalDistanceMeters)
/// ```
public struct PushEvaluation: Sendable {
    public var timeLimitSteps: Int
    public var toleranceMeters: Float

    public init(timeLimitSteps: Int = 300, toleranceMeters: Float = 0.02) {
        self.timeLimitSteps = timeLimitSteps
        self.toleranceMeters = toleranceMeters
    }

    /// One task's outcome.
    public struct Outcome: Sendable, Equatable {
        public var success: Bool
        public var finalDistanceMeters: Float
        /// Control steps taken.
        public var steps: Int
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

    /// Runs one task; `goal` turns the task into the planner's cost (defaults: `PushGoal`'s).
    public func run(task: PushTask, controller: any PushController, environment: MuJoCoEnvironment) throws -> Outcome {
        var seen = try environment.reset(to: task.placement)
        controller.begin(task: task, environment: environment)
        let goal = PushGoal(objectIndex: task.objectIndex, position: task.goal)
        var distance = seen.planarDistance(object: task.objectIndex, to: task.goal)
        var steps = 0
        while distance > toleranceMeters && steps < timeLimitSteps {
            let action = try controller.action(environment: environment, goal: goal)
            seen = try environment.step(action: action)
            controller.observe(seen)
            distance = seen.planarDistance(object: task.objectIndex, to: task.goal)
            steps += 1
        }
        return Outcome(success: distance <= toleranceMeters, finalDistanceMeters: distance, steps: steps)
    }

    /// Runs every task; `progress(k)` after task k.
    public func run(tasks: [PushTask], controller: any PushController, environment: MuJoCoEnvironment,
                    progress: (Int, Outcome) -> Void = { _, _ in }) throws -> Summary {
        var outcomes: [Outcome] = []
        for (k, task) in tasks.enumerated() {
            let outcome = try run(task: task, controller: controller, environment: environment)
            outcomes.append(outcome)
            progress(k, outcome)
        }
        return Summary(controller: controller.name, outcomes: outcomes, planningMillisecondsPerStep: controller.planningMillisecondsPerStep)
    }
}
