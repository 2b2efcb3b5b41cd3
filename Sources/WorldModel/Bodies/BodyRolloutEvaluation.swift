/// Anything that steps batches of ``BodyState`` under `ctrl`: the learned runner and the baselines.
public protocol BodyStepper: AnyObject {
    var historyLength: Int { get }
    var maxEnvironments: Int { get }
    /// Steps every state once; returns how many diverged (they keep their last state), flagging them in `diverged`.
    @discardableResult
    func step(_ states: inout [BodyState], ctrl: [Float], diverged: UnsafeMutableBufferPointer<Bool>?) -> Int
}

extension BodyDynamicsRunner: BodyStepper {}

/// The constant-velocity baseline in joint space: every DOF keeps its newest finite-difference velocity,
/// `qpos' = qpos (+) v dt`, whatever the action.
public final class ConstantJointVelocityStepper: BodyStepper {
    public let historyLength: Int
    public let maxEnvironments: Int
    let tree: KinematicTree
    let dtSeconds: Double
    private let integrator: JointSpaceIntegrator

    public init(scene: SceneModel, historyLength: Int, maxEnvironments: Int) {
        self.historyLength = historyLength
        self.maxEnvironments = maxEnvironments
        tree = scene.tree
        dtSeconds = scene.controlDtSeconds
        integrator = JointSpaceIntegrator(tree: tree)
    }

    @discardableResult
    public func step(_ states: inout [BodyState], ctrl: [Float], diverged: UnsafeMutableBufferPointer<Bool>? = nil) -> Int {
        let nq = tree.nq, h = historyLength
        for env in states.indices {
            let q = states[env].qposHistory
            let previous = Array(q[((h - 1) * nq)..<(h * nq)]), current = Array(q[(h * nq)...])
            let v = integrator.differentiate(from: previous, to: current, dtSeconds: dtSeconds)
            let next = integrator.integrate(qpos: current, qvel: v, dtSeconds: dtSeconds)
            states[env].qposHistory = Array(q[nq...]) + next
            diverged?[env] = false
        }
        return 0
    }
}

/// Rollout errors of a body-dynamics stepper against recorded episodes, at several horizons.
///
/// Per horizon (means over rollouts started every `startStride` steps, driven by the recorded ctrl):
/// - objects: the passive moving bodies (not driven by any actuator): position (m) and rotation (degrees) error of
///   their body frames; the same over **moving** objects only (whose recorded origin moved more than 1 cm from
///   the start at some frame within the horizon);
/// - every moving body's position error (m), the validation score;
/// - the robot: mean absolute error of its hinge joints (degrees), and the position error of its hand (the body
///   named "hand", else the deepest actuated body).
/// A mean over nothing (no moving object at that horizon, no robot) is nil (null in JSON).
public struct BodyRolloutErrors: Codable, Sendable, Equatable {
    public var horizons: [Int]
    public var objectPositionErrorMeters: [Double?]
    public var objectRotationErrorDegrees: [Double?]
    public var movingObjectPositionErrorMeters: [Double?]
    public var movingObjectRotationErrorDegrees: [Double?]
    /// Per horizon: (object, rollout) pairs counted in the moving means, and in all.
    public var movingObjectSamples: [Int]
    public var objectSamples: [Int]
    public var bodyPositionErrorMeters: [Double?]
    public var jointAngleErrorDegrees: [Double?]
    public var handPositionErrorMeters: [Double?]
    public var handBody: String
    public var rollouts: Int
    public var diverged: Int
}

public struct BodyRolloutEvaluation {
    public let scene: SceneModel
    public let horizons: [Int]
    public let startStride: Int
    /// Passive moving bodies, every moving body, the robot's hinge joints, and the hand (body indices).
    let objectBodies: [Int]
    let movingBodies: [Int]
    let robotHinges: [Int]
    let hand: Int

    public init(scene: SceneModel, horizons: [Int], startStride: Int = 10) throws {
        guard !horizons.isEmpty, horizons.allSatisfy({ $0 >= 1 }) else { throw WorldModelError("horizons must be positive") }
        self.scene = scene
        self.horizons = horizons
        self.startStride = max(1, startStride)
        let passive = Set(scene.passiveBodyIndices)
        movingBodies = scene.movingBodyIndices.filter { $0 != 0 }
        objectBodies = movingBodies.filter { passive.contains($0) }
        let robot = movingBodies.filter { !passive.contains($0) }
        robotHinges = scene.tree.joints.indices.filter { scene.tree.joints[$0].kind == .hinge && robot.contains(scene.tree.joints[$0].body) }
        hand = scene.handBodyIndex ?? -1
    }

    /// Rollout start frames of an episode: every `startStride` steps from H while the shortest horizon fits.
    func starts(_ episode: Episode, historyLength h: Int) -> [Int] {
        let last = episode.frameCount - 1 - (horizons.min() ?? 1)
        return last < h ? [] : Array(stride(from: h, through: last, by: startStride))
    }

    /// The most rollouts one episode starts (size a stepper's batch with it).
    public func maxStarts(episodes: [Episode], historyLength h: Int) -> Int {
        max(1, episodes.map { starts($0, historyLength: h).count }.max() ?? 1)
    }

