/// What a learned dynamics model needs to take one step: where every object is, how it has been moving, and
/// where the robot is. One environment; batches are arrays of these.
///
/// Velocities here are **finite differences over one control step** (not MuJoCo's instantaneous velocities),
/// which makes integration exact: with `dt` the control step,
///   v_t = (p_t - p_{t-1}) / dt,            ω_t = log(q_t q_{t-1}*) / dt   (world frame, rad/s)
///   v_{t+1} = v_t + a dt,  p_{t+1} = p_t + v_{t+1} dt,   ω_{t+1} = ω_t + α dt,  q_{t+1} = exp(ω_{t+1} dt) q_t
/// Histories hold the last `historyLength` velocities, oldest first.
///
/// Layout (N objects, H = historyLength):
/// - `positions`: N x 3, m, world; `quaternions`: N x 4, (w, x, y, z), body -> world;
/// - `linearVelocities`, `angularVelocities`: N x H x 3 (m/s, rad/s, world);
/// - `robotPosition`: 3, m, world; `robotVelocities`: H x 3, m/s, world;
/// - `robotLastAction`: the action applied over the step that ended at this state (zero at the start).
public struct DynamicsState: Sendable, Equatable {
    public let objectCount: Int
    public let historyLength: Int
    public var positions: [Float]
    public var quaternions: [Float]
    public var linearVelocities: [Float]
    public var angularVelocities: [Float]
    public var robotPosition: SIMD3<Float>
    public var robotVelocities: [Float]
    public var robotLastAction: SIMD2<Float>

    public init(objectCount: Int, historyLength: Int) {
        self.objectCount = objectCount
        self.historyLength = historyLength
        positions = [Float](repeating: 0, count: objectCount * 3)
        quaternions = [Float](repeating: 0, count: objectCount * 4)
        for i in 0..<objectCount { quaternions[i * 4] = 1 }
        linearVelocities = [Float](repeating: 0, count: objectCount * historyLength * 3)
        angularVelocities = [Float](repeating: 0, count: objectCount * historyLength * 3)
        robotPosition = .zero
        robotVelocities = [Float](repeating: 0, count: historyLength * 3)
        robotLastAction = .zero
    }

    /// The state at frame `t` of `episode`, with velocities from frames `t - H ... t` (so `t >= H`).
    public init(episode: Episode, frame t: Int, historyLength: Int, dtSeconds: Float) {
        precondition(t >= historyLength && t < episode.frameCount, "DynamicsState: frame \(t) needs \(historyLength) frames of history")
        let n = episode.objectCount
        self.init(objectCount: n, historyLength: historyLength)
        for i in 0..<n {
            let o = (t * n + i) * objectStateWidth
            for k in 0..<3 { positions[i * 3 + k] = episode.objectStates[o + k] }
            for k in 0..<4 { quaternions[i * 4 + k] = episode.objectStates[o + 3 + k] }
            for h in 0..<historyLength {
                let frame = t - historyLength + 1 + h
                let (v, w) = FiniteDifference.velocities(episode: episode, object: i, frame: frame, dtSeconds: dtSeconds)
                for k in 0..<3 {
                    linearVelocities[(i * historyLength + h) * 3 + k] = v[k]
                    angularVelocities[(i * historyLength + h) * 3 + k] = w[k]
                }
            }
        }
        let r = t * robotStateWidth
        robotPosition = SIMD3(episode.robotStates[r], episode.robotStates[r + 1], episode.robotStates[r + 2])
        for h in 0..<historyLength {
            let frame = t - historyLength + 1 + h
            let v = FiniteDifference.robotVelocity(episode: episode, frame: frame, dtSeconds: dtSeconds)
            for k in 0..<3 { robotVelocities[h * 3 + k] = v[k] }
        }
        if t >= 1, episode.actionDimension >= 1 {
            let a = episode.actionDimension
            robotLastAction = SIMD2(episode.actions[(t - 1) * a], a > 1 ? episode.actions[(t - 1) * a + 1] : 0)
        }
    }

    /// The newest linear velocity of object `i`.
    @inline(__always) public func linearVelocity(_ i: Int) -> SIMD3<Float> {
        let o = (i * historyLength + historyLength - 1) * 3
        return SIMD3(linearVelocities[o], linearVelocities[o + 1], linearVelocities[o + 2])
    }

    /// The newest angular velocity of object `i`.
    @inline(__always) public func angularVelocity(_ i: Int) -> SIMD3<Float> {
        let o = (i * historyLength + historyLength - 1) * 3
        return SIMD3(angularVelocities[o], angularVelocities[o + 1], angularVelocities[o + 2])
    }

    @inline(__always) public func position(_ i: Int) -> SIMD3<Float> {
        SIMD3(positions[i * 3], positions[i * 3 + 1], positions[i * 3 + 2])
    }

    @inline(__always) public func quaternion(_ i: Int) -> SIMD4<Float> {
        SIMD4(quaternions[i * 4], quaternions[i * 4 + 1], quaternions[i * 4 + 2], quaternions[i * 4 + 3])
    }

    /// Whether every number is finite.
    public var isFinite: Bool {
        Self.allFinite(positions) && Self.allFinite(quaternions) && Self.allFinite(linearVelocities)
            && Self.allFinite(angularVelocities) && robotPosition.x.isFinite && robotPosition.y.isFinite
    }

    private static func allFinite(_ values: [Float]) -> Bool {
        for i in 0..<values.count where !values[i].isFinite { return false }
        return true
    }

