import FoundationEssentials
import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

#if MPI
/// The package's folder, found from this file's path.
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

/// The `wm` executable built beside this test bundle (with the MPI trait, as this target is), if there is one.
let wmExecutable: String? = {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    var path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    while let slash = path.lastIndex(of: "/"), !path.hasSuffix("/debug") && !path.hasSuffix("/release") {
        path = String(path[..<slash])
    }
    let candidate = path + "/wm"
    return access(candidate, X_OK) == 0 ? candidate : nil
}()

let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { access($0, X_OK) == 0 }

/// A process started with stdout and stderr to files, stdin from /dev/null; reaped once, by ``finish(seconds:)``.
final class Started {
    let pid: pid_t
    let output: String
    private(set) var status: Int32?
    private var reaped = false

    init(_ executable: String, _ arguments: [String]) throws {
        output = "/tmp/wm-mpi-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, output + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, argv, environ) == 0 else { throw WorldModelError("cannot run \(executable)") }
        self.pid = pid
    }

    deinit {
        _ = finish(seconds: 0)
        unlink(output + ".out"); unlink(output + ".err")
    }

    func text(_ suffix: String) -> String { String(decoding: (try? FileBytes.read(output + suffix)) ?? [], as: UTF8.self) }

    /// Waits at most `seconds` for the exit; returns its status (128 + the signal for a signal), or nil if it
    /// was still running (then it is ended: SIGTERM, which mpirun passes to its ranks, and SIGKILL 5 s later).
    func finish(seconds: Double) -> Int32? {
        guard !reaped else { return status }
        reaped = true
        var raw: Int32 = 0
        let deadline = monotonicSeconds() + seconds
        repeat {
            if waitpid(pid, &raw, WNOHANG) == pid {
                status = (raw & 0x7f) == 0 ? (raw >> 8) & 0xff : 128 + (raw & 0x7f)
                return status
            }
            usleep(20_000)
        } while monotonicSeconds() < deadline
        kill(pid, SIGTERM)
        for _ in 0..<250 where waitpid(pid, &raw, WNOHANG) != pid { usleep(20_000) }
        if waitpid(pid, &raw, WNOHANG) == 0 { kill(pid, SIGKILL); waitpid(pid, &raw, 0) }
        return nil
    }
}

/// Runs a command to its end (at most `seconds`); returns (status, stdout, stderr).
func run(_ executable: String, _ arguments: [String], seconds: Double = 120) throws -> (Int32?, String, String) {
    let started = try Started(executable, arguments)
    let status = started.finish(seconds: seconds)
    return (status, started.text(".out"), started.text(".err"))
}

let mpirunFlags = ["--allow-run-as-root", "--oversubscribe"]

/// A small body-graph dataset of the push scene, made once.
let pushData: String? = {
    guard let wm = wmExecutable else { return nil }
    let path = "/tmp/wm-mpi-test-\(getpid())-push.wmds"
    let (status, _, _) = (try? run(wm, ["generate", "--scene", packageRoot + "/scenes/push.xml", "--episodes", "6", "--steps", "20",
                                        "--seed", "2", "--out", path])) ?? (nil, "", "")
    return status == 0 ? path : nil
}()

/// `wm train` arguments for a few steps of the small body graph (or free-object graph).
func trainArguments(out: String, steps: Int, graph: String = "bodies", resume: Bool = false) throws -> [String] {
    ["train", "--data", try #require(pushData), "--out", out, "--graph", graph, "--config", "small", "--steps", "\(steps)",
     "--seed", "3", "--json"] + (resume ? ["--resume"] : [])
}

/// The largest absolute difference between two checkpoints' tensors of the same names and shapes.
func maxDifference(_ a: String, _ b: String) throws -> Float {
    let x = try SafetensorsFile.read(a), y = try SafetensorsFile.read(b)
    var largest: Float = 0
    for tensor in x.tensors where tensor.dtype == .f32 {
        let other = try #require(y.tensor(named: tensor.name), "\(b) has no tensor \(tensor.name)")
        #expect(other.shape == tensor.shape)
        for (p, q) in zip(tensor.floats, other.floats) { largest = max(largest, abs(p - q)) }
    }
    return largest
}

/// What the tests read of `wm train --json`.
struct Summary: Decodable {
    var steps: Int
    var ranks: Int
    var maxRankWeightDifference: Double
    init(_ json: String) throws { self = try JSONDecoder().decode(Summary.self, from: Data(json.utf8)) }
}

/// Lines of `text` that start with `prefix`.
func lines(_ text: String, startingWith prefix: String) -> Int { text.split(separator: "\n").filter { $0.hasPrefix(prefix) }.count }

@Suite(.serialized, .enabled(if: wmExecutable != nil && mpirun != nil, "needs mpirun (openmpi-bin) and the wm executable built with --traits MPI beside the test bundle"))
struct MPIGradientReducerTests {
    func path(_ name: String) -> String { "/tmp/wm-mpi-test-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-\(name).safetensors" }

