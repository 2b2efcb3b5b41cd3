import ArgumentParser
import FoundationEssentials
import Glibc
import WorldModel

struct FieldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "field",
        abstract: "Train and evaluate the compact neural field (per-object hash grids + tiny MLPs).",
        subcommands: [FieldTrainCommand.self, FieldEvalCommand.self, FieldConvertCommand.self])
}

extension FieldStorage: ExpressibleByArgument {}

struct FieldConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Write a field checkpoint in another storage: compact (int8 hash tables, float16 MLPs) or float32.",
        discussion: """
            compact: each hash table as int8 with one float32 scale per level and
            feature (symmetric: the largest magnitude maps to 127), the MLPs' weights
            and biases as float16; about 3.8x fewer bytes than float32. Loading
            decodes it into float32, so `wm field eval` on the written file scores
            exactly what it holds. Python: safetensors.numpy.load_file, then
            table = codes.reshape(L, T, F) * scale[:, None, :].
            Example:
              wm field convert --field models/clutter-field.safetensors --storage compact --out models/clutter-field-compact.safetensors
            """)

    @Option(help: "A field checkpoint (from wm field train, or converted).")
    var field: String

    @Option(help: "The storage to write: \(FieldStorage.allCases.map(\.rawValue).joined(separator: ", ")).")
    var storage: FieldStorage

    @Option(help: "Output checkpoint (.safetensors); must not be the input.")
    var out: String

    func run() throws {
        try OutputPathCheck.refuse(outputs: [out], overwriting: [field])
        let fields = try ObjectFieldSet.load(from: field)
        let before = fields.storedBytes
        try fields.save(to: out, storage: storage)
        fields.storage = storage
        print("wrote \(out): \(storage.rawValue), \(fields.storedBytes) parameter bytes (\(field): \(before); \(fields.parameterBytes) as float32 in memory)")
    }
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

    func validate() throws {
        try require(size >= 1 && size <= 4096, "--size must be between 1 and 4096 pixels, got \(size)")
        try require(cameras >= 1 && cameras <= 1024, "--cameras must be between 1 and 1024, got \(cameras)")
        try require(distance.isFinite && distance > 0, "--distance must be a positive number of metres, got \(distance)")
    }

    /// Reads the dataset and the scene, checks they belong together, and that `frames` views fit in memory.
    func open(frames: Int) throws -> (DatasetReader, RayCastRenderer) {
        let reader = try DatasetReader(path: data)
        let renderer = try RayCastRenderer(simulation: try MuJoCoSimulation(path: scene))
        try InputCompatibility.check(dataset: reader.header, file: data, recordedIn: renderer.scene, sceneFile: scene)
        // Each pixel of a view: RGB and depth, and its ray (origin, direction), float32, with room for the samples.
        let bytes = ResourceBudget.product(frames, cameras, size, size, 64)
        try ResourceBudget.checkMemory(bytes: bytes, for: "\(frames) frames x \(cameras) cameras of \(size)x\(size) views")
        return (reader, renderer)
    }
}

struct FieldTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a field set on ray-cast views of the train episodes' frames.",
        discussion: """
            One field per object class and one for the robot's body (--no-robot: objects only; the robot is then drawn from its primitive wherever the learned world is rendered).
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

    @Flag(inversion: .prefixedNo, help: "Learn a field of the robot's body too (the views then show the robot at its recorded positions), so the learned world draws the robot from its field instead of its primitive.")
    var robot = true

    func validate() throws {
        try require(minutes.isFinite && minutes > 0 && minutes <= 525_600, "--minutes must be a positive number up to a year, got \(minutes)")
        try require(frames >= 1, "--frames must be at least 1")
        try require(levels >= 1 && levels <= 32, "--levels must be between 1 and 32, got \(levels)")
        try require(log2TableSize >= 1 && log2TableSize <= 26, "--log2-table-size must be between 1 and 26, got \(log2TableSize)")
        try require(finestResolution >= 2 && finestResolution <= 1 << 20, "--finest-resolution must be between 2 and \(1 << 20), got \(finestResolution)")
    }

    func run() throws {
        try OutputPathCheck.refuse(outputs: [out], overwriting: [source.scene, source.data])
        let (reader, renderer) = try source.open(frames: frames)
        var train = reader.episodeIndices(in: .train)
        if train.isEmpty { train = reader.episodeIndices(in: nil) }
        let poses = try FieldFrames.pick(from: reader, episodes: train, count: frames)
        renderer.includesRobot = robot
        let views = try renderer.views(frames: poses, camerasPerFrame: source.cameras, size: source.size, seed: seed, distance: source.distance)
        var configuration = NeuralFieldConfiguration.standard
        configuration.hashGrid.levels = levels
        configuration.hashGrid.log2TableSize = log2TableSize
        configuration.hashGrid.finestResolution = finestResolution
        let fields = ObjectFieldSet(sceneName: renderer.scene.name, objects: renderer.scene.objects, robotLinks: robot ? [renderer.robotLink] : [],
                                    table: renderer.table, configuration: configuration, seed: seed)
        var options = FieldTrainingOptions()
        options.seed = seed
        BLASThreads.set(1)
        let trainer = FieldTrainer(fields: fields, views: views, options: options)
        InterruptSignal.stopAtNextStep()
        writeStandardError("training on \(views.count) views of \(poses.count) frames, \(fields.fields.count) field classes, \(fields.parameterBytes) parameter bytes\n")
        let start = monotonicSeconds(), budget = minutes * 60
        let bar = ProgressBar(total: Int(budget.rounded(.up)), label: "field")
        var lastSave = start, recent: [Float] = []
        while monotonicSeconds() - start < budget && !InterruptSignal.requested {
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
        if InterruptSignal.requested { writeStandardError("interrupted: \(out) holds the fields at step \(trainer.stepCount)\n") }
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
            A field set with the robot's link (wm field train's default) is scored on views with the robot in them, and
            the dense grid holds the robot's shape too; a set without it, on views without the robot.
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

    /// The resolutions of `--dense`, nil if it is not a list of integers from 2 to 1024.
    private var denseResolutions: [Int]? {
        let values = dense.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !values.isEmpty, values.allSatisfy({ ($0 ?? 0) >= 2 && ($0 ?? 0) <= 1024 }) else { return nil }
        return values.compactMap { $0 }
    }

    func validate() throws {
        try require(frames >= 1, "--frames must be at least 1")
        try require(denseResolutions != nil, "--dense takes resolutions from 2 to 1024 separated by commas, got '\(dense)'")
    }

    func run() throws {
        let fields = try ObjectFieldSet.load(from: field)
        let (reader, renderer) = try source.open(frames: frames)
        try InputCompatibility.check(field: fields, file: field, rendersObjectsOf: renderer.scene.objects, robot: renderer.scene.robot, source: source.scene)
        var test = reader.episodeIndices(in: .test)
        if test.isEmpty { test = reader.episodeIndices(in: nil) }
        let poses = try FieldFrames.pick(from: reader, episodes: test, count: frames)
        renderer.includesRobot = !fields.robotLinks.isEmpty
        let views = try renderer.views(frames: poses, camerasPerFrame: source.cameras, size: source.size, seed: seed, distance: source.distance)
        let resolutions = denseResolutions ?? []
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

