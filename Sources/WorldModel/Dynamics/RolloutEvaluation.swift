#if canImport(Glibc)
import Glibc
#endif

/// Rollout errors of a dynamics model against recorded episodes, at several horizons.
public struct RolloutErrors: Codable, Equatable, Sendable {
    public var horizons: [Int]
    /// Mean distance (m) between predicted and recorded object centres, over objects and start frames, per horizon.
    public var positionErrorMeters: [Double]
    /// Mean rotation angle (degrees) between predicted and recorded orientations, per horizon.
    public var rotationErrorDegrees: [Double]
    /// The same means over **moving** objects only: an object counts in a rollout when, in the recorded truth, its
    /// centre moved more than ``RolloutEvaluation/movingThresholdMeters`` from its start at some frame of the rollout's
    /// longest horizon. The mean over all objects hides that most of them rest (and are easy).
    public var movingPositionErrorMeters: [Double]
    public var movingRotationErrorDegrees: [Double]
    /// (rollout, object) pairs that moved, and all pairs scored.
    public var movingSamples: Int
    public var samples: Int
    /// The number of rollouts (start frames) averaged.
    public var rollouts: Int
    /// Rollouts the divergence guard stopped; they stay frozen at their last finite state and are still scored.
    public var divergedRollouts: Int
}

/// Anything that advances a batch of states by one control step under planar actions. Environments whose flag in
/// `active` is false are left alone; one that diverges is reported through `onDivergence` and its flag cleared.
public protocol DynamicsStepping: AnyObject {
    func step(_ states: inout [DynamicsState], actions: [SIMD2<Float>], active: UnsafeMutableBufferPointer<Bool>,
              onDivergence: (Int) -> Void)
}

extension DynamicsRunner: DynamicsStepping {
    public func step(_ states: inout [DynamicsState], actions: [SIMD2<Float>], active: UnsafeMutableBufferPointer<Bool>,
                     onDivergence: (Int) -> Void) {
        var next = [SIMD3<Float>](repeating: .zero, count: states.count)
        for b in states.indices { next[b] = model.robotKinematics.nextPosition(of: states[b], action: actions[b], dtSeconds: model.dtSeconds) }
        next.withUnsafeBufferPointer { n in
            actions.withUnsafeBufferPointer { a in advance(&states, robotNext: n, actions: a, active: active, onDivergence: onDivergence) }
        }
    }
}

/// The constant-velocity baseline: every object keeps its last linear and angular velocity (no training).
/// The robot follows the same fitted kinematics as the learned models.
public final class ConstantVelocityStepper: DynamicsStepping {
    public let robotKinematics: RobotKinematics
    public let dtSeconds: Float
    private var zeros: [Float] = []

    public init(robotKinematics: RobotKinematics, dtSeconds: Float) {
        self.robotKinematics = robotKinematics
        self.dtSeconds = dtSeconds
    }

    public func step(_ states: inout [DynamicsState], actions: [SIMD2<Float>], active: UnsafeMutableBufferPointer<Bool>,
                     onDivergence: (Int) -> Void) {
        for b in states.indices where active[b] {
            if zeros.count < states[b].objectCount * 6 { zeros = [Float](repeating: 0, count: states[b].objectCount * 6) }
            let next = robotKinematics.nextPosition(of: states[b], action: actions[b], dtSeconds: dtSeconds)
            zeros.withUnsafeBufferPointer { states[b].integrate(accelerations: $0.baseAddress!, dtSeconds: dtSeconds) }
            states[b].moveRobot(to: next, action: actions[b], dtSeconds: dtSeconds)
        }
    }
}

public enum RolloutEvaluation {
    /// An object moved in a rollout when its recorded centre got this far (m) from where it started.
    public static let movingThresholdMeters: Float = 0.01

