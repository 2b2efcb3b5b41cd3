#if canImport(Glibc)
import Glibc
#endif

/// What `RolloutRun` is asked to do.
public struct RolloutRunOptions: Sendable {
    public var modelPath: String
    /// The dense flat-state MLP baseline, run on the same rollout for the memory comparison.
    public var densePath: String?
    public var fieldPath: String?
    public var scenePath: String
    /// Start from a dataset's episodes (episode K + k for environment k, at frame H) instead of fresh placements.
    public var dataPath: String?
    public var episode: Int
    public var steps: Int
    public var batch: Int
    public var seed: UInt64
    /// Voxels along x of the dense baseline's voxel grid (the grid that stands for the field in the dense model).
    public var denseResolution: Int
    /// Environments re-simulated in MuJoCo with the same actions, for `errorVsTeacherMeters`.
    public var teacherEnvironments: Int
    /// Which models to build and run: both, or one alone (to measure a process's peak RSS).
    public var only: Only?
    /// Threads of the compact rollout's team (the graph network split by rows or columns; OpenBLAS on one).
    public var threads: Int

    public enum Only: String, Sendable, CaseIterable { case compact, dense }

    public init(modelPath: String, densePath: String? = nil, fieldPath: String? = nil, scenePath: String, dataPath: String? = nil,
                episode: Int = 0, steps: Int, batch: Int = 1, seed: UInt64 = 1, denseResolution: Int = 256,
                teacherEnvironments: Int = 1, only: Only? = nil, threads: Int = 1) {
        self.modelPath = modelPath
        self.densePath = densePath
        self.fieldPath = fieldPath
        self.scenePath = scenePath
        self.dataPath = dataPath
        self.episode = episode
        self.steps = steps
        self.batch = batch
        self.seed = seed
        self.denseResolution = denseResolution
        self.teacherEnvironments = teacherEnvironments
        self.only = only
        self.threads = threads
    }
}

/// A rollout of the learned world model beside the dense baseline and the teacher, with everything measured:
/// the trajectories, env-steps per second, the memory footprint of both models by category, and the error
/// against MuJoCo re-simulating the same actions.
///
/// The robot follows the scene's scripted waypoint policy, closed loop on the learned state (seeded per
/// environment), or a dataset episode's recorded actions while they last. The dense baseline replays exactly
/// the actions the compact model was given.
public final class RolloutRun {
    public let options: RolloutRunOptions
    public let recorder: TeacherRecorder
    /// The free-object view of the scene (the free-object models need one).
    public let scene: SceneDescription
    public let model: DynamicsModel
    public private(set) var initialStates: [DynamicsState] = []
    /// The actions every environment received: T x B.
    public private(set) var actions: [[SIMD2<Float>]] = []
    public private(set) var compactResult: RolloutEngine.Result?
    public private(set) var denseResult: RolloutEngine.Result?
    public private(set) var compactMemory: MemoryFootprint?
    public private(set) var denseMemory: MemoryFootprint?
    public private(set) var teacher: [Episode] = []
    public private(set) var fields: ObjectFieldSet?
    private var recordedActions: [Episode] = []

