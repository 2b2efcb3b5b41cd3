#if canImport(Glibc)
import Glibc
#endif

/// One scene size and batch of `wm bench scaling`.
public struct ScalingBenchmarkRow: Codable, Sendable {
    /// Free objects per environment, and environments per step.
    public var bodies: Int
    public var batch: Int
    /// Edges of one environment's graph at the start state (object pairs both ways, robot edges).
    public var edgesPerGraph: Int
    /// Nanoseconds of a learned step (graph, network, integration, as `RolloutEngine.advance`) per body, over the
    /// rounds: median and range.
    public var nanosecondsPerBodyStep: RoundStatistics
    /// Bytes of every buffer the engine holds after the rounds (graph buffers grown to what the steps needed,
    /// network workspaces, outputs), in all and per body of the batch.
    public var workspaceBytes: Int
    public var workspaceBytesPerBody: Double

    enum CodingKeys: String, CodingKey {
        case bodies, batch
        case edgesPerGraph = "edges_per_graph"
        case nanosecondsPerBodyStep = "ns_per_body_step"
        case workspaceBytes = "workspace_bytes"
        case workspaceBytesPerBody = "workspace_bytes_per_body"
    }
}

/// What `wm bench scaling` reports: the learned step on tiled clutter scenes of growing size.
public struct ScalingBenchmarkReport: Codable, Sendable {
    /// Where the configuration came from (its weights are fresh), and its shape.
    public var config: String
    public var messagePassingSteps: Int
    public var latentWidth: Int
    public var threads: Int
    /// Steps from the start state per timed burst, and body-steps (bodies x batch x steps) per sample at least:
    /// a sample is as many bursts as that takes, each from the start state (reset untimed).
    public var stepsPerBurst: Int
    public var bodyStepsPerSample: Int
    public var rows: [ScalingBenchmarkRow]
    /// Per batch: the median time per body per step at the largest scene over that at the second smallest (the
    /// smallest when there are only two): 32 -> 512 bodies with the default sizes, where the bar is at most 1.5.
    public var growth: [String: Double]

    enum CodingKeys: String, CodingKey {
        case config, threads, rows, growth
        case messagePassingSteps = "message_passing_steps"
        case latentWidth = "latent_width"
        case stepsPerBurst = "steps_per_burst"
        case bodyStepsPerSample = "body_steps_per_sample"
    }
}

