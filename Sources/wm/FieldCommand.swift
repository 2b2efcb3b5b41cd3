import ArgumentParser
import FoundationEssentials
import Glibc
import WorldModel

struct FieldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "field",
        abstract: "Train and evaluate the compact neural field (per-object hash grids + tiny MLPs).",
        subcommands: [FieldTrainCommand.self, FieldEvalCommand.self])
}

/// Where views come from: a scene to ray cast and a dataset of poses.
struct ViewSource: ParsableArguments {
    @Option(help: "The MJCF scene the dataset was recorded in (ray cast for the teacher's views).")
    var scene: String

    @Option(help: "A .wmds dataset: object poses come from its episodes.")
    var data: String

    @Option(help: "Image size in pixels (square).")
    var size: Int = 128

    @Option(help: "Cameras per frame.")
    var cameras: Int = 4

    @Option(help: "Distance (m) from the cameras to the objects' centroid.")
    var distance: Float = 0.5
}

struct FieldTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a field set on ray-cast views of the train episodes' frames.",
        discussion: """
            Example:
              wm field train --scene scenes/push.xml --data /tmp/push.wmds --out models/push-field.safetensors --minutes 5
            """)

    @OptionGroup var source: ViewSource

    @Option(help: "Output checkpoint (.safetensors), written atomically every minute and at the end.")
    var out: String

    @Option(help: "Training time in minutes.")
    var minutes: Double = 5

    @Option(help: "Frames (pose sets) taken from the train episodes.")
    var frames: Int = 48

    @Option(help: "Hash-grid levels.")
    var levels: Int = 8

    @Option(help: "log2 of the rows per hash-grid level.")
    var log2TableSize: Int = 11

    @Option(help: "Finest hash-grid resolution.")
    var finestResolution: Int = 64

    @Option(help: "Seed for initialisation, views and ray batches.")
    var seed: UInt64 = 1

    func run() throws {
        let reader = try DatasetReader(path: source.data)
        let renderer = try RayCastRenderer(simulation: try MuJoCoSimulation(path: source.scene))
        guard renderer.scene.objects.count == reader.header.objects.count else {
            throw WorldModelError(file: source.data, "has \(reader.header.objects.count) objects, the scene \(source.scene) has \(renderer.scene.objects.count)")
        }
        var train = reader.episodeIndices(in: .train)
        if train.isEmpty { train = reader.episodeIndices(in: nil) }
        let poses = try FieldFrames.pick(from: reader, episodes: train, count: frames)
        let views = try renderer.views(frames: poses, camerasPerFrame: source.cameras, size: source.size, seed: seed, distance: source.distance)
        var configuration = NeuralFieldConfiguration.standard
        configuration.hashGrid.levels = levels
        configuration.hashGrid.log2TableSize = log2TableSize
        configuration.hashGrid.finestResolution = finestResolution
        let fields = ObjectFieldSet(sceneName: renderer.scene.name, objects: renderer.scene.objects,
                                    table: renderer.table, configuration: configuration, seed: seed)
        var options = FieldTrainingOptions()
        options.seed = seed
        BLASThreads.set(1)
        let trainer = FieldTrainer(fields: fields, views: views, options: options)
        print("\(views.count) views of \(poses.count) frames, \(fields.fields.count) field classes, \(fields.parameterBytes) parameter bytes")
        let start = monotonicSeconds(), budget = minutes * 60
        let bar = ProgressBar(total: Int(budget.rounded(.up)), label: "field")
        var lastSave = start, recent: [Float] = []
        while monotonicSeconds() - start < budget {
            recent.append(trainer.step())
            if recent.count > 50 { recent.removeFirst() }
            let mse = recent.reduce(0, +) / Float(recent.count)
            let psnr = 10 * log10(1 / Double(max(mse, 1e-12)))
            bar.update(Int(monotonicSeconds() - start), status: "step \(trainer.stepCount) object-ray PSNR \(format1(psnr)) dB")
            if monotonicSeconds() - lastSave > 60 {
                try fields.save(to: out)
                lastSave = monotonicSeconds()
            }
        }
        fields.updateOccupancy()
        try fields.save(to: out)
        bar.finish(Int(budget.rounded(.up)), status: "step \(trainer.stepCount)")
        print("wrote \(out): \(trainer.stepCount) steps, \(fields.parameterBytes) parameter bytes")
    }
}

