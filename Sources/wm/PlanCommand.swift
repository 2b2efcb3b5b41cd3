import ArgumentParser
import FoundationEssentials
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

extension PlannerMethod: ExpressibleByArgument {}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Push objects to random goals in MuJoCo, planning with the learned model, with MuJoCo itself (oracle), and at random.",
        discussion: """
            For each of --goals tasks (a random placement, object and goal 8-15 cm away, reproducible from --seed), \
            the MuJoCo teacher executes the actions of each controller: `learned` plans with the model (CEM or MPPI, \
            receding horizon, replanning from the observed state every control step), `oracle` plans the same way \
            with MuJoCo itself as the model (with --oracle-samples samples, since every sample is a real simulation), \
            `random` acts at random. Success: the object's centre within 2 cm of its goal within --time-limit seconds.

            Examples:
              wm plan --model models/push.safetensors --scene scenes/push.xml --goals 20 --seed 7 --json
              wm plan --model /tmp/push.safetensors --scene scenes/push.xml --goals 5 --seed 1 --planner cem --controllers learned
            """)

    @Option(help: "Dynamics checkpoint (.safetensors).")
    var model: String

    @Option(help: "Scene MJCF file.")
    var scene: String

    @Option(help: "Number of goals (tasks).")
    var goals: Int = 20

    @Option(help: "Seed of the tasks and the planners' noise.")
    var seed: UInt64 = 7

    @Option(help: "Planner: cem or mppi.")
    var planner: PlannerMethod = .mppi

    @Option(help: "Planning horizon (control steps).")
    var horizon: Int = 25

    @Option(help: "Action sequences per iteration for the learned model.")
    var samples: Int = 256

    @Option(help: "Planner iterations per control step (default: 1 for mppi, 2 for cem).")
    var iterations: Int?

    @Option(help: "Action sequences per iteration for the oracle (each a real MuJoCo rollout).")
    var oracleSamples: Int = 32

    @Option(help: "Threads for the learned model's batch (the samples are split between them, one OpenBLAS thread each; on a machine loaded by other work 1 can be faster).")
    var threads: Int = 2

    @Option(help: "Threads (each with its own MuJoCo data) for the oracle's rollouts.")
    var oracleThreads: Int = 2

    @Option(help: "Time limit per task, seconds of simulated time.")
    var timeLimit: Double = 6

    @Option(help: "Comma-separated controllers to run, from learned, oracle, random.")
    var controllers: String = "learned,oracle,random"

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "Instead of the tasks: time 20 planning steps of the learned planner and split one batch rollout by stage.")
    var profile = false

    func validate() throws {
        guard goals >= 1 else { throw ValidationError("--goals must be at least 1") }
        guard horizon >= 1, samples >= 2, oracleSamples >= 2 else { throw ValidationError("--horizon >= 1, --samples and --oracle-samples >= 2") }
        try require(timeLimit.isFinite && timeLimit > 0 && timeLimit <= 86_400, "--time-limit must be a positive number of seconds up to a day, got \(timeLimit)")
        try require((iterations ?? 1) >= 1, "--iterations must be at least 1")
        try require(threads >= 1 && threads <= 1024 && oracleThreads >= 1 && oracleThreads <= 1024, "--threads and --oracle-threads must be between 1 and 1024")
        try require(horizon < 1_000_000 && samples < Int.max / 2 && oracleSamples < Int.max / 2, "--horizon must be below 1000000, --samples and --oracle-samples below \(Int.max / 2)")
        let known = Set(["learned", "oracle", "random"])
        for name in controllerNames where !known.contains(name) { throw ValidationError("unknown controller '\(name)'") }
    }

    var controllerNames: [String] { controllers.split(separator: ",").map { String($0.filter { $0 != " " }) } }

    func run() throws {
        // Parallelism comes from --threads over the batch; OpenBLAS's own threads fight them on 2 cores.
        BLASThreads.set(1)
        let teacher = try MuJoCoEnvironment(scenePath: scene)
        let tasks = (0..<goals).map { PushTask.sample(for: teacher.scene, seed: seed, index: $0) }
        var configuration = PlannerConfiguration(method: planner, horizon: horizon, samples: samples,
                                                 iterations: iterations ?? (planner == .cem ? 2 : 1), seed: seed)
        configuration.bound(by: teacher.scene.robot)
        var oracleConfiguration = configuration
        oracleConfiguration.samples = oracleSamples
        oracleConfiguration.eliteCount = max(2, oracleSamples / 8)
        let evaluation = PushEvaluation(timeLimitSteps: Int((timeLimit / teacher.scene.controlDtSeconds).rounded()))

        let world = try learnedWorld(for: teacher.scene)
        if profile { return try runProfile(teacher: teacher, task: tasks[0], configuration: configuration, world: world) }

        var summaries: [PushEvaluation.Summary] = []
        for name in controllerNames {
            let controller: any PushController
            switch name {
            case "learned": controller = try LearnedPushController(world: world, scene: teacher.scene, configuration: configuration, threads: threads)
            case "oracle": controller = try OraclePushController(scenePath: scene, configuration: oracleConfiguration, threads: oracleThreads)
            default: controller = RandomPushController(actionLow: configuration.actionLow, actionHigh: configuration.actionHigh, seed: seed)
            }
            let summary = try evaluation.run(tasks: tasks, controller: controller, environment: teacher) { k, outcome in
                writeStandardError("\(name) goal \(k + 1)/\(goals): \(outcome.success ? "reached" : "missed") at \(formatCentimetres(outcome.finalDistanceMeters)) after \(outcome.steps) steps\n")
            }
            summaries.append(summary)
        }

        if json {
            let report = PlanReport(
                success_rate: Dictionary(uniqueKeysWithValues: summaries.map { ($0.controller, $0.successRate) }),
                final_distance_m: Dictionary(uniqueKeysWithValues: summaries.map { ($0.controller, $0.meanFinalDistanceMeters) }),
                plan_ms_per_step: Dictionary(uniqueKeysWithValues: summaries.filter { $0.controller != "random" }.map { ($0.controller, $0.planningMillisecondsPerStep) }),
                planner: planner.rawValue, horizon: horizon, samples: samples, oracle_samples: oracleSamples,
                iterations: configuration.iterations, goals: goals, time_limit_s: timeLimit, tolerance_m: Double(evaluation.toleranceMeters))
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print("\(goals) goals, \(planner.rawValue), horizon \(horizon), \(configuration.iterations) iteration(s) per step; learned \(samples) samples, oracle \(oracleSamples) samples (each a MuJoCo rollout)")
            for s in summaries {
                let timing = s.controller == "random" ? "" : ", planning \((s.planningMillisecondsPerStep * 10).rounded() / 10) ms/step"
                print("\(s.controller) success \(Int((100 * s.successRate).rounded()))%, mean final distance \(formatCentimetres(Float(s.meanFinalDistanceMeters)))\(timing)")
            }
        }
    }
}

