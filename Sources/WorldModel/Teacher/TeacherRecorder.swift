#if canImport(Glibc)
import Glibc
#endif

/// Records teacher trajectories: MuJoCo driven by a scripted policy from random initial states, for any scene.
///
/// Episode `k` of seed `s` depends only on (scene, s, k, steps, policy): the same arguments record the same
/// floats, bit for bit, so any episode can be regenerated alone. Each episode: reset, place the bodies, let
/// contacts settle for `settlePhysicsSteps` with zero action, record frame 0, then per control step: ask the
/// policy, apply the action for `controlSubsteps` physics steps, record the next frame.
///
/// Placement: ``MuJoCoSimulation/startEpisode(_:seed:settlePhysicsSteps:freeObjects:)``, which
/// `MuJoCoEnvironment.reset(seed:episode:)` shares, so an agent can start where a recorded episode started.
///
/// ```swift
/// let recorder = try TeacherRecorder(scenePath: "scenes/push.xml")
/// let recording = try recorder.record(episode: 0, steps: 100, seed: 1, policy: .waypoints)
/// print(recording.robotTouchedObject, recording.episode.qpos.count)
/// ```
/// Not thread-safe (it owns one MuJoCo simulation).
public final class TeacherRecorder {
    public let simulation: MuJoCoSimulation
    /// The scene's bodies, joints and actuators.
    public var sceneModel: SceneModel { simulation.sceneModel }
    /// The free-object view of the scene; throws for a scene without one.
    public var scene: SceneDescription { get throws { try simulation.scene } }
    /// Physics steps run with zero action before frame 0, so resting contacts settle.
    public var settlePhysicsSteps = 50
    /// The free-object view, when the scene has one.
    private let freeObjects: SceneDescription?

    /// One recorded episode and what happened in it.
    public struct Recording: Sendable {
        public var episode: Episode
        /// Whether the robot (an actuated body) touched an object (a passive body) during the episode.
        public var robotTouchedObject: Bool
        /// The largest distance (m) any passive body's origin moved from frame 0.
        public var maxDisplacementMeters: Float
    }

    public init(scenePath: String) throws {
        simulation = try MuJoCoSimulation(path: scenePath)
        freeObjects = try? simulation.scene
    }

    /// The policy this scene records with when none is named: `waypoints` for a free-object scene, else `smooth`.
    public var defaultPolicy: ActionPolicyKind { freeObjects == nil ? .smooth : .waypoints }

    /// Records episode `index` with `steps` control steps (so `steps + 1` frames). With `launchSpeed`, every
    /// object of a free-object scene is launched after settling with a random planar velocity of that speed
    /// (m/s), so it slides.
    public func record(episode index: Int, steps: Int, seed: UInt64, policy kind: ActionPolicyKind,
                       launchSpeed: ClosedRange<Double>? = nil) throws -> Recording {
        try TeacherPolicy.check(kind, simulation: simulation)  // before any work
        var rng = try startEpisode(index, seed: seed)
        if let launchSpeed, let scene = freeObjects {
            let settled = try simulation.objectStates()
            for i in 0..<scene.objects.count {
                let o = i * objectStateWidth
                let speed = rng.uniform(launchSpeed.lowerBound, launchSpeed.upperBound), heading = rng.uniform(-Double.pi, Double.pi)
                try simulation.setObject(i, position: SIMD3((0..<3).map { Double(settled[o + $0]) }),
                                         quaternion: SIMD4((3..<7).map { Double(settled[o + $0]) }),
                                         linearVelocity: SIMD3(speed * cos(heading), speed * sin(heading), 0))
            }
        }
        var policy = try TeacherPolicy(kind: kind, simulation: simulation, rng: &rng)
        return try run(steps: steps) { _, robotXY, objectXY in policy.action(robotPosition: robotXY, objectPositions: objectXY) }
    }

    /// Episode `index` of `seed` as `record` starts it, `policy` for the first `warmupSteps` steps, then
    /// `actions` (one per further step) applied open loop: MuJoCo re-simulating what another model was told.
    public func replay(episode index: Int, seed: UInt64, policy kind: ActionPolicyKind, warmupSteps: Int,
                       actions: [[Float]]) throws -> Recording {
        try TeacherPolicy.check(kind, simulation: simulation)  // before any work
        var rng = try startEpisode(index, seed: seed)
        var policy = try TeacherPolicy(kind: kind, simulation: simulation, rng: &rng)
        return try run(steps: warmupSteps + actions.count) { t, robotXY, objectXY in
            t < warmupSteps ? policy.action(robotPosition: robotXY, objectPositions: objectXY) : actions[t - warmupSteps]
        }
    }

