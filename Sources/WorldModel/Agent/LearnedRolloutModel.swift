import Dispatch

/// The learned body dynamics as a `BatchRolloutModel`: the samples are environments of one batched graph per
/// step (`BodyDynamicsRunner`), split over `threads` runners (one thread each, samples divided evenly); body
/// poses come from the shim's forward kinematics of the predicted `qpos`. Allocates nothing per rollout.
///
/// ```swift
/// let model = try LearnedRolloutModel(model: try .load(from: "models/stacker.safetensors"), maxSamples: 64, threads: 2)
/// let planner = Planner(model: model, configuration: PlannerConfiguration())
/// ```
/// Divergence: a sample whose step is not finite is flagged in `SampledTrajectories.diverged` and holds its
/// last finite state. Not thread-safe itself (it runs its own threads inside `rollout`).
public final class LearnedRolloutModel: BatchRolloutModel {
    public typealias State = BodyState
    public let model: BodyDynamicsModel
    public let maxSamples: Int
    public var sceneModel: SceneModel { model.scene }
    private let shards: [Shard]

    /// One thread's runner, states, actions and kinematics, for samples `range`.
    private final class Shard {
        let runner: BodyDynamicsRunner
        let range: Range<Int>
        let kinematics: ForwardKinematics
        var states: [BodyState]
        var stepCtrl: [Float]
        let diverged: UnsafeMutableBufferPointer<Bool>
        let stopped: UnsafeMutableBufferPointer<Bool>

        init(model: BodyDynamicsModel, range: Range<Int>) throws {
            runner = try BodyDynamicsRunner(model: model, maxEnvironments: max(1, range.count))
            self.range = range
            kinematics = ForwardKinematics(tree: model.scene.tree)
            let start = BodyState(nq: model.scene.nq, historyLength: model.historyLength,
                                  qposHistory: [Float](repeating: 0, count: (model.historyLength + 1) * model.scene.nq))
            states = range.map { _ in start }
            // Each state its own storage, so writing one in place never copies.
            for k in states.indices { states[k].qposHistory = [Float](start.qposHistory) }
            stepCtrl = [Float](repeating: 0, count: range.count * model.scene.nu)
            diverged = .allocate(capacity: max(1, range.count))
            diverged.initialize(repeating: false)
            stopped = .allocate(capacity: max(1, range.count))
            stopped.initialize(repeating: false)
        }

        deinit { diverged.deallocate(); stopped.deallocate() }

        func rollout(from state: BodyState, actions: UnsafeBufferPointer<Float>, horizon: Int, into trajectories: SampledTrajectories) {
            let nu = runner.model.scene.nu, nq = runner.model.scene.nq, h = runner.historyLength
            for k in states.indices {
                states[k].qposHistory.withUnsafeMutableBufferPointer { q in
                    state.qposHistory.withUnsafeBufferPointer { q.baseAddress!.update(from: $0.baseAddress!, count: $0.count) }
                }
                stopped[k] = false
                trajectories.diverged[range.lowerBound + k] = false
            }
            for t in 0..<horizon {
                for (k, s) in range.enumerated() {
                    for j in 0..<nu { stepCtrl[k * nu + j] = actions[(s * horizon + t) * nu + j] }
                }
                runner.step(&states, ctrl: stepCtrl, diverged: diverged)
                for (k, s) in range.enumerated() {
                    if diverged[k] { stopped[k] = true; trajectories.diverged[s] = true }
                    if stopped[k] {
                        trajectories.hold(sample: s, step: t)
                        continue
                    }
                    states[k].qposHistory.withUnsafeBufferPointer { q in
                        trajectories.record(sample: s, step: t, qpos: UnsafeBufferPointer(rebasing: q[(h * nq)...]), kinematics: kinematics)
                    }
                }
            }
        }
    }

    /// A model for batches of exactly `maxSamples` sequences, on `threads` threads (1: the caller's thread only).
    /// Keep OpenBLAS on one thread when `threads` > 1 (`BLASThreads.set(1)`).
    public init(model: BodyDynamicsModel, maxSamples: Int, threads: Int = 1) throws {
        guard maxSamples >= 1 else { throw WorldModelError("a rollout model needs at least one sample, not \(maxSamples)") }
        self.model = model
        self.maxSamples = maxSamples
        let count = min(max(1, threads), maxSamples)
        shards = try (0..<count).map { k in
            try Shard(model: model, range: (k * maxSamples / count)..<((k + 1) * maxSamples / count))
        }
    }

    /// The runners, one per thread (e.g. to switch on and read their stage timing).
    public var runners: [BodyDynamicsRunner] { shards.map(\.runner) }

    public func rollout(from state: BodyState, actions: UnsafeBufferPointer<Float>, samples: Int, horizon: Int,
                        into trajectories: SampledTrajectories) throws {
        guard samples == maxSamples else { throw WorldModelError("this rollout model runs batches of \(maxSamples) samples, asked for \(samples)") }
        guard state.nq == model.scene.nq && state.historyLength == model.historyLength else {
            throw WorldModelError("a rollout start needs \(model.historyLength + 1) x nq = \(model.scene.nq) qpos values, got \(state.historyLength + 1) x \(state.nq)")
        }
        guard actions.count >= samples * horizon * model.scene.nu, trajectories.horizon == horizon, trajectories.samples >= samples,
              trajectories.nq == model.scene.nq, trajectories.bodyCount == model.scene.bodies.count else {
            throw WorldModelError("rollout buffers do not match \(samples) samples x \(horizon) steps of scene '\(model.scene.name)'")
        }
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
