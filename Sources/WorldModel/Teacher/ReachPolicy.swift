@preconcurrency import CMuJoCo
import CGeometry
#if canImport(Glibc)
import Glibc
#endif

/// The teacher's scripted arm policy (`wm generate --policy reach`): the hand reaches a free-standing object,
/// closes, and pushes or drags it 10-25 cm, so a dataset of an arm scene shows the hand moving objects, which
/// smoothed random actions rarely do (they sweep the arm through empty space).
///
/// It reads MuJoCo's state (privileged: a recording policy, not an agent), in segments:
/// - with probability 0.75, an object segment on a random free-standing passive body and a random horizontal push
///   direction d (along axes the hand can move in), in three phases: above (the hand 8 cm over the approach
///   point), descend (to the approach point: the object's centre moved back along d by its size plus 3 cm,
///   following the object as it moves), push (to the object's position at the end of the descent plus 10-25 cm
///   along d, lifted 0-10 cm in 30% of the segments). A phase ends within 2 cm of its point or after its time
///   (1.0, 1.0 and 1.5 s).
/// - else a wander segment: the hand to a random point within 20 cm of where it is, for 0.6-1.2 s.
///
/// The hand's velocity command `v = clip(6 (x* - x), 0.6 m/s)` becomes joint velocities by damped least squares on
/// MuJoCo's hand Jacobian (`mj_jacBody`), torques `tau = diag(M) 30 (qdot* - qdot) + qfrc_bias` (gravity and
/// Coriolis compensated), each actuator's force the projection of tau on its moment arm, and ctrl from MuJoCo's
/// force law `gain ctrl + bias0 + bias1 length + bias2 velocity` (so motors, position and velocity servos all
/// work). Actuators of the fingers (DOFs of bodies below the hand) are at one end of their range while
/// approaching and at the other while pushing, the end drawn per segment; the rest (a wrist, which turns the hand
/// about its origin) hold a random value in the middle half of their range per segment. Every action gets low-pass
/// Gaussian noise (standard deviation 0.15 of the half range, time constant 0.1 s), then is clipped to `ctrlrange`.
/// Deterministic given its generator.
///
/// ```swift
/// let recording = try TeacherRecorder(scenePath: "stacker.xml").record(episode: 0, steps: 200, seed: 1, policy: .reach)
/// ```
struct ReachPolicy {
    private let simulation: MuJoCoSimulation
    private let hand: Int
    private let objects: [Int]
    private let nv: Int, nu: Int
    private let controlDt: Double
    /// Per DOF: whether it moves the hand (a non-zero column of the hand's Jacobian at the start).
    private var chainDof: [Bool]
    /// Per actuator: what drives it: the hand's chain (a DOF that moves the hand's origin), the fingers (a DOF of a
    /// body below the hand), or neither (e.g. a wrist that turns the hand about its origin).
    private enum Role { case chain, gripper, other }
    private var role: [Role]
    /// The held value of each `other` actuator in the current segment.
    private var otherHeld: [Double]
    /// Per world axis: whether the hand can move along it (a non-zero row of the Jacobian).
    private var movableAxis = SIMD3<Double>(repeating: 1)
    private var rng: SeededRandom
    /// Per actuator: its control range (the scene's: `ctrlrange` where limited, else -1...1).
    private let ctrlLow: [Double], ctrlHigh: [Double]
    private var noise: [Double]
    /// Scratch of one control step (allocated once): the hand's Jacobian (3 x nv), the normal equations (nv x nv and
    /// nv), the joint-velocity command and the torques (nv each).
    private var jacobian: [Double], normal: [Double], gradient: [Double], qdotTarget: [Double], tau: [Double]

    private enum Phase { case above, descend, push, wander }
    private var phase = Phase.wander
    private var phaseStepsLeft = 0
    private var segmentObject = 0
    private var direction = SIMD3<Double>(1, 0, 0)
    /// How far behind the object's centre (along -direction) the hand starts pushing, m.
    private var standoff = 0.05
    private var pushTarget = SIMD3<Double>.zero
    private var wanderTarget = SIMD3<Double>.zero
    private var gripClosedAtHigh = true

