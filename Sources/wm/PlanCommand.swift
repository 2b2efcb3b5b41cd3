import ArgumentParser
import FoundationEssentials
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

extension PlannerMethod: ExpressibleByArgument {}
extension TaskKind: ExpressibleByArgument {}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Do tasks in any MuJoCo scene, planning with the learned model, with MuJoCo itself (oracle), and at random.",
        discussion: """
            For each of --tasks tasks (task k starts where the teacher's episode k of --seed starts; the goal is drawn \
            from the same seed), the MuJoCo teacher executes the actions of each controller: `learned` plans with the \
            body-graph model (CEM or MPPI, receding horizon, replanning from the observed state every control step), \
            `oracle` plans the same way with MuJoCo itself as the model (with --oracle-samples samples, since every \
            sample is a real simulation), `random` acts at random. Actions are the scene's ctrl vector, bounded by each \
            actuator's ctrlrange. With --observe camera, `learned-camera` runs the learned planner on what a camera \
            filter (wm track's) estimates from 64x64 RGB-D frames of the teacher instead of on MuJoCo's state.

            Tasks: push (a free-object scene: a random object 15-25 cm to a goal, every other goal behind another \
            object; success within 2 cm, held for --hold control steps, as for every task), bring (an arm scene: the ball or a box 10-20 cm along the floor; within \
            3 cm), stack (an arm scene: a box onto the nearest other, as dm_control's stack_2; within 2 cm), reach (the             hand 10-20 cm away; within 2 cm). Default: push on a free-object scene, else bring.

            Examples:
              wm plan --model models/push-bodies.safetensors --scene scenes/push.xml --tasks 20 --seed 7 --json
              wm plan --model models/stacker.safetensors --scene /tmp/dmc/dm_control/suite/stacker.xml --task bring --samples 64 --horizon 20
              wm plan --model models/push-bodies.safetensors --scene scenes/push.xml --profile
              wm plan --model models/push-bodies.safetensors --scene scenes/push.xml --observe camera --field models/push-field.safetensors --controllers learned
            """)

    @Option(help: "Body-dynamics checkpoint (.safetensors, from wm train --graph bodies).")
    var model: String

    @Option(help: "Scene MJCF file (the one the model was trained on).")
    var scene: String

    @Option(help: "Task: push, bring, stack or reach (default: push on a free-object scene, else bring).")
    var task: TaskKind?

    @Option(help: "Number of tasks.")
    var tasks: Int = 20

    @Option(help: "Seed of the tasks' starts and goals and of the planners' noise.")
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

    @Option(help: "Threads for the learned model's batch (the samples are split between them, one OpenBLAS thread each).")
    var threads: Int = 2

    @Option(help: "Threads (each with its own MuJoCo data) for the oracle's rollouts.")
    var oracleThreads: Int = 2

    @Option(help: "Time limit per task, seconds of simulated time.")
    var timeLimit: Double = 6

    @Option(help: "Control steps a task must stay solved for to succeed (an object rolling through its target does not count).")
    var hold: Int = 10

    @Option(help: "Comma-separated controllers to run, from learned, oracle, random.")
    var controllers: String = "learned,oracle,random"

    @Option(help: "What the learned planner starts each step from: state (MuJoCo's qpos) or camera (adds learned-camera: the same planner on the estimate of a camera filter, as wm track, beside the state-based learned).")
    var observe: ObservationSource = .state

    @Option(help: "With --observe camera: the neural field checkpoint of the scene's objects.")
    var field: String?

    @Option(help: "With --observe camera: the scene camera to see through.")
    var camera: String = "table_view"

    @Option(help: "With --observe camera: standard deviation of the depth noise, millimetres.")
    var depthNoiseMm: Double = 2

    enum ObservationSource: String, ExpressibleByArgument { case state, camera }

    @Flag(help: "Print the summary as JSON.")
    var json = false

    @Flag(help: "Instead of the tasks: time 40 planning steps of the learned planner on task 1, split by stage inside the model's steps.")
    var profile = false

    func validate() throws {
        guard tasks >= 1 && tasks <= 100_000 else { throw ValidationError("--tasks must be between 1 and 100000") }
        guard horizon >= 1, samples >= 2, oracleSamples >= 2 else { throw ValidationError("--horizon >= 1, --samples and --oracle-samples >= 2") }
        try require(timeLimit.isFinite && timeLimit > 0 && timeLimit <= 86_400, "--time-limit must be a positive number of seconds up to a day, got \(timeLimit)")
        try require(hold >= 1 && hold <= 100_000, "--hold must be between 1 and 100000 control steps")
        try require((iterations ?? 1) >= 1 && (iterations ?? 1) <= 1000, "--iterations must be between 1 and 1000")
        try require(threads >= 1 && threads <= 1024 && oracleThreads >= 1 && oracleThreads <= 1024, "--threads and --oracle-threads must be between 1 and 1024")
        try require(horizon <= 10_000 && samples <= 1_000_000 && oracleSamples <= 1_000_000, "--horizon must be at most 10000, --samples and --oracle-samples at most 1000000")
        if observe == .camera {
            try require(field != nil, "--observe camera needs --field (the scene's neural fields)")
            try require(controllerNames.contains("learned"), "--observe camera runs beside the learned controller: keep learned in --controllers")
        }
        try require(depthNoiseMm.isFinite && depthNoiseMm >= 0 && depthNoiseMm <= 1000, "--depth-noise-mm must be between 0 and 1000")
        let known = Set(["learned", "oracle", "random"])
        for name in controllerNames where !known.contains(name) { throw ValidationError("unknown controller '\(name)' (learned, oracle, random)") }
    }

    var controllerNames: [String] { controllers.split(separator: ",").map { String($0.filter { $0 != " " }) } }

    func run() throws {
        // Parallelism comes from --threads over the batch; OpenBLAS's own threads fight them on 2 cores.
        BLASThreads.set(1)
        let teacher = try MuJoCoEnvironment(scenePath: scene)
        let kind = task ?? TaskKind.default(for: teacher.sceneModel)
        let configuration = PlannerConfiguration(method: planner, horizon: horizon, samples: samples,
                                                 iterations: iterations ?? (planner == .cem ? 2 : 1), seed: seed)
        var oracleConfiguration = configuration
        oracleConfiguration.samples = oracleSamples
        oracleConfiguration.eliteCount = max(2, oracleSamples / 8)
        let evaluation = TaskEvaluation(kind: kind, seed: seed, count: tasks,
                                        timeLimitSteps: max(1, Int((timeLimit / teacher.sceneModel.controlDtSeconds).rounded())), holdSteps: hold)
        _ = try evaluation.start(0, environment: teacher)  // a scene that cannot pose this task fails before any model loads

        let body = controllerNames.contains("learned") || profile ? try learnedModel(for: teacher.sceneModel) : nil
        if profile, let body { return try runProfile(teacher: teacher, evaluation: evaluation, configuration: configuration, model: body) }

        var names = controllerNames
        var cameraController: CameraController?
        var view: PinholeCamera?
        if observe == .camera, let field, let body, let index = names.firstIndex(of: "learned") {
            let fields = try ObjectFieldSet.load(from: field)
            let filter = try TrackingFilter(model: body, fields: fields, threads: threads, fieldSource: field)
            view = try teacher.simulation.sceneCamera(named: camera, width: 64, height: 64)
            cameraController = CameraController(inner: try LearnedController(model: body, configuration: configuration, threads: threads),
                                                filter: filter)
            names.insert("learned-camera", at: index + 1)
        }
        var summaries: [TaskEvaluation.Summary] = []
        for name in names {
            let controller: any Controller
            switch name {
            case "learned-camera": controller = cameraController!
            case "learned": controller = try LearnedController(model: body!, configuration: configuration, threads: threads)
            case "oracle": controller = try OracleController(scenePath: scene, configuration: oracleConfiguration, threads: oracleThreads)
            default: controller = RandomController(scene: teacher.sceneModel, seed: seed)
            }
            // Only the camera planner's steps render frames (the teacher's observations carry them while it runs).
            try teacher.observeCameras(name == "learned-camera" ? [view!] : [], depthNoiseMeters: Float(depthNoiseMm / 1000), seed: seed)
            let progress = ProgressBar(total: tasks, label: name)
            let summary = try evaluation.run(controller: controller, environment: teacher) { k, outcome in
                progress.update(k + 1, status: "task \(k + 1) (\(outcome.task)): \(outcome.success ? "reached" : "missed") at \(formatCentimetres(outcome.finalDistanceMeters)) after \(outcome.steps) steps")
            }
            progress.finish(tasks, status: "\(Int((100 * summary.successRate).rounded()))% reached")
            summaries.append(summary)
        }

        if json {
            let report = PlanReport(
                scene: teacher.sceneModel.name, task: kind.rawValue,
                success_rate: Dictionary(uniqueKeysWithValues: summaries.map { ($0.controller, $0.successRate) }),
                final_distance_m: Dictionary(uniqueKeysWithValues: summaries.map { ($0.controller, $0.meanFinalDistanceMeters) }),
                plan_ms_per_step: Dictionary(uniqueKeysWithValues: summaries.filter { $0.controller != "random" }.map { ($0.controller, $0.planningMillisecondsPerStep) }),
                planner: planner.rawValue, horizon: horizon, samples: samples, oracle_samples: oracleSamples, threads: threads,
                oracle_threads: oracleThreads, iterations: configuration.iterations, tasks: tasks, time_limit_s: timeLimit, hold_steps: hold,
                observe: observe.rawValue,
                camera_median_position_error_mm: cameraController.map { 1000 * Double($0.medianPositionError) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            if let cameraController {
                print("learned-camera plans from a \(camera) 64x64 RGB-D filter (depth noise \(depthNoiseMm) mm): median body position error \((cameraController.medianPositionError * 10000).rounded() / 10) mm over \(cameraController.positionErrors.count) body-steps")
            }
            print("\(tasks) \(kind.rawValue) tasks in '\(teacher.sceneModel.name)', \(planner.rawValue), horizon \(horizon), \(configuration.iterations) iteration(s) per step; learned \(samples) samples on \(threads) thread(s), oracle \(oracleSamples) samples (each a MuJoCo rollout) on \(oracleThreads)")
            for s in summaries {
                let timing = s.controller == "random" ? "" : ", planning \((s.planningMillisecondsPerStep * 10).rounded() / 10) ms/step"
                print("\(s.controller) success \(Int((100 * s.successRate).rounded()))%, mean final distance \(formatCentimetres(Float(s.meanFinalDistanceMeters)))\(timing)")
            }
        }
    }
}

extension PlanCommand {
    /// The learned model, checked against the scene and the planner's batch against the memory, before any task.
    func learnedModel(for sceneModel: SceneModel) throws -> BodyDynamicsModel {
        let body = try BodyDynamicsModel.load(from: model)
        guard body.scene == sceneModel else {
            throw WorldModelError(file: model, "was trained on scene '\(body.scene.name)', not on \(scene) ('\(sceneModel.name)')")
        }
        let layout = body.layout, latent = body.configuration.latentWidth
        let perSample = (layout.nodesPerEnvironment + layout.maxEdgesPerEnvironment) * (latent * 8 + 64) * 4
            + horizon * (sceneModel.nq + sceneModel.bodies.count * 7) * 4
        try ResourceBudget.checkMemory(bytes: ResourceBudget.product(samples, perSample), for: "planning with \(samples) samples x \(horizon) steps")
        return body
    }

    /// Times the learned planner on task 1: 20 planning steps to warm up, then 40 timed, with the model's own
    /// stage timing (inside its steps) switched on.
    func runProfile(teacher: MuJoCoEnvironment, evaluation: TaskEvaluation, configuration: PlannerConfiguration, model: BodyDynamicsModel) throws {
        let controller = try LearnedController(model: model, configuration: configuration, threads: threads)
        let task = try evaluation.start(0, environment: teacher)
        controller.begin(environment: teacher)
        for _ in 0..<20 { controller.observe(try teacher.step(action: try controller.action(environment: teacher, task: task))) }
        let planner = controller.planner
        planner.resetTiming()
        for runner in planner.model.runners { runner.timing = BodyStepTiming() }
        let cpuStart = processCPUSeconds()
        for _ in 0..<40 { controller.observe(try teacher.step(action: try controller.action(environment: teacher, task: task))) }
        let cpu = 1000 * (processCPUSeconds() - cpuStart) / 40
        let stages = planner.model.runners.compactMap(\.timing).reduce(BodyStepTiming(), +)
        let calls = Double(planner.planCalls), perStep = planner.millisecondsPerCall, rollout = 1000 * planner.rolloutSeconds / calls
        print("planning (\(configuration.method.rawValue), horizon \(configuration.horizon), \(configuration.samples) samples on \(threads) thread(s), \(configuration.iterations) iteration(s)): \(ms(perStep)) ms per control step (wall clock, steps 21-60 of task 1; \(ms(cpu)) ms of process CPU time), of which rollouts \(ms(rollout)) ms, planner loops (sampling, costs, update) \(ms(perStep - rollout)) ms")
        print("inside the model's steps, summed over its \(planner.model.runners.count) thread(s), per control step: graph building \(ms(1000 * stages.graphSeconds / calls)) ms, network \(ms(1000 * stages.networkSeconds / calls)) ms, decode + integrate \(ms(1000 * stages.integrationSeconds / calls)) ms; \(ms(Double(stages.edges) / Double(max(stages.environmentSteps, 1)))) edges per graph")
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
    var scene: String
    var task: String
    var success_rate: [String: Double]
    var final_distance_m: [String: Double]
    var plan_ms_per_step: [String: Double]
    var planner: String
    var horizon: Int
    var samples: Int
    var oracle_samples: Int
    var threads: Int
    var oracle_threads: Int
    var iterations: Int
    var tasks: Int
    var time_limit_s: Double
    var hold_steps: Int
    var observe: String
    var camera_median_position_error_mm: Double?
}

private func formatCentimetres(_ meters: Float) -> String {
    let tenths = Int((meters * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10) cm"
}