extension PlanCommand {
    /// The learned model, checked against the scene and the planner's batch against the memory, before any task.
    func learnedWorld(for scene: SceneDescription) throws -> LearnedWorldModel {
        let world = try LearnedWorldModel.load(dynamics: model)
        try InputCompatibility.check(model: world.dynamics, file: model, runsOn: scene.objects, robot: scene.robot,
                                     controlDtSeconds: scene.controlDtSeconds, source: self.scene)
        let bytes = RolloutMemoryEstimate.bytes(environments: samples, steps: horizon, objects: scene.objects.count,
                                                historyLength: world.dynamics.historyLength, latentWidth: world.dynamics.configuration.latentWidth)
        try ResourceBudget.checkMemory(bytes: bytes, for: "planning with \(samples) samples x \(horizon) steps")
        return world
    }

    /// Times the learned planner on the first task's start state: planning steps, then one batch rollout by stage.
    func runProfile(teacher: MuJoCoEnvironment, task: PushTask, configuration: PlannerConfiguration, world: LearnedWorldModel) throws {
        let controller = try LearnedPushController(world: world, scene: teacher.scene, configuration: configuration, threads: threads)
        try teacher.reset(to: task.placement)
        controller.begin(task: task, environment: teacher)
        let goal = PushGoal(objectIndex: task.objectIndex, position: task.goal)
        for _ in 0..<20 {
            controller.observe(try teacher.step(action: try controller.action(environment: teacher, goal: goal)))
        }
        controller.planner.resetTiming()
        let cpuStart = processCPUSeconds()
        for _ in 0..<40 {
            controller.observe(try teacher.step(action: try controller.action(environment: teacher, goal: goal)))
        }
        let cpu = 1000 * (processCPUSeconds() - cpuStart) / 40
        let planner = controller.planner
        let perStep = 1000 * planner.totalSeconds / Double(planner.planCalls), rollout = 1000 * planner.rolloutSeconds / Double(planner.planCalls)
        var tracker = DynamicsStateTracker(objectCount: teacher.scene.objects.count, historyLength: world.dynamics.historyLength, dtSeconds: world.dynamics.dtSeconds)
        tracker.start(at: teacher.observation)
        let h = configuration.horizon, n = configuration.samples
        var rng = SeededRandom(seed: seed)
        let actions = (0..<(n * h)).map { _ in SIMD2(Float(rng.uniform(-0.3, 0.3)), Float(rng.uniform(-0.3, 0.3))) }
        let single = try LearnedRolloutModel(world: world, scene: teacher.scene, maxSamples: n)
        let p = try single.profile(from: tracker.state, actions: actions, samples: n, horizon: h)
        print("planning (\(configuration.method.rawValue), horizon \(h), \(n) samples, \(configuration.iterations) iteration(s)): \(ms(perStep)) ms per control step (wall clock, steps 21-60 of task 1; \(ms(cpu)) ms of process CPU time), of which rollouts \(ms(rollout)) ms, planner loops (sampling, costs, update) \(ms(perStep - rollout)) ms")
        print("one batch rollout on one thread, split by stage: graph building \(ms(1000 * p.graphBuildingSeconds)) ms, network \(ms(1000 * p.networkSeconds)) ms (\(ms(p.networkGigaflopsPerSecond)) GFLOP/s, \(ms(p.networkFlops / 1e9)) GFLOP), decode + integrate \(ms(1000 * p.integrationSeconds)) ms; \(ms(p.edgesPerGraph)) edges per graph")
    }
}

private func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

private func ms(_ value: Double) -> String { "\((value * 10).rounded() / 10)" }

/// The JSON of `wm plan --json` (snake-case keys, sorted).
struct PlanReport: Encodable {
    var success_rate: [String: Double]
    var final_distance_m: [String: Double]
    var plan_ms_per_step: [String: Double]
    var planner: String
    var horizon: Int
    var samples: Int
    var oracle_samples: Int
    var iterations: Int
    var goals: Int
    var time_limit_s: Double
    var tolerance_m: Double
}

private func formatCentimetres(_ meters: Float) -> String {
    let tenths = Int((meters * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10) cm"
}
