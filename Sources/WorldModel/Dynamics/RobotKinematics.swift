/// How the robot (a kinematic node) moves under an action, fitted from teacher data.
///
/// The pusher tracks a commanded planar velocity through a stiff velocity actuator (m dv/dt = kv (a - v)), so
/// its displacement over a control step is linear in its instantaneous velocity and the command; the
/// instantaneous velocity is in turn linear in the last finite-difference velocity and the previous command:
///   p_{t+1} = clamp(p_t + dt (α v_t + β a_t + γ a_{t-1}))   per planar axis, z unchanged,
/// with v_t the finite-difference velocity of the last step, a_t the action (m/s) and a_{t-1} the one before.
/// α, β, γ are fitted by least squares on the training split; `residualMeters` is the RMS position error per step.
public struct RobotKinematics: Codable, Equatable, Sendable {
    public var alpha: Float
    public var beta: Float
    public var gamma: Float
    /// Joint limits of the planar axes (m).
    public var lowerBound: SIMD2<Float>
    public var upperBound: SIMD2<Float>
    public var residualMeters: Float

    public init(alpha: Float, beta: Float, gamma: Float, lowerBound: SIMD2<Float>, upperBound: SIMD2<Float>, residualMeters: Float = 0) {
        self.alpha = alpha
        self.beta = beta
        self.gamma = gamma
        self.lowerBound = lowerBound
        self.upperBound = upperBound
        self.residualMeters = residualMeters
    }

    /// The robot's next position from its position, last velocity and the action.
    @inline(__always)
    public func nextPosition(position p: SIMD3<Float>, velocity v: SIMD3<Float>, action a: SIMD2<Float>, lastAction: SIMD2<Float>,
                             dtSeconds dt: Float) -> SIMD3<Float> {
        var x = SIMD2(p.x, p.y) + dt * (alpha * SIMD2(v.x, v.y) + beta * a + gamma * lastAction)
        x = x.clamped(lowerBound: lowerBound, upperBound: upperBound)
        return SIMD3(x.x, x.y, p.z)
    }

    /// The next position of the robot of `state` under `action`.
    public func nextPosition(of state: DynamicsState, action: SIMD2<Float>, dtSeconds dt: Float) -> SIMD3<Float> {
        nextPosition(position: state.robotPosition, velocity: state.robotVelocity, action: action, lastAction: state.robotLastAction, dtSeconds: dt)
    }

    /// Fits α, β, γ on every step of `episodes` (actions with at least 2 components).
    public static func fit(episodes: [Episode], dtSeconds dt: Float, lowerBound: SIMD2<Float>, upperBound: SIMD2<Float>) -> RobotKinematics {
        // Normal equations of  (Δp/dt) ≈ α v + β a + γ a_prev  over both axes, in double precision.
        var m = [[Double]](repeating: [Double](repeating: 0, count: 3), count: 3), r = [Double](repeating: 0, count: 3)
        var count = 0
        for e in episodes where e.actionDimension >= 2 && e.frameCount >= 3 {
            for t in 1..<(e.frameCount - 1) {
                let v = FiniteDifference.robotVelocity(episode: e, frame: t, dtSeconds: dt)
                let y = FiniteDifference.robotVelocity(episode: e, frame: t + 1, dtSeconds: dt)
                for k in 0..<2 {
                    let x = [Double(v[k]), Double(e.actions[t * e.actionDimension + k]), Double(e.actions[(t - 1) * e.actionDimension + k])]
                    for i in 0..<3 {
                        r[i] += x[i] * Double(y[k])
                        for j in 0..<3 { m[i][j] += x[i] * x[j] }
                    }
                    count += 1
                }
            }
        }
        guard count > 0, let c = solve3(m, r) else {
            return RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: lowerBound, upperBound: upperBound)
        }
        let alpha = c[0], beta = c[1], gamma = c[2]
        var model = RobotKinematics(alpha: Float(alpha), beta: Float(beta), gamma: Float(gamma), lowerBound: lowerBound, upperBound: upperBound)
        var squared = 0.0, n = 0
        for e in episodes where e.actionDimension >= 2 && e.frameCount >= 3 {
            for t in 1..<(e.frameCount - 1) {
                let r = t * robotStateWidth
                let p = SIMD3(e.robotStates[r], e.robotStates[r + 1], e.robotStates[r + 2])
                let v = FiniteDifference.robotVelocity(episode: e, frame: t, dtSeconds: dt)
                let a = SIMD2(e.actions[t * e.actionDimension], e.actions[t * e.actionDimension + 1])
                let previous = SIMD2(e.actions[(t - 1) * e.actionDimension], e.actions[(t - 1) * e.actionDimension + 1])
                let predicted = model.nextPosition(position: p, velocity: v, action: a, lastAction: previous, dtSeconds: dt)
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

/// Solves the 3 x 3 system m x = r by Cramer's rule; nil when (nearly) singular.
func solve3(_ m: [[Double]], _ r: [Double]) -> [Double]? {
    func det(_ a: [[Double]]) -> Double {
        a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
            + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
    }
    let d = det(m)
    guard abs(d) > 1e-12 else { return nil }
    return (0..<3).map { column in
        var a = m
        for row in 0..<3 { a[row][column] = r[row] }
        return det(a) / d
    }
}