    public init(options: RolloutRunOptions) throws {
        guard options.steps >= 1, options.batch >= 1 else { throw WorldModelError("rollout steps (\(options.steps)) and batch (\(options.batch)) must be at least 1") }
        self.options = options
        recorder = try TeacherRecorder(scenePath: options.scenePath)
        let scene = try recorder.scene
        self.scene = scene
        model = try DynamicsModel.load(from: options.modelPath)
        guard model.configuration.kind == .gnn else {
            throw WorldModelError(file: options.modelPath, "is the dense MLP baseline; the compact model is a graph network (the baseline goes beside it)")
        }
        try InputCompatibility.check(model: model, file: options.modelPath, runsOn: scene.objects, robot: scene.robot,
                                     controlDtSeconds: scene.controlDtSeconds, source: options.scenePath)
        var denseGridBytes = 0
        if let densePath = options.densePath {
            let dense = try DynamicsModel.load(from: densePath)
            guard dense.configuration.kind == .denseMLP else {
                throw WorldModelError(file: densePath, "is a graph network, not the dense MLP baseline")
            }
            try InputCompatibility.check(model: dense, file: densePath, runsOn: scene.objects, robot: scene.robot,
                                         controlDtSeconds: scene.controlDtSeconds, source: options.scenePath)
            guard options.denseResolution >= 2, options.denseResolution <= 4096 else {
                throw WorldModelError("a dense voxel grid of \(options.denseResolution) voxels along x is not 2 to 4096")
            }
            denseGridBytes = RolloutMemoryEstimate.denseGridBytes(DenseVoxelGrid.resolution(options.denseResolution, bounds: FieldEvaluation.denseBounds))
        }
        let perModel = RolloutMemoryEstimate.bytes(environments: options.batch, steps: options.steps, objects: scene.objects.count,
                                                   historyLength: model.historyLength, latentWidth: model.configuration.latentWidth)
        try ResourceBudget.checkMemory(bytes: ResourceBudget.sum(perModel, options.densePath == nil ? 0 : perModel, denseGridBytes),
                                       for: "a rollout of \(options.batch) environments x \(options.steps) steps")
        if let fieldPath = options.fieldPath {
            let set = try ObjectFieldSet.load(from: fieldPath)
            try InputCompatibility.check(field: set, file: fieldPath, rendersObjectsOf: scene.objects, robot: scene.robot, source: options.scenePath)
            fields = set
        }
        try prepareInitialStates()
    }

    private var objects: [ObjectDescription] { scene.objects }

    private func prepareInitialStates() throws {
        let h = model.historyLength, dt = model.dtSeconds, b = options.batch
        if let dataPath = options.dataPath {
            let reader = try DatasetReader(path: dataPath)
            try InputCompatibility.check(dataset: reader.header, file: dataPath, recordedIn: recorder.scene, sceneFile: options.scenePath)
            guard options.episode >= 0, options.episode < reader.header.episodeCount else {
                throw WorldModelError(file: dataPath, "has \(reader.header.episodeCount) episodes, no episode \(options.episode)")
            }
            guard reader.header.framesPerEpisode > h else {
                throw WorldModelError(file: dataPath, "episodes have \(reader.header.framesPerEpisode) frames, the model needs \(h + 1) of history")
            }
            for k in 0..<b {
                let e = try reader.episode((options.episode + k) % reader.header.episodeCount)
                recordedActions.append(e)
                initialStates.append(DynamicsState(episode: e, frame: h, historyLength: h, dtSeconds: dt))
            }
        } else {
            for k in 0..<b {
                let warmup = try recorder.record(episode: k, steps: h, seed: options.seed, policy: .waypoints).episode
                initialStates.append(DynamicsState(episode: warmup, frame: h, historyLength: h, dtSeconds: dt))
            }
        }
    }

