/// The median and range of a benchmark's rounds.
public struct RoundStatistics: Codable, Sendable, Equatable {
    public var median: Double
    public var min: Double
    public var max: Double
    public var rounds: Int

    public init(_ values: [Double]) {
        let sorted = values.sorted()
        rounds = sorted.count
        median = sorted.isEmpty ? .nan : sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
        min = sorted.first ?? .nan
        max = sorted.last ?? .nan
    }
}

/// What `wm bench planner` reports: the code an agent runs, timed where it runs.
///
/// Rounds alternate between the three measurements (planner, learned environment, MuJoCo environment), so load
/// on a shared machine falls on all of them alike; each figure is the median and range of its rounds.
public struct PlannerBenchmarkReport: Codable, Sendable {
    public var model: String
    public var scene: String
    public var task: String
    public var method: String
    public var samples: Int
    public var horizon: Int
    public var iterations: Int
    /// Threads of the planner's `LearnedRolloutModel` (OpenBLAS on one), and of nothing else.
    public var threads: Int
    /// Wall-clock milliseconds of `Planner.plan` per control step (sampling, the model's rollouts, costs, update),
    /// replanning from the MuJoCo teacher's observed state while the teacher executes the plan.
    public var planMillisecondsPerStep: RoundStatistics
    /// The part of it inside `LearnedRolloutModel.rollout` (samples x horizon learned steps).
    public var rolloutMillisecondsPerStep: RoundStatistics
    /// Learned graph-steps per second inside those rollouts (samples x horizon x iterations per plan call).
    public var rolloutGraphStepsPerSecond: RoundStatistics
    /// Milliseconds of one `LearnedEnvironment.step` and one `MuJoCoEnvironment.step` (a control step of
    /// `controlSubsteps` physics steps) on the same scene, batch 1, one thread each.
    public var learnedEnvironmentStepMilliseconds: RoundStatistics
    public var mujocoEnvironmentStepMilliseconds: RoundStatistics

    enum CodingKeys: String, CodingKey {
        case model, scene, task, method, samples, horizon, iterations, threads
        case planMillisecondsPerStep = "plan_ms_per_step"
        case rolloutMillisecondsPerStep = "rollout_ms_per_step"
        case rolloutGraphStepsPerSecond = "rollout_graph_steps_per_second"
        case learnedEnvironmentStepMilliseconds = "learned_environment_step_ms"
        case mujocoEnvironmentStepMilliseconds = "mujoco_environment_step_ms"
    }
}

/// Times the planner an agent runs (`Planner` over `LearnedRolloutModel`, as `wm plan` and `LearnedController`
/// use it) and the two environments' `step`, in alternating rounds. Nothing here copies the code it times.
public enum PlannerBenchmark {
    /// Measures `model` on the scene at `scenePath`: task 0 of `seed` (the scene's default task kind), `rounds`
    /// rounds of `stepsPerRound` control steps each, after `warmupSteps` untimed planning steps.
    public static func run(model: BodyDynamicsModel, modelName: String, scenePath: String, configuration: PlannerConfiguration,
                           threads: Int, rounds: Int = 5, stepsPerRound: Int = 10, warmupSteps: Int = 3, seed: UInt64 = 7,
                           progress: (Int, Int) -> Void = { _, _ in }) throws -> PlannerBenchmarkReport {
        guard rounds >= 1, stepsPerRound >= 1 else { throw WorldModelError("a benchmark needs at least one round of one step") }
        let teacher = try MuJoCoEnvironment(scenePath: scenePath)
        guard model.scene == teacher.sceneModel else {
            throw WorldModelError(file: modelName, "was trained on scene '\(model.scene.name)', not on \(scenePath) ('\(teacher.sceneModel.name)')")
        }
        let kind = TaskKind.default(for: teacher.sceneModel)
        let evaluation = TaskEvaluation(kind: kind, seed: seed, count: 1, timeLimitSteps: 1)
        let task = try evaluation.start(0, environment: teacher)
        let controller = try LearnedController(model: model, configuration: configuration, threads: threads)
        let learned = try LearnedEnvironment(model: model, maxBatch: 1, threads: 1)
        controller.begin(environment: teacher)
        for _ in 0..<warmupSteps { controller.observe(try teacher.step(action: try controller.action(environment: teacher, task: task))) }

        let planner = controller.planner
        let perCall = Double(configuration.samples * configuration.horizon * max(1, configuration.iterations))
        var plan: [Double] = [], rollout: [Double] = [], rate: [Double] = [], learnedStep: [Double] = [], mujocoStep: [Double] = []
        for round in 0..<rounds {
            // The planner, replanning every control step while MuJoCo executes its actions.
            planner.resetTiming()
            var actions: [[Float]] = []
            for _ in 0..<stepsPerRound {
                let action = try controller.action(environment: teacher, task: task)
                actions.append(action)
                controller.observe(try teacher.step(action: action))
            }
            let calls = Double(planner.planCalls)
            plan.append(planner.millisecondsPerCall)
            rollout.append(1000 * planner.rolloutSeconds / calls)
            rate.append(perCall * calls / planner.rolloutSeconds)

            // The learned environment, from where the teacher is, replaying the planner's actions.
            _ = try learned.reset(to: teacher.observation)
            let t0 = monotonicSeconds()
            for action in actions { _ = try learned.step(action: action) }
            learnedStep.append(1000 * (monotonicSeconds() - t0) / Double(actions.count))

            // MuJoCo's control step on a copy of the teacher's state, so the task's episode goes on undisturbed.
            let snapshot = teacher.snapshot()
            let t1 = monotonicSeconds()
            for action in actions { _ = try teacher.step(action: action) }
            mujocoStep.append(1000 * (monotonicSeconds() - t1) / Double(actions.count))
            teacher.restore(snapshot)
            progress(round + 1, rounds)
        }
        return PlannerBenchmarkReport(
            model: modelName, scene: teacher.sceneModel.name, task: kind.rawValue, method: configuration.method.rawValue,
            samples: configuration.samples, horizon: configuration.horizon, iterations: max(1, configuration.iterations), threads: threads,
            planMillisecondsPerStep: RoundStatistics(plan), rolloutMillisecondsPerStep: RoundStatistics(rollout),
            rolloutGraphStepsPerSecond: RoundStatistics(rate), learnedEnvironmentStepMilliseconds: RoundStatistics(learnedStep),
            mujocoEnvironmentStepMilliseconds: RoundStatistics(mujocoStep))
    }
}
