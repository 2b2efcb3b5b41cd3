import ArgumentParser
import FoundationEssentials
import WorldModel

/// `wm bench <kind>`: throughput measurements, as a table or `--json`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure speed: the learned step against MuJoCo, the planner agents run, MLP vs raw sgemm, field rays/s.",
        discussion: """
            step: batch-1 step latency, graph-steps/s of a 256-environment batch, and the learned control step             against MuJoCo's on the same scene (free-object models and presets);
            planner: the planner an agent runs (`Planner` over `LearnedRolloutModel`, as `wm plan`): ms per control             step (--samples x --horizon, MPPI), the rollouts' part and graph-steps/s, beside the learned and the MuJoCo             environment's step, in alternating rounds (a body-graph model, default models/push-bodies.safetensors);
            scaling: time per body per step and buffer bytes on scenes of 8, 32, 128 and 512 free objects (the
            scene's objects, default scenes/clutter.xml, tiled onto a larger table), batch 1 and 4, in alternating
            rounds (median and range), with a fresh-weight model of --model's configuration (default
            models/clutter.safetensors) or --config's preset; one thread unless --threads says more;
            train: optimisation steps per second of `wm train`'s loop (minibatch of the configuration's batch size,
            graph building, forward, MSE, backward, clipping, Adam) on 4 teacher episodes recorded in the run, in
            --repeats windows of 20 steps after 10 warm-up steps (median and range), on --threads data-parallel threads
            as `wm train --threads` runs them (default 1); --config or --model's configuration with fresh weights
            (default gns-peer);
            mlp: MLP 128-128-128 vs raw cblas_sgemm; field: rays/s of the neural field;
            track: frames per second of the camera filter `wm track` runs (the learned prediction, then the tracker's
            correction against a 64x64 RGB-D frame of the scene's table_view camera with 2 mm depth noise), on 2
            episodes of --track-steps (60) steps the teacher records in the run, --repeats rounds (a body-graph model, default
            models/push-bodies.safetensors, and the field, default models/push-field.safetensors; 2 threads);
            all: everything, one JSON.
            --config gns-peer measures the network of ../shared/peers/gns_torch.py (8 objects, every pair connected,
            5 message-passing steps, latent 128, 2 hidden layers, LayerNorm) with fresh weights: speed only. Our graph
            also has the robot node (9 nodes and 64 edges per environment against the peer's 8 and 56).
            step and planner run on 2 threads by default (--threads 1 for one); OpenBLAS itself stays on one.

            Examples:
              wm bench step --config gns-peer --json
              wm bench step --config gns-peer --threads 1
              wm bench step --config gns-peer --precision float32
              wm bench planner --model models/push-bodies.safetensors --scene scenes/push.xml --json
              wm bench planner --model models/stacker.safetensors --scene /tmp/dmc/dm_control/suite/stacker.xml --samples 64 --horizon 20
              wm bench all --model models/push.safetensors --scene scenes/push.xml --json
              wm bench train --config gns-peer --threads 2 --json
              wm bench mlp --json --threads 2
              wm bench scaling --json
              wm bench track --json
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case all, step, planner, train, mlp, field, scaling, track
    }

    @Argument(help: "What to measure: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kind: Kind

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: """
        Threads. step, planner: the learned step's thread team, OpenBLAS on one (default 2); track: the tracker's (default 2); \
        train: data-parallel threads, as wm train --threads (default 1); mlp: OpenBLAS threads (default 1); field: render threads (default 1).
        """)
    var threads: Int?

    private var stepThreads: Int { threads ?? 2 }
    private var otherThreads: Int { threads ?? 1 }

    @Option(help: "Timed samples per measurement (the median is reported).")
    var repeats = 7

    @Option(help: "A dynamics checkpoint to measure (default: models/push.safetensors unless --config is given; planner: models/push-bodies.safetensors).")
    var model: String?

    @Option(help: "Planner only: action sequences per control step.")
    var samples = 256

    @Option(help: "Planner only: planning horizon (control steps).")
    var horizon = 25

    @Option(help: "Planner only: a body-graph checkpoint for `all` (default: models/push-bodies.safetensors).")
    var plannerModel: String?

    @Option(help: "Track only: control steps per recorded episode (2 episodes).")
    var trackSteps = 60

    @Option(help: "A preset to measure with fresh weights instead of a checkpoint (e.g. gns-peer).")
    var config: String?

    @Option(help: "The scene (default: scenes/clutter.xml for gns-peer, else scenes/push.xml).")
    var scene: String?

    @Option(help: "The neural field for `field` (default: models/<scene>-field.safetensors).")
    var field: String?

    @Option(help: """
        How the learned step's products round their inputs: float32, or bfloat16 (AMX tiles, float32 sums). \
        Default: bfloat16 where the CPU has AMX-BF16, else float32 (WM_INFERENCE_PRECISION sets it too). Training stays float32.
        """)
    var precision: ProductPrecision?

    func validate() throws {
        guard (threads ?? 1) >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repeats >= 1 && repeats <= 1000 else { throw ValidationError("--repeats must be between 1 and 1000") }
        guard trackSteps >= 3 && trackSteps <= 100_000 else { throw ValidationError("--track-steps must be between 3 and 100000") }
        guard samples >= 2 && samples <= 100_000, horizon >= 1 && horizon <= 10_000 else {
            throw ValidationError("--samples must be between 2 and 100000 and --horizon between 1 and 10000")
        }
    }

    func run() throws {
        if let precision { ProductPrecision.inference = precision }
        switch kind {
        case .step:
            let report = try stepReport()
            if json { print(try encodeJSON(report)); return }
            printStep(report)
        case .planner:
            let report = try plannerReport(modelPath: model ?? "models/push-bodies.safetensors")
            if json { print(try encodeJSON(report)); return }
            printPlanner(report)
        case .scaling:
            let report = try scalingReport()
            if json { print(try encodeJSON(report)); return }
            printScaling(report)
        case .track:
            let report = try trackReport()
            if json { print(try encodeJSON(report)); return }
            let f = report.framesPerSecond, m = report.millisecondsPerFrame
            print("track on \(report.model) with \(report.field), scene '\(report.scene)', camera \(report.camera) \(report.size)x\(report.size), \(report.bodies) bodies, \(report.iterations) iterations at most, \(report.threads) thread(s); median (range) of \(f.rounds) rounds of \(report.framesPerRound) frames")
            print("  \(fixed(f.median, 1)) (\(fixed(f.min, 1))-\(fixed(f.max, 1))) frames/s, \(fixed(m.median, 1)) ms per frame (predict + correct); median error \(fixed(Double(report.medianPositionErrorMillimetres), 2)) mm, \(fixed(Double(report.medianRotationErrorDegrees), 2)) deg; \(report.lostBodyFrames) body-frames lost, \(report.searches) searches")
        case .train:
            let report = try trainReport()
            if json { print(try encodeJSON(report)); return }
            let r = report, s = r.stepsPerSecond, m = r.millisecondsPerStep
            print("train \(r.config): \(r.objects) objects, M = \(r.messagePassingSteps), latent \(r.latentWidth)\(r.allPairs ? ", all pairs" : ""), \(r.parameters) parameters; batch \(r.batch) graphs of \(r.nodesPerGraph) nodes and \(r.edgesPerGraph) edges; \(r.threads) data-parallel thread(s), OpenBLAS on one each; median (range) of \(s.rounds) windows of \(r.stepsPerWindow) steps")
            print("  \(fixed(s.median, 1)) (\(fixed(s.min, 1))-\(fixed(s.max, 1))) steps/s, \(fixed(m.median, 2)) ms per step, \(Int(r.graphsPerSecond)) graphs/s")
        case .field:
            let report = try fieldReport()
            if json { print(try encodeJSON(report)); return }
            print("field \(report.field): \(Int(report.raysPerSecond)) rays/s, \(Int(report.samplesPerSecond)) samples/s (\(otherThreads) thread(s))")
        case .all:
            let step = try stepReport()
            let mlp = MLPBenchmark.run(widths: [128, 128, 128], threads: otherThreads, repeats: repeats)
            let forward = mlp.filter { $0.pass == "forward" && $0.batch >= 1024 }
            let efficiency = forward.isEmpty ? Double.nan : forward.map(\.ratio).reduce(0, +) / Double(forward.count)
            let field = try fieldReport()
            let planner = try plannerReport(modelPath: plannerModel ?? "models/push-bodies.safetensors")
            let report = AllReport(step_ms_batch1: step.stepMillisecondsBatch1, batch_graph_steps_per_second: step.batchGraphStepsPerSecond,
                                   planner_ms_per_step: planner.planMillisecondsPerStep.median,
                                   learned_control_steps_per_second: step.learnedControlStepsPerSecond,
                                   mujoco_control_steps_per_second: step.mujocoControlStepsPerSecond,
                                   learned_vs_mujoco_ratio: step.learnedControlStepsPerSecond / step.mujocoControlStepsPerSecond,
                                   mlp_gemm_efficiency: efficiency, field_rays_per_second: field.raysPerSecond, config: step,
                                   planner: planner, mlp: mlp)
            if json { print(try encodeJSON(report)); return }
            printStep(step)
            printPlanner(planner)
            print("MLP forward GEMM efficiency at batch >= 1024: \(fixed(efficiency, 2)) of raw sgemm")
            print("field: \(Int(field.raysPerSecond)) rays/s")
        case .mlp:
            let rows = MLPBenchmark.run(widths: [128, 128, 128], threads: otherThreads, repeats: repeats)
            if json {
                struct Report: Encodable { var kind: String; var widths: [Int]; var rows: [MLPBenchmarkRow] }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                let data = try encoder.encode(Report(kind: "mlp", widths: [128, 128, 128], rows: rows))
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("MLP 128-128-128 (ReLU) vs raw cblas_sgemm on the same products, GFLOP/s, median of \(repeats)")
                print(pad("batch", 7) + pad("threads", 9) + pad("pass", 18) + pad("mlp", 9) + pad("sgemm", 9) + pad("ratio", 7))
                for row in rows {
                    print(pad("\(row.batch)", 7) + pad("\(row.threads)", 9) + pad(row.pass, 18)
                        + pad(fixed(row.mlpGflops, 1), 9) + pad(fixed(row.sgemmGflops, 1), 9) + pad(fixed(row.ratio, 2), 7))
                }
            }
        }
    }

    private var scenePath: String { scene ?? (config == "gns-peer" ? "scenes/clutter.xml" : "scenes/push.xml") }

    private func stepReport() throws -> StepBenchmarkReport {
        let (measured, name) = try measuredModel()
        return try StepBenchmark.run(model: measured, configName: name, scenePath: scenePath, repeats: repeats, threads: stepThreads)
    }

    /// `train`: --config's preset (default gns-peer) or --model's configuration, fresh weights either way.
    private func trainReport() throws -> TrainingBenchmarkReport {
        let path = scene ?? (model == nil && config == nil ? "scenes/clutter.xml" : scenePath)
        let (measured, name) = try measuredModel(preset: model == nil ? (config ?? "gns-peer") : config, scenePath: path, freshWeights: true)
        return try TrainingBenchmark.run(model: measured, configName: name, scenePath: path, windows: repeats, threads: otherThreads)
    }

    /// The free-object model to measure: fresh weights of `preset` on the objects of the scene (default --scene's), else --model's
    /// checkpoint (default models/push.safetensors), with its weights or, when `freshWeights`, its configuration.
    private func measuredModel(preset config: String? = nil, scenePath: String? = nil, freshWeights: Bool = false) throws -> (DynamicsModel, String) {
        let config = config ?? self.config
        let scenePath = scenePath ?? self.scenePath
        let measured: DynamicsModel
        let name: String
        if let config {
            guard let preset = DynamicsConfiguration.preset(named: config) else {
                throw ValidationError("--config takes a preset: \(DynamicsConfiguration.presetNames.joined(separator: ", "))")
            }
            let scene = try MuJoCoSimulation(path: scenePath).scene
            measured = DynamicsModel(configuration: preset, objects: scene.objects, robot: scene.robot, dtSeconds: Float(scene.controlDtSeconds),
                                     robotKinematics: RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-0.35, -0.35), upperBound: SIMD2(0.35, 0.35)),
                                     seed: 1)
            name = config
        } else {
            let path = model ?? "models/push.safetensors"
            let loaded = try DynamicsModel.load(from: path)
            if freshWeights {
                measured = DynamicsModel(configuration: loaded.configuration, objects: loaded.trainedObjects, robot: loaded.robot,
                                         dtSeconds: loaded.dtSeconds, robotKinematics: loaded.robotKinematics, seed: 1)
                name = path + " (configuration, fresh weights)"
            } else {
                measured = loaded
                name = path
            }
        }
        return (measured, name)
    }

    /// `scaling`: the configuration of --config's preset, else of --model's checkpoint (weights fresh either way).
    private func scalingReport() throws -> ScalingBenchmarkReport {
        let kinematics: RobotKinematics, configuration: DynamicsConfiguration, name: String
        if let config {
            guard let preset = DynamicsConfiguration.preset(named: config) else {
                throw ValidationError("--config takes a preset: \(DynamicsConfiguration.presetNames.joined(separator: ", "))")
            }
            configuration = preset
            kinematics = RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-0.35, -0.35), upperBound: SIMD2(0.35, 0.35))
            name = config
        } else {
            let path = model ?? "models/clutter.safetensors"
            let checkpoint = try DynamicsModel.load(from: path)
            configuration = checkpoint.configuration
            kinematics = checkpoint.robotKinematics
            name = path + " (configuration, fresh weights)"
        }
        guard configuration.kind != .denseMLP else { throw ValidationError("scaling measures graph networks; the dense baseline has a fixed object count") }
        return try ScalingBenchmark.run(configuration: configuration, configName: name, robotKinematics: kinematics,
                                        templatePath: scene ?? "scenes/clutter.xml", rounds: repeats, threads: threads ?? 1)
    }

    private func printScaling(_ r: ScalingBenchmarkReport) {
        print("\(r.config): M = \(r.messagePassingSteps), latent \(r.latentWidth), \(r.threads) thread(s), bursts of \(r.stepsPerBurst) steps, \(r.bodyStepsPerSample) body-steps a sample, median (range) of \(r.rows.first?.nanosecondsPerBodyStep.rounds ?? 0) alternating rounds")
        print(pad("bodies", 7) + pad("batch", 6) + pad("edges/graph", 12) + pad("ns/body/step", 24) + pad("KiB", 10) + pad("B/body", 8))
        for row in r.rows {
            let s = row.nanosecondsPerBodyStep
            print(pad("\(row.bodies)", 7) + pad("\(row.batch)", 6) + pad("\(row.edgesPerGraph)", 12)
                + pad("\(Int(s.median)) (\(Int(s.min))-\(Int(s.max)))", 24) + pad(fixed(Double(row.workspaceBytes) / 1024, 1), 10) + pad("\(Int(row.workspaceBytesPerBody))", 8))
        }
        for (key, value) in r.growth.sorted(by: { $0.key < $1.key }) { print("growth of time per body per step, \(key): \(fixed(value, 2))x") }
    }

    private func fieldReport() throws -> FieldBenchmarkReport {
        let sceneName = scenePath.split(separator: "/").last.map { String($0.dropLast(4)) } ?? "push"
        let path = field ?? "models/\(sceneName)-field.safetensors"
        BLASThreads.set(1)
        let copies = try (0..<otherThreads).map { _ in try ObjectFieldSet.load(from: path) }
        let teacher = try RayCastRenderer(simulation: try MuJoCoSimulation(path: scenePath))
        teacher.includesRobot = !copies[0].robotLinks.isEmpty
        let recorder = try TeacherRecorder(scenePath: scenePath)
        let frames = try (0..<2).map { try recorder.record(episode: $0, steps: 1, seed: 3, policy: .still).episode.objectStates.prefix((try recorder.scene).objects.count * objectStateWidth).map { $0 } }
        let views = try teacher.views(frames: frames, camerasPerFrame: 2, size: 128, seed: 5)
        let result = FieldThroughput.measure(copies: copies, views: views)
        return FieldBenchmarkReport(field: path, threads: otherThreads, raysPerSecond: result.raysPerSecond, samplesPerSecond: result.samplesPerSecond)
    }

    private func printStep(_ r: StepBenchmarkReport) {
        print("\(r.config): \(r.objects) objects, M = \(r.messagePassingSteps), latent \(r.latentWidth)\(r.allPairs ? ", all pairs" : ""), \(r.parameters) parameters, \(r.threads) thread(s), OpenBLAS on one")
        print("  batch-1 step: \(fixed(r.stepMillisecondsBatch1, 3)) ms")
        print("  batch of \(r.batch): \(Int(r.batchGraphStepsPerSecond)) graph-steps/s")
        if let flops = r.productFlopsPerGraphStep, let fraction = r.batchFractionOfSgemmLimit {
            print("  \(fixed(flops / 1e6, 1)) MFLOP of products per graph-step: \(fixed(r.batchGraphStepsPerSecond * flops / 1e9, 1)) GFLOP/s, \(fixed(100 * fraction, 0))% of sgemm's \(fixed(r.sgemmLimitGflops, 1)) GFLOP/s on \(r.threads) thread(s) (2048^3, this run); products by \(r.productKernel)")
        }
        print("  learned control steps/s \(Int(r.learnedControlStepsPerSecond)) vs MuJoCo \(Int(r.mujocoControlStepsPerSecond)) on the same scene: \(fixed(r.learnedControlStepsPerSecond / r.mujocoControlStepsPerSecond, 2))x")
    }

    /// The planner `wm plan` runs, on a body-graph model, with the progress of its rounds on stderr.
    private func plannerReport(modelPath: String) throws -> PlannerBenchmarkReport {
        BLASThreads.set(1)
        let body = try BodyDynamicsModel.load(from: modelPath)
        let scenePath = scene ?? "scenes/push.xml"
        let configuration = PlannerConfiguration(method: .mppi, horizon: horizon, samples: samples, iterations: 1, seed: 7)
        let progress = ProgressBar(total: repeats, label: "planner")
        let report = try PlannerBenchmark.run(model: body, modelName: modelPath, scenePath: scenePath, configuration: configuration,
                                              threads: stepThreads, rounds: repeats) { done, _ in progress.update(done, status: "round \(done)") }
        progress.finish(repeats, status: "done")
        return report
    }

    private func trackReport() throws -> TrackingBenchmarkReport {
        BLASThreads.set(1)
        let modelPath = model ?? "models/push-bodies.safetensors", scenePath = scene ?? "scenes/push.xml"
        let fieldPath = field ?? "models/push-field.safetensors"
        let body = try BodyDynamicsModel.load(from: modelPath)
        let fields = try ObjectFieldSet.load(from: fieldPath)
        let progress = ProgressBar(total: repeats, label: "track")
        let report = try TrackingBenchmark.run(model: body, modelName: modelPath, fields: fields, fieldName: fieldPath, scenePath: scenePath,
                                               cameraName: "table_view", size: 64, depthNoiseMeters: 0.002, episodes: 2, steps: trackSteps, seed: 1,
                                               configuration: PoseTrackerConfiguration(), threads: stepThreads, rounds: repeats) { progress.update($0, status: "round \($0)") }
        progress.finish(repeats, status: "done")
        return report
    }

    private func printPlanner(_ r: PlannerBenchmarkReport) {
        func show(_ s: RoundStatistics, _ decimals: Int) -> String { "\(fixed(s.median, decimals)) (\(fixed(s.min, decimals))-\(fixed(s.max, decimals)))" }
        print("planner on \(r.model), scene '\(r.scene)', task \(r.task): \(r.method), \(r.samples) samples x horizon \(r.horizon), \(r.threads) thread(s); median (range) of \(r.planMillisecondsPerStep.rounds) alternating rounds")
        print("  plan: \(show(r.planMillisecondsPerStep, 1)) ms per control step, of which rollouts \(show(r.rolloutMillisecondsPerStep, 1)) ms (\(Int(r.rolloutGraphStepsPerSecond.median)) graph-steps/s)")
        print("  environment step: learned \(show(r.learnedEnvironmentStepMilliseconds, 3)) ms, MuJoCo \(show(r.mujocoEnvironmentStepMilliseconds, 3)) ms (batch 1, one thread)")
    }

    private func encodeJSON<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

struct FieldBenchmarkReport: Encodable {
    var field: String
    var threads: Int
    var raysPerSecond: Double
    var samplesPerSecond: Double
    enum CodingKeys: String, CodingKey {
        case field, threads
        case raysPerSecond = "field_rays_per_second"
        case samplesPerSecond = "field_samples_per_second"
    }
}

struct AllReport: Encodable {
    var step_ms_batch1: Double
    var batch_graph_steps_per_second: Double
    var planner_ms_per_step: Double
    var learned_control_steps_per_second: Double
    var mujoco_control_steps_per_second: Double
    var learned_vs_mujoco_ratio: Double
    var mlp_gemm_efficiency: Double
    var field_rays_per_second: Double
    var config: StepBenchmarkReport
    var planner: PlannerBenchmarkReport
    var mlp: [MLPBenchmarkRow]
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : String(repeating: " ", count: width - text.count) + text
}

private func fixed(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    let digits = text.split(separator: ".").last?.count ?? 0
    if digits < decimals { text += String(repeating: "0", count: decimals - digits) }
    return text
}

extension ProductPrecision: ExpressibleByArgument {}
