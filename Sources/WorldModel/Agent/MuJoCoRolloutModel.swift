import Dispatch

/// MuJoCo itself as a `BatchRolloutModel`: the oracle a learned model is compared with when planning. Each
/// sample restores the start snapshot into one of `threads` private simulations (each its own `mjData`) and
/// steps it for real; the samples are split across the threads.
///
/// It is exact but slow: a rollout costs `samples x horizon x controlSubsteps` physics steps (256 x 25 x 10 is
/// 64,000, about 1.3 s at 50k steps/s), so the oracle usually plans with fewer samples.
///
/// ```swift
/// let oracle = try MuJoCoRolloutModel(scenePath: "scenes/push.xml", threads: 2)
/// try oracle.rollout(from: teacher.simulation.snapshot(), actions: sequences, samples: 32, horizon: 25, into: trajectories)
/// ```
/// Not thread-safe itself (it runs its own threads inside `rollout`).
public final class MuJoCoRolloutModel: BatchRolloutModel {
    public typealias State = MuJoCoStateSnapshot
    public let scene: SceneDescription
    public var objectCount: Int { scene.objects.count }
    private let workers: [MuJoCoSimulation]
    private let readers: [MuJoCoPoseReader]
    private var commands: [[Float]]

    /// Loads `threads` copies of the scene.
    public init(scenePath: String, threads: Int = 2) throws {
        workers = try (0..<max(1, threads)).map { _ in try MuJoCoSimulation(path: scenePath) }
        scene = try workers[0].scene
        readers = try workers.map { try MuJoCoPoseReader(simulation: $0) }
        commands = workers.map { [Float](repeating: 0, count: $0.sceneModel.nu) }
    }

    public func rollout(from state: MuJoCoStateSnapshot, actions: UnsafeBufferPointer<SIMD2<Float>>, samples: Int, horizon: Int,
                        into trajectories: SampledTrajectories) throws {
        precondition(actions.count >= samples * horizon && trajectories.horizon == horizon && trajectories.samples >= samples)
        let threads = workers.count
        let work = UnsafeSendable(value: (self, actions, trajectories, state))
        DispatchQueue.concurrentPerform(iterations: threads) { w in
            let (model, actions, trajectories, state) = work.value
            var s = w
            while s < samples {
                model.rollOne(worker: w, sample: s, from: state, actions: actions, horizon: horizon, into: trajectories)
                s += threads
            }
        }
    }

    private func rollOne(worker w: Int, sample s: Int, from state: MuJoCoStateSnapshot, actions: UnsafeBufferPointer<SIMD2<Float>>,
                         horizon: Int, into trajectories: SampledTrajectories) {
        let sim = workers[w]
        sim.restore(state)
        var failed = false
        for t in 0..<horizon {
            let a = actions[s * horizon + t]
            commands[w][0] = a.x
            if commands[w].count > 1 { commands[w][1] = a.y }
            if !failed {
                do { try sim.step(action: commands[w], substeps: scene.controlSubsteps) } catch { failed = true }
            }
            readers[w].forEachObjectPose { i, position, quaternion in
                let p = failed ? SIMD3<Float>(repeating: .nan) : position
                trajectories.record(sample: s, step: t, object: i, position: p, yaw: ObjectPose.yaw(of: quaternion))
            }
            trajectories.robotPositions[s * horizon + t] = readers[w].robotPosition
        }
    }
}

/// Hands values to the worker threads of `concurrentPerform`; each thread touches only its own simulation and
/// its own samples' rows of the outputs.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
}