    /// Throws, naming the scene, when it has no robot hand or no free-standing passive body to reach.
    init(simulation: MuJoCoSimulation, rng: SeededRandom) throws {
        let scene = simulation.sceneModel
        guard let hand = scene.handBodyIndex else {
            throw WorldModelError(file: simulation.path, "policy 'reach' needs a robot (an actuated body); this scene has none")
        }
        let objects = scene.passiveBodyIndices.filter { scene.tree.bodies[$0].parent == 0 }
        guard !objects.isEmpty else {
            throw WorldModelError(file: simulation.path, "policy 'reach' needs a free-standing passive body to reach; this scene has none (use smooth)")
        }
        self.simulation = simulation
        self.hand = hand
        self.objects = objects
        self.rng = rng
        nv = scene.nv
        nu = scene.nu
        controlDt = scene.controlDtSeconds
        ctrlLow = scene.actuators.map { Double($0.ctrlRange.lowerBound) }
        ctrlHigh = scene.actuators.map { Double($0.ctrlRange.upperBound) }
        noise = [Double](repeating: 0, count: nu)
        jacobian = [Double](repeating: 0, count: 3 * nv)
        normal = [Double](repeating: 0, count: nv * nv)
        gradient = [Double](repeating: 0, count: nv)
        qdotTarget = [Double](repeating: 0, count: nv)
        tau = [Double](repeating: 0, count: nv)
        chainDof = [Bool](repeating: false, count: nv)
        role = [Role](repeating: .other, count: nu)
        otherHeld = [Double](repeating: 0, count: nu)
        let m = simulation.model, d = simulation.data
        mj_forward(m, d)
        mj_jacBody(m, d, &jacobian, nil, Int32(hand))
        for axis in 0..<3 {
            let rowNorm = (0..<nv).reduce(0.0) { $0 + abs(jacobian[axis * nv + $1]) }
            movableAxis[axis] = rowNorm > 1e-6 ? 1 : 0
        }
        for dof in 0..<nv { chainDof[dof] = (0..<3).contains { abs(jacobian[$0 * nv + dof]) > 1e-9 } }
        let moment = d.pointee.actuator_moment!
        func belowHand(_ dof: Int) -> Bool {
            var body = Int(m.pointee.dof_bodyid[dof])
            while body != 0 {
                body = Int(m.pointee.body_parentid[body])
                if body == hand { return true }
            }
            return false
        }
        for a in 0..<nu {
            let driven = (0..<nv).filter { abs(moment[a * nv + $0]) > 1e-9 }
            if driven.contains(where: { chainDof[$0] }) { role[a] = .chain } else if driven.contains(where: belowHand) { role[a] = .gripper }
        }
    }

    /// The action (ctrl, nu values) for the simulation's current state.
    mutating func action() -> [Float] {
        let m = simulation.model, d = simulation.data
        mj_forward(m, d)
        if phaseStepsLeft <= 0 { advancePhase() }
        phaseStepsLeft -= 1
        let x = bodyPosition(hand)
        let target: SIMD3<Double>
        switch phase {
        case .above: target = bodyPosition(segmentObject) - standoff * direction + SIMD3(0, 0, 0.08)
        case .descend: target = bodyPosition(segmentObject) - standoff * direction
        case .push: target = pushTarget
        case .wander: target = wanderTarget
        }
        if phase != .wander, distance(x, target) < 0.02 { phaseStepsLeft = 0 }

        // Hand velocity command -> joint velocities (damped least squares) -> torques -> ctrl.
        var v = 6 * (target - x) * movableAxis
        let speed = (v * v).sum().squareRoot()
        if speed > 0.6 { v *= 0.6 / speed }
        mj_jacBody(m, d, &jacobian, nil, Int32(hand))
        for i in 0..<nv {
            gradient[i] = 0
            for k in 0..<3 { gradient[i] -= jacobian[k * nv + i] * v[k] }
            for j in 0..<nv {
                var s = 0.0
                for k in 0..<3 { s += jacobian[k * nv + i] * jacobian[k * nv + j] }
                normal[i * nv + j] = s + (i == j ? 1e-2 : 0)
            }
        }
        if wm_solve_damped_normal_equations(normal, gradient, Int32(nv), 0, &qdotTarget) == 0 {
            for dof in 0..<nv { qdotTarget[dof] = 0 }
        }
        for dof in 0..<nv { tau[dof] = 0 }
        for dof in 0..<nv where chainDof[dof] {
            let inertia = d.pointee.qM[Int(m.pointee.dof_Madr[dof])]
            let damping = m.pointee.dof_damping[dof]
            tau[dof] = inertia * 30 * (qdotTarget[dof] - d.pointee.qvel[dof]) + damping * qdotTarget[dof] + d.pointee.qfrc_bias[dof]
        }
        let moment = d.pointee.actuator_moment!
        let alpha = 1 - exp(-controlDt / 0.1), drive = ((2 - alpha) / alpha).squareRoot()
        var out = [Float](repeating: 0, count: nu)
        for a in 0..<nu {
            let lo = ctrlLow[a], hi = ctrlHigh[a]
            var ctrl: Double
            switch role[a] {
            case .gripper:
                let closing = phase == .push
                ctrl = closing == gripClosedAtHigh ? hi : lo
            case .other:
                ctrl = lo + (hi - lo) * otherHeld[a]
            case .chain:
                var arm = 0.0, norm = 0.0
                for dof in 0..<nv { arm += moment[a * nv + dof] * tau[dof]; norm += moment[a * nv + dof] * moment[a * nv + dof] }
                let force = norm > 1e-12 ? arm / norm : 0
                let gain = m.pointee.actuator_gainprm[Int(mjNGAIN) * a]
                let bias = m.pointee.actuator_biasprm + Int(mjNBIAS) * a
                let passive = bias[0] + bias[1] * d.pointee.actuator_length[a] + bias[2] * d.pointee.actuator_velocity[a]
                ctrl = abs(gain) > 1e-12 ? (force - passive) / gain : 0
            }
            noise[a] += alpha * (0.15 * 0.5 * (hi - lo) * drive * rng.gaussian() - noise[a])
            out[a] = Float(min(max(ctrl + noise[a], lo), hi))
        }
        return out
    }

