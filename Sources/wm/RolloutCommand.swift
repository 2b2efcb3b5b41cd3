import ArgumentParser
import FoundationEssentials
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

extension RolloutRunOptions.Only: ExpressibleByArgument {}

struct RolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Roll the learned world model out for many environments, with its memory report against the dense baseline.",
        discussion: """
            Starts B environments from fresh seeded placements (or from dataset episodes), drives the robot with the
            scene's scripted policy closed loop on the learned state (or the dataset's actions while they last),
            and rolls the graph network out T steps in one batched graph per step. The dense baseline (flat-state
            MLP + a dense voxel grid standing for the field) runs the same actions in the same process; each model
            is also run alone in a child process to measure its peak RSS. MuJoCo re-simulates environment 0 with
            the same actions for the error against the teacher.

            A body-graph model (any MuJoCo scene, e.g. models/stacker.safetensors) rolls out B environments from
            --data episodes (or from teacher starts of --scene) under smooth random actions in ctrlrange for T
            steps, and reports speed, divergence, the deepest penetration below a static plane, joint-limit excess,
            leaving the recorded workspace, and the error against MuJoCo re-simulating environment 0.

            Examples:
              wm rollout --model models/stacker.safetensors --scene /tmp/dmc/dm_control/suite/stacker.xml --steps 1000 --batch 4 --json
              wm rollout --model models/push.safetensors --dense models/push-dense.safetensors \\
                --field models/push-field.safetensors --scene scenes/push.xml --steps 200 --batch 16 --json
            """)

    @Option(help: "The graph-network checkpoint.") var model: String
    @Option(help: "The dense-baseline checkpoint (flat-state MLP) for the memory comparison.") var dense: String?
    @Option(help: "The neural field (the compact scene representation): draws the objects in --render and --gif frames (a free-object model needs it to render).") var field: String?
    @Option(help: "The MJCF scene.") var scene: String
    @Option(help: "Start from this dataset's episodes instead of fresh placements.") var data: String?
    @Option(help: "First dataset episode (environment k uses episode K + k).") var episode: Int = 0
    @Option(help: "Control steps T.") var steps: Int = 200
    @Option(help: "Environments B, rolled out together.") var batch: Int = 1
    @Option(help: "Seed for placements and the scripted policy.") var seed: UInt64 = 1
    @Option(help: "Write trajectories and actions to this .npz.") var out: String?
    @Option(help: "Write PNG frames of environment 0 to this folder: the prediction (with --field, its field; a body model without it, the scene's primitives) beside MuJoCo's.") var render: String?
    @Option(help: "Write the same frames as one looping animated GIF, shown in real time.") var gif: String?
    @Option(help: "Steps between rendered frames.") var renderEvery: Int = 25
    @Option(help: "Pixels on a side of each half of a frame (the prediction's and MuJoCo's views).") var renderSize: Int = 160
    @Option(help: "Voxels along x of the dense baseline's voxel grid.") var denseResolution: Int = 256
    @Option(help: "Threads of the compact rollout (the graph network split over them; OpenBLAS stays on one).") var threads: Int = 1
    @Option(help: .hidden) var only: RolloutRunOptions.Only?
    @Option(help: .hidden) var replay: String?
    @Flag(help: "Skip the child processes that measure each model's peak RSS alone.") var noPeakRss = false
    @Flag(help: "Print JSON: env_steps_per_second, memory (compact, dense, ratio), error_vs_teacher_m.") var json = false

    func validate() throws {
        try require(steps >= 1 && batch >= 1, "--steps and --batch must be at least 1")
        try require(steps < Int.max / 2 && batch < Int.max / 2, "--steps and --batch must be below \(Int.max / 2)")
        try require(episode >= 0, "--episode must not be negative")
        try require(threads >= 1 && threads <= 1024, "--threads must be between 1 and 1024, got \(threads)")
        try require(renderEvery >= 1, "--render-every must be at least 1 (steps between frames)")
        try require(renderSize >= 8 && renderSize <= 2048, "--render-size must be between 8 and 2048 pixels, got \(renderSize)")
        try require(denseResolution >= 2 && denseResolution <= 1024, "--dense-resolution must be between 2 and 1024, got \(denseResolution)")
    }

    /// Every file this command reads.
    private var inputs: [String] { [model, scene] + [dense, field, data, replay].compactMap { $0 } }

    func run() throws {
        if let out { try OutputPathCheck.refuse(outputs: [out], overwriting: inputs) }
        if let render { try OutputPathCheck.refuse(folder: render, writingFilesWhere: RolloutRun.isFrameFileName, overwriting: inputs) }
        if let gif { try OutputPathCheck.refuse(outputs: [gif], overwriting: inputs) }
        BLASThreads.set(1)
        if try BodyDynamicsModel.isBodyModel(path: model) { return try runBodies() }
        // A free-object model's frames are its field's renders.
        try require(gif == nil || field != nil, "--gif needs --field with a free-object model (the frames are the field's renders)")
        if let replay, let only {
            // A child run: one model alone on the parent's rollout, no MuJoCo; prints its peak RSS.
            let objects = try JSONDecoder().decode([ObjectDescription].self, from: Data(RolloutReplay.read(replay).objectsJSON.utf8))
            let compact = only == .compact
            guard compact || dense != nil else { throw ValidationError("--only dense needs --dense") }
            _ = try RolloutReplay.runAlone(compact: compact, modelPath: compact ? model : dense!, fieldPath: field,
                                           denseResolution: denseResolution, replayPath: replay, objects: objects, threads: threads)
            print(MemoryFootprint.peakResidentBytesOfThisProcess())
            return
        }
        let options = RolloutRunOptions(modelPath: model, densePath: dense, fieldPath: field, scenePath: scene, dataPath: data,
                                        episode: episode, steps: steps, batch: batch, seed: seed, denseResolution: denseResolution,
                                        teacherEnvironments: 1, threads: threads)
        let run = try RolloutRun(options: options)
        if let render { try makeDirectory(render) }
        // Opened before the rollout, so an unwritable path fails before any work; nothing appears until commit.
        let animation = try gif.map { try GIFFile.Writer(path: $0) }
        if let out {
            // positions, quaternions and the robot per frame, actions per step, all float32
            let n = run.scene.objects.count
            try ResourceBudget.checkDisk(bytes: ResourceBudget.product(batch, steps + 1, (n * 7 + 5) * 4), output: out)
        }
        try run.run { if !json { writeStandardError("wm rollout: \($0)\n") } }
        guard let compact = run.compactResult, var compactMemory = run.compactMemory else { return }
        var denseMemory = run.denseMemory
        if !noPeakRss {
            if !json { writeStandardError("wm rollout: each model alone in a child process, for its peak RSS\n") }
            let replayPath = "/tmp/wm-rollout-replay-\(getpid()).npz"
            let slot = InterruptSignal.remember(temporaryFile: replayPath)
            defer { unlink(replayPath); InterruptSignal.forget(slot) }
            let encoder = JSONEncoder()
            try RolloutReplay.write(states: run.initialStates, actions: run.actions,
                                    objectsJSON: String(decoding: try encoder.encode(run.recorder.scene.objects), as: UTF8.self), to: replayPath)
            compactMemory.peakRSSBytes = try peakRSSOfChild(.compact, replayPath: replayPath)
            if denseMemory != nil { denseMemory?.peakRSSBytes = try peakRSSOfChild(.dense, replayPath: replayPath) }
        }
        if let out { try NumPyArchive.write(run.npzArrays(), to: out, compress: false) }
        var frames: [String] = []
        if render != nil || animation != nil {
            // Real time: a frame shows for the control steps between frames (at least the 2 cs viewers honour).
            let delay = max(2, Int((Double(renderEvery) * run.scene.controlDtSeconds * 100).rounded()))
            try run.renderFrames(every: renderEvery, size: renderSize) { step, image in
                if let render {
                    let path = render + "/" + RolloutRun.frameFileName(step: step)
                    try PNGFile.write(image, to: path)
                    frames.append(path)
                }
                try animation?.append(image, delayCentiseconds: delay)
            }
            try animation?.commit()
        }
        let failures = compact.failures.compactMap { $0 }
        let report = RolloutReport(
            environments: batch, steps: steps, env_steps_per_second: compact.environmentStepsPerSecond,
            dense_env_steps_per_second: run.denseResult?.environmentStepsPerSecond,
            memory: denseMemory.map { MemoryReport(compact: compactMemory, dense: $0) }, compact_memory: compactMemory,
            error_vs_teacher_m: run.errorVsTeacherMeters, failures: failures, frames_written: frames.count, npz: out,
            gif: gif, gif_frames: animation?.frameCount)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("\(batch) environments x \(steps) steps: \(Int(compact.environmentStepsPerSecond)) env-steps/s (compact)"
              + (run.denseResult.map { ", \(Int($0.environmentStepsPerSecond)) (dense)" } ?? ""))
        if let e = run.errorVsTeacherMeters { print("object position error against MuJoCo after \(steps) steps: \(formatMillimetres(e))") }
        print(failures.isEmpty ? "no environment diverged" : failures.joined(separator: "\n"))
        if let memory = report.memory { print(memory.table, terminator: "") } else {
            print("compact model: \(compactMemory.totalBytes) bytes (give --dense for the comparison)")
        }
        if let out { print("wrote \(out)") }
        if !frames.isEmpty { print("wrote \(frames.count) frames to \(render!)") }
        if let gif, let animation, let size = animation.frameSize {
            print("wrote a \(animation.frameCount)-frame animation (\(size.width)x\(size.height)) to \(gif)")
        }
    }

    /// Runs one model alone on the replay in a child process (no MuJoCo) and returns the peak RSS it reports.
    private func peakRSSOfChild(_ part: RolloutRunOptions.Only, replayPath: String) throws -> Int {
        var arguments = ["wm", "rollout", "--model", model, "--scene", scene, "--dense-resolution", "\(denseResolution)",
                         "--threads", "\(threads)", "--only", part.rawValue, "--replay", replayPath]
        if let dense { arguments += ["--dense", dense] }
        if let field { arguments += ["--field", field] }
        let output = try ChildProcess.run(executable: "/proc/self/exe", arguments: arguments)
        guard let bytes = Int(output.filter(\.isNumber)) else { throw WorldModelError("the child run printed no peak RSS: \(output)") }
        return bytes
    }
}

