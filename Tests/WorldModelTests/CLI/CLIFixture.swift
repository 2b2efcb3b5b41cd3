import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Tiny files the CLI tests share, made once per test process in a folder of its own: datasets of a few
/// short episodes, the shipped models, and models made to mismatch (another robot, another control step).
enum CLIFixture {
    static let folder: String = {
        let path = "/tmp/wm-cli-fixture-\(getpid())"
        mkdir(path, 0o755)
        return path
    }()

    static func shipped(_ name: String) -> String { packageRoot + "/models/" + name }

    /// 3 episodes of 12 steps of push (4 boxes).
    static let pushData: String? = try? dataset("push.xml", episodes: 3, steps: 12, name: "push.wmds")
    /// 3 episodes of 12 steps of clutter (8 objects).
    static let clutterData: String? = try? dataset("clutter.xml", episodes: 3, steps: 12, name: "clutter.wmds")
    /// 3 episodes of 2 steps of push: 3 frames, shorter than any model's history.
    static let shortPushData: String? = try? dataset("push.xml", episodes: 3, steps: 2, name: "push-short.wmds")

    /// A push graph network whose robot takes 3 action components.
    static let wideActionModel: String? = try? model("wide-action.safetensors") { $0.actionDimension = 3; $0.actionLow.append(-1); $0.actionHigh.append(1) }
    /// A push graph network trained at a 50 ms control step.
    static let slowModel: String? = try? model("slow.safetensors", dt: 0.05)

    private static func dataset(_ scene: String, episodes: Int, steps: Int, name: String) throws -> String {
        let path = folder + "/" + name
        _ = try TeacherRecorder(scenePath: scenePath(scene)).generateDataset(path: path, episodes: episodes, steps: steps, seed: 1, policy: .waypoints)
        return path
    }

    private static func model(_ name: String, dt: Float = 0.02, robot change: (inout RobotDescription) -> Void = { _ in }) throws -> String {
        let scene = try MuJoCoSimulation(path: scenePath("push.xml")).scene
        var robot = scene.robot
        change(&robot)
        let path = folder + "/" + name
        try compatibilityModel(objects: scene.objects, robot: robot, dt: dt).save(to: path)
        return path
    }

    /// A copy of `path` in the fixture folder, to be the input a test tries to overwrite.
    static func copy(_ path: String, as name: String) throws -> String {
        let destination = folder + "/\(UInt64.random(in: 0...UInt64.max))-" + name
        let writer = try AtomicFileWriter(path: destination)
        try writer.write(try FileBytes.read(path))
        try writer.commit()
        return destination
    }
}

/// Runs wm and expects a refusal: exit 1, one line on stderr naming `naming`, every input byte-identical
/// afterwards, no output that was absent before and no temporary file beside any output.
func expectRefused(_ arguments: [String], naming: String, inputs: [String], outputs: [String] = [],
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    let before = inputs.map { try? FileBytes.read($0) }
    let absent = outputs.filter { access($0, F_OK) != 0 }
    let (status, _, err) = try runWM(arguments)
    #expect(status == 1, "exit status of wm \(arguments.joined(separator: " "))", sourceLocation: sourceLocation)
    #expect(err.split(separator: "\n").count == 1 && err.contains(naming), "stderr: \(err)", sourceLocation: sourceLocation)
    for (input, bytes) in zip(inputs, before) {
        #expect((try? FileBytes.read(input)) == bytes, "\(input) changed", sourceLocation: sourceLocation)
    }
    for output in absent { #expect(access(output, F_OK) != 0, "\(output) was written", sourceLocation: sourceLocation) }
    for output in outputs + inputs { #expect(temporaryFiles(beside: output).isEmpty, "temporary file left beside \(output)", sourceLocation: sourceLocation) }
}

/// The `AtomicFileWriter` temporary files (`.NAME.tmp-PID`) of any process beside `path`.
func temporaryFiles(beside path: String) -> [String] {
    AtomicFileWriter.temporaryFiles(for: path).map(\.path)
}