    /// Rolls `stepper` out from start frames `H, H + stride, ...` of every episode for `max(horizons)` steps,
    /// the robot driven by the recorded actions, and measures errors against the recorded frames.
    /// All start frames of an episode run as one batch.
    public static func evaluate(_ stepper: DynamicsStepping, episodes: [Episode], horizons: [Int], historyLength: Int,
                                dtSeconds: Float, startStride: Int = 10) throws -> RolloutErrors {
        let maxHorizon = horizons.max() ?? 1
        var positionSum = [Double](repeating: 0, count: horizons.count)
        var rotationSum = [Double](repeating: 0, count: horizons.count)
        var movingPositionSum = [Double](repeating: 0, count: horizons.count)
        var movingRotationSum = [Double](repeating: 0, count: horizons.count)
        var samples = 0, movingSamples = 0, rollouts = 0, diverged = 0
        for episode in episodes {
            let starts = Array(stride(from: historyLength, through: episode.frameCount - 1 - maxHorizon, by: max(1, startStride)))
            if starts.isEmpty { continue }
            var states = starts.map { DynamicsState(episode: episode, frame: $0, historyLength: historyLength, dtSeconds: dtSeconds) }
            let n = episode.objectCount, a = episode.actionDimension
            var actions = [SIMD2<Float>](repeating: .zero, count: starts.count)
            var active = [Bool](repeating: true, count: starts.count)
            // Which (rollout, object) pairs move in the truth over the longest horizon.
            var moving = [Bool](repeating: false, count: starts.count * n)
            for (b, s) in starts.enumerated() {
                for i in 0..<n {
                    let o0 = (s * n + i) * objectStateWidth
                    for t in (s + 1)...(s + maxHorizon) where !moving[b * n + i] {
                        let o = (t * n + i) * objectStateWidth
                        var d2: Float = 0
                        for k in 0..<3 { let d = episode.objectStates[o + k] - episode.objectStates[o0 + k]; d2 += d * d }
                        if d2 > movingThresholdMeters * movingThresholdMeters { moving[b * n + i] = true }
                    }
                }
            }
            movingSamples += moving.filter { $0 }.count
            for step in 1...maxHorizon {
                for (b, s) in starts.enumerated() {
                    let t = s + step - 1
                    actions[b] = SIMD2(episode.actions[t * a], a > 1 ? episode.actions[t * a + 1] : 0)
                }
                active.withUnsafeMutableBufferPointer { flags in stepper.step(&states, actions: actions, active: flags) { _ in diverged += 1 } }
                guard let slot = horizons.firstIndex(of: step) else { continue }
                for (b, s) in starts.enumerated() {
                    for i in 0..<n {
                        let o = ((s + step) * n + i) * objectStateWidth
                        let truth = SIMD3(episode.objectStates[o], episode.objectStates[o + 1], episode.objectStates[o + 2])
                        let d = states[b].position(i) - truth
                        let positionError = Double((d * d).sum().squareRoot())
                        let q = SIMD4(episode.objectStates[o + 3], episode.objectStates[o + 4], episode.objectStates[o + 5], episode.objectStates[o + 6])
                        let rotationError = Double(RotationMath.angleBetween(states[b].quaternion(i), q)) * 180 / .pi
                        positionSum[slot] += positionError
                        rotationSum[slot] += rotationError
                        if moving[b * n + i] {
                            movingPositionSum[slot] += positionError
                            movingRotationSum[slot] += rotationError
                        }
                    }
                }
            }
            samples += starts.count * n
            rollouts += starts.count
        }
        guard rollouts > 0 else {
            let frames = episodes.map(\.frameCount).max() ?? 0
            throw WorldModelError("episodes have at most \(frames) frames: a \(maxHorizon)-step rollout after \(historyLength) frames of history needs \(historyLength + maxHorizon + 1)")
        }
        let denominator = Double(max(samples, 1)), movingDenominator = Double(max(movingSamples, 1))
        return RolloutErrors(horizons: horizons, positionErrorMeters: positionSum.map { $0 / denominator },
                             rotationErrorDegrees: rotationSum.map { $0 / denominator },
                             movingPositionErrorMeters: movingPositionSum.map { $0 / movingDenominator },
                             movingRotationErrorDegrees: movingRotationSum.map { $0 / movingDenominator },
                             movingSamples: movingSamples, samples: samples, rollouts: rollouts, divergedRollouts: diverged)
    }
}
