import ArgumentParser
import FoundationEssentials
import WorldModel

extension Split: ExpressibleByArgument {}

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure rollout errors of a dynamics model and the baselines on a dataset split.",
        discussion: """
            From start frames every 10 steps of every episode of the split, rolls the model out with the robot
            driven by the recorded actions, and reports the mean object position error (m) and rotation error
            (degrees) at each horizon, for the model, the constant-velocity baseline, and the dense MLP baseline
            when --dense is given (it refuses a dataset whose object count differs from its training scene).
            The same means over moving objects only (those whose recorded centre moved more than 1 cm within the
            longest horizon) follow: most objects rest, and the mean over all of them hides it.

            Example:
              wm eval --model models/clutter.safetensors --dense models/clutter-dense.safetensors --data /tmp/clutter.wmds --json
            """)

    @Option(help: "The model checkpoint (a graph network, or a dense baseline).")
    var model: String

    @Option(help: "A dense-baseline checkpoint to evaluate beside the model.")
    var dense: String?

    @Option(help: "The dataset (.wmds).")
    var data: String

    @Option(help: "Which episodes: train, valid, test, or all.")
    var split: String = "test"

    @Option(help: "Comma-separated rollout horizons in control steps.")
    var horizons: String = "1,10,25,50,100"

    @Option(help: "Control steps between rollout start frames.")
    var stride: Int = 10

    @Flag(help: "Print JSON: horizons, position_error_m and rotation_error_deg per model, and the same over moving objects (moving_position_error_m, moving_rotation_error_deg).")
    var json = false

    /// The horizons of `--horizons`, nil if it is not a list of positive integers.
    private var horizonSteps: [Int]? {
        let steps = horizons.split(separator: ",").map { Int($0.filter { $0 != " " }) }
        guard !steps.isEmpty, steps.allSatisfy({ ($0 ?? 0) >= 1 && ($0 ?? 0) <= 1_000_000 }) else { return nil }
        return steps.compactMap { $0 }
    }

    func validate() throws {
        try require(horizonSteps != nil, "--horizons takes integers from 1 to 1000000 separated by commas, got '\(horizons)'")
        try require(split == "all" || Split(rawValue: split) != nil, "--split is train, valid, test or all, got '\(split)'")
        try require(stride >= 1, "--stride must be at least 1 (control steps between start frames)")
    }

    func run() throws {
        BLASThreads.set(1)  // these products are small: OpenBLAS threads only contend on 2 cores
        let steps = horizonSteps ?? []
        let chosen = Split(rawValue: split)
        let (header, episodes) = try DynamicsData.episodes(path: data, split: chosen)
        guard !episodes.isEmpty else { throw WorldModelError(file: data, "the \(split) split has no episodes") }
        let main = try DynamicsModel.load(from: model)
        let h = main.historyLength, dt = main.dtSeconds
        try InputCompatibility.check(model: main, file: model, runsOn: header.objects, robot: try header.requireRobot(file: data),
                                     controlDtSeconds: header.controlDtSeconds, source: data)
        let maxStarts = episodes.map { max(1, ($0.frameCount - h) / max(1, stride) + 1) }.max() ?? 1
        var results: [(String, RolloutErrors)] = []
        func runner(_ m: DynamicsModel, file: String) throws -> DynamicsRunner {
            do { return try DynamicsRunner(model: m, objects: header.objects, maxEnvironments: maxStarts) } catch let e as WorldModelError {
                throw WorldModelError(file: file, e.message)
            }
        }
        let mainName = main.configuration.kind == .gnn ? "gnn" : "dense_mlp"
        results.append((mainName, try attributing(to: data) {
            try RolloutEvaluation.evaluate(try runner(main, file: model), episodes: episodes, horizons: steps, historyLength: h, dtSeconds: dt, startStride: stride)
        }))
        let constant = ConstantVelocityStepper(robotKinematics: main.robotKinematics, dtSeconds: dt)
        results.append(("constant_velocity", try RolloutEvaluation.evaluate(constant, episodes: episodes, horizons: steps, historyLength: h, dtSeconds: dt, startStride: stride)))
        var notes: [String] = []
        if let dense {
            let baseline = try DynamicsModel.load(from: dense)
            guard baseline.configuration.kind == .denseMLP else { throw WorldModelError(file: dense, "is a graph network, not the dense MLP baseline") }
            do {
                try InputCompatibility.check(model: baseline, file: dense, runsOn: header.objects, robot: try header.requireRobot(file: data),
                                             controlDtSeconds: header.controlDtSeconds, source: data)
                let r = try runner(baseline, file: dense)
                results.append(("dense_mlp", try RolloutEvaluation.evaluate(r, episodes: episodes, horizons: steps, historyLength: baseline.historyLength, dtSeconds: dt, startStride: stride)))
            } catch let e as WorldModelError {
                writeStandardError("wm: \(e.description)\n")
                notes.append(e.description)
            }
        }
        for (name, r) in results where r.divergedRollouts > 0 {
            notes.append("\(name): \(r.divergedRollouts) of \(r.rollouts) rollouts stopped by the divergence guard (frozen at their last finite state, still scored)")
        }
        if json {
            var position: [String: [Double]] = [:], rotation: [String: [Double]] = [:]
            var movingPosition: [String: [Double]] = [:], movingRotation: [String: [Double]] = [:]
            for (name, r) in results {
                position[name] = r.positionErrorMeters; rotation[name] = r.rotationErrorDegrees
                movingPosition[name] = r.movingPositionErrorMeters; movingRotation[name] = r.movingRotationErrorDegrees
            }
            struct Report: Encodable {
                var horizons: [Int]; var position_error_m: [String: [Double]]; var rotation_error_deg: [String: [Double]]
                var moving_position_error_m: [String: [Double]]; var moving_rotation_error_deg: [String: [Double]]
                var moving_samples: Int; var samples: Int
                var rollouts: Int; var episodes: Int; var objects: Int; var notes: [String]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let report = Report(horizons: steps, position_error_m: position, rotation_error_deg: rotation,
                                moving_position_error_m: movingPosition, moving_rotation_error_deg: movingRotation,
                                moving_samples: results[0].1.movingSamples, samples: results[0].1.samples, rollouts: results[0].1.rollouts,
                                episodes: episodes.count, objects: header.objects.count, notes: notes)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("\(episodes.count) \(split) episodes, \(header.objects.count) objects, \(results[0].1.rollouts) rollouts per model")
        print("position error (mm) at horizon: " + steps.map(String.init).joined(separator: " / "))
        for (name, r) in results {
            print("  \(padded(name, 18)) " + r.positionErrorMeters.map { formatMillimetres($0) }.joined(separator: " / "))
        }
        print("rotation error (deg):")
        for (name, r) in results {
            print("  \(padded(name, 18)) " + r.rotationErrorDegrees.map { String(Double(Int($0 * 100)) / 100) }.joined(separator: " / "))
        }
        print("moving objects only (\(results[0].1.movingSamples) of \(results[0].1.samples) object rollouts moved > 1 cm): position (mm)")
        for (name, r) in results {
            print("  \(padded(name, 18)) " + r.movingPositionErrorMeters.map { formatMillimetres($0) }.joined(separator: " / "))
        }
        print("moving objects only: rotation (deg)")
        for (name, r) in results {
            print("  \(padded(name, 18)) " + r.movingRotationErrorDegrees.map { String(Double(Int($0 * 100)) / 100) }.joined(separator: " / "))
        }
        for note in notes { print("note: \(note)") }
    }
}

func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