struct FieldEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Score a field on held-out views (test episodes, other cameras) against dense voxel grids.",
        discussion: """
            The dense baseline is a float32 density + RGB grid over x, y in [-0.4, 0.4] m, z in [0, 0.12] m, filled from
            the exact geometry at each view's poses (an upper bound for a trained grid), rendered by the same renderer.
            Example:
              wm field eval --field models/push-field.safetensors --scene scenes/push.xml --data /tmp/push.wmds --json
            """)

    @OptionGroup var source: ViewSource

    @Option(help: "A field checkpoint from wm field train.")
    var field: String

    @Option(help: "Frames taken from the test episodes.")
    var frames: Int = 4

    @Option(help: "Dense grid resolutions (voxels along x), comma separated.")
    var dense: String = "32,64,128,256"

    @Option(help: "Seed for the held-out camera placement.")
    var seed: UInt64 = 1_000_003

    @Flag(help: "Print JSON.")
    var json = false

    func run() throws {
        let fields = try ObjectFieldSet.load(from: field)
        let reader = try DatasetReader(path: source.data)
        let renderer = try RayCastRenderer(simulation: try MuJoCoSimulation(path: source.scene))
        guard fields.description.objectClasses.count == renderer.scene.objects.count else {
            throw WorldModelError(file: field, "holds \(fields.description.objectClasses.count) objects, the scene \(source.scene) has \(renderer.scene.objects.count)")
        }
        var test = reader.episodeIndices(in: .test)
        if test.isEmpty { test = reader.episodeIndices(in: nil) }
        let poses = try FieldFrames.pick(from: reader, episodes: test, count: frames)
        let views = try renderer.views(frames: poses, camerasPerFrame: source.cameras, size: source.size, seed: seed, distance: source.distance)
        let resolutions = try dense.split(separator: ",").map { s -> Int in
            guard let n = Int(s.filter { $0 != " " }), n >= 2 else { throw ValidationError("--dense: bad resolution '\(s)'") }
            return n
        }
        BLASThreads.set(1)
        var report = FieldEvaluation.evaluate(fields: fields, objects: renderer.scene.objects, views: views, denseResolutions: resolutions)
        for threads in [1, 2] {
            let copies = try (0..<threads).map { _ in try ObjectFieldSet.load(from: field) }
            report.throughput.append(FieldThroughput.measure(copies: copies, views: views))
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("field: PSNR \(format1(report.psnrDB)) dB, object depth error \(format1(report.objectDepthErrorMeters * 1000)) mm, \(report.bytes) bytes, \(report.views) views")
        for d in report.dense {
            print("dense \(d.voxels.map(String.init).joined(separator: "x")): PSNR \(format1(d.psnrDB)) dB, \(d.bytes) bytes")
        }
        print("dense bytes at equal PSNR / field bytes: \(format1(report.ratioVsDenseAtEqualPSNR))")
        print("render: \(Int(report.raysPerSecond)) rays/s, \(Int(report.samplesPerSecond)) samples/s, MLP \(Int(report.mlpTimeShare * 100))% of the time")
        print("MLP forward \(format1(report.mlpGigaflops)) GFLOP/s, raw sgemm on the same shapes \(format1(report.rawGEMMGigaflops)) GFLOP/s")
        for t in report.throughput {
            print("render with \(t.threads) thread(s): \(Int(t.raysPerSecond)) rays/s, \(Int(t.samplesPerSecond)) samples/s")
        }
    }
}

/// One decimal.
func format1(_ x: Double) -> String {
    guard x.isFinite else { return "\(x)" }
    let scaled = (x * 10).rounded() / 10
    return "\(scaled)"
}