    /// Runs the compact model (and the dense baseline, unless `only` says otherwise), then the teacher.
    public func run(progress: (String) -> Void = { _ in }) throws {
        let b = options.batch, t = options.steps, h = model.historyLength
        let runCompact = options.only != .dense, runDense = options.densePath != nil && options.only != .compact
        if runCompact || options.densePath == nil {
            progress("compact rollout")
            let engine = try RolloutEngine(model: model, objects: objects, batchSize: b, threads: options.threads)
            var policies = (0..<b).map { k in
                ActionPolicy(kind: .waypoints, actionLow: scene.robot.actionLow, actionHigh: scene.robot.actionHigh,
                             controlDtSeconds: scene.controlDtSeconds, rng: SeededRandom(seed: options.seed &+ 7919, stream: UInt64(k)))
            }
            var used = [[SIMD2<Float>]](repeating: [SIMD2<Float>](repeating: .zero, count: b), count: t)
            var states = initialStates
            var objectXY = [SIMD2<Double>](repeating: .zero, count: objects.count)
            let recorded = recordedActions
            let result = try engine.rollout(&states, steps: t) { step, k, s in
                let a: SIMD2<Float>
                if k < recorded.count, h + step < recorded[k].frameCount - 1 {
                    let e = recorded[k], d = e.actionDimension
                    a = SIMD2(e.actions[(h + step) * d], d > 1 ? e.actions[(h + step) * d + 1] : 0)
                } else {
                    for i in 0..<objects.count { objectXY[i] = SIMD2(Double(s.positions[i * 3]), Double(s.positions[i * 3 + 1])) }
                    let command = policies[k].action(robotPosition: SIMD2(Double(s.robotPosition.x), Double(s.robotPosition.y)), objectPositions: objectXY)
                    a = SIMD2(command[0], command.count > 1 ? command[1] : 0)
                }
                used[step][k] = a
                return a
            }
            actions = used
            compactResult = result
            compactMemory = MemoryFootprint.of(engine, states: states, sceneBytes: fields?.parameterBytes ?? 0)
        }
        if runDense, let densePath = options.densePath {
            progress("dense baseline rollout")
            let dense = try DynamicsModel.load(from: densePath)
            let engine: RolloutEngine
            do { engine = try RolloutEngine(model: dense, objects: objects, batchSize: b) } catch let e as WorldModelError {
                throw WorldModelError(file: densePath, e.message)
            }
            let grid = DenseVoxelGrid.filled(objects: objects, poses: poses(of: initialStates[0]), bounds: FieldEvaluation.denseBounds,
                                             resolution: DenseVoxelGrid.resolution(options.denseResolution, bounds: FieldEvaluation.denseBounds),
                                             lighting: fields?.description.lighting ?? .standard)
            var states = initialStates
            let replay = actions
            let policyActions = replay.isEmpty
            let result = try engine.rollout(&states, steps: t) { step, k, s in policyActions ? .zero : replay[step][k] }
            denseResult = result
            denseMemory = MemoryFootprint.of(engine, states: states, sceneBytes: grid.byteCount)
        }
        if runCompact && !actions.isEmpty {
            let replayed = min(options.teacherEnvironments, b)
            for k in 0..<replayed {
                progress("MuJoCo re-simulation \(k + 1)/\(replayed)")
                if k < recordedActions.count {
                    // The dataset's own frames are the teacher while its actions last; MuJoCo replays the rest.
                    let e = recordedActions[k]
                    if h + t < e.frameCount { teacher.append(e); continue }
                }
                let sequence = (0..<t).map { [actions[$0][k].x, actions[$0][k].y] }
                if k < recordedActions.count {
                    teacher.append(try replayDatasetEpisode(recordedActions[k], actions: sequence))
                } else {
                    teacher.append(try recorder.replay(episode: k, seed: options.seed, policy: .waypoints, warmupSteps: h, actions: sequence).episode)
                }
            }
        }
    }