    /// Resets, places the bodies for episode `index` of `seed`, settles; returns the episode's generator.
    private func startEpisode(_ index: Int, seed: UInt64) throws -> SeededRandom {
        try simulation.startEpisode(index, seed: seed, settlePhysicsSteps: settlePhysicsSteps, freeObjects: freeObjects)
    }

    /// Records `steps` control steps from the current state, asking `action(t, robotXY, objectXY)` each step
    /// (robot and object positions of a free-object scene; zero and empty elsewhere).
    private func run(steps: Int, action: (Int, SIMD2<Double>, [SIMD2<Double>]) -> [Float]) throws -> Recording {
        let n = freeObjects?.objects.count ?? 0, robotWidth = freeObjects == nil ? 0 : robotStateWidth
        let model = sceneModel, a = model.nu, frames = steps + 1
        let bodies = model.movingBodyIndices.count
        var objectStates = [Float](repeating: 0, count: frames * n * objectStateWidth)
        var robotStates = [Float](repeating: 0, count: frames * robotWidth)
        var actions = [Float](repeating: 0, count: steps * a)
        var contacts = [Int32](repeating: 0, count: frames)
        var qpos = [Float](repeating: 0, count: frames * model.nq), qvel = [Float](repeating: 0, count: frames * model.nv)
        var poses = [Float](repeating: 0, count: frames * bodies * bodyPoseWidth)
        var touched = false

        func recordFrame(_ t: Int) throws {
            if freeObjects != nil {
                try simulation.writeObjectStates(into: &objectStates, at: t * n * objectStateWidth)
                try simulation.writeRobotState(into: &robotStates, at: t * robotStateWidth)
            }
            qpos.withUnsafeMutableBufferPointer { q in
                qvel.withUnsafeMutableBufferPointer { v in
                    simulation.writeGeneralizedState(qpos: q.baseAddress! + t * model.nq, qvel: v.baseAddress! + t * model.nv)
                }
            }
            poses.withUnsafeMutableBufferPointer { simulation.writeBodyPoses(into: $0.baseAddress! + t * bodies * bodyPoseWidth) }
            contacts[t] = simulation.contactCount
        }
        try recordFrame(0)
        var objectXY = [SIMD2<Double>](repeating: .zero, count: n)
        for t in 0..<steps {
            let base = t * n * objectStateWidth
            for i in 0..<n {
                objectXY[i] = SIMD2(Double(objectStates[base + i * objectStateWidth]), Double(objectStates[base + i * objectStateWidth + 1]))
            }
            let robotXY = robotWidth == 0 ? .zero : SIMD2(Double(robotStates[t * robotWidth]), Double(robotStates[t * robotWidth + 1]))
            let command = action(t, robotXY, objectXY)
            guard command.count == a else { throw WorldModelError(file: simulation.path, "step \(t): action has \(command.count) values, the scene has \(a) actuators") }
            for k in 0..<a { actions[t * a + k] = command[k] }
            if try simulation.stepDetectingRobotContact(action: command, substeps: model.controlSubsteps) { touched = true }
            try recordFrame(t + 1)
        }

        // How far the passive bodies moved, from the recorded body poses.
        let moving = model.movingBodyIndices, passive = Set(model.passiveBodyIndices)
        var maxDisplacement: Float = 0
        for t in 1..<frames {
            for (slot, b) in moving.enumerated() where passive.contains(b) {
                let o0 = slot * bodyPoseWidth, ot = (t * bodies + slot) * bodyPoseWidth
                var d2: Float = 0
                for k in 0..<3 { let d = poses[ot + k] - poses[o0 + k]; d2 += d * d }
                maxDisplacement = max(maxDisplacement, d2.squareRoot())
            }
        }
        let episode = Episode(frameCount: frames, objectCount: n, actionDimension: a, objectStates: objectStates,
                              robotStates: robotStates, actions: actions, contactCounts: contacts, qpos: qpos, qvel: qvel,
                              bodyPoses: poses)
        return Recording(episode: episode, robotTouchedObject: touched, maxDisplacementMeters: maxDisplacement)
    }
}
