#if canImport(Glibc)
import Glibc
#endif

/// Scripted robot actions for the teacher: what the robot does while MuJoCo records.
public enum ActionPolicyKind: String, Sendable, CaseIterable {
    /// Every 0.5 s a waypoint: with probability 0.75 just past a random object (seen from the robot), plus
    /// N(0, 3 cm) noise, else uniform in the workspace. Command: clip(3 (waypoint - robot) + N(0, 0.05)).
    /// Makes contact in most episodes.
    case waypoints
    /// Uniform random actions within the bounds, each held for 0.2 s.
    case random
    /// Zero action: the robot stays still (objects move only under gravity and contacts).
    case still
    /// Smoothed random actions for any actuator set: every 0.3 s each component draws a new target uniformly in
    /// its control range, and the action follows it with a 0.1 s time constant (a first-order low-pass), so
    /// motors and servos sweep their whole range without jerks.
    case smooth
    /// An arm's hand reaches a free-standing object, closes and pushes or drags it 10-25 cm (with wander segments
    /// between): contact-rich data for arm scenes. It reads MuJoCo's state (the hand's Jacobian), so only the
    /// teacher runs it (`TeacherRecorder`, `wm generate`); see `ReachPolicy`.
    case reach

    /// Whether the policy reads the robot and object positions of a free-object scene.
    public var needsFreeObjects: Bool { self == .waypoints }
    /// Whether the policy reads the simulation itself, so only the teacher can run it (not ``ActionPolicy``).
    public var readsSimulation: Bool { self == .reach }
}

/// A scripted policy: deterministic given its seed. `waypoints` drives a planar pusher (action = commanded
/// velocity (vx, vy), m/s); `random`, `smooth` and `still` work for any actuators (action = MuJoCo's `ctrl`).
/// `reach` reads the simulation and is not one of these (`TeacherRecorder` runs it).
public struct ActionPolicy: Sendable {
    public let kind: ActionPolicyKind
    public let actionLow: [Float]
    public let actionHigh: [Float]
    /// Seconds per control step.
    public let controlDtSeconds: Double
    private var rng: SeededRandom
    private var waypoint = SIMD2<Double>(0, 0)
    private var held: [Float]
    private var smoothed: [Float]
    private var stepsUntilChange = 0

    public init(kind: ActionPolicyKind, actionLow: [Float], actionHigh: [Float], controlDtSeconds: Double, rng: SeededRandom) {
        precondition(!kind.readsSimulation, "policy '\(kind.rawValue)' reads MuJoCo's state: TeacherPolicy runs it")
        self.kind = kind
        self.actionLow = actionLow
        self.actionHigh = actionHigh
        self.controlDtSeconds = controlDtSeconds
        self.rng = rng
        held = [Float](repeating: 0, count: actionLow.count)
        smoothed = zip(actionLow, actionHigh).map { lo, hi in min(max(0, lo), hi) }
    }

    /// The next action, given the robot's position (m, world) and the objects' centres (m, world) in a free-object
    /// scene (zero and empty elsewhere: only `waypoints` reads them).
    public mutating func action(robotPosition: SIMD2<Double>, objectPositions: [SIMD2<Double>]) -> [Float] {
        let dims = actionLow.count
        switch kind {
        case .still:
            return [Float](repeating: 0, count: dims)
        case .reach:
            preconditionFailure("unreachable: init refuses policies that read the simulation")
        case .smooth:
            if stepsUntilChange == 0 {
                held = (0..<dims).map { Float(rng.uniform(Double(actionLow[$0]), Double(actionHigh[$0]))) }
                stepsUntilChange = max(1, Int((0.3 / controlDtSeconds).rounded()))
            }
            stepsUntilChange -= 1
            let alpha = Float(1 - exp(-controlDtSeconds / 0.1))
            for k in 0..<dims { smoothed[k] += alpha * (held[k] - smoothed[k]) }
            return smoothed
        case .random:
            if stepsUntilChange == 0 {
                held = (0..<dims).map { Float(rng.uniform(Double(actionLow[$0]), Double(actionHigh[$0]))) }
                stepsUntilChange = max(1, Int((0.2 / controlDtSeconds).rounded()))
            }
            stepsUntilChange -= 1
            return held
        case .waypoints:
            if stepsUntilChange == 0 {
                if !objectPositions.isEmpty, rng.unit() < 0.75 {
                    let target = objectPositions[rng.index(objectPositions.count)]
                    var direction = target - robotPosition
                    let length = (direction * direction).sum().squareRoot()
                    direction = length > 1e-6 ? direction / length : SIMD2(1, 0)
                    waypoint = target + 0.06 * direction + SIMD2(0.03 * rng.gaussian(), 0.03 * rng.gaussian())
                } else {
                    waypoint = SIMD2(rng.uniform(-0.28, 0.28), rng.uniform(-0.28, 0.28))
                }
                stepsUntilChange = max(1, Int((0.5 / controlDtSeconds).rounded()))
            }
            stepsUntilChange -= 1
            let command = 3 * (waypoint - robotPosition)
            var out = [Float](repeating: 0, count: dims)
            for k in 0..<min(2, dims) {
                let noisy = command[k] + 0.05 * rng.gaussian()
                out[k] = Float(noisy).clamped(to: actionLow[k]...actionHigh[k])
            }
            return out
        }
    }
}

extension Comparable {
    func clamped(to range: ClosedRange<Self>) -> Self { min(max(self, range.lowerBound), range.upperBound) }
}
