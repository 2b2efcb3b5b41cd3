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

    @Option(help: "Body-graph models: also roll out this many control steps closed loop (smooth random actions) from 4 episodes, and report divergence, plane penetration, joint-limit excess and leaving the recorded workspace.")
    var longRollout: Int?

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
        try require((longRollout ?? 1) >= 1 && (longRollout ?? 1) <= 10_000_000, "--long-rollout takes 1 to 10000000 control steps")
    }

    func run() throws {
        BLASThreads.set(1)  // these products are small: OpenBLAS threads only contend on 2 cores
        let steps = horizonSteps ?? []
        let chosen = Split(rawValue: split)
        let (header, episodes) = try DynamicsData.episodes(path: data, split: chosen)
        guard !episodes.isEmpty else { throw WorldModelError(file: data, "the \(split) split has no episodes") }
        if try BodyDynamicsModel.isBodyModel(path: model) { return try evaluateBodies(header: header, episodes: episodes, horizons: steps) }
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

extension EvalCommand {
    /// Evaluates a body-graph model (and a dense body baseline) with the joint-space constant-velocity baseline.
    func evaluateBodies(header: DatasetHeader, episodes: [Episode], horizons steps: [Int]) throws {
        let main = try BodyDynamicsModel.load(from: model)
        func check(_ m: BodyDynamicsModel, file: String) throws {
            guard let scene = header.sceneModel, scene == m.scene else {
                throw WorldModelError(file: file, "was trained on scene '\(m.scene.name)'; \(data) holds '\(header.sceneName)' (a different scene model)")
            }
        }
        try check(main, file: model)
        var learned = [(main.configuration.kind == .gnn ? "gnn" : "dense_mlp", main)]
        if let dense {
            let baseline = try BodyDynamicsModel.load(from: dense)
            guard baseline.configuration.kind == .denseMLP else { throw WorldModelError(file: dense, "is a graph network, not the dense MLP baseline") }
            try check(baseline, file: dense)
            learned.append(("dense_mlp", baseline))
        }
        let evaluation = try BodyRolloutEvaluation(scene: main.scene, horizons: steps, startStride: stride)
        let batch = evaluation.maxStarts(episodes: episodes, historyLength: main.historyLength)
        var results: [(String, BodyRolloutErrors)] = []
        for (name, m) in learned {
            let runner = try BodyDynamicsRunner(model: m, maxEnvironments: evaluation.maxStarts(episodes: episodes, historyLength: m.historyLength))
            results.append((name, try attributing(to: data) { try evaluation.evaluate(runner, episodes: episodes) }))
            if results.count == 1 {
                let constant = ConstantJointVelocityStepper(scene: main.scene, historyLength: main.historyLength, maxEnvironments: batch)
                results.append(("constant_velocity", try evaluation.evaluate(constant, episodes: episodes)))
            }
        }
        var long: [String: BodyLongRolloutReport] = [:]
        if let longRollout {
            let (_, workspace) = try DynamicsData.episodes(path: data, split: nil)
            let starts = Array(episodes.prefix(4))
            let bar = ProgressBar(total: longRollout, label: "long rollout")
            for (name, m) in learned {
                let r = try BodyDynamicsRunner(model: m, maxEnvironments: starts.count)
                long[name] = try BodyLongRollout.run(r, scene: m.scene, episodes: starts, workspaceEpisodes: workspace, steps: longRollout, seed: 7) {
                    if $0 % 100 == 0 || $0 == longRollout { bar.update($0, status: name) }
                }
            }
            bar.finish(longRollout, status: "done")
        }
        if json {
            struct Report: Encodable {
                var horizons: [Int]; var episodes: Int; var scene: String; var models: [String: BodyRolloutErrors]
                var long_rollout: [String: BodyLongRolloutReport]
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            let report = Report(horizons: steps, episodes: episodes.count, scene: main.scene.name,
                                models: Dictionary(results, uniquingKeysWith: { a, _ in a }), long_rollout: long)
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        let first = results[0].1
        print("\(episodes.count) \(split) episodes of '\(main.scene.name)', \(first.rollouts) rollouts per model; horizons " + steps.map(String.init).joined(separator: " / "))
        func table(_ title: String, _ value: (BodyRolloutErrors) -> [Double?], scale: Double, unit: String) {
            print("\(title) (\(unit)):")
            for (name, r) in results {
                print("  \(padded(name, 18)) " + value(r).map { x in x.map { $0.isFinite ? String(Double(Int($0 * scale * 10)) / 10) : "\($0)" } ?? "-" }.joined(separator: " / "))
            }
        }
        table("object position, all passive bodies", \.objectPositionErrorMeters, scale: 1000, unit: "mm")
        table("object position, moving objects only (\(first.movingObjectSamples.last ?? 0) of \(first.objectSamples.last ?? 0) at the last horizon)",
              \.movingObjectPositionErrorMeters, scale: 1000, unit: "mm")
        table("object rotation, moving objects only", \.movingObjectRotationErrorDegrees, scale: 1, unit: "deg")
        table("every moving body's position", \.bodyPositionErrorMeters, scale: 1000, unit: "mm")
        table("robot hinge angles", \.jointAngleErrorDegrees, scale: 1, unit: "deg")
        table("hand '\(first.handBody)' position", \.handPositionErrorMeters, scale: 1000, unit: "mm")
        for (name, r) in results where r.diverged > 0 { print("note: \(name): \(r.diverged) rollout steps diverged (held at their last state)") }
        for (name, r) in long.sorted(by: { $0.key < $1.key }) {
            print("\(r.steps)-step closed-loop rollout, \(name), \(r.environments) environments: \(r.divergedEnvironments) diverged; deepest below a plane "
                  + "\(Double(Int(r.maxPlanePenetrationMeters * 10000)) / 10) mm (step \(r.maxPlanePenetrationStep)), "
                  + "\(Double(Int(r.maxPlanePenetrationAfterSettlingMeters * 10000)) / 10) mm after step \(r.settleSteps); hinge limits exceeded by at most "
                  + "\(Double(Int(r.maxHingeLimitExcessDegrees * 100)) / 100) deg, slides by \(Double(Int(r.maxSlideLimitExcessMeters * 10000)) / 10) mm; "
                  + "at most \(Double(Int(r.maxWorkspaceExcessMeters * 10000)) / 10) mm outside the recorded workspace")
        }
    }
}

func padded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}