    private mutating func advancePhase() {
        let dt = controlDt
        let steps = { (seconds: Double) in max(1, Int((seconds / dt).rounded())) }
        switch phase {
        case .above:
            phase = .descend
            phaseStepsLeft = steps(1.0)
        case .descend:
            let p = bodyPosition(segmentObject)
            var lift = SIMD3<Double>.zero
            if rng.unit() < 0.3 { lift.z = rng.uniform(0, 0.1) }
            pushTarget = p + rng.uniform(0.1, 0.25) * direction + lift
            phase = .push
            phaseStepsLeft = steps(1.5)
        case .push, .wander:
            gripClosedAtHigh = rng.unit() < 0.5
            for a in 0..<nu { otherHeld[a] = rng.uniform(0.25, 0.75) }
            if rng.unit() < 0.75 {
                segmentObject = objects[rng.index(objects.count)]
                direction = horizontalDirection()
                standoff = objectRadius(segmentObject) + 0.03
                phase = .above
                phaseStepsLeft = steps(1.0)
            } else {
                let x = bodyPosition(hand)
                var offset = SIMD3((0..<3).map { _ in rng.uniform(-0.2, 0.2) }) * movableAxis
                if x.z + offset.z < 0.03 { offset.z = abs(offset.z) }
                wanderTarget = x + offset
                phase = .wander
                phaseStepsLeft = steps(rng.uniform(0.6, 1.2))
            }
        }
    }

    /// A random horizontal unit vector along axes the hand can move in (±x for an arm in the x-z plane).
    private mutating func horizontalDirection() -> SIMD3<Double> {
        let angle = rng.uniform(-Double.pi, Double.pi)
        var d = SIMD3(cos(angle), sin(angle), 0) * movableAxis
        var length = (d * d).sum().squareRoot()
        if length < 0.3 {
            d = SIMD3(movableAxis.x != 0 ? 1 : 0, movableAxis.x != 0 ? 0 : 1, 0) * (rng.unit() < 0.5 ? -1 : 1)
            length = 1
        }
        return d / length
    }

    /// The largest extent of the body's colliding geoms below (or beside) its origin, m: how far the hand stays back.
    private func objectRadius(_ body: Int) -> Double {
        Double(simulation.sceneModel.geoms.filter { $0.body == body && $0.collides }.map(\.depthBelowBodyOrigin).max() ?? 0.03)
    }

    private func bodyPosition(_ body: Int) -> SIMD3<Double> {
        let p = simulation.data.pointee.xpos!
        return SIMD3(p[3 * body], p[3 * body + 1], p[3 * body + 2])
    }

    private func distance(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> Double {
        let d = a - b
        return (d * d).sum().squareRoot()
    }
}