    /// MuJoCo from a dataset episode's frame H (poses and velocities as recorded), then the given actions.
    private func replayDatasetEpisode(_ e: Episode, actions: [[Float]]) throws -> Episode {
        let h = model.historyLength, n = objects.count, sim = recorder.simulation
        sim.reset()
        for i in 0..<n {
            let o = (h * n + i) * objectStateWidth, s = e.objectStates
            try sim.setObject(i, position: SIMD3(Double(s[o]), Double(s[o + 1]), Double(s[o + 2])),
                          quaternion: SIMD4(Double(s[o + 3]), Double(s[o + 4]), Double(s[o + 5]), Double(s[o + 6])),
                          linearVelocity: SIMD3(Double(s[o + 7]), Double(s[o + 8]), Double(s[o + 9])),
                          angularVelocity: SIMD3(Double(s[o + 10]), Double(s[o + 11]), Double(s[o + 12])))
        }
        let r = h * robotStateWidth
        try sim.setRobotJoints([Double(e.robotStates[r]), Double(e.robotStates[r + 1])])
        let frames = h + actions.count + 1
        // Frames before H are not simulated: they stay zero, so frame indices match the learned rollout.
        var states = [Float](repeating: 0, count: frames * n * objectStateWidth)
        var robotStates = [Float](repeating: 0, count: frames * robotStateWidth)
        try sim.writeObjectStates(into: &states, at: h * n * objectStateWidth)
        try sim.writeRobotState(into: &robotStates, at: h * robotStateWidth)
        for (t, a) in actions.enumerated() {
            try sim.step(action: a, substeps: scene.controlSubsteps)
            try sim.writeObjectStates(into: &states, at: (h + t + 1) * n * objectStateWidth)
            try sim.writeRobotState(into: &robotStates, at: (h + t + 1) * robotStateWidth)
        }
        return Episode(frameCount: frames, objectCount: n, actionDimension: 2, objectStates: states,
                       robotStates: robotStates, actions: [Float](repeating: 0, count: (frames - 1) * 2),
                       contactCounts: [Int32](repeating: 0, count: frames))
    }

    /// Object poses (N x 7: position, quaternion) of a state.
    public func poses(of state: DynamicsState) -> [Float] {
        var out: [Float] = []
        for i in 0..<state.objectCount {
            out += [state.positions[i * 3], state.positions[i * 3 + 1], state.positions[i * 3 + 2]]
            out += Array(state.quaternions[(i * 4)..<(i * 4 + 4)])
        }
        return out
    }

    /// Mean object position error (m) against the teacher at the last step, over the re-simulated environments.
    public var errorVsTeacherMeters: Double? {
        guard let trajectories = compactResult?.trajectories, !teacher.isEmpty else { return nil }
        let h = model.historyLength, t = options.steps, n = objects.count
        var sum = 0.0
        for (k, e) in teacher.enumerated() {
            for i in 0..<n {
                let o = ((h + t) * n + i) * objectStateWidth
                let d = trajectories.position(frame: t, environment: k, object: i) - SIMD3(e.objectStates[o], e.objectStates[o + 1], e.objectStates[o + 2])
                sum += Double((d * d).sum().squareRoot())
            }
        }
        return sum / Double(teacher.count * n)
    }

    /// The trajectories and actions as NumPy arrays: `positions` (F, B, N, 3), `quaternions` (F, B, N, 4),
    /// `robot_positions` (F, B, 3), `actions` (T, B, 2), `control_dt`, `failures` (B strings, "" when none).
    public func npzArrays() -> [(name: String, array: NumPyArray)] {
        guard let r = compactResult, let trajectories = r.trajectories else { return [] }
        let f = trajectories.frames, b = trajectories.environments, n = trajectories.objects
        var flatActions: [Float] = []
        for step in actions { for a in step { flatActions += [a.x, a.y] } }
        return [
            ("positions", NumPyArray(floats: trajectories.positions, shape: [f, b, n, 3])),
            ("quaternions", NumPyArray(floats: trajectories.quaternions, shape: [f, b, n, 4])),
            ("robot_positions", NumPyArray(floats: trajectories.robotPositions, shape: [f, b, 3])),
            ("actions", NumPyArray(floats: flatActions, shape: [actions.count, b, 2])),
            ("control_dt", NumPyArray(doubles: [Double(model.dtSeconds)], shape: [])),
            ("failures", NumPyArray(strings: r.failures.map { $0 ?? "" }, shape: [b])),
        ]
    }

    /// Whether `name` is one of the frame files `renderFrames` (and `wm render`) write: `frame`, digits, `.png`.
    public static func isFrameFileName(_ name: String) -> Bool {
        name.hasPrefix("frame") && name.hasSuffix(".png") && name.count > 9 && name.dropFirst(5).dropLast(4).allSatisfy(\.isNumber)
    }

