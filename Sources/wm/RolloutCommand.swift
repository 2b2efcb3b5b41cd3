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

            Example:
              wm rollout --model models/push.safetensors --dense models/push-dense.safetensors \\
                --field models/push-field.safetensors --scene scenes/push.xml --steps 200 --batch 16 --json
            """)

    @Option(help: "The graph-network checkpoint.") var model: String
    @Option(help: "The dense-baseline checkpoint (flat-state MLP) for the memory comparison.") var dense: String?
    @Option(help: "The neural field (the compact scene representation); also enables --render.") var field: String?
    @Option(help: "The MJCF scene.") var scene: String
    @Option(help: "Start from this dataset's episodes instead of fresh placements.") var data: String?
    @Option(help: "First dataset episode (environment k uses episode K + k).") var episode: Int = 0
    @Option(help: "Control steps T.") var steps: Int = 200
    @Option(help: "Environments B, rolled out together.") var batch: Int = 1
    @Option(help: "Seed for placements and the scripted policy.") var seed: UInt64 = 1
    @Option(help: "Write trajectories and actions to this .npz.") var out: String?
    @Option(help: "Write PNG frames (field prediction beside MuJoCo) of environment 0 to this folder.") var render: String?
    @Option(help: "Steps between rendered frames.") var renderEvery: Int = 25
    @Option(help: "Voxels along x of the dense baseline's voxel grid.") var denseResolution: Int = 256
    @Option(help: "OpenBLAS threads.") var threads: Int = 1
    @Option(help: .hidden) var only: RolloutRunOptions.Only?
    @Flag(help: "Skip the child processes that measure each model's peak RSS alone.") var noPeakRss = false
    @Flag(help: "Print JSON: env_steps_per_second, memory (compact, dense, ratio), error_vs_teacher_m.") var json = false

    func run() throws {
        BLASThreads.set(threads)
        let options = RolloutRunOptions(modelPath: model, densePath: dense, fieldPath: field, scenePath: scene, dataPath: data,
                                        episode: episode, steps: steps, batch: batch, seed: seed, denseResolution: denseResolution,
                                        teacherEnvironments: only == nil ? 1 : 0, only: only)
        let run = try RolloutRun(options: options)
        try run.run { if !json && only == nil { writeStandardError("wm rollout: \($0)\n") } }
        if only != nil {
            print(MemoryFootprint.peakResidentBytesOfThisProcess())
            return
        }
        guard let compact = run.compactResult, var compactMemory = run.compactMemory else { return }
        var denseMemory = run.denseMemory
        if !noPeakRss {
            compactMemory.peakRSSBytes = try peakRSSOfChild(.compact)
            if denseMemory != nil { denseMemory?.peakRSSBytes = try peakRSSOfChild(.dense) }
        }
        if let out { try NumPyArchive.write(run.npzArrays(), to: out, compress: false) }
        var frames: [String] = []
        if let render {
            try makeDirectory(render)
            frames = try run.renderFrames(to: render, every: renderEvery)
        }
        let failures = compact.failures.compactMap { $0 }
        let report = RolloutReport(
            environments: batch, steps: steps, env_steps_per_second: compact.environmentStepsPerSecond,
            dense_env_steps_per_second: run.denseResult?.environmentStepsPerSecond,
            memory: denseMemory.map { MemoryReport(compact: compactMemory, dense: $0) }, compact_memory: compactMemory,
            error_vs_teacher_m: run.errorVsTeacherMeters, failures: failures, frames_written: frames.count, npz: out)
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
    }

    /// Runs this command again with `--only part` in a child process and returns the child's peak RSS (bytes).
    private func peakRSSOfChild(_ part: RolloutRunOptions.Only) throws -> Int {
        var arguments = ["wm", "rollout", "--model", model, "--scene", scene, "--steps", "\(steps)", "--batch", "\(batch)",
                         "--seed", "\(seed)", "--episode", "\(episode)", "--dense-resolution", "\(denseResolution)",
                         "--threads", "\(threads)", "--only", part.rawValue]
        if let dense { arguments += ["--dense", dense] }
        if let field { arguments += ["--field", field] }
        if let data { arguments += ["--data", data] }
        return try ChildProcess.peakResidentBytes(executable: "/proc/self/exe", arguments: arguments)
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
}

func makeDirectory(_ path: String) throws {
    if mkdir(path, 0o755) != 0 && errno != EEXIST {
        throw WorldModelError(file: path, "cannot create folder: \(String(cString: strerror(errno)))")
    }
}

/// Spawning the wm executable again, to measure something of a process alone.
enum ChildProcess {
    /// Runs `executable` with `arguments` (stdout and stderr discarded) and returns its peak RSS in bytes.
    static func peakResidentBytes(executable: String, arguments: [String]) throws -> Int {
        var pid: pid_t = 0
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
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
        return Int(usage.ru_maxrss) * 1024
    }
}