    /// Applies accelerations (N x 6: linear m/s², angular rad/s², world) for one step of `dt`:
    /// semi-implicit Euler for position, the exponential map for orientation; histories shift by one.
    public mutating func integrate(accelerations: UnsafePointer<Float>, dtSeconds dt: Float) {
        for i in 0..<objectCount {
            var nextV = linearVelocity(i), nextW = angularVelocity(i)
            for k in 0..<3 {
                nextV[k] += accelerations[i * 6 + k] * dt
                nextW[k] += accelerations[i * 6 + 3 + k] * dt
            }
            Self.shiftHistory(&linearVelocities, length: historyLength, object: i, newest: nextV)
            Self.shiftHistory(&angularVelocities, length: historyLength, object: i, newest: nextW)
            for k in 0..<3 { positions[i * 3 + k] += nextV[k] * dt }
            let q = RotationMath.normalized(RotationMath.multiply(RotationMath.exp(nextW * dt), quaternion(i)))
            for k in 0..<4 { quaternions[i * 4 + k] = q[k] }
        }
    }

    /// Lifts every object whose lowest point is more than `toleranceMeters` below the table plane back to that
    /// depth, and sets its newest vertical velocity to what the lifted step moved it (z' - z before the step, over
    /// dt): a position-based, inelastic contact with the table, for rollouts (as the body graph's
    /// ``StaticContactProjection``). Call it right after `integrate`.
    public mutating func keepAboveTable(objects: [ObjectDescription], tableHeightMeters table: Float, toleranceMeters: Float, dtSeconds dt: Float) {
        let h = historyLength
        for i in 0..<objectCount {
            let up = RotationMath.rotateInverse(quaternion(i), SIMD3<Float>(0, 0, 1))
            let z = positions[i * 3 + 2]
            let depth = table - (z - objects[i].shape.reachBelowCentre(halfExtents: objects[i].halfExtentsMeters, up: up))
            guard depth > toleranceMeters else { continue }
            let lifted = z + depth - toleranceMeters
            let newest = (i * h + h - 1) * 3 + 2
            let before = z - linearVelocities[newest] * dt
            positions[i * 3 + 2] = lifted
            linearVelocities[newest] = (lifted - before) / dt
        }
    }

    /// The robot's newest finite-difference velocity.
    public var robotVelocity: SIMD3<Float> {
        let o = (historyLength - 1) * 3
        return SIMD3(robotVelocities[o], robotVelocities[o + 1], robotVelocities[o + 2])
    }

    /// Moves the robot to `position` (kinematic) under `action`, recording its finite-difference velocity.
    public mutating func moveRobot(to position: SIMD3<Float>, action: SIMD2<Float>, dtSeconds dt: Float) {
        robotLastAction = action
        let v = (position - robotPosition) / dt
        let h = historyLength
        for j in 0..<(h - 1) { for k in 0..<3 { robotVelocities[j * 3 + k] = robotVelocities[(j + 1) * 3 + k] } }
        for k in 0..<3 { robotVelocities[(h - 1) * 3 + k] = v[k] }
        robotPosition = position
    }

    /// Drops the oldest velocity of object `i` and appends `newest` (static, so that passing a stored array
    /// `inout` does not also read `self`, which would copy the array).
    private static func shiftHistory(_ history: inout [Float], length h: Int, object i: Int, newest: SIMD3<Float>) {
        let base = i * h * 3
        for j in 0..<(h - 1) { for k in 0..<3 { history[base + j * 3 + k] = history[base + (j + 1) * 3 + k] } }
        for k in 0..<3 { history[base + (h - 1) * 3 + k] = newest[k] }
    }
}

/// Finite-difference velocities from recorded frames (see `DynamicsState` for the definitions).
public enum FiniteDifference {
    /// Linear and angular velocity of `object` over the step ending at `frame` (frame >= 1), world frame.
    public static func velocities(episode: Episode, object i: Int, frame t: Int, dtSeconds dt: Float) -> (SIMD3<Float>, SIMD3<Float>) {
        let n = episode.objectCount
        let a = ((t - 1) * n + i) * objectStateWidth, b = (t * n + i) * objectStateWidth
        var v = SIMD3<Float>.zero
        for k in 0..<3 { v[k] = (episode.objectStates[b + k] - episode.objectStates[a + k]) / dt }
        let s = episode.objectStates
        let w = angularVelocity(from: SIMD4(s[a + 3], s[a + 4], s[a + 5], s[a + 6]),
                                to: SIMD4(s[b + 3], s[b + 4], s[b + 5], s[b + 6]), dtSeconds: dt)
        return (v, w)
    }

    /// ω = log(q1 q0*) / dt: the world-frame angular velocity that turns q0 into q1 in dt.
    public static func angularVelocity(from q0: SIMD4<Float>, to q1: SIMD4<Float>, dtSeconds dt: Float) -> SIMD3<Float> {
        let delta = RotationMath.normalized(RotationMath.multiply(q1, RotationMath.conjugate(q0)))
        return RotationMath.log(delta) / dt
    }

    /// The robot's velocity over the step ending at `frame` (frame >= 1), m/s, world.
    public static func robotVelocity(episode: Episode, frame t: Int, dtSeconds dt: Float) -> SIMD3<Float> {
        let a = (t - 1) * robotStateWidth, b = t * robotStateWidth
        return SIMD3((0..<3).map { (episode.robotStates[b + $0] - episode.robotStates[a + $0]) / dt })
    }
}
