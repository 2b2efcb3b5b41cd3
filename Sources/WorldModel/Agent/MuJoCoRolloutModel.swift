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
/// Divergence: a sample that MuJoCo refuses to step (an error or warning, e.g. a bad state) is flagged in
/// `SampledTrajectories.diverged` and holds its last state. Not thread-safe itself (it runs its own threads
/// inside `rollout`).
public final class MuJoCoRolloutModel: BatchRolloutModel {
    public typealias State = MuJoCoStateSnapshot
    public var sceneModel: SceneModel { workers[0].simulation.sceneModel }
    private let workers: [Worker]

    /// One thread's simulation and its `ctrl` buffer.
    private final class Worker {
        let simulation: MuJoCoSimulation
        var command: [Float]
        init(scenePath: String) throws {
            simulation = try MuJoCoSimulation(path: scenePath)
            command = [Float](repeating: 0, count: simulation.sceneModel.nu)
        }
    }

    /// Loads `threads` copies of the scene.
    public init(scenePath: String, threads: Int = 2) throws {
        workers = try (0..<max(1, threads)).map { _ in try Worker(scenePath: scenePath) }
    }

    public func rollout(from state: MuJoCoStateSnapshot, actions: UnsafeBufferPointer<Float>, samples: Int, horizon: Int,
                        into trajectories: SampledTrajectories) throws {
        let scene = sceneModel
        guard actions.count >= samples * horizon * scene.nu, trajectories.horizon == horizon, trajectories.samples >= samples,
              trajectories.nq == scene.nq, trajectories.bodyCount == scene.bodies.count else {
            throw WorldModelError(file: workers[0].simulation.path, "rollout buffers do not match \(samples) samples x \(horizon) steps of this scene")
        }
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

    private func rollOne(worker w: Int, sample s: Int, from state: MuJoCoStateSnapshot, actions: UnsafeBufferPointer<Float>,
                         horizon: Int, into trajectories: SampledTrajectories) {
        let worker = workers[w], sim = worker.simulation, nu = sim.sceneModel.nu, substeps = sim.sceneModel.controlSubsteps
        sim.restore(state)
        trajectories.diverged[s] = false
        for t in 0..<horizon {
            for j in 0..<nu { worker.command[j] = actions[(s * horizon + t) * nu + j] }
            if !trajectories.diverged[s] {
                do { try sim.step(action: worker.command, substeps: substeps) } catch { trajectories.diverged[s] = true }
            }
            if trajectories.diverged[s] {
                trajectories.hold(sample: s, step: t)
                continue
            }
            let q = trajectories.qpos(sample: s, step: t)
            let qpos = sim.data.pointee.qpos!
            for k in 0..<q.count { q[k] = Float(qpos[k]) }
            sim.writeAllBodyPoses(positions: trajectories.positionBlock(sample: s, step: t).baseAddress!,
                                  quaternions: trajectories.quaternionBlock(sample: s, step: t).baseAddress!)
        }
    }
}

/// Hands values to the worker threads of `concurrentPerform`; each thread touches only its own simulation and
/// its own samples' rows of the outputs.
struct UnsafeSendable<Value>: @unchecked Sendable {
    let value: Value
}
