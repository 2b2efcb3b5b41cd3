/// How the robot (a kinematic node) moves under an action, fitted from teacher data.
///
/// The pusher tracks a commanded planar velocity through a stiff velocity actuator, so over one control step
/// its displacement is close to a blend of its current velocity and the command:
///   p_{t+1} = clamp(p_t + dt (α v_t + β a_t))   per planar axis, z unchanged,
/// with v_t the finite-difference velocity of the last step and a_t the action (m/s). α and β are fitted by
/// least squares on the training split; `residualMeters` is the fit's RMS position error per step.
public struct RobotKinematics: Codable, Equatable, Sendable {
    public var alpha: Float
    public var beta: Float
    /// Joint limits of the planar axes (m).
    public var lowerBound: SIMD2<Float>
    public var upperBound: SIMD2<Float>
    public var residualMeters: Float

    public init(alpha: Float, beta: Float, lowerBound: SIMD2<Float>, upperBound: SIMD2<Float>, residualMeters: Float = 0) {
        self.alpha = alpha
        self.beta = beta
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.residualMeters = residualMeters
    }

    /// The robot's next position from its position, last velocity and the action.
    @inline(__always)
    public func nextPosition(position p: SIMD3<Float>, velocity v: SIMD3<Float>, action a: SIMD2<Float>, dtSeconds dt: Float) -> SIMD3<Float> {
        var x = SIMD2(p.x, p.y) + dt * (alpha * SIMD2(v.x, v.y) + beta * a)
        x = x.clamped(lowerBound: lowerBound, upperBound: upperBound)
        return SIMD3(x.x, x.y, p.z)
    }

    /// Fits α and β on every step of `episodes` (actions with at least 2 components).
    public static func fit(episodes: [Episode], dtSeconds dt: Float, lowerBound: SIMD2<Float>, upperBound: SIMD2<Float>) -> RobotKinematics {
        // Normal equations of  (Δp/dt) ≈ α v + β a  over both axes.
        var svv = 0.0, sva = 0.0, saa = 0.0, svy = 0.0, say = 0.0, count = 0
        for e in episodes where e.actionDimension >= 2 && e.frameCount >= 3 {
            for t in 1..<(e.frameCount - 1) {
                let v = FiniteDifference.robotVelocity(episode: e, frame: t, dtSeconds: dt)
                let y = FiniteDifference.robotVelocity(episode: e, frame: t + 1, dtSeconds: dt)
                for k in 0..<2 {
                    let a = Double(e.actions[t * e.actionDimension + k]), vv = Double(v[k]), yy = Double(y[k])
                    svv += vv * vv; sva += vv * a; saa += a * a; svy += vv * yy; say += a * yy
                    count += 1
                }
            }
        }
        let det = svv * saa - sva * sva
        guard count > 0, abs(det) > 1e-12 else {
            return RobotKinematics(alpha: 0, beta: 1, lowerBound: lowerBound, upperBound: upperBound)
        }
        let alpha = (svy * saa - say * sva) / det, beta = (say * svv - svy * sva) / det
        var model = RobotKinematics(alpha: Float(alpha), beta: Float(beta), lowerBound: lowerBound, upperBound: upperBound)
        var squared = 0.0, n = 0
        for e in episodes where e.actionDimension >= 2 && e.frameCount >= 3 {
            for t in 1..<(e.frameCount - 1) {
                let r = t * robotStateWidth
                let p = SIMD3(e.robotStates[r], e.robotStates[r + 1], e.robotStates[r + 2])
                let v = FiniteDifference.robotVelocity(episode: e, frame: t, dtSeconds: dt)
                let a = SIMD2(e.actions[t * e.actionDimension], e.actions[t * e.actionDimension + 1])
                let predicted = model.nextPosition(position: p, velocity: v, action: a, dtSeconds: dt)
                for k in 0..<2 {
                    let d = Double(predicted[k] - e.robotStates[r + robotStateWidth + k])
                    squared += d * d
                }
                n += 1
            }
        }
        model.residualMeters = Float((squared / Double(max(n, 1))).squareRoot())
        return model
    }
}
