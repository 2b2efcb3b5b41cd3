/// The learned dynamics as a `BatchRolloutModel`: every sample is one environment of a single batched graph,
/// stepped `horizon` times by `DynamicsRunner`. Allocates nothing per rollout after the first.
///
/// ```swift
/// let model = try LearnedRolloutModel(world: try .load(dynamics: "models/push.safetensors"), scene: scene, maxSamples: 256)
/// let planner = Planner(model: model, configuration: PlannerConfiguration(), actionLow: [-0.3, -0.3], actionHigh: [0.3, 0.3])
/// ```
/// Not thread-safe (one runner, one set of buffers).
public final class LearnedRolloutModel: BatchRolloutModel {
    public typealias State = DynamicsState
    public let world: LearnedWorldModel
    public let maxSamples: Int
    public var objectCount: Int { runner.objects.count }
    let runner: DynamicsRunner
    private var states: [DynamicsState]
    private var stepActions: [SIMD2<Float>]

    public init(world: LearnedWorldModel, scene: SceneDescription, maxSamples: Int) throws {
        self.world = world
        self.maxSamples = maxSamples
        runner = try DynamicsRunner(model: world.dynamics, objects: scene.objects, maxEnvironments: maxSamples)
        let blank = DynamicsState(objectCount: scene.objects.count, historyLength: world.dynamics.historyLength)
        states = (0..<maxSamples).map { _ in
            var copy = DynamicsState(objectCount: blank.objectCount, historyLength: blank.historyLength)
            copy.overwrite(with: blank)
            return copy
        }
        stepActions = [SIMD2<Float>](repeating: .zero, count: maxSamples)
    }

    /// Bytes of the runner's workspaces and the batch of states.
    public var workspaceBytes: Int { runner.workspaceBytes + states.reduce(0) { $0 + $1.byteCount } }

    public func rollout(from state: DynamicsState, actions: UnsafeBufferPointer<SIMD2<Float>>, samples: Int, horizon: Int,
                        into trajectories: RolloutTrajectories) throws {
        precondition(samples == maxSamples, "LearnedRolloutModel: built for \(maxSamples) samples, asked for \(samples)")
        precondition(actions.count >= samples * horizon && trajectories.horizon == horizon && trajectories.samples >= samples)
        for s in 0..<samples { states[s].overwrite(with: state) }
        let n = objectCount
        for t in 0..<horizon {
            for s in 0..<samples { stepActions[s] = actions[s * horizon + t] }
            do {
                try runner.step(&states, actions: stepActions)
            } catch is WorldModelError {
                // A diverged sample carries non-finite positions into its cost; the others have been advanced.
            }
            for s in 0..<samples {
                for i in 0..<n {
                    let q = states[s].quaternion(i)
                    trajectories.record(sample: s, step: t, object: i, position: states[s].position(i), yaw: ObjectPose.yaw(of: q))
                }
                trajectories.robotPositions[s * horizon + t] = states[s].robotPosition
            }
        }
    }
}
