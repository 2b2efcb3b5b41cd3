/// The learned world model as an `Environment`, for any scene it was trained on: the same calls as
/// `MuJoCoEnvironment`, answered by the learned body dynamics (`BodyDynamicsModel`: a graph network over bodies
/// and joints predicting `qacc`, forward kinematics in the shim). No MuJoCo runs here.
///
/// ```swift
/// let teacher = try MuJoCoEnvironment(scenePath: "scenes/push.xml")
/// let dream = try LearnedEnvironment(modelPath: "models/push-bodies.safetensors")
/// try dream.reset(to: teacher.reset(seed: 3))          // start where the teacher is
/// let seen = try dream.step(action: [0.2, 0])
/// let futures = try dream.rollout(actions: plans)      // batched: one graph for up to `maxBatch` sequences
/// ```
/// Every step, single or batched, runs through ``LearnedRolloutModel`` (the planner's rollout path). When the
/// model's prediction stops being finite, `step` throws and the environment keeps its last state; in `rollout`
/// the diverged sequence's observations hold its last finite state. Rendering (and `Observation.frames`, RGB-D)
/// ray-casts the scene's primitive geoms at the predicted body poses, or, after ``useFields(_:source:)``, draws the
/// free bodies, the robot's links and the table with their neural fields (any moving body without a field as its
/// primitives). Not thread-safe (it owns the runners' buffers): one per thread.
public final class LearnedEnvironment: Environment {
    public let model: BodyDynamicsModel
    public var sceneModel: SceneModel { model.scene }
    /// The largest batch `rollout(actions:)` runs at once (longer lists run in chunks).
    public let maxBatch: Int
    /// The model's input state now: the last H + 1 configurations.
    public private(set) var state: BodyState
    private let single: LearnedRolloutModel
    private var batch: LearnedRolloutModel?
    private let singleTrajectory: SampledTrajectories
    private let kinematics: ForwardKinematics
    private let integrator: JointSpaceIntegrator
    private var stepCount = 0
    private var lastCtrl: [Float]
    private var tracker: BodyStateTracker
    private var cameras: [PinholeCamera] = []
    /// What draws the predicted configuration: primitives, or the fields of ``useFields(_:source:)``.
    private var drawing: BodySceneRenderer
    /// The neural fields that draw the free bodies (``useFields(_:source:)``), nil when primitives do.
    public var fields: ObjectFieldSet? { drawing.fields }

    /// A learned environment of `model`, batching up to `maxBatch` sequences in `rollout(actions:)`.
    public init(model: BodyDynamicsModel, maxBatch: Int = 64, threads: Int = 1) throws {
        self.model = model
        self.maxBatch = max(1, maxBatch)
        single = try LearnedRolloutModel(model: model, maxSamples: 1)
        singleTrajectory = SampledTrajectories(samples: 1, horizon: 1, scene: model.scene)
        kinematics = ForwardKinematics(tree: model.scene.tree)
        integrator = JointSpaceIntegrator(tree: model.scene.tree)
        lastCtrl = [Float](repeating: 0, count: model.scene.nu)
        tracker = BodyStateTracker(scene: model.scene, historyLength: model.historyLength)
        state = tracker.state
        drawing = try BodySceneRenderer(scene: model.scene)
    }

    /// Loads a body-dynamics checkpoint (`wm train --graph bodies`); throws naming the file if it is missing,
    /// not a wm checkpoint, or a free-object model.
    public convenience init(modelPath: String, maxBatch: Int = 64) throws {
        try self.init(model: .load(from: modelPath), maxBatch: maxBatch)
    }

    public var observation: Observation {
        let nq = state.nq, h = state.historyLength
        let current = Array(state.qpos), previous = Array(state.qposHistory[((h - 1) * nq)..<(h * nq)])
        let qvel = integrator.differentiate(from: previous, to: current, dtSeconds: sceneModel.controlDtSeconds)
        var seen = Observation(qpos: current, qvel: qvel, ctrl: lastCtrl, step: stepCount, kinematics: kinematics)
        seen.frames = cameras.map { CameraFrame(camera: $0, image: renderRGBD(camera: $0)) }
        return seen
    }

    public func observeCameras(_ cameras: [PinholeCamera]) throws { self.cameras = cameras }

