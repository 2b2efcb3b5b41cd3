#if MPI
import Foundation
import Testing
import WorldModel

/// Runs `executable` with `arguments` in `folder` with `environment` added; returns (status, stdout and stderr).
func runProcess(_ executable: String, _ arguments: [String], in folder: String? = nil, environment: [String: String] = [:]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let folder { process.currentDirectoryURL = URL(fileURLWithPath: folder) }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    // Reap the child ourselves: Foundation's waitUntilExit was seen to wait forever for a child that had exited
    // (a zombie, never reported) when the script had started daemons.
    var status: Int32 = 0
    if waitpid(process.processIdentifier, &status, 0) == process.processIdentifier {
        let signal = status & 0x7f
        return (signal == 0 ? (status >> 8) & 0xff : 128 + signal, String(decoding: data, as: UTF8.self))
    }
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// A one-node Slurm from tools/slurm-one-node.sh: its SLURM_CONF, whether this process started it, or why not.
let slurm: (conf: String?, startedHere: Bool, why: String) = {
    let script = packageRoot + "/tools/slurm-one-node.sh", folder = "/tmp/wm-slurm"
    guard access("/usr/sbin/slurmctld", X_OK) == 0, access("/usr/bin/sbatch", X_OK) == 0 else {
        return (nil, false, "needs Debian's slurm-wlm and munge (tools/setup.sh installs them)")
    }
    let conf = folder + "/slurm.conf"
    let running = access(conf, F_OK) == 0 && ((try? runProcess("/usr/bin/sinfo", ["-h"], environment: ["SLURM_CONF": conf]))?.0 == 0)
    guard let (status, output) = try? runProcess("/bin/bash", [script, "start", folder]), status == 0 else {
        return (nil, false, "tools/slurm-one-node.sh could not start a one-node Slurm here (see /tmp/wm-slurm/log)")
    }
    _ = output
    return (conf, !running, "")
}()

/// docs/cluster/submit.sh as it is, on a one-node Slurm: the generation array job, then the MPI training job
/// after it (merge, then `srun --mpi=pmix wm train` on 2 ranks), small sizes through the scripts' settings.
@Suite(.enabled(if: wmExecutable != nil && mpirun != nil, "needs mpirun and the wm executable built with --traits MPI"),
       .enabled(if: slurm.conf != nil, Comment(rawValue: slurm.why)))
struct SlurmPipelineTests {
    @Test func submitRunsGenerationThenDataParallelTraining() throws {
        defer { if slurm.startedHere { _ = try? runProcess("/bin/bash", [packageRoot + "/tools/slurm-one-node.sh", "stop", "/tmp/wm-slurm"]) } }
        let wm = try #require(wmExecutable), conf = try #require(slurm.conf)
        let folder = "/tmp/wm-slurm-test-\(getpid())"
        mkdir(folder, 0o755)
        defer { _ = try? runProcess("/bin/rm", ["-rf", folder]) }
        let settings = ["WM": wm, "SCENE": packageRoot + "/scenes/push.xml", "EPISODES": "8", "STEPS": "20", "SEED": "4",
                        "SHARDS": folder + "/shards", "MODEL": folder + "/model.safetensors", "MINUTES": "1", "TRAIN_STEPS": "20",
                        "GRAPH": "bodies", "CONFIG": "small", "SLURM_CONF": conf]
        let (status, output) = try runProcess("/bin/bash", [packageRoot + "/docs/cluster/submit.sh"], in: folder, environment: settings)
        try #require(status == 0, "submit.sh: \(output)")
        let words = output.split(whereSeparator: \.isWhitespace)
        let jobs = try #require(words.count == 4 ? "\(words[1]),\(words[3])" : nil, "submit.sh printed \(output)")
        let deadline = Date().addingTimeInterval(240)
        while Date() < deadline {
            let (_, queue) = try runProcess("/usr/bin/squeue", ["-h", "-j", jobs], environment: ["SLURM_CONF": conf])
            if queue.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            Thread.sleep(forTimeInterval: 0.5)
        }
        let logs = (try? FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".log") }.sorted()) ?? []
        let text = logs.map { "\($0):\n" + ((try? String(contentsOfFile: folder + "/" + $0, encoding: .utf8)) ?? "") }.joined(separator: "\n")
        #expect(logs.filter { $0.hasPrefix("wm-generate-") }.count == 4, "logs: \(logs)")
        #expect(text.contains("data-parallel on 2 MPI ranks"), "\(text)")
        #expect(try BodyDynamicsModel.isBodyModel(path: folder + "/model.safetensors"), "\(text)")
        // The merged shards are the bytes of one unsharded run.
        let whole = folder + "/whole.wmds"
        let (generated, log) = try runProcess(wm, ["generate", "--scene", settings["SCENE"]!, "--episodes", "8", "--steps", "20", "--seed", "4", "--out", whole])
        try #require(generated == 0, "\(log)")
        #expect(try FileBytes.read(folder + "/shards/merged.wmds") == FileBytes.read(whole))
    }
}
#endif