    public func evaluate(_ stepper: BodyStepper, episodes: [Episode]) throws -> BodyRolloutErrors {
        let h = stepper.historyLength, nq = scene.nq, nu = scene.nu, nbody = scene.tree.bodies.count
        let fk = ForwardKinematics(tree: scene.tree)
        let k = horizons.count, longest = horizons.max()!
        var objectPosition = [Double](repeating: 0, count: k), objectRotation = objectPosition, movingPosition = objectPosition
        var movingRotation = objectPosition, bodyPosition = objectPosition, joint = objectPosition, handPosition = objectPosition
        var objectCount = [Int](repeating: 0, count: k), movingCount = objectCount, rolloutCount = objectCount
        var rollouts = 0, divergedTotal = 0
        var divergedFlags = [Bool](repeating: false, count: stepper.maxEnvironments)
        for episode in episodes {
            guard episode.qpos.count == episode.frameCount * nq, episode.actions.count == (episode.frameCount - 1) * nu else {
                throw WorldModelError("an episode's qpos or ctrl does not match the scene '\(scene.name)' (nq \(nq), nu \(nu))")
            }
            let startFrames = starts(episode, historyLength: h)
            guard !startFrames.isEmpty else { continue }
            guard startFrames.count <= stepper.maxEnvironments else {
                throw WorldModelError("an episode starts \(startFrames.count) rollouts; the stepper holds \(stepper.maxEnvironments)")
            }
            var states = startFrames.map { BodyState(episode: episode, frame: $0, historyLength: h, nq: nq) }
            rollouts += states.count
            let truthPoses = fk.bodyPoses(qpos: episode.qpos)
            func truth(_ frame: Int, _ b: Int) -> (SIMD3<Float>, SIMD4<Float>) { ForwardKinematics.pose(frame * nbody + b, of: truthPoses) }
            // Max displacement of each object from each start, per step (for the moving test).
            var moved = [[Float]](repeating: [Float](repeating: 0, count: objectBodies.count), count: states.count)
            for step in 1...longest {
                var ctrl = [Float](repeating: 0, count: states.count * nu)
                for (i, s) in startFrames.enumerated() where s + step - 1 < episode.frameCount - 1 {
                    for a in 0..<nu { ctrl[i * nu + a] = episode.actions[(s + step - 1) * nu + a] }
                }
                divergedTotal += divergedFlags.withUnsafeMutableBufferPointer { stepper.step(&states, ctrl: ctrl, diverged: UnsafeMutableBufferPointer(rebasing: $0[0..<states.count])) }
                for (i, s) in startFrames.enumerated() where s + step < episode.frameCount {
                    for (o, b) in objectBodies.enumerated() {
                        let d = truth(s + step, b).0 - truth(s, b).0
                        moved[i][o] = max(moved[i][o], (d * d).sum().squareRoot())
                    }
                }
                guard let hk = horizons.firstIndex(of: step) else { continue }
                for (i, s) in startFrames.enumerated() where s + step < episode.frameCount {
                    let predicted = fk.bodyPoses(qpos: Array(states[i].qpos))
                    func pose(_ b: Int) -> (SIMD3<Float>, SIMD4<Float>) { ForwardKinematics.pose(b, of: predicted) }
                    rolloutCount[hk] += 1
                    for (o, b) in objectBodies.enumerated() {
                        let (tp, tq) = truth(s + step, b), (pp, pq) = pose(b)
                        let e = Double(((tp - pp) * (tp - pp)).sum().squareRoot())
                        let r = Double(RotationMath.angleBetween(tq, pq)) * 180 / .pi
                        objectPosition[hk] += e; objectRotation[hk] += r; objectCount[hk] += 1
                        if moved[i][o] > 0.01 { movingPosition[hk] += e; movingRotation[hk] += r; movingCount[hk] += 1 }
                    }
                    var sum = 0.0
                    for b in movingBodies {
                        let (tp, _) = truth(s + step, b), (pp, _) = pose(b)
                        sum += Double(((tp - pp) * (tp - pp)).sum().squareRoot())
                    }
                    bodyPosition[hk] += sum / Double(max(1, movingBodies.count))
                    var angle = 0.0
                    for j in robotHinges {
                        let a = scene.tree.joints[j].qposAddress
                        angle += Double(abs(episode.qpos[(s + step) * nq + a] - states[i].qpos[states[i].qpos.startIndex + a])) * 180 / .pi
                    }
                    joint[hk] += angle / Double(max(1, robotHinges.count))
                    if hand >= 0 {
                        let (tp, _) = truth(s + step, hand), (pp, _) = pose(hand)
                        handPosition[hk] += Double(((tp - pp) * (tp - pp)).sum().squareRoot())
                    }
                }
            }
        }
        func mean(_ x: [Double], _ n: [Int]) -> [Double?] { zip(x, n).map { $1 > 0 ? $0 / Double($1) : nil } }
        return BodyRolloutErrors(horizons: horizons, objectPositionErrorMeters: mean(objectPosition, objectCount),
                                 objectRotationErrorDegrees: mean(objectRotation, objectCount),
                                 movingObjectPositionErrorMeters: mean(movingPosition, movingCount),
                                 movingObjectRotationErrorDegrees: mean(movingRotation, movingCount), movingObjectSamples: movingCount,
                                 objectSamples: objectCount, bodyPositionErrorMeters: mean(bodyPosition, rolloutCount),
                                 jointAngleErrorDegrees: robotHinges.isEmpty ? horizons.map { _ in nil } : mean(joint, rolloutCount),
                                 handPositionErrorMeters: hand < 0 ? horizons.map { _ in nil } : mean(handPosition, rolloutCount),
                                 handBody: hand >= 0 ? scene.tree.bodies[hand].name : "", rollouts: rollouts, diverged: divergedTotal)
    }
}
