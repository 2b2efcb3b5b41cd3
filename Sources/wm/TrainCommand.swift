import ArgumentParser
import FoundationEssentials
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Which model family `wm train` trains.
enum GraphFamily: String, ExpressibleByArgument, CaseIterable {
    case auto, objects, bodies
}

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train the dynamics model (a graph network, or the dense baseline) on a dataset.",
        discussion: """
            Trains on the dataset's train split, validates by rollout on its valid split, and writes the best model
            (safetensors, atomically) to --out whenever validation improves: Ctrl-C (or SIGTERM) stops at the next
            step and keeps the best checkpoint (one is written if none was yet; a second Ctrl-C ends at once);
            a kill leaves the last good checkpoint; --resume continues from it (the optimiser's moments restart).
            Two model families: the free-object graph (objects and one pusher, for scenes like scenes/push.xml) and
            the body graph (any MuJoCo scene: a node per body, joint and contact edges, qacc per DOF over MuJoCo's
            qpos/qvel/ctrl). --graph auto picks the free-object graph for free-object scenes, else the body graph.
            Presets: free-object graph \(DynamicsConfiguration.presetNames.joined(separator: ", ")); body graph
            \(BodyDynamicsConfiguration.presetNames.joined(separator: ", ")); or a JSON file of a configuration.

            Data-parallel: built with `--traits MPI` and started by `mpirun -np N wm train ...` (or `srun`), each rank
            trains on its part of every minibatch (the same global batch as one process), the gradients are summed
            with one MPI_Allreduce a step, and rank 0 alone prints and writes --out (docs/cluster.md).

            Examples:
              wm train --data /tmp/push.wmds --out /tmp/push.safetensors --minutes 5
              wm train --data /tmp/clutter.wmds --out /tmp/clutter-dense.safetensors --config dense
              wm train --data /tmp/stacker.wmds --out /tmp/stacker.safetensors --minutes 10
              wm train --data /tmp/s0.wmds --data /tmp/s1.wmds --out /tmp/push.safetensors   # the shards of one run
            """)

    @Option(help: "Training dataset (.wmds). Give it once per shard to train on the shards of one `wm generate --shard i/n` run as they are (the same as on their merge).")
    var data: [String] = []

    /// The dataset's name in messages: its file, or the first shard's.
    private var dataName: String { data.count == 1 ? data[0] : "\(data.first ?? "") (and \(max(0, data.count - 1)) more shards)" }

    @Option(help: "Output checkpoint (.safetensors).")
    var out: String

    @Option(help: "A preset name or a JSON configuration file (default: the preset `default`; with --resume, the checkpoint's, which a given --config must equal).")
    var config: String?

    @Option(help: "Training time budget in minutes.")
    var minutes: Double = 5

    @Option(help: "Stop after this many optimisation steps (default: only the time budget).")
    var steps: Int?

    @Option(help: "Seed for initial weights, minibatches and noise.")
    var seed: UInt64 = 1

    @Option(help: """
        Threads: data-parallel ranks in this process, each with a replica of the model and a share of every minibatch \
        (the same weights as one thread, up to rounding); OpenBLAS on one thread each. Under MPI, per rank.
        """)
    var threads: Int = 1

    @Option(help: "Model family: auto, objects (free objects and a pusher) or bodies (any scene, MuJoCo's generalized state).")
    var graph: GraphFamily = .auto

    @Flag(help: "Continue from the checkpoint at --out.")
    var resume = false

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        try require(!data.isEmpty, "--data is required (a .wmds file, or every shard of one run)")
        try require(minutes.isFinite && minutes > 0, "--minutes must be a positive number, got \(minutes)")
        try require(minutes <= 525_600, "--minutes \(minutes) is more than a year")
        try require((steps ?? 1) >= 1, "--steps must be at least 1")
        try require(threads >= 1 && threads <= 256, "--threads must be between 1 and 256, got \(threads)")
    }

    func run() throws {
        let ranks = try TrainingRanks()
        // With --resume the checkpoint is an input that is meant to be replaced; every other input must not be.
        try OutputPathCheck.refuse(outputs: [out], overwriting: data + (configFile.map { [$0] } ?? []))
        let bytes = try data.reduce(0) { $0 + (try FileBytes.size(of: $1)) }
        try ResourceBudget.checkMemory(bytes: ResourceBudget.product(2, bytes), for: "loading every episode", file: dataName)
        BLASThreads.set(1)
        let (header, train, valid) = try DynamicsData.trainAndValid(paths: data)
        let bodies = graph == .bodies || (graph == .auto && (header.objects.isEmpty || header.robot == nil))
        if bodies { return try trainBodies(header: header, train: train, valid: valid, ranks: ranks) }
        let model: DynamicsModel
        var startStep = 0
        if resume {
            model = try DynamicsModel.load(from: out)
            try InputCompatibility.check(resumed: model, file: out, trainsOn: header, dataFile: dataName)
            if let config, try loadConfiguration(config) != model.configuration {
                throw WorldModelError(file: out, "was trained with another configuration than \(config)")
            }
            startStep = try resumedStep()
        } else {
            let configuration = try loadConfiguration(config ?? "default")
            model = DynamicsModel(configuration: configuration, objects: header.objects, robot: try header.requireRobot(file: dataName),
                                  dtSeconds: Float(header.controlDtSeconds),
                                  robotKinematics: DynamicsData.robotKinematics(header: header, episodes: train), seed: seed)
        }
        try InputCompatibility.check(model: model, file: resume ? out : dataName, historyFits: header.framesPerEpisode, dataFile: dataName)
        let first = try attributing(to: dataName) {
            try DynamicsTrainer(model: model, trainEpisodes: train, validEpisodes: valid, seed: seed &+ UInt64(startStep))
        }
        if !resume { first.computeStatistics() }
        // The other threads train replicas of the first model (its statistics and weights), drawing the same minibatches.
        let trainers = try [first] + (1..<threads).map { _ in
            try DynamicsTrainer(model: model.replica(), trainEpisodes: train, validEpisodes: valid, seed: seed &+ UInt64(startStep))
        }
        try runTraining(what: "\(model.configuration.kind.rawValue) (\(model.parameters.scalarCount) parameters) on \(train.count) episodes, validating on \(valid.count)",
                  header: header, validCount: valid.count, ranks: ranks) {
            try trainers[$0].run(budgetSeconds: $2, maxSteps: steps, startStep: startStep, path: out, extraMetadata: $3, reducer: $1, shouldStop: $4, progress: $5)
        }
    }

    /// Trains the body-graph model (or its dense baseline) on MuJoCo's generalized state.
    private func trainBodies(header: DatasetHeader, train: [Episode], valid: [Episode], ranks: TrainingRanks) throws {
        guard let scene = header.sceneModel else {
            throw WorldModelError(file: dataName, "has no scene model (an imported free-object dataset): train it with --graph objects, or import it with --scene")
        }
        let model: BodyDynamicsModel
        var startStep = 0
        if resume {
            model = try BodyDynamicsModel.load(from: out)
            guard model.scene == scene else { throw WorldModelError(file: out, "was trained on scene '\(model.scene.name)', not on the scene of \(dataName)") }
            if let config, try loadBodyConfiguration(config) != model.configuration {
                throw WorldModelError(file: out, "was trained with another configuration than \(config)")
            }
            startStep = try resumedStep()
        } else {
            model = try attributing(to: dataName) { try BodyDynamicsModel(configuration: try loadBodyConfiguration(config ?? "default"), scene: scene, seed: seed) }
        }
        let first = try attributing(to: dataName) {
            try BodyDynamicsTrainer(model: model, trainEpisodes: train, validEpisodes: valid, seed: seed &+ UInt64(startStep))
        }
        if !resume { first.computeStatistics() }
        // The other threads train replicas of the first model (its statistics and weights), drawing the same minibatches.
        let trainers = try [first] + (1..<threads).map { _ in
            try BodyDynamicsTrainer(model: model.replica(), trainEpisodes: train, validEpisodes: valid, seed: seed &+ UInt64(startStep))
        }
        try runTraining(what: "body-graph \(model.configuration.kind.rawValue) (\(model.parameters.scalarCount) parameters) on \(train.count) episodes of '\(scene.name)', validating on \(valid.count)",
                  header: header, validCount: valid.count, ranks: ranks) {
            try trainers[$0].run(budgetSeconds: $2, maxSteps: steps, startStep: startStep, path: out, extraMetadata: $3, reducer: $1, shouldStop: $4, progress: $5)
        }
    }

    /// Runs the trainers' loops, replica `t` on thread `t` as a data-parallel rank (`run(t, reducer, budget, metadata,
    /// shouldStop, progress)`), with the progress bar and Ctrl-C, then reports (rank 0 only, of several MPI ranks).
    /// The optimisation step `--resume` continues from: the `training_step` the checkpoint at `--out` was saved at.
    private func resumedStep() throws -> Int {
        Int(try SafetensorsFile.read(out).metadata["training_step"] ?? "0") ?? 0
    }

    private func runTraining(what: String, header: DatasetHeader, validCount: Int, ranks: TrainingRanks,
                       run: @escaping (Int, any GradientReducer, Double, [String: String], () -> Bool, (DynamicsTrainingProgress) -> Void) throws -> DynamicsTrainingSummary) throws {
        InterruptSignal.stopAtNextStep()
        let budget = minutes * 60
        let bar = ProgressBar(total: Int(budget), label: "train")
        let processes = ranks.reducer.ranks
        let parallel = [processes > 1 ? "\(processes) MPI ranks" : nil, threads > 1 ? "\(threads) threads\(processes > 1 ? " each" : "")" : nil].compactMap { $0 }
        if ranks.isRoot { writeStandardError("training \(what)\(parallel.isEmpty ? "" : ", data-parallel on " + parallel.joined(separator: " of "))\n") }
        let metadata = ["dataset": dataName, "scene": header.sceneName]
        let team = try ThreadRanks(threads: threads, outer: ranks.reducer)
        let summaries = try team.run { t, reducer in
            try run(t, reducer, budget, metadata, { InterruptSignal.requested }) { p in
                guard reducer.rank == 0 else { return }
                let v = p.validationError.map { "val \(formatMillimetres($0))" } ?? "val -"
                bar.update(Int(p.elapsedSeconds), status: "step \(p.step)  loss \(shortNumber(p.loss))  \(v)")
            }
        }
        let summary = summaries[0]
        let n = summary.ranks
        ranks.finish()
        guard ranks.isRoot else { return }
        bar.finish(Int(summary.seconds), status: "step \(summary.steps)  loss \(shortNumber(summary.finalLoss))")
        if summary.maxRankWeightDifference != 0 {
            throw WorldModelError(file: out, "the \(n) ranks ended with different weights (largest difference \(summary.maxRankWeightDifference))")
        }
        try report(summary, validCount: validCount)
    }

    private func report(_ summary: DynamicsTrainingSummary, validCount: Int) throws {
        if summary.stoppedEarly {
            writeStandardError(summary.wroteCheckpoint ? "interrupted: \(out) holds the best checkpoint so far\n"
                               : "interrupted before the first step: nothing written, \(out) is as it was\n")
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else if summary.wroteCheckpoint {
            let validation = validCount == 0 ? "no valid split, so the last model was kept"
                : "best validation error at \(summary.validationHorizon) steps \(formatMillimetres(summary.bestValidationError))"
            print("wrote \(out): \(summary.steps) steps in \(formatDuration(summary.seconds)), \(validation)")
        }
    }

    /// `--config` when it names a file rather than a preset.
    private var configFile: String? {
        config.flatMap { DynamicsConfiguration.preset(named: $0) == nil && BodyDynamicsConfiguration.preset(named: $0) == nil ? $0 : nil }
    }

    private func loadConfiguration(_ config: String) throws -> DynamicsConfiguration {
        try loadConfiguration(config, family: "", presets: DynamicsConfiguration.presetNames, preset: DynamicsConfiguration.preset(named:))
    }

    private func loadBodyConfiguration(_ config: String) throws -> BodyDynamicsConfiguration {
        try loadConfiguration(config, family: "body-graph ", presets: BodyDynamicsConfiguration.presetNames, preset: BodyDynamicsConfiguration.preset(named:))
    }

    /// A preset of a model family by name, or a JSON configuration file.
    private func loadConfiguration<C: Decodable>(_ config: String, family: String, presets: [String], preset: (String) -> C?) throws -> C {
        if let named = preset(config) { return named }
        let bytes = try FileBytes.read(config)
        do {
            return try JSONDecoder().decode(C.self, from: Data(bytes))
        } catch {
            throw WorldModelError(file: config, "not a \(family)preset (\(presets.joined(separator: ", "))) nor a valid configuration JSON: \(error)")
        }
    }
}

func formatMillimetres(_ meters: Double) -> String {
    meters.isFinite ? "\(Double(Int(meters * 10000)) / 10) mm" : "\(meters)"
}

func shortNumber(_ x: Float) -> String {
    guard x.isFinite else { return "\(x)" }
    let magnitude = abs(x)
    if magnitude >= 100 { return "\(Int(x))" }
    let digits: Float = magnitude >= 1 ? 100 : 10000
    return "\(Float(Int(x * digits)) / digits)"
}
