import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// A wm process started in the background, its stdout and stderr going to files.
struct BackgroundWM {
    let pid: pid_t
    let output: String

    init(_ arguments: [String]) throws {
        output = "/tmp/wm-bg-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
        pid = try spawnWM(arguments, output: output)
    }

    var standardError: String { String(decoding: (try? FileBytes.read(output + ".err")) ?? [], as: UTF8.self) }

    /// Waits (up to about a minute, polling) until `condition` holds; false if the process ended first.
    func wait(until condition: () -> Bool) -> Bool {
        for _ in 0..<1200 {
            if condition() { return true }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { return false }
            usleep(50_000)
        }
        return false
    }

    /// Sends `signal` and returns the raw wait status.
    func stop(with signal: Int32) -> Int32 {
        kill(pid, signal)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        unlink(output + ".out")
        unlink(output + ".err")
        return status
    }
}

/// The signal that ended a process, from its raw wait status (0 if it exited).
func endingSignal(_ status: Int32) -> Int32 { status & 0x7f == 0 ? 0 : status & 0x7f }
func exitStatus(_ status: Int32) -> Int32 { (status >> 8) & 0xff }

/// Ctrl-C, SIGTERM and SIGKILL at any moment: the last good output stays, no temporary file is left.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct InterruptTests {
    @Test func ctrlCBeforeTheFirstValidationKeepsTheTrainedModel() throws {
        let data = try #require(CLIFixture.pushData), out = CLIFixture.folder + "/interrupted-\(UInt64.random(in: 0...UInt64.max)).safetensors"
        let train = try BackgroundWM(["train", "--data", data, "--out", out, "--config", "small", "--minutes", "10"])
        #expect(train.wait { train.standardError.contains("training gnn") })
        usleep(500_000)  // some steps, long before the first validation (20 s)
        let status = train.stop(with: SIGINT)
        #expect(endingSignal(status) == 0 && exitStatus(status) == 0)
        let model = try DynamicsModel.load(from: out)
        #expect(model.configuration == DynamicsConfiguration.preset(named: "small"))
        #expect(temporaryFiles(beside: out).isEmpty)
    }

    @Test func sigtermStopsFieldTrainingWithItsFieldsWritten() throws {
        let data = try #require(CLIFixture.pushData), out = CLIFixture.folder + "/field-\(UInt64.random(in: 0...UInt64.max)).safetensors"
        let train = try BackgroundWM(["field", "train", "--scene", scenePath("push.xml"), "--data", data, "--out", out, "--size", "8",
                                      "--frames", "2", "--cameras", "1", "--levels", "2", "--log2-table-size", "6", "--minutes", "10"])
        #expect(train.wait { train.standardError.contains("views of") })
        usleep(300_000)
        let status = train.stop(with: SIGTERM)
        #expect(endingSignal(status) == 0 && exitStatus(status) == 0)
        #expect(try ObjectFieldSet.load(from: out).description.objectClasses.count == 4)
        #expect(temporaryFiles(beside: out).isEmpty)
    }

    @Test func ctrlCDuringGenerateOrRolloutLeavesThePreviousFileAndNoTemporary() throws {
        let previous = try CLIFixture.copy(try #require(CLIFixture.pushData), as: "previous.wmds")
        let bytes = try FileBytes.read(previous)
        let generate = try BackgroundWM(["generate", "--scene", scenePath("push.xml"), "--episodes", "100000", "--steps", "100", "--out", previous])
        #expect(generate.wait { !temporaryFiles(beside: previous).isEmpty })
        #expect(endingSignal(generate.stop(with: SIGINT)) == SIGINT)
        #expect(try FileBytes.read(previous) == bytes)
        #expect(temporaryFiles(beside: previous).isEmpty)

        let out = CLIFixture.folder + "/rollout-\(UInt64.random(in: 0...UInt64.max)).npz"
        let rollout = try BackgroundWM(["rollout", "--model", CLIFixture.shipped("push.safetensors"), "--scene", scenePath("push.xml"),
                                        "--batch", "64", "--steps", "100000", "--out", out])
        #expect(rollout.wait { rollout.standardError.contains("compact rollout") })
        #expect(endingSignal(rollout.stop(with: SIGTERM)) == SIGTERM)
        #expect(access(out, F_OK) != 0 && temporaryFiles(beside: out).isEmpty)
        #expect(access("/tmp/wm-rollout-replay-\(rollout.pid).npz", F_OK) != 0)
    }

    @Test func ctrlCDuringPlanEndsWithOneLine() throws {
        let plan = try BackgroundWM(["plan", "--model", CLIFixture.shipped("push-bodies.safetensors"), "--scene", scenePath("push.xml"), "--tasks", "20",
                                     "--controllers", "learned,random", "--time-limit", "0.2", "--samples", "8", "--horizon", "3"])
        #expect(plan.wait { plan.standardError.contains("learned [") })
        let status = plan.stop(with: SIGINT)
        #expect(endingSignal(status) == SIGINT)
    }

    /// SIGKILL cannot be handled: what the atomic writer guarantees is that the destination is always the
    /// previous file or a complete new one, and the next writer removes the dead process's temporary file.
    @Test(arguments: ["train", "generate"])
    func sigkillAtAnyMomentLeavesAFileThatLoadsOrNone(_ command: String) throws {
        let data = try #require(CLIFixture.pushData)
        let out = CLIFixture.folder + "/killed-\(command)-\(UInt64.random(in: 0...UInt64.max))" + (command == "train" ? ".safetensors" : ".wmds")
        let arguments = command == "train"
            ? ["train", "--data", data, "--out", out, "--config", "small", "--steps", "60"]
            : ["generate", "--scene", scenePath("push.xml"), "--episodes", "30", "--steps", "40", "--out", out]
        func loads() -> Bool {
            command == "train" ? (try? DynamicsModel.load(from: out)) != nil : (try? DatasetReader(path: out)).map { r in (0..<r.header.episodeCount).allSatisfy { (try? r.episode($0)) != nil } } ?? false
        }
        for delay in [0, 20_000, 100_000, 300_000, 600_000, 1_000_000, 2_000_000, 4_000_000] as [UInt32] {
            let existed = access(out, F_OK) == 0
            let child = try BackgroundWM(arguments)
            usleep(delay)
            _ = child.stop(with: SIGKILL)
            if access(out, F_OK) == 0 {
                #expect(loads(), "after SIGKILL at \(delay) µs \(out) does not load")
            } else {
                #expect(!existed, "after SIGKILL at \(delay) µs the previous \(out) is gone")
            }
        }
        // A run to the end replaces whatever is there and removes the killed runs' temporary files.
        #expect(try runWM(arguments).0 == 0)
        #expect(loads() && temporaryFiles(beside: out).isEmpty)
    }
}
