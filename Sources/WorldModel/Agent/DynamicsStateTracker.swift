/// Builds the learned model's input (`DynamicsState`, with finite-difference velocity histories) from a stream
/// of observations, e.g. of the MuJoCo teacher, so a learned rollout can start from what was just observed.
///
/// After `start(at:)` the histories are zero (the world at rest); each `advance(to:)` pushes the velocity of
/// the step just taken. After `historyLength` steps the state equals `DynamicsState(episode:frame:...)` of the
/// same frames.
///
/// ```swift
/// var tracker = DynamicsStateTracker(objectCount: 4, historyLength: model.historyLength, dtSeconds: model.dtSeconds)
/// tracker.start(at: try teacher.reset(seed: 1))
/// tracker.advance(to: try teacher.step(action: SIMD2(0.1, 0)))
/// let state = tracker.state   // ready for `DynamicsRunner.step` or a planner
/// ```
public struct DynamicsStateTracker: Sendable {
    public private(set) var state: DynamicsState
    public let dtSeconds: Float

    public init(objectCount: Int, historyLength: Int, dtSeconds: Float) {
        state = DynamicsState(objectCount: objectCount, historyLength: historyLength)
        self.dtSeconds = dtSeconds
    }

    /// Starts at `observation` with zero velocity histories.
    public mutating func start(at observation: Observation) {
        var fresh = DynamicsState(objectCount: state.objectCount, historyLength: state.historyLength)
        for (i, pose) in observation.objects.enumerated() {
            for k in 0..<3 { fresh.positions[i * 3 + k] = pose.position[k] }
            for k in 0..<4 { fresh.quaternions[i * 4 + k] = pose.quaternion[k] }
        }
        fresh.robotPosition = observation.robotPosition
        fresh.robotLastAction = observation.lastAction
        state = fresh
    }

    /// Moves to `observation`, one control step after the current state, pushing finite-difference velocities.
    public mutating func advance(to observation: Observation) {
        let h = state.historyLength, dt = dtSeconds
        for (i, pose) in observation.objects.enumerated() {
            let v = (pose.position - state.position(i)) / dt
            let w = FiniteDifference.angularVelocity(from: state.quaternion(i), to: pose.quaternion, dtSeconds: dt)
            let base = i * h * 3
            for j in 0..<(h - 1) {
                for k in 0..<3 {
                    state.linearVelocities[base + j * 3 + k] = state.linearVelocities[base + (j + 1) * 3 + k]
                    state.angularVelocities[base + j * 3 + k] = state.angularVelocities[base + (j + 1) * 3 + k]
                }
            }
            for k in 0..<3 {
                state.linearVelocities[base + (h - 1) * 3 + k] = v[k]
                state.angularVelocities[base + (h - 1) * 3 + k] = w[k]
                state.positions[i * 3 + k] = pose.position[k]
            }
            for k in 0..<4 { state.quaternions[i * 4 + k] = pose.quaternion[k] }
        }
        state.moveRobot(to: observation.robotPosition, action: observation.lastAction, dtSeconds: dt)
    }
}

extension DynamicsState {
    /// The observation of this state (the robot's z is the state's, the body origin height).
    public func observation(step: Int) -> Observation {
        let poses = (0..<objectCount).map { ObjectPose(position: position($0), quaternion: quaternion($0)) }
        return Observation(objects: poses, robotPosition: robotPosition, lastAction: robotLastAction, step: step)
    }

    /// Copies `other` into this state's existing buffers (same sizes): no allocation, unlike assignment, which
    /// shares the arrays and makes the next mutation copy them.
    mutating func overwrite(with other: DynamicsState) {
        func copy(_ source: [Float], _ target: inout [Float]) {
            guard !source.isEmpty else { return }
            target.withUnsafeMutableBufferPointer { t in source.withUnsafeBufferPointer { s in t.baseAddress!.update(from: s.baseAddress!, count: s.count) } }
        }
        copy(other.positions, &positions)
        copy(other.quaternions, &quaternions)
        copy(other.linearVelocities, &linearVelocities)
        copy(other.angularVelocities, &angularVelocities)
        copy(other.robotVelocities, &robotVelocities)
        robotPosition = other.robotPosition
        robotLastAction = other.robotLastAction
    }
}