/// Time per body per step of the learned step as scenes grow: `scenes/clutter.xml`'s objects tiled onto a larger
/// table (``TiledScene``, its MJCF written to a temporary file and read back as any scene), a model of a given
/// configuration with fresh weights, started with every object resting upright where the tiling put it and the
/// robot in the hole at the middle tile's centre.
///
/// Rounds alternate over every (size, batch): each round takes one sample of each, bursts of `stepsPerBurst`
/// steps from the start state (so the graph stays the tiling's, whatever fresh weights do to the objects) until
/// `bodyStepsPerSample` body-steps are timed, in forward order on even rounds and backward on odd ones, so load
/// on a shared machine falls on all of them alike; each figure is the median and range of its rounds. Each engine
/// takes one untimed step first, in which its graph buffers and network workspaces grow to what the scene needs.
public enum ScalingBenchmark {
    public static func run(configuration: DynamicsConfiguration, configName: String, robotKinematics: RobotKinematics, templatePath: String,
                           bodies: [Int] = [8, 32, 128, 512], batches: [Int] = [1, 4], rounds: Int = 7, stepsPerBurst: Int = 10,
                           bodyStepsPerSample: Int = 40_000,
                           threads: Int = 1) throws -> ScalingBenchmarkReport {
        BLASThreads.set(1)
        let template = String(decoding: try FileBytes.read(templatePath), as: UTF8.self)
        let templateObjects = try MuJoCoSimulation(path: templatePath).scene.objects
        let perTile = templateObjects.count
        struct Case { var bodies: Int; var batch: Int; var engine: RolloutEngine; var start: [DynamicsState]; var edges: Int; var samples: [Double] }
        var cases: [Case] = []
        for count in bodies {
            var tiles = 1
            while tiles * tiles * perTile < count { tiles += 1 }
            guard tiles * tiles * perTile == count else {
                throw WorldModelError("\(count) bodies is not a square number of tiles of \(perTile) objects (\(templatePath))")
            }
            let tiled = try TiledScene(template: template, objects: templateObjects, tilesPerSide: tiles)
            let path = "/tmp/wm-scaling-\(getpid())-\(count).xml"
            let writer = try AtomicFileWriter(path: path)
            try writer.write(Array(tiled.mjcf.utf8))
            try writer.commit()
            defer { unlink(path) }
            let scene = try MuJoCoSimulation(path: path).scene
            guard scene.objects.count == count else { throw WorldModelError("the tiled scene has \(scene.objects.count) objects, not \(count)") }
            let model = DynamicsModel(configuration: configuration, objects: scene.objects, robot: scene.robot, dtSeconds: Float(scene.controlDtSeconds),
                                      robotKinematics: robotKinematics, seed: 1)
            var start = DynamicsState(objectCount: count, historyLength: model.historyLength)
            for (i, p) in tiled.positions.enumerated() { for k in 0..<3 { start.positions[i * 3 + k] = p[k] } }
            start.robotPosition = tiled.robotStart
            let edges = edgesPerGraph(model: model, objects: scene.objects, state: start)
            for batch in batches {
                let engine = try RolloutEngine(model: model, objects: scene.objects, batchSize: batch, threads: threads)
                var states = [DynamicsState](repeating: start, count: batch)
                try engine.advance(&states, step: 0, action: action) { _ in }
                cases.append(Case(bodies: count, batch: batch, engine: engine, start: [DynamicsState](repeating: start, count: batch), edges: edges, samples: []))
            }
        }
        for round in 0..<rounds {
            let order = round % 2 == 0 ? Array(cases.indices) : cases.indices.reversed()
            for c in order {
                let perBurst = stepsPerBurst * cases[c].bodies * cases[c].batch
                let bursts = max(1, (bodyStepsPerSample + perBurst - 1) / perBurst)
                var seconds = 0.0
                for _ in 0..<bursts {
                    var states = cases[c].start
                    let t0 = monotonicSeconds()
                    for t in 0..<stepsPerBurst { try cases[c].engine.advance(&states, step: t, action: action) { _ in } }
                    seconds += monotonicSeconds() - t0
                }
                cases[c].samples.append(seconds / Double(bursts * perBurst) * 1e9)
            }
        }
        let rows = cases.map { c in
            ScalingBenchmarkRow(bodies: c.bodies, batch: c.batch, edgesPerGraph: c.edges, nanosecondsPerBodyStep: RoundStatistics(c.samples),
                                workspaceBytes: c.engine.workspaceBytes, workspaceBytesPerBody: Double(c.engine.workspaceBytes) / Double(c.bodies * c.batch))
        }
        var growth: [String: Double] = [:]
        let sizes = bodies.sorted()
        if sizes.count >= 2 {
            let from = sizes[sizes.count > 2 ? 1 : 0], to = sizes.last!
            for batch in batches {
                let a = rows.first { $0.bodies == from && $0.batch == batch }!, b = rows.first { $0.bodies == to && $0.batch == batch }!
                growth["batch \(batch): \(from) -> \(to)"] = b.nanosecondsPerBodyStep.median / a.nanosecondsPerBodyStep.median
            }
        }
        return ScalingBenchmarkReport(config: configName, messagePassingSteps: configuration.messagePassingSteps, latentWidth: configuration.latentWidth,
                                      threads: threads, stepsPerBurst: stepsPerBurst,
                                      bodyStepsPerSample: bodyStepsPerSample, rows: rows, growth: growth)
    }

    /// The pusher's command: a slow sweep, the same for every size.
    private static func action(_ t: Int, _ k: Int, _ state: DynamicsState) -> SIMD2<Float> { SIMD2(0.1 * Float((t + k) % 3 - 1), 0.05) }

    /// Edges of `state`'s graph, as the model's builder makes it.
    static func edgesPerGraph(model: DynamicsModel, objects: [ObjectDescription], state: DynamicsState) -> Int {
        let builder = GraphBuilder(configuration: model.configuration.features, objects: objects, robot: model.robot, maxEnvironments: 1)
        let states = [state], next = [state.robotPosition]
        states.withUnsafeBufferPointer { s in next.withUnsafeBufferPointer { builder.build(states: s, robotNext: $0, dtSeconds: model.dtSeconds) } }
        return builder.edgeCount
    }
}
