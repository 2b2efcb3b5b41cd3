#if canImport(Glibc)
import Glibc
#endif

/// Fast batched rollouts of a learned world model: B environments x T steps, one graph (one GEMM per layer for
/// all edges of all environments) per step, every buffer preallocated, so a step allocates nothing after the
/// first. A divergence guard stops an environment whose accelerations stop being finite or sane, with a clear
/// message in `RolloutTrajectories.failures`; the others go on.
///
/// ```swift
/// let model = try DynamicsModel.load(from: "models/push.safetensors")
/// let engine = try RolloutEngine(model: model, objects: model.trainedObjects, batchSize: 256)
/// var states = Array(repeating: start, count: 256)
/// let result = try engine.rollout(&states, steps: 25) { step, environment, state in SIMD2(0.1, 0) }
/// print(result.trajectories.position(frame: 25, environment: 0, object: 0))
/// ```
/// On several threads, small batches run as one graph whose every layer is split over the team; batches of at
/// least `environmentSplitBatch` environments per thread are split by environments instead: the batch is cut
/// into about four blocks per thread, and each thread steps the blocks it claims with its own runner (graph,
/// network, integration), with no barrier inside a step; a thread on a busier core simply claims fewer blocks.
/// Not thread-safe: one engine per thread.
public final class RolloutEngine: ThreadTeamTask {
    public let model: DynamicsModel
    public let objects: [ObjectDescription]
    /// The largest batch `rollout` takes.
    public let batchSize: Int
    /// One runner, or one per thread (each stepping the blocks of environments its thread claims).
    let runners: [DynamicsRunner]
    var runner: DynamicsRunner { runners[0] }
    /// Runs the blocks when `runners.count` > 1.
    private let sliceTeam: ThreadTeam?
    /// Environments per block when split by environments.
    private let blockSize: Int
    /// Environments per thread from which a batch is split by environments.
    public static let environmentSplitBatch = 16
    private let robotNext: UnsafeMutableBufferPointer<SIMD3<Float>>
    private let active: UnsafeMutableBufferPointer<Bool>
    private let actions: UnsafeMutableBufferPointer<SIMD2<Float>>
    /// Per environment: whether the divergence guard stopped it during the current step (blocks run in parallel).
    private let divergedNow: UnsafeMutableBufferPointer<Bool>
    /// The states of the step being taken by the blocks.
    private var stepping: UnsafeMutableBufferPointer<DynamicsState>?

    /// An engine for up to `batchSize` environments of `objects`, stepped on `threads` threads: by blocks of
    /// environments, or one graph split over the team (see
    /// ``GraphNetwork/infer(nodeFeatures:edgeFeatures:senders:receivers:outputRows:workspace:)``).
    /// Keep OpenBLAS on one thread when `threads` > 1 (`BLASThreads.set(1)`): its own threads would fight the team's.
    public init(model: DynamicsModel, objects: [ObjectDescription], batchSize: Int, threads: Int = 1) throws {
        self.model = model
        self.objects = objects
        self.batchSize = batchSize
        guard threads >= 1 else { throw WorldModelError("a rollout engine needs at least one thread, not \(threads)") }
        if threads > 1 && batchSize >= threads * Self.environmentSplitBatch {
            let block = max(4, (batchSize + 4 * threads - 1) / (4 * threads))
            blockSize = block
            runners = try (0..<threads).map { _ in try DynamicsRunner(model: model, objects: objects, maxEnvironments: block, threads: 1) }
            sliceTeam = try ThreadTeam(threads: threads)
        } else {
            blockSize = batchSize
            runners = [try DynamicsRunner(model: model, objects: objects, maxEnvironments: batchSize, threads: threads)]
            sliceTeam = nil
        }
        robotNext = .allocate(capacity: max(batchSize, 1))
        active = .allocate(capacity: max(batchSize, 1))
        active.initialize(repeating: true)
        actions = .allocate(capacity: max(batchSize, 1))
        divergedNow = .allocate(capacity: max(batchSize, 1))
        divergedNow.initialize(repeating: false)
    }

    deinit {
        robotNext.deallocate()
        active.deallocate()
        actions.deallocate()
        divergedNow.deallocate()
    }

