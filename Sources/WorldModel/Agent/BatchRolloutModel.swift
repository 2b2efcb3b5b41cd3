/// A model that rolls out a batch of action sequences from one state and reports where things went: what a
/// planner needs from a world model. `LearnedRolloutModel` (the learned dynamics, one batched graph per step),
/// `MuJoCoRolloutModel` (MuJoCo itself: the oracle) and any toy model of a test conform.
///
/// ```swift
/// let model = try LearnedRolloutModel(world: world, scene: scene, maxSamples: 256)
/// let trajectories = SampledTrajectories(samples: 256, horizon: 25, objectCount: 4)
/// try model.rollout(from: state, actions: sequences, samples: 256, horizon: 25, into: trajectories)
/// ```
public protocol BatchRolloutModel: AnyObject {
    /// What a rollout starts from (`DynamicsState` for the learned model, a MuJoCo snapshot for the oracle).
    associatedtype State
    /// Objects per environment.
    var objectCount: Int { get }
    /// Rolls out `samples` sequences of `horizon` actions, `actions[s * horizon + t]` (m/s), each from `state`, and
    /// writes the poses after every step into `trajectories`. Should allocate nothing: it runs every control step.
    /// A sample whose rollout fails (diverges) gets non-finite positions; the call throws only if the model cannot run.
    func rollout(from state: State, actions: UnsafeBufferPointer<SIMD2<Float>>, samples: Int, horizon: Int,
                 into trajectories: SampledTrajectories) throws
}

/// Preallocated outputs of a batch rollout, `samples x horizon` steps: per step, each object's position and
/// yaw and the robot's position. Entry t is the state after action t.
///
/// Layout: `objectPositions[(s * horizon + t) * objectCount + i]` (m, world), `objectYaws` the same indexing
/// (rad, heading of the body x axis about world z), `robotPositions[s * horizon + t]` (m, world).
public final class SampledTrajectories {
    public let samples: Int
    public let horizon: Int
    public let objectCount: Int
    public let objectPositions: UnsafeMutableBufferPointer<SIMD3<Float>>
    public let objectYaws: UnsafeMutableBufferPointer<Float>
    public let robotPositions: UnsafeMutableBufferPointer<SIMD3<Float>>

    public init(samples: Int, horizon: Int, objectCount: Int) {
        self.samples = samples
        self.horizon = horizon
        self.objectCount = objectCount
        objectPositions = .allocate(capacity: max(1, samples * horizon * objectCount))
        objectPositions.initialize(repeating: .zero)
        objectYaws = .allocate(capacity: max(1, samples * horizon * objectCount))
        objectYaws.initialize(repeating: 0)
        robotPositions = .allocate(capacity: max(1, samples * horizon))
        robotPositions.initialize(repeating: .zero)
    }

    deinit {
        objectPositions.deallocate()
        objectYaws.deallocate()
        robotPositions.deallocate()
    }

    /// The position of `object` after step `t` of sample `s`.
    @inline(__always) public func position(sample s: Int, step t: Int, object i: Int) -> SIMD3<Float> {
        objectPositions[(s * horizon + t) * objectCount + i]
    }

    @inline(__always) public func yaw(sample s: Int, step t: Int, object i: Int) -> Float {
        objectYaws[(s * horizon + t) * objectCount + i]
    }

    @inline(__always) public func robotPosition(sample s: Int, step t: Int) -> SIMD3<Float> { robotPositions[s * horizon + t] }

    /// Writes step `t` of sample `s`.
    @inline(__always) func record(sample s: Int, step t: Int, object i: Int, position: SIMD3<Float>, yaw: Float) {
        objectPositions[(s * horizon + t) * objectCount + i] = position
        objectYaws[(s * horizon + t) * objectCount + i] = yaw
    }
}
