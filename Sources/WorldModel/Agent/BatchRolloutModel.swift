/// A model that rolls out a batch of action sequences from one state and reports where every body went: what a
/// planner needs from a world model. `LearnedRolloutModel` (the learned dynamics, one batched graph per step),
/// `MuJoCoRolloutModel` (MuJoCo itself: the oracle) and any toy model of a test conform.
///
/// ```swift
/// let model = try LearnedRolloutModel(model: try .load(from: "models/stacker.safetensors"), maxSamples: 64)
/// let trajectories = SampledTrajectories(samples: 64, horizon: 20, scene: model.sceneModel)
/// try model.rollout(from: state, actions: sequences, samples: 64, horizon: 20, into: trajectories)
/// ```
///
/// Divergence, the one policy of every model: a sample whose rollout stops being finite is flagged in
/// `trajectories.diverged` and stops (its later entries repeat its last finite state); the planner gives a
/// flagged sample an infinite cost, so it never becomes the plan. The call throws only if the model cannot run.
public protocol BatchRolloutModel: AnyObject {
    /// What a rollout starts from (`BodyState` for the learned model, a MuJoCo snapshot for the oracle).
    associatedtype State
    /// The scene the model simulates: nu (the action width), bodies, `ctrlrange`.
    var sceneModel: SceneModel { get }
    /// Rolls out `samples` sequences of `horizon` actions, `actions[(s * horizon + t) * nu + j]` (MuJoCo's
    /// `ctrl`), each from `state`, and writes the configuration and body poses after every step into
    /// `trajectories`. Should allocate nothing: it runs every control step.
    func rollout(from state: State, actions: UnsafeBufferPointer<Float>, samples: Int, horizon: Int,
                 into trajectories: SampledTrajectories) throws
}

/// Preallocated outputs of a batch rollout, `samples x horizon` steps; entry t is the state after action t.
///
/// | buffer | layout | meaning |
/// | --- | --- | --- |
/// | `qpos` | `[(s * horizon + t) * nq + k]` | generalized positions (MuJoCo's `qpos`) |
/// | `bodyPositions` | `[((s * horizon + t) * nbody + b) * 3 + c]` | body origins (m, world); body 0 is the world |
/// | `bodyQuaternions` | `[((s * horizon + t) * nbody + b) * 4 + c]` | body orientations (w, x, y, z), body -> world |
/// | `diverged` | `[s]` | whether sample s stopped being finite (its cost is then +infinity) |
public final class SampledTrajectories {
    public let samples: Int
    public let horizon: Int
    public let nq: Int
    public let bodyCount: Int
    public let qpos: UnsafeMutableBufferPointer<Float>
    public let bodyPositions: UnsafeMutableBufferPointer<Float>
    public let bodyQuaternions: UnsafeMutableBufferPointer<Float>
    public let diverged: UnsafeMutableBufferPointer<Bool>

    public init(samples: Int, horizon: Int, nq: Int, bodyCount: Int) {
        self.samples = samples
        self.horizon = horizon
        self.nq = nq
        self.bodyCount = bodyCount
        let steps = max(1, samples * horizon)
        qpos = .allocate(capacity: max(1, steps * nq))
        qpos.initialize(repeating: 0)
        bodyPositions = .allocate(capacity: steps * bodyCount * 3)
        bodyPositions.initialize(repeating: 0)
        bodyQuaternions = .allocate(capacity: steps * bodyCount * 4)
        bodyQuaternions.initialize(repeating: 0)
        diverged = .allocate(capacity: max(1, samples))
        diverged.initialize(repeating: false)
    }

    /// Buffers for rollouts of `scene`.
    public convenience init(samples: Int, horizon: Int, scene: SceneModel) {
        self.init(samples: samples, horizon: horizon, nq: scene.nq, bodyCount: scene.bodies.count)
    }

    deinit {
        qpos.deallocate()
        bodyPositions.deallocate()
        bodyQuaternions.deallocate()
        diverged.deallocate()
    }

    /// The origin of `body` after step `t` of sample `s`.
    @inline(__always) public func position(sample s: Int, step t: Int, body b: Int) -> SIMD3<Float> {
        let o = ((s * horizon + t) * bodyCount + b) * 3
        return SIMD3(bodyPositions[o], bodyPositions[o + 1], bodyPositions[o + 2])
    }

    /// The orientation of `body` after step `t` of sample `s`.
    @inline(__always) public func quaternion(sample s: Int, step t: Int, body b: Int) -> SIMD4<Float> {
        let o = ((s * horizon + t) * bodyCount + b) * 4
        return SIMD4(bodyQuaternions[o], bodyQuaternions[o + 1], bodyQuaternions[o + 2], bodyQuaternions[o + 3])
    }

    /// `qpos` after step `t` of sample `s` (nq values; valid until the buffers are written again).
    @inline(__always) public func qpos(sample s: Int, step t: Int) -> UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(rebasing: qpos[((s * horizon + t) * nq)..<((s * horizon + t + 1) * nq)])
    }

    /// The body-position block of step `t` of sample `s` (nbody x 3), for models that write it in one go.
    @inline(__always) public func positionBlock(sample s: Int, step t: Int) -> UnsafeMutableBufferPointer<Float> {
        let o = (s * horizon + t) * bodyCount * 3
        return UnsafeMutableBufferPointer(rebasing: bodyPositions[o..<(o + bodyCount * 3)])
    }

    /// The body-orientation block of step `t` of sample `s` (nbody x 4).
    @inline(__always) public func quaternionBlock(sample s: Int, step t: Int) -> UnsafeMutableBufferPointer<Float> {
        let o = (s * horizon + t) * bodyCount * 4
        return UnsafeMutableBufferPointer(rebasing: bodyQuaternions[o..<(o + bodyCount * 4)])
    }

    /// Writes step `t` of sample `s` from `qpos` by forward kinematics (`fk` of the same scene).
    @inline(__always) public func record(sample s: Int, step t: Int, qpos source: UnsafeBufferPointer<Float>, kinematics fk: ForwardKinematics) {
        let target = qpos(sample: s, step: t)
        target.baseAddress!.update(from: source.baseAddress!, count: nq)
        fk(qpos: UnsafeBufferPointer(target), bodyPositions: positionBlock(sample: s, step: t), bodyQuaternions: quaternionBlock(sample: s, step: t))
    }

    /// Copies step `t - 1` of sample `s` into step `t` (a stopped sample holds its last state).
    @inline(__always) public func hold(sample s: Int, step t: Int) {
        guard t > 0 else { return }
        qpos(sample: s, step: t).baseAddress!.update(from: qpos(sample: s, step: t - 1).baseAddress!, count: nq)
        positionBlock(sample: s, step: t).baseAddress!.update(from: positionBlock(sample: s, step: t - 1).baseAddress!, count: bodyCount * 3)
        quaternionBlock(sample: s, step: t).baseAddress!.update(from: quaternionBlock(sample: s, step: t - 1).baseAddress!, count: bodyCount * 4)
    }
}