    @Test(arguments: ["bodies", "objects"])
    func twoRanksEqualOneProcessOnTheSameGlobalBatch(graph: String) throws {
        let wm = try #require(wmExecutable), single = path("single"), parallel = path("parallel")
        defer { unlink(single); unlink(parallel) }
        let steps = 20
        let (s1, _, e1) = try run(wm, try trainArguments(out: single, steps: steps, graph: graph))
        #expect(s1 == 0, "\(e1)")
        let (s2, out2, e2) = try run(try #require(mpirun), mpirunFlags + ["-np", "2", wm] + (try trainArguments(out: parallel, steps: steps, graph: graph)))
        #expect(s2 == 0, "\(e2)")
        let difference = try maxDifference(single, parallel)
        print("wm train --graph \(graph), mpirun -np 2 against 1 process, \(steps) steps of the same global batch: max weight difference \(difference)")
        #expect(difference < 1e-5)
        let summary = try Summary(out2)
        #expect(summary.ranks == 2 && summary.maxRankWeightDifference == 0)
        #expect(lines(e2, startingWith: "training ") == 1, "one rank prints: \(e2)")

        // --resume: both continue from their checkpoints and still agree.
        let (s3, _, e3) = try run(wm, try trainArguments(out: single, steps: 10, graph: graph, resume: true))
        #expect(s3 == 0, "\(e3)")
        let (s4, out4, e4) = try run(try #require(mpirun), mpirunFlags + ["-np", "2", wm] + (try trainArguments(out: parallel, steps: 10, graph: graph, resume: true)))
        #expect(s4 == 0, "\(e4)")
        #expect(try Summary(out4).steps == steps + 10)
        #expect(try SafetensorsFile.read(parallel).metadata["training_step"] == "\(steps + 10)")
        let resumed = try maxDifference(single, parallel)
        print("--graph \(graph) after --resume and 10 more steps: max weight difference \(resumed)")
        #expect(resumed < 1e-5)
    }

    @Test func aRankThatDiesEndsTheJobWithAMessage() throws {
        let wm = try #require(wmExecutable), out = path("killed")
        defer { unlink(out) }
        var arguments = try trainArguments(out: out, steps: 1_000_000)
        arguments += ["--minutes", "2"]
        let job = try Started(try #require(mpirun), mpirunFlags + ["-np", "2", wm] + arguments)
        // Rank 1 is the child of mpirun whose environment says OMPI_COMM_WORLD_RANK=1; kill it once training runs.
        var victim: pid_t? = nil
        let deadline = monotonicSeconds() + 60
        while victim == nil && monotonicSeconds() < deadline {
            usleep(100_000)
            guard job.text(".err").contains("training body-graph") else { continue }
            victim = rank(1, under: job.pid)
        }
        let pid = try #require(victim, "rank 1 never started: \(job.text(".err"))")
        usleep(500_000)
        kill(pid, SIGKILL)
        let start = monotonicSeconds()
        let status = job.finish(seconds: 30)
        let seconds = monotonicSeconds() - start, err = job.text(".err")
        print("mpirun ended \(seconds) s after rank 1 was killed, exit status \(status.map(String.init) ?? "none"); its stderr ends:\n\(err.suffix(600))")
        #expect(status != nil, "the job hung after rank 1 died")
        #expect(status != 0)
        #expect(err.contains("rank 1") && err.contains("signal 9"), "mpirun names the rank that died: \(err)")
        // Rank 0 writes atomically: the file is absent or a whole checkpoint.
        if access(out, F_OK) == 0 { #expect(try BodyDynamicsModel.isBodyModel(path: out)) }
    }

    /// A file of /proc, read to its end (its size says 0).
    func procFile(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &chunk, chunk.count)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        return bytes
    }

    /// The child of `parent` (mpirun) that is MPI rank `rank`, by its environment.
    func rank(_ rank: Int, under parent: pid_t) -> pid_t? {
        for name in directoryEntries("/proc") ?? [] {
            guard let pid = pid_t(name),
                  let stat = procFile("/proc/\(name)/stat") else { continue }
            let fields = String(decoding: stat, as: UTF8.self).split(separator: ")").last?.split(separator: " ") ?? []
            guard fields.count > 2, pid_t(fields[1]) == parent,
                  let environment = procFile("/proc/\(name)/environ") else { continue }
            if environment.split(separator: 0).contains(where: { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=\(rank)" }) { return pid }
        }
        return nil
    }
}
#else
@Suite struct MPITraitTests {
    @Test(.disabled("data-parallel training is built only with the MPI trait: swift test --traits MPI --filter WMMPITests"))
    func mpiNeedsTheTrait() {}
}
#endif
