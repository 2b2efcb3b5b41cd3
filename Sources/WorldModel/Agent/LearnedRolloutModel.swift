import Dispatch

/// The learned dynamics as a `BatchRolloutModel`: the samples are environments of batched graphs stepped
/// `horizon` times by `DynamicsRunner`, split over `threads` runners (one thread each, samples divided evenly).
/// Allocates nothing per rollout.
///
/// ```swift
/// let model = try LearnedRolloutModel(world: try .load(dynamics: "models/push.safetensors"), scene: scene, maxSamples: 256, threads: 2)
/// let planner = Planner(model: model, configuration: PlannerConfiguration())
/// ```
/// Not thread-safe itself (it runs its own threads inside `rollout`).
public final class LearnedRolloutModel: BatchRolloutModel {
    public typealias State = DynamicsState
    public let world: LearnedWorldModel
    public let maxSamples: Int
    public var objectCount: Int { runner.objects.count }
    /// The first runner (each thread has one, for its share of the samples).
    var runner: DynamicsRunner { shards[0].runner }
    private let shards: [Shard]

    /// One thread's runner, states and actions, for samples `range`.
    private final class Shard {
        let runner: DynamicsRunner
        let range: Range<Int>
        var states: [DynamicsState]
        var stepActions: [SIMD2<Float>]

        init(world: LearnedWorldModel, scene: SceneDescription, range: Range<Int>) throws {
            runner = try DynamicsRunner(model: world.dynamics, objects: scene.objects, maxEnvironments: max(1, range.count))
            self.range = range
            let n = scene.objects.count, h = world.dynamics.historyLength
            states = range.map { _ in DynamicsState(objectCount: n, historyLength: h) }
            stepActions = [SIMD2<Float>](repeating: .zero, count: range.count)
        }

        func rollout(from state: DynamicsState, actions: UnsafeBufferPointer<SIMD2<Float>>, horizon: Int, into trajectories: SampledTrajectories) {
            for k in states.indices { states[k].overwrite(with: state) }
            let n = state.objectCount
            for t in 0..<horizon {
                for (k, s) in range.enumerated() { stepActions[k] = actions[s * horizon + t] }
                // A diverged sample carries non-finite positions into its cost; the others have been advanced.
                try? runner.step(&states, actions: stepActions)
                for (k, s) in range.enumerated() {
                    for i in 0..<n {
                        trajectories.record(sample: s, step: t, object: i, position: states[k].position(i), yaw: ObjectPose.yaw(of: states[k].quaternion(i)))
                    }
                    trajectories.robotPositions[s * horizon + t] = states[k].robotPosition
                }
            }
        }
    }

    /// A model for batches of exactly `maxSamples` sequences, on `threads` threads (1: the caller's thread only).
    public init(world: LearnedWorldModel, scene: SceneDescription, maxSamples: Int, threads: Int = 1) throws {
        self.world = world
        self.maxSamples = maxSamples
        let count = min(max(1, threads), max(1, maxSamples))
        shards = try (0..<count).map { k in
            try Shard(world: world, scene: scene, range: (k * maxSamples / count)..<((k + 1) * maxSamples / count))
        }
    }

    /// Bytes of the runners' workspaces and the batch of states.
    public var workspaceBytes: Int {
        shards.reduce(0) { $0 + $1.runner.workspaceBytes + MemoryFootprint.stateBytes($1.states) }
    }

    public func rollout(from state: DynamicsState, actions: UnsafeBufferPointer<SIMD2<Float>>, samples: Int, horizon: Int,
                        into trajectories: SampledTrajectories) throws {
        precondition(samples == maxSamples, "LearnedRolloutModel: built for \(maxSamples) samples, asked for \(samples)")
        precondition(actions.count >= samples * horizon && trajectories.horizon == horizon && trajectories.samples >= samples)
        if shards.count == 1 {
            shards[0].rollout(from: state, actions: actions, horizon: horizon, into: trajectories)
            return
        }
        let work = UnsafeSendable(value: (shards, state, actions, trajectories))
        DispatchQueue.concurrentPerform(iterations: shards.count) { k in
            let (shards, state, actions, trajectories) = work.value
            shards[k].rollout(from: state, actions: actions, horizon: horizon, into: trajectories)
        }
    }
}