    /// The name of the PNG file of the frame at `step`: `frame00025.png`.
    public static func frameFileName(step: Int) -> String {
        let digits = String(step)
        return "frame" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".png"
    }

    /// The steps `renderFrames(every:size:_:)` renders: 0, `every`, 2 `every`, ... up to the last step.
    private func renderedSteps(every: Int) -> StrideThrough<Int> { stride(from: 0, through: options.steps, by: max(1, every)) }

    /// The camera of the rendered frames: `PinholeCamera.framing` of environment 0's predicted objects and
    /// robot over the rendered steps, so all of them stay in view.
    private func frameCamera(_ trajectories: RolloutTrajectories, every: Int, size: Int) -> PinholeCamera {
        var points: [SIMD3<Float>] = []
        for t in renderedSteps(every: every) {
            for i in 0..<objects.count { points.append(trajectories.position(frame: t, environment: 0, object: i)) }
            let r = trajectories.robotPosition(frame: t, environment: 0)
            points.append(SIMD3(r.x, r.y, scene.robot.shapeCentreHeightMeters))
        }
        return PinholeCamera.framing(points: points, size: size)
    }

    /// Renders environment 0 every `every` steps and hands each frame to `frame(step, image)`, one at a time
    /// (nothing is kept): the fields at the predicted poses with the robot at its predicted position (its link's
    /// field, or its primitive for fields without one), beside
    /// the teacher's ray-cast view at MuJoCo's poses and robot position when the teacher was re-simulated.
    /// Each side is `size` x `size` pixels.
    public func renderFrames(every: Int, size: Int = 160, _ frame: (_ step: Int, _ image: RGBImage) throws -> Void) throws {
        guard let fields, let trajectories = compactResult?.trajectories else {
            throw WorldModelError("rendering needs object fields (RolloutRunOptions.fieldPath) and a compact rollout")
        }
        let n = objects.count, h = model.historyLength, robot = scene.robot
        let teacherRenderer = try RayCastRenderer(simulation: recorder.simulation)
        let camera = frameCamera(trajectories, every: every, size: size)
        let renderer = fields.makeRenderer()
        for t in renderedSteps(every: every) {
            var predicted: [Float] = []
            for i in 0..<n {
                let p = trajectories.position(frame: t, environment: 0, object: i), q = trajectories.quaternion(frame: t, environment: 0, object: i)
                predicted += [p.x, p.y, p.z, q.x, q.y, q.z, q.w]
            }
            // The robot: its link's field at the predicted body position (slide joints: no rotation), or its primitive
            // when the fields have no robot link.
            let r = trajectories.robotPosition(frame: t, environment: 0)
            var view = renderer.render(camera: camera, fields: fields.placed(poses: predicted, linkPoses: [r.x, r.y, r.z, 1, 0, 0, 0]))
            if fields.robotLinks.isEmpty {
                RobotOverlay.draw(robot, bodyPosition: r, albedo: teacherRenderer.robotAlbedo, lighting: renderer.lighting, camera: camera, into: &view)
            }
            var image = view.image
            if let e = teacher.first {
                let width = n * objectStateWidth, f = h + t, r = f * robotStateWidth
                let state = Array(e.objectStates[(f * width)..<((f + 1) * width)])
                var truth = try teacherRenderer.views(poses: [state], cameras: [camera])[0].image
                RobotOverlay.draw(robot, bodyPosition: SIMD3(e.robotStates[r], e.robotStates[r + 1], e.robotStates[r + 2]),
                                  albedo: teacherRenderer.robotAlbedo, lighting: teacherRenderer.lighting, camera: camera, into: &truth)
                image = image.besides(truth.image)
            }
            try frame(t, image)
        }
    }
}
