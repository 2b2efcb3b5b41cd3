/// The state a body-dynamics model steps: the last H + 1 configurations of MuJoCo's generalized positions.
///
/// `qposHistory` is (H + 1) x nq, oldest first; the newest row is the current `qpos`. The H generalized
/// velocities the model reads are their finite differences in joint space (`JointSpaceIntegrator.differentiate`,
/// so MuJoCo's `qvel` conventions: free-joint angular velocity in the body frame), which keeps the state and the
/// integration exactly consistent: a rollout step is `qpos' = qpos (+) (v + qacc dt) dt`.
public struct BodyState: Sendable, Equatable {
    public let nq: Int
    public let historyLength: Int
    public var qposHistory: [Float]

    public init(nq: Int, historyLength: Int, qposHistory: [Float]) {
        precondition(qposHistory.count == (historyLength + 1) * nq, "BodyState: (H + 1) x nq values expected")
        self.nq = nq
        self.historyLength = historyLength
        self.qposHistory = qposHistory
    }

    /// The state at `frame` of a recorded episode (frame >= H): its qpos rows frame - H ... frame.
    public init(episode: Episode, frame t: Int, historyLength h: Int, nq: Int) {
        precondition(t >= h && t < episode.frameCount, "BodyState: frame \(t) needs \(h) frames before it")
        self.init(nq: nq, historyLength: h, qposHistory: Array(episode.qpos[((t - h) * nq)..<((t + 1) * nq)]))
    }

    /// The current configuration (the newest row).
    public var qpos: ArraySlice<Float> { qposHistory[(historyLength * nq)...] }
}