    /// What a rollout did.
    public struct Result: Sendable {
        /// Poses per frame, when recorded.
        public var trajectories: RolloutTrajectories?
        /// Environments stopped by the divergence guard, with why.
        public var failures: [String?]
        public var seconds: Double
        /// Environment-steps per second (B x T / seconds).
        public var environmentStepsPerSecond: Double
    }

    /// Rolls `states` (up to `batchSize` environments, advanced in place) for `steps` control steps, the robot
    /// driven by `action(step, environment, current state)` (closed loop if it looks at the state); records every
    /// frame when `record`.
    public func rollout(_ states: inout [DynamicsState], steps: Int, record: Bool = true,
                        action: (Int, Int, DynamicsState) -> SIMD2<Float>) throws -> Result {
        let b = states.count
        guard b <= batchSize else { throw WorldModelError("rollout of \(b) environments exceeds the engine's batch size \(batchSize)") }
        guard states.allSatisfy({ $0.objectCount == objects.count && $0.historyLength == model.historyLength }) else {
            throw WorldModelError("initial states do not match the model: \(objects.count) objects, history \(model.historyLength)")
        }
        guard states.allSatisfy(\.isFinite) else { throw WorldModelError("an initial state is not finite") }
        var trajectories = record ? RolloutTrajectories(frames: steps + 1, environments: b, objects: objects.count) : nil
        var failures = [String?](repeating: nil, count: b)
        for k in 0..<b { active[k] = true }
        trajectories?.record(states, frame: 0)
        let start = monotonicSeconds()
        for t in 0..<steps {
            try advance(&states, step: t, action: action) { k in
                failures[k] = "environment \(k) diverged at step \(t + 1): the model's accelerations left any sane range; it keeps its last finite state"
            }
            trajectories?.record(states, frame: t + 1)
        }
        let seconds = monotonicSeconds() - start
        trajectories?.failures = failures
        return Result(trajectories: trajectories, failures: failures, seconds: seconds,
                      environmentStepsPerSecond: Double(b * steps) / max(seconds, 1e-9))
    }

    /// One step of every active environment; allocates nothing.
    public func advance(_ states: inout [DynamicsState], step t: Int, action: (Int, Int, DynamicsState) -> SIMD2<Float>,
                        onDivergence: (Int) -> Void) throws {
        let b = states.count
        let dt = model.dtSeconds
        for k in 0..<b {
            let a = active[k] ? action(t, k, states[k]) : .zero
            guard a.x.isFinite && a.y.isFinite else {
                throw WorldModelError("action for environment \(k) at step \(t) is not finite: (\(a.x), \(a.y))")
            }
            actions[k] = a
            robotNext[k] = model.robotKinematics.nextPosition(of: states[k], action: a, dtSeconds: dt)
        }
        guard let team = sliceTeam else {
            runner.advance(&states, robotNext: UnsafeBufferPointer(rebasing: robotNext[0..<b]), actions: UnsafeBufferPointer(rebasing: actions[0..<b]),
                           active: UnsafeMutableBufferPointer(rebasing: active[0..<b]), onDivergence: onDivergence)
            return
        }
        states.withUnsafeMutableBufferPointer { all in
            stepping = all
            team.run(self)
            stepping = nil
        }
        for k in 0..<b where divergedNow[k] {
            divergedNow[k] = false
            onDivergence(k)
        }
    }

    /// One thread's blocks of a step split by environments. Called by the team inside `advance`; not for direct use.
    public func run(thread t: Int) {
        let all = stepping!, team = sliceTeam!
        while true {
            let start = team.next() * blockSize
            guard start < all.count else { return }
            let range = start..<min(all.count, start + blockSize)
            runners[t].advance(UnsafeMutableBufferPointer(rebasing: all[range]), robotNext: UnsafeBufferPointer(rebasing: robotNext[range]),
                               actions: UnsafeBufferPointer(rebasing: actions[range]), active: UnsafeMutableBufferPointer(rebasing: active[range])) { k in
                divergedNow[start + k] = true
            }
        }
    }

    /// Bytes held by the engine's buffers (graph, network activations, outputs, robot and action buffers).
    public var workspaceBytes: Int {
        runners.reduce(0) { $0 + $1.workspaceBytes } + batchSize * (MemoryLayout<SIMD3<Float>>.stride + MemoryLayout<Bool>.stride + MemoryLayout<SIMD2<Float>>.stride + MemoryLayout<Bool>.stride)
    }

}
