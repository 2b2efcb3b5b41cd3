#if canImport(Glibc)
import Glibc
#endif

/// Records teacher trajectories: MuJoCo driven by a scripted policy from random initial placements.
///
/// Episode `k` of seed `s` depends only on (scene, s, k, steps, policy): the same arguments record the same
/// floats, bit for bit. Each episode: reset, place objects and robot (`InitialPlacement`), let contacts settle
/// for `settlePhysicsSteps` with zero action, record frame 0, then per control step: ask the policy, apply
/// the action for `controlSubsteps` physics steps, record the next frame.
///
/// ```swift
/// let recorder = try TeacherRecorder(scenePath: "scenes/push.xml")
/// let recording = try recorder.record(episode: 0, steps: 100, seed: 1, policy: .waypoints)
/// print(recording.robotTouchedObject)
/// ```
/// Not thread-safe (it owns one MuJoCo simulation).
public final class TeacherRecorder {
    public let simulation: MuJoCoSimulation
    public var scene: SceneDescription { simulation.scene }
    /// Physics steps run with zero action before frame 0, so resting contacts settle.
    public var settlePhysicsSteps = 50

    /// One recorded episode and what happened in it.
    public struct Recording: Sendable {
        public var episode: Episode
        /// Whether the robot touched any object during the episode.
        public var robotTouchedObject: Bool
        /// The largest distance (m) any object's centre moved from frame 0.
        public var maxDisplacementMeters: Float
    }

    public init(scenePath: String) throws {
        simulation = try MuJoCoSimulation(path: scenePath)
    }

    /// Records episode `index` with `steps` control steps (so `steps + 1` frames). With `launchSpeed`, every
    /// object is launched after settling with a random planar velocity of that speed (m/s), so it slides.
    public func record(episode index: Int, steps: Int, seed: UInt64, policy kind: ActionPolicyKind,
                       launchSpeed: ClosedRange<Double>? = nil) throws -> Recording {
        var rng = try startEpisode(index, seed: seed)
        if let launchSpeed {
            let settled = simulation.objectStates()
            for i in 0..<scene.objects.count {
                let o = i * objectStateWidth
                let speed = rng.uniform(launchSpeed.lowerBound, launchSpeed.upperBound), heading = rng.uniform(-Double.pi, Double.pi)
                simulation.setObject(i, position: SIMD3((0..<3).map { Double(settled[o + $0]) }),
                                     quaternion: SIMD4((3..<7).map { Double(settled[o + $0]) }),
                                     linearVelocity: SIMD3(speed * cos(heading), speed * sin(heading), 0))
            }
        }

        var policy = ActionPolicy(kind: kind, actionLow: scene.robot.actionLow, actionHigh: scene.robot.actionHigh,
                                  controlDtSeconds: scene.controlDtSeconds, rng: SeededRandom(seed: rng.next()))
        return try run(steps: steps) { t, robotXY, objectXY in
            t < 0 ? [] : policy.action(robotPosition: robotXY, objectPositions: objectXY)
        }
    }

    /// Episode `index` of `seed` as `record` starts it, `policy` for the first `warmupSteps` steps, then
    /// `actions` (one per further step) applied open loop: MuJoCo re-simulating what another model was told.
    public func replay(episode index: Int, seed: UInt64, policy kind: ActionPolicyKind, warmupSteps: Int,
                       actions: [[Float]]) throws -> Recording {
        var rng = try startEpisode(index, seed: seed)
        var policy = ActionPolicy(kind: kind, actionLow: scene.robot.actionLow, actionHigh: scene.robot.actionHigh,
                                  controlDtSeconds: scene.controlDtSeconds, rng: SeededRandom(seed: rng.next()))
        return try run(steps: warmupSteps + actions.count) { t, robotXY, objectXY in
            t < warmupSteps ? policy.action(robotPosition: robotXY, objectPositions: objectXY) : actions[t - warmupSteps]
        }
    }

    /// Resets, places objects and robot for episode `index` of `seed`, settles; returns the episode's generator.
    private func startEpisode(_ index: Int, seed: UInt64) throws -> SeededRandom {
        var rng = SeededRandom(seed: seed, stream: UInt64(index))
        try simulation.start(from: InitialPlacement.sample(for: scene, using: &rng), settlePhysicsSteps: settlePhysicsSteps)
        return rng
    }

    /// Records `steps` control steps from the current state, asking `action(t, robotXY, objectXY)` each step.
    private func run(steps: Int, action: (Int, SIMD2<Double>, [SIMD2<Double>]) -> [Float]) throws -> Recording {
        let n = scene.objects.count, a = scene.robot.actionDimension, frames = steps + 1
        var objectStates = [Float](repeating: 0, count: frames * n * objectStateWidth)
        var robotStates = [Float](repeating: 0, count: frames * robotStateWidth)
        var actions = [Float](repeating: 0, count: steps * a)
        var contacts = [Int32](repeating: 0, count: frames)
        var touched = false

        func recordFrame(_ t: Int) {
            simulation.writeObjectStates(into: &objectStates, at: t * n * objectStateWidth)
            simulation.writeRobotState(into: &robotStates, at: t * robotStateWidth)
            contacts[t] = simulation.contactCount
        }
        recordFrame(0)
        var objectXY = [SIMD2<Double>](repeating: .zero, count: n)
        for t in 0..<steps {
            let base = t * n * objectStateWidth
            for i in 0..<n {
                objectXY[i] = SIMD2(Double(objectStates[base + i * objectStateWidth]), Double(objectStates[base + i * objectStateWidth + 1]))
            }
            let robotXY = SIMD2(Double(robotStates[t * robotStateWidth]), Double(robotStates[t * robotStateWidth + 1]))
            let command = action(t, robotXY, objectXY)
            guard command.count == a else { throw WorldModelError(file: simulation.path, "step \(t): action has \(command.count) values, the robot takes \(a)") }
            for k in 0..<a { actions[t * a + k] = command[k] }
            if try simulation.stepDetectingRobotContact(action: command, substeps: scene.controlSubsteps) { touched = true }
            recordFrame(t + 1)
        }

        var maxDisplacement: Float = 0
        for t in 1..<frames {
            for i in 0..<n {
                let o0 = i * objectStateWidth, ot = (t * n + i) * objectStateWidth
                var d2: Float = 0
                for k in 0..<3 { let d = objectStates[ot + k] - objectStates[o0 + k]; d2 += d * d }
                maxDisplacement = max(maxDisplacement, d2.squareRoot())
            }
        }
        let episode = Episode(frameCount: frames, objectCount: n, actionDimension: a, objectStates: objectStates,
                              robotStates: robotStates, actions: actions, contactCounts: contacts)
        return Recording(episode: episode, robotTouchedObject: touched, maxDisplacementMeters: maxDisplacement)
    }
}