struct RolloutReport: Encodable {
    var environments: Int
    var steps: Int
    var env_steps_per_second: Double
    var dense_env_steps_per_second: Double?
    var memory: MemoryReport?
    var compact_memory: MemoryFootprint
    var error_vs_teacher_m: Double?
    var failures: [String]
    var frames_written: Int
    var npz: String?
    var gif: String?
    var gif_frames: Int?
}

/// Makes the folder `path` unless it exists; throws naming it when it cannot, or when `path` is a file.
func makeDirectory(_ path: String) throws {
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw WorldModelError(file: path, "cannot create folder: \(String(cString: strerror(errno)))")
    }
    var status = stat()
    guard stat(path, &status) == 0, (status.st_mode & S_IFMT) == S_IFDIR else {
        throw WorldModelError(file: path, "is not a folder")
    }
}

/// Spawning the wm executable again, to measure something of a process alone.
enum ChildProcess {
    /// Runs `executable` with `arguments` (stdin and stderr from/to /dev/null) and returns what it printed.
    static func run(executable: String, arguments: [String]) throws -> String {
        let outputPath = "/tmp/wm-child-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out"
        let slot = InterruptSignal.remember(temporaryFile: outputPath)
        defer { unlink(outputPath); InterruptSignal.forget(slot) }
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var resolved = [CChar](repeating: 0, count: Int(PATH_MAX))
        guard realpath(executable, &resolved) != nil else { throw WorldModelError(file: executable, "cannot find the wm executable") }
        let status = posix_spawn(&pid, resolved, &actions, nil, argv, environ)
        guard status == 0 else { throw WorldModelError("cannot start a child process: \(String(cString: strerror(status)))") }
        var exitStatus: Int32 = 0
        var usage = rusage()
        guard wait4(pid, &exitStatus, 0, &usage) == pid else { throw WorldModelError("lost the child process \(pid)") }
        guard exitStatus == 0 else { throw WorldModelError("the child run '\(arguments.joined(separator: " "))' failed (status \(exitStatus))") }
        return String(decoding: (try? FileBytes.read(outputPath)) ?? [], as: UTF8.self)
    }
}
