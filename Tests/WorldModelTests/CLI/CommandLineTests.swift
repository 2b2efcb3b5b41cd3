import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// The `wm` executable built beside this test bundle, if there is one.
let wmExecutable: String? = {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX))
    let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard n > 0 else { return nil }
    var path = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    while let slash = path.lastIndex(of: "/"), !path.hasSuffix("/debug") && !path.hasSuffix("/release") && path != "" {
        path = String(path[..<slash])
    }
    let candidate = path + "/wm"
    return access(candidate, X_OK) == 0 ? candidate : nil
}()

/// Starts wm with `arguments` (and this process's environment plus `environment`, `NAME=value` each), stdin from
/// /dev/null, stdout and stderr to `output`.out and `output`.err.
func spawnWM(_ arguments: [String], output: String, environment: [String] = []) throws -> pid_t {
    let executable = try #require(wmExecutable)
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, output + ".out", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    posix_spawn_file_actions_addopen(&actions, 2, output + ".err", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    let argv = (["wm"] + arguments).map { strdup($0) } + [nil]
    defer { for p in argv { free(p) } }
    var inherited: [UnsafeMutablePointer<CChar>?] = []
    var e = environ
    while let entry = e.pointee { inherited.append(entry); e += 1 }
    let added = environment.map { strdup($0) }
    defer { for p in added { free(p) } }
    let envp = inherited + added + [nil]
    var pid: pid_t = 0
    guard posix_spawn(&pid, executable, &actions, nil, argv, envp) == 0 else { throw WorldModelError("cannot run \(executable)") }
    return pid
}

/// Runs wm with `arguments` (and `environment` added to this process's); returns (exit status, stdout, stderr).
func runWM(_ arguments: [String], environment: [String] = []) throws -> (Int32, String, String) {
    let out = "/tmp/wm-cli-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
    defer { unlink(out + ".out"); unlink(out + ".err") }
    let pid = try spawnWM(arguments, output: out, environment: environment)
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let text = { (p: String) in String(decoding: (try? FileBytes.read(p)) ?? [], as: UTF8.self) }
    return ((status >> 8) & 0xff, text(out + ".out"), text(out + ".err"))
}

@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct CommandLineTests {
    @Test func unknownFlagIsOneLineAndExitOne() throws {
        let (status, _, err) = try runWM(["generate", "--scene", scenePath("push.xml"), "--out", "/tmp/x.wmds", "--bogus"])
        #expect(status == 1)
        #expect(err.split(separator: "\n").count == 1 && err.contains("--bogus"))
    }

    @Test func malformedSceneNamesTheFileAndWritesNothing() throws {
        let bad = try temporaryFile("cli-bad.xml", "<mujoco><worldbody><geom type=\"box\"></mujoco>")
        defer { unlink(bad) }
        let out = "/tmp/wm-cli-never-\(getpid()).wmds"
        let (status, _, err) = try runWM(["generate", "--scene", bad, "--episodes", "1", "--steps", "2", "--out", out])
        #expect(status == 1)
        #expect(err.hasPrefix("wm: \(bad): MuJoCo cannot load this MJCF"))
        #expect(err.split(separator: "\n").count == 1)
        #expect(access(out, F_OK) != 0)
    }

    @Test func truncatedCheckpointIsOneLineAndExitOne() throws {
        let path = "/tmp/wm-cli-trunc-\(getpid()).safetensors"
        defer { unlink(path) }
        let model = DynamicsModel(configuration: DynamicsConfiguration.preset(named: "small")!, objects: [testBox], robot: testPusher,
                                  dtSeconds: 0.02, robotKinematics: RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-1, -1), upperBound: SIMD2(1, 1)), seed: 1)
        try model.save(to: path)
        let bytes = try FileBytes.read(path)
        let w = try AtomicFileWriter(path: path)
        try w.write(Array(bytes.prefix(bytes.count / 2)))
        try w.commit()
        let (status, _, err) = try runWM(["checkpoint", "info", path])
        #expect(status == 1)
        #expect(err.hasPrefix("wm: \(path): ") && err.split(separator: "\n").count == 1)
        let (evalStatus, _, evalErr) = try runWM(["eval", "--model", path, "--data", "/tmp/none.wmds"])
        #expect(evalStatus == 1 && evalErr.split(separator: "\n").count == 1)
    }

    @Test func helpTeachesWithExamples() throws {
        let (status, out, _) = try runWM(["generate", "--help"])
        #expect(status == 0)
        #expect(out.contains("Example") && out.contains("--episodes"))
    }
}