    @discardableResult
    public func reset(to observation: Observation) throws -> Observation {
        guard observation.qpos.count == sceneModel.nq && observation.qvel.count == sceneModel.nv else {
            throw WorldModelError("an observation of scene '\(sceneModel.name)' has nq = \(sceneModel.nq) and nv = \(sceneModel.nv) values, got \(observation.qpos.count) and \(observation.qvel.count)")
        }
        guard observation.qpos.allSatisfy(\.isFinite) && observation.qvel.allSatisfy(\.isFinite) else {
            throw WorldModelError("the observation to start from is not finite")
        }
        tracker.start(at: observation)
        return reset(to: tracker.state)
    }

    /// Starts from a model state, e.g. `BodyStateTracker.state` built from the teacher's last frames.
    @discardableResult
    public func reset(to state: BodyState, step: Int = 0) -> Observation {
        self.state = state
        stepCount = step
        for k in lastCtrl.indices { lastCtrl[k] = 0 }
        return observation
    }

    @discardableResult
    public func step(action: [Float]) throws -> Observation {
        let ctrl = try sceneModel.checkedControl(action, source: "model '\(sceneModel.name)'")
        try ctrl.withUnsafeBufferPointer { try single.rollout(from: state, actions: $0, samples: 1, horizon: 1, into: singleTrajectory) }
        guard !singleTrajectory.diverged[0] else {
            throw WorldModelError("the learned model of '\(sceneModel.name)' diverged at step \(stepCount + 1): its prediction is not finite; the environment keeps its last state")
        }
        let nq = state.nq, h = state.historyLength
        let next = singleTrajectory.qpos(sample: 0, step: 0)
        state.qposHistory.withUnsafeMutableBufferPointer { q in
            for k in 0..<(h * nq) { q[k] = q[k + nq] }
            for k in 0..<nq { q[h * nq + k] = next[k] }
        }
        stepCount += 1
        lastCtrl = ctrl
        return observation
    }

    public func rollout(actions: [[[Float]]]) throws -> [[Observation]] {
        let nu = sceneModel.nu
        let checked = try actions.map { try $0.map { try sceneModel.checkedControl($0, source: "model '\(sceneModel.name)'") } }
        if batch == nil { batch = try LearnedRolloutModel(model: model, maxSamples: maxBatch) }
        var results: [[Observation]] = []
        var start = 0
        while start < checked.count {
            let chunk = Array(checked[start..<min(start + maxBatch, checked.count)])
            let horizon = chunk.map(\.count).max() ?? 0
            guard horizon > 0 else { results += chunk.map { _ in [] }; start += chunk.count; continue }
            var flat = [Float](repeating: 0, count: maxBatch * horizon * nu)
            for (k, sequence) in chunk.enumerated() {
                for (t, a) in sequence.enumerated() { for j in 0..<nu { flat[(k * horizon + t) * nu + j] = a[j] } }
            }
            let trajectories = SampledTrajectories(samples: maxBatch, horizon: horizon, scene: sceneModel)
            try flat.withUnsafeBufferPointer { try batch!.rollout(from: state, actions: $0, samples: maxBatch, horizon: horizon, into: trajectories) }
            for (k, sequence) in chunk.enumerated() {
                var previous = Array(state.qpos), observed: [Observation] = []
                for t in sequence.indices {
                    let qpos = Array(trajectories.qpos(sample: k, step: t))
                    let qvel = integrator.differentiate(from: previous, to: qpos, dtSeconds: sceneModel.controlDtSeconds)
                    observed.append(Observation(qpos: qpos, qvel: qvel, ctrl: sequence[t], step: stepCount + t + 1, kinematics: kinematics))
                    previous = qpos
                }
                results.append(observed)
            }
            start += chunk.count
        }
        return results
    }

    public func render(camera: PinholeCamera) -> RGBImage { renderRGBD(camera: camera).image }

    /// Draws the scene's free bodies (and the table) with `fields` from now on (`wm field train` on this scene:
    /// one object per free joint, in MJCF order; the robot's link fields at their bodies' poses), any other moving
    /// body as its primitive geoms wherever they are nearer; nil goes back to primitives only. Throws, naming `source`, for fields of another
    /// scene or of another number of objects.
    public func useFields(_ fields: ObjectFieldSet?, source: String? = nil) throws {
        drawing = try BodySceneRenderer(scene: sceneModel, fields: fields, source: source)
    }

    private func renderRGBD(camera: PinholeCamera) -> RGBDImage { drawing.renderRGBD(camera: camera, qpos: Array(state.qpos)) }
}
