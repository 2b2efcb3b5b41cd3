#if canImport(Glibc)
import Glibc
#endif

/// What `wm bench train` measured: the trainer's optimisation step as `wm train` runs it.
public struct TrainingBenchmarkReport: Codable, Sendable {
    public var kind = "train"
    /// The configuration measured (a preset name or a checkpoint path) and its shape.
    public var config: String
    public var scene: String
    public var objects: Int
    public var messagePassingSteps: Int
    public var latentWidth: Int
    public var allPairs: Bool
    public var parameters: Int
    /// Graphs per minibatch (the configuration's batch size) and the nodes and edges of one graph in it.
    public var batch: Int
    public var nodesPerGraph: Int
    public var edgesPerGraph: Int
    /// Data-parallel threads, as `wm train --threads` runs them (``ThreadRanks``: a model replica per thread,
    /// each with a share of every minibatch, OpenBLAS on one thread each).
    public var threads: Int
    /// Optimisation steps per second (draw and noise a minibatch, build its graphs, forward, MSE, backward,
    /// global-norm clipping, Adam), one figure per window of `stepsPerWindow` steps after `warmupSteps`.
    public var stepsPerSecond: RoundStatistics
    /// The same, as milliseconds per step (median and range of the windows).
    public var millisecondsPerStep: RoundStatistics
    /// Training graphs per second (steps per second x batch), median.
    public var graphsPerSecond: Double
    public var warmupSteps: Int
    public var stepsPerWindow: Int
    /// Teacher episodes recorded for the run and control steps each.
    public var episodes: Int
    public var episodeSteps: Int

    enum CodingKeys: String, CodingKey {
        case kind, config, scene, objects, parameters, batch, threads, episodes
        case messagePassingSteps = "message_passing_steps"
        case latentWidth = "latent_width"
        case allPairs = "all_pairs"
        case nodesPerGraph = "nodes_per_graph"
        case edgesPerGraph = "edges_per_graph"
        case stepsPerSecond = "steps_per_second"
        case millisecondsPerStep = "ms_per_step"
        case graphsPerSecond = "graphs_per_second"
        case warmupSteps = "warmup_steps"
        case stepsPerWindow = "steps_per_window"
        case episodeSteps = "episode_steps"
    }
}

/// Times the free-object graph's training step where `wm train` runs it: ``DynamicsTrainer/run(budgetSeconds:maxSteps:startStep:validateEverySeconds:validateEverySteps:path:extraMetadata:reducer:shouldStop:progress:)``
/// on every thread of a ``ThreadRanks`` (one replica per thread, as `wm train --threads`), for a fixed number of
/// steps, read through rank 0's progress reports (every 10 steps, with the loop's own clock).
/// The data are teacher episodes recorded in the run (seeded, the scene's scripted pushes); no validation split,
/// so the loop does nothing between steps but its own bookkeeping. The checkpoint the loop writes at the end goes
/// to a temporary directory, removed before returning.
public enum TrainingBenchmark {
    /// Measures training `model` (its configuration's batch, fresh statistics from the recorded data) on the
    /// scene at `scenePath` on `threads` data-parallel threads (`model` is rank 0's; the others train its replicas,
    /// as `wm train --threads` does): `windows` windows of `stepsPerWindow` steps
    /// (a multiple of 10) after `warmupSteps` (a multiple of 10).
    public static func run(model: DynamicsModel, configName: String, scenePath: String, windows: Int = 7, stepsPerWindow: Int = 20,
                           warmupSteps: Int = 10, episodes: Int = 4, episodeSteps: Int = 60, threads: Int = 1) throws -> TrainingBenchmarkReport {
        guard windows >= 1, stepsPerWindow >= 10, stepsPerWindow % 10 == 0, warmupSteps >= 10, warmupSteps % 10 == 0 else {
            throw WorldModelError("the training benchmark needs at least 1 window, and windows and warm-up of multiples of 10 steps")
        }
        let recorder = try TeacherRecorder(scenePath: scenePath)
        let recorded = try (0..<episodes).map { try recorder.record(episode: $0, steps: episodeSteps, seed: 7, policy: .waypoints).episode }
        BLASThreads.set(1)
        let trainer = try DynamicsTrainer(model: model, trainEpisodes: recorded, validEpisodes: [], seed: 11)
        trainer.computeStatistics(frames: 512)
        // As `wm train --threads`: the other threads train replicas of the first model.
        let trainers = try [trainer] + (1..<threads).map { _ in
            try DynamicsTrainer(model: model.replica(), trainEpisodes: recorded, validEpisodes: [], seed: 11)
        }

        var template = "/tmp/wm-bench-train.XXXXXX".utf8CString
        let directory: String = try template.withUnsafeMutableBufferPointer { buffer in
            guard let made = mkdtemp(buffer.baseAddress!) else { throw WorldModelError("could not create a temporary directory under /tmp") }
            return String(cString: made)
        }
        let checkpoint = directory + "/model.safetensors"
        defer { unlink(checkpoint); rmdir(directory) }

        var marks: [(step: Int, seconds: Double)] = []
        let total = warmupSteps + windows * stepsPerWindow
        _ = try ThreadRanks(threads: threads).run { t, reducer in
            try trainers[t].run(budgetSeconds: .infinity, maxSteps: total, validateEverySteps: Int.max, path: checkpoint, reducer: reducer, progress: { p in
                if t == 0 { marks.append((p.step, p.elapsedSeconds)) }
            })
        }
        func seconds(at step: Int) throws -> Double {
            guard let mark = marks.first(where: { $0.step == step }) else { throw WorldModelError("the training loop reported no progress at step \(step)") }
            return mark.seconds
        }
        var rates: [Double] = []
        for w in 0..<windows {
            let from = warmupSteps + w * stepsPerWindow
            let elapsed = try seconds(at: from + stepsPerWindow) - seconds(at: from)
            rates.append(Double(stepsPerWindow) / elapsed)
        }
        let rate = RoundStatistics(rates)

        // The graph of one minibatch sample, as the trainer builds it.
        let runner = try DynamicsRunner(model: model, objects: model.trainedObjects, maxEnvironments: 1)
        let sample = trainer.train.sample(0)
        [sample.state].withUnsafeBufferPointer { st in
            [sample.robotNext].withUnsafeBufferPointer { runner.builder.build(states: st, robotNext: $0, dtSeconds: model.dtSeconds) }
        }
        let c = model.configuration
        return TrainingBenchmarkReport(config: configName, scene: scenePath, objects: model.trainedObjects.count,
                                       messagePassingSteps: c.messagePassingSteps, latentWidth: c.latentWidth,
                                       allPairs: c.features.allPairs, parameters: model.parameters.scalarCount,
                                       batch: c.batchSize, nodesPerGraph: runner.builder.nodeCount, edgesPerGraph: runner.builder.edgeCount,
                                       threads: threads, stepsPerSecond: rate, millisecondsPerStep: RoundStatistics(rates.map { 1000 / $0 }),
                                       graphsPerSecond: rate.median * Double(c.batchSize), warmupSteps: warmupSteps,
                                       stepsPerWindow: stepsPerWindow, episodes: episodes, episodeSteps: episodeSteps)
    }
}
