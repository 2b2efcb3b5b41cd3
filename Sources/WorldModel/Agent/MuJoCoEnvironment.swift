/// The MuJoCo teacher as an `Environment`, for any scene wm reads: ground-truth physics, the reference every
/// learned model is judged by.
///
/// `reset(seed:episode:)` starts where the teacher's recorded episode `episode` of `seed` starts (placement and
/// settling as `TeacherRecorder` does). `rollout(actions:)` tries each sequence from a snapshot of the current
/// state and restores it. `snapshot()` / `restore(_:)` expose the full simulation state, e.g. for
/// `MuJoCoRolloutModel`.
///
/// ```swift
/// let teacher = try MuJoCoEnvironment(scenePath: "scenes/push.xml")
/// try teacher.reset(seed: 3)
/// let seen = try teacher.step(action: [0.2, 0])
/// ```
/// Not thread-safe (it owns a MuJoCo simulation): one per thread.
public final class MuJoCoEnvironment: Environment {
    public let simulation: MuJoCoSimulation
    public var sceneModel: SceneModel { simulation.sceneModel }
    public private(set) var observation: Observation
    /// Physics steps with zero action after a reset.
    public var settlePhysicsSteps = 50
    private var stepCount = 0
    private var lastCtrl: [Float]
    /// The free-object view, when the scene has one (its placements are how its episodes start).
    private let freeObjects: SceneDescription?
    /// Renders `Observation.frames` (`observeCameras`); nil: no frames (and while `rollout` runs).
    private var frameObserver: CameraObserver?

    /// Loads the scene's MJCF file.
    public init(scenePath: String) throws {
        simulation = try MuJoCoSimulation(path: scenePath)
        freeObjects = try? simulation.scene
        lastCtrl = [Float](repeating: 0, count: simulation.sceneModel.nu)
        observation = Observation(qpos: [], qvel: [], ctrl: [], bodyPositions: [], bodyQuaternions: [])
        observation = makeObservation()
    }

    /// Starts at the first frame of the teacher's episode `episode` of `seed` (`wm generate --seed`): the same
    /// arguments give the same start, bit for bit.
    @discardableResult
    public func reset(seed: UInt64, episode: Int = 0) throws -> Observation {
        _ = try startEpisode(episode, seed: seed)
        return observation
    }

    /// `reset(seed:episode:)`, returning the episode's generator after the placement: what the teacher's policy of
    /// that episode is seeded from (``TeacherPolicy``), so a caller can replay the recorded episode's actions.
    public func startEpisode(_ episode: Int, seed: UInt64) throws -> SeededRandom {
        let rng = try simulation.startEpisode(episode, seed: seed, settlePhysicsSteps: settlePhysicsSteps, freeObjects: freeObjects)
        _ = started()
        return rng
    }

    /// Starts with a free-object scene's objects and robot at `placement` (`InitialPlacement`), settled.
    @discardableResult
    public func reset(to placement: InitialPlacement) throws -> Observation {
        try simulation.start(from: placement, settlePhysicsSteps: settlePhysicsSteps)
        return started()
    }

    @discardableResult
    public func reset(to observation: Observation) throws -> Observation {
        simulation.reset()
        try simulation.setGeneralizedState(qpos: observation.qpos.map(Double.init), qvel: observation.qvel.map(Double.init))
        return started()
    }

    private func started() -> Observation {
        stepCount = 0
        for k in lastCtrl.indices { lastCtrl[k] = 0 }
        observation = makeObservation()
        return observation
    }

    @discardableResult
    public func step(action: [Float]) throws -> Observation {
        let ctrl = try sceneModel.checkedControl(action, source: simulation.path)
        try simulation.step(action: ctrl, substeps: sceneModel.controlSubsteps)
        stepCount += 1
        lastCtrl = ctrl
        observation = makeObservation()
        return observation
    }

    public func rollout(actions: [[[Float]]]) throws -> [[Observation]] {
        // Rollouts render no frames, and the observation after one is the one before (its frames not drawn anew).
        let saved = snapshot(), seen = observation, observer = frameObserver
        frameObserver = nil
        defer {
            restore(saved)
            frameObserver = observer
            observation = seen
        }
        return try actions.map { sequence in
            restore(saved)
            return try sequence.map { try step(action: $0) }
        }
    }

    public func render(camera: PinholeCamera) -> RGBImage { simulation.render(camera: camera) }

    public func observeCameras(_ cameras: [PinholeCamera]) throws {
        try observeCameras(cameras, depthNoiseMeters: 0, seed: 0)
    }

    /// `observeCameras(_:)` with a depth sensor's noise: Gaussian, `depthNoiseMeters` standard deviation, from a
    /// generator seeded once with `seed` (`CameraObserver`: the teacher's ray-cast frames, the robot in view).
    /// Throws for a scene the ray-cast renderer cannot draw (one without free objects).
    public func observeCameras(_ cameras: [PinholeCamera], depthNoiseMeters: Float, seed: UInt64) throws {
        frameObserver = cameras.isEmpty ? nil : try CameraObserver(simulation: simulation, cameras: cameras, depthNoiseMeters: depthNoiseMeters, seed: seed)
        observation = makeObservation()
    }

    /// The whole simulation state (and this environment's step count and last action) as a value.
    public func snapshot() -> Snapshot {
        Snapshot(simulation: simulation.snapshot(), step: stepCount, lastCtrl: lastCtrl)
    }

    /// Returns to a state taken by `snapshot()`.
    public func restore(_ snapshot: Snapshot) {
        simulation.restore(snapshot.simulation)
        stepCount = snapshot.step
        lastCtrl = snapshot.lastCtrl
        observation = makeObservation()
    }

    /// A `MuJoCoEnvironment` state: the MuJoCo state plus the step count and last action.
    public struct Snapshot: Sendable, Equatable {
        public var simulation: MuJoCoStateSnapshot
        public var step: Int
        public var lastCtrl: [Float]
    }

    private func makeObservation() -> Observation {
        let model = sceneModel, nbody = model.bodies.count
        var qpos = [Float](repeating: 0, count: model.nq), qvel = [Float](repeating: 0, count: model.nv)
        var p = [Float](repeating: 0, count: 3 * nbody), q = [Float](repeating: 0, count: 4 * nbody)
        qpos.withUnsafeMutableBufferPointer { qp in
            qvel.withUnsafeMutableBufferPointer { simulation.writeGeneralizedState(qpos: qp.baseAddress!, qvel: $0.baseAddress!) }
        }
        p.withUnsafeMutableBufferPointer { pp in
            q.withUnsafeMutableBufferPointer { simulation.writeAllBodyPoses(positions: pp.baseAddress!, quaternions: $0.baseAddress!) }
        }
        return Observation(qpos: qpos, qvel: qvel, ctrl: lastCtrl,
                           bodyPositions: (0..<nbody).map { SIMD3(p[3 * $0], p[3 * $0 + 1], p[3 * $0 + 2]) },
                           bodyQuaternions: (0..<nbody).map { SIMD4(q[4 * $0], q[4 * $0 + 1], q[4 * $0 + 2], q[4 * $0 + 3]) },
                           step: stepCount, frames: frameObserver?.observeCurrentState() ?? [])
    }
}
