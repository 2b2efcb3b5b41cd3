/// Builds the learned model's input (`BodyState`: the last H + 1 configurations) from a stream of observations,
/// e.g. of the MuJoCo teacher, so a learned rollout can start from what was just observed.
///
/// `start(at:)` fills the history by running the observation's `qvel` backwards (`qpos_{t-1} = qpos_t (+) (-qvel dt)`,
/// constant velocity, so a state at rest is at rest); each `advance(to:)` pushes the newly observed `qpos`.
/// After H steps the state equals `BodyState(episode:frame:...)` of the same frames.
///
/// ```swift
/// var tracker = BodyStateTracker(scene: model.scene, historyLength: model.historyLength)
/// tracker.start(at: try teacher.reset(seed: 1))
/// tracker.advance(to: try teacher.step(action: [0.1, 0]))
/// let state = tracker.state   // ready for `BodyDynamicsRunner.step` or a planner
/// ```
public struct BodyStateTracker {
    public private(set) var state: BodyState
    public let dtSeconds: Double
    private let integrator: JointSpaceIntegrator

    public init(scene: SceneModel, historyLength: Int) {
        state = BodyState(nq: scene.nq, historyLength: historyLength,
                          qposHistory: [Float]((0..<(historyLength + 1)).map { _ in scene.qpos0 }.joined()))
        dtSeconds = scene.controlDtSeconds
        integrator = JointSpaceIntegrator(tree: scene.tree)
    }

    /// Starts at `observation`, its history extrapolated back at constant `qvel`.
    public mutating func start(at observation: Observation) {
        let nq = state.nq, h = state.historyLength
        let backwards = observation.qvel.map { -$0 }
        var rows = [observation.qpos]
        for _ in 0..<h { rows.append(integrator.integrate(qpos: rows[rows.count - 1], qvel: backwards, dtSeconds: dtSeconds)) }
        var history = [Float](repeating: 0, count: (h + 1) * nq)
        for (r, row) in rows.reversed().enumerated() { for k in 0..<nq { history[r * nq + k] = row[k] } }
        state.qposHistory = history
    }

    /// Moves to `observation`, one control step after the current state.
    public mutating func advance(to observation: Observation) {
        advance(toQpos: observation.qpos)
    }

    /// Moves to the configuration `qpos` (nq values), one control step after the current state.
    public mutating func advance(toQpos qpos: [Float]) {
        let nq = state.nq, h = state.historyLength
        precondition(qpos.count == nq, "BodyStateTracker.advance: nq values expected")
        state.qposHistory.withUnsafeMutableBufferPointer { q in
            for k in 0..<(h * nq) { q[k] = q[k + nq] }
            for k in 0..<nq { q[h * nq + k] = qpos[k] }
        }
    }

    /// Starts from a model state as it is (e.g. `BodyState(episode:frame:...)` of recorded frames).
    public mutating func start(at state: BodyState) {
        precondition(state.nq == self.state.nq && state.historyLength == self.state.historyLength, "BodyStateTracker.start: another model's state")
        self.state = state
    }
}
