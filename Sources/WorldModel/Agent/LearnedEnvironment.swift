/// The learned world model as an `Environment`: the same calls as `MuJoCoEnvironment`, answered by the
/// learned dynamics (a graph network over the objects, the robot moved by its fitted kinematics).
///
/// ```swift
/// let dream = try LearnedEnvironment(modelPath: "models/push.safetensors", scenePath: "scenes/push.xml")
/// try dream.reset(seed: 3)                              // same start as MuJoCoEnvironment's reset(seed: 3), at rest
/// let seen = try dream.step(action: SIMD2(0.2, 0))
/// let futures = try dream.rollout(actions: plans)      // batched: one graph for up to `maxBatch` sequences
/// ```
/// `reset(to: observation)` starts from any observed state (e.g. the teacher's) with zero velocity history.
/// Rendering ray-casts the scene's primitive shapes at the predicted poses (the neural field renderer of issue 5
/// will replace it). Not thread-safe (it owns the runner's buffers): one per thread.
public final class LearnedEnvironment: Environment {
    public let scene: SceneDescription
    public let world: LearnedWorldModel
    /// The largest batch `rollout(actions:)` runs at once (longer lists run in chunks).
    public let maxBatch: Int
    /// The model's input state now: poses, velocity histories, robot.
    public private(set) var state: DynamicsState
    private let runner: DynamicsRunner
    private var stepCount = 0
    private var single: [DynamicsState]

    /// A learned environment of `world` over `scene` (the objects may differ from the training scene's when the
    /// model is a graph network).
    public init(world: LearnedWorldModel, scene: SceneDescription, maxBatch: Int = 64) throws {
        self.scene = scene
        self.world = world
        self.maxBatch = max(1, maxBatch)
        runner = try DynamicsRunner(model: world.dynamics, objects: scene.objects, maxEnvironments: self.maxBatch)
        state = DynamicsState(objectCount: scene.objects.count, historyLength: world.dynamics.historyLength)
        single = [state]
    }

    /// Loads the model checkpoint and reads the scene from its MJCF file (MuJoCo parses the file; the
    /// environment never steps it).
    public convenience init(modelPath: String, scenePath: String, maxBatch: Int = 64) throws {
        let scene = try MuJoCoSimulation(path: scenePath).scene
        try self.init(world: .load(dynamics: modelPath), scene: scene, maxBatch: maxBatch)
    }

    public var observation: Observation { state.observation(step: stepCount) }

    @discardableResult
    public func reset(to placement: InitialPlacement) throws -> Observation {
        let poses = zip(placement.positions, placement.quaternions).map {
            ObjectPose(position: SIMD3<Float>($0.0), quaternion: SIMD4<Float>($0.1))
        }
        let joints = placement.robotJoints
        let robot = SIMD3<Float>(joints.count > 0 ? Float(joints[0]) : 0, joints.count > 1 ? Float(joints[1]) : 0, 0)
        return reset(to: Observation(objects: poses, robotPosition: robot))
    }

    /// Starts from `observation` (e.g. the teacher's), at rest: zero velocity histories.
    @discardableResult
    public func reset(to observation: Observation) -> Observation {
        var tracker = DynamicsStateTracker(objectCount: scene.objects.count, historyLength: state.historyLength,
                                           dtSeconds: world.dynamics.dtSeconds)
        tracker.start(at: observation)
        return reset(to: tracker.state, step: observation.step)
    }

    /// Starts from a model state, e.g. `DynamicsStateTracker.state` built from the teacher's last frames.
    @discardableResult
    public func reset(to state: DynamicsState, step: Int = 0) -> Observation {
        self.state = state
        stepCount = step
        return observation
    }

    @discardableResult
    public func step(action: SIMD2<Float>) throws -> Observation {
        single[0].overwrite(with: state)
        try runner.step(&single, actions: [scene.robot.clamped(action)])
        state.overwrite(with: single[0])
        stepCount += 1
        return observation
    }

    public func rollout(actions: [[SIMD2<Float>]]) throws -> [[Observation]] {
        var results: [[Observation]] = []
        var start = 0
        while start < actions.count {
            let chunk = Array(actions[start..<min(start + maxBatch, actions.count)])
            let horizon = chunk.map(\.count).max() ?? 0
            var states = [DynamicsState](repeating: state, count: chunk.count)
            var observed = [[Observation]](repeating: [], count: chunk.count)
            for t in 0..<horizon {
                let step = chunk.map { t < $0.count ? scene.robot.clamped($0[t]) : SIMD2<Float>.zero }
                try runner.step(&states, actions: step)
                for k in chunk.indices where t < chunk[k].count {
                    observed[k].append(states[k].observation(step: stepCount + t + 1))
                }
            }
            results += observed
            start += chunk.count
        }
        return results
    }

    public func render(camera: PinholeCamera) -> RGBImage {
        let objects = scene.objects.map { (shape: $0.shape, half: SIMD3($0.halfExtentsMeters[0], $0.halfExtentsMeters[1], $0.halfExtentsMeters[2]),
                                           rgb: SIMD3($0.rgba[0], $0.rgba[1], $0.rgba[2])) }
        let robot = scene.robot
        let robotHalf = SIMD3(robot.halfExtentsMeters[0], robot.halfExtentsMeters[1], robot.halfExtentsMeters[2])
        let robotCentre = SIMD3(state.robotPosition.x, state.robotPosition.y, robot.shapeCentreHeightMeters)
        let current = state
        return RayCastImage.render(camera: camera) { origin, direction in
            var best: (Float, SIMD3<Float>)? = nil
            func consider(_ t: Float?, _ rgb: SIMD3<Float>) {
                if let t, t < (best?.0 ?? .infinity) { best = (t, rgb) }
            }
            consider(PrimitiveRayCaster.table(origin: origin, direction: direction, height: scene.tableHeightMeters), Self.tableRGB)
            for (i, object) in objects.enumerated() {
                consider(PrimitiveRayCaster.distance(origin: origin, direction: direction, shape: object.shape, halfExtents: object.half,
                                                     position: current.position(i), quaternion: current.quaternion(i)), object.rgb)
            }
            consider(PrimitiveRayCaster.distance(origin: origin, direction: direction, shape: robot.shape, halfExtents: robotHalf,
                                                 position: robotCentre, quaternion: SIMD4(1, 0, 0, 0)), Self.robotRGB)
            return best
        }
    }

    /// The table's and the robot's colours (the scene description does not carry them): those of `scenes/push.xml`.
    static let tableRGB = SIMD3<Float>(0.78, 0.76, 0.70)
    static let robotRGB = SIMD3<Float>(0.85, 0.20, 0.15)

    /// Bytes this environment holds, counted from its buffers: parameters, the runner's workspaces (sized for
    /// `maxBatch`), and its states (the current one and a batch of `maxBatch` for rollouts). The rendering is
    /// analytic here, so the scene representation is 0 bytes.
    ///
    /// ```swift
    /// print(environment.memoryFootprint.totalBytes)
    /// ```
    public var memoryFootprint: MemoryFootprint {
        MemoryFootprint(parametersBytes: world.parameterBytes, workspaceBytes: runner.workspaceBytes,
                        stateBytes: MemoryFootprint.stateBytes([state]) * (maxBatch + 2), sceneBytes: 0)
    }

}
