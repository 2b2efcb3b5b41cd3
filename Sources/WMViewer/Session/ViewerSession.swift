#if Viewer
import WorldModel

/// What the viewer shows, without any window: the sources side by side from one start, driven by the same
/// actions (nu values of `ctrl`), and the error between the first two. Any scene wm reads: free objects and a
/// pusher, or an arm with joints (dm_control's `stacker.xml`).
///
/// The first source is the ground truth; it also makes the start state (episode `episode` of `seed`, placed
/// and settled as `wm generate` does) that every source is reset to, and a scripted driver acts as the teacher's
/// policy of that episode (`TeacherPolicy`), so the ground truth replays the recorded episode. A recorded driver
/// starts every source from the recording's frame 0 instead.
///
/// ```swift
/// let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: "scenes/push.xml"))
/// try session.advance()
/// print(session.step, session.positionErrorMeters ?? 0)
/// ```
public final class ViewerSession {
    public let groundTruth: GroundTruthSource
    /// The ground truth first, then the learned sources.
    public let sources: [any PoseSource]
    /// Whether each source is drawn (toggled with `g`, `l`).
    public var shown: [Bool]
    public var scene: SceneModel { groundTruth.scene }
    public let driver: ActionDriver
    public let seed: UInt64
    public let episode: Int
    /// Control steps taken since the last reset.
    public private(set) var step = 0
    /// The last action applied.
    public private(set) var lastAction: [Float]
    /// With the keyboard driver: the commanded value of the first two actuators as a fraction of their ranges, in
    /// [-1, 1] each (the arrow keys: a pusher's x and y velocity).
    public var keyboardCommand = SIMD2<Float>(0, 0)
    /// The bodies the position error averages over: the passive ones (objects), else every moving body.
    public let measuredBodies: [Int]
    private var policy: TeacherPolicy?
    /// The free-object view of the ground truth, when the scene has one (the steering policies read it).
    private let freeObjects: SceneDescription?

    /// Throws, naming the scene's file, for a scripted policy the scene cannot run (e.g. `waypoints` without free
    /// objects, `reach` without a hand).
    public init(groundTruth: GroundTruthSource, learned: [any PoseSource] = [], driver: ActionDriver = .scripted(.waypoints),
                seed: UInt64 = 1, episode: Int = 0) throws {
        self.groundTruth = groundTruth
        sources = [groundTruth] + learned
        shown = [Bool](repeating: true, count: sources.count)
        self.driver = driver
        self.seed = seed
        self.episode = episode
        let scene = groundTruth.scene
        lastAction = [Float](repeating: 0, count: scene.nu)
        let passive = scene.passiveBodyIndices
        measuredBodies = passive.isEmpty ? scene.movingBodyIndices.filter { $0 != 0 } : passive
        freeObjects = try? groundTruth.simulation.scene
        try reset()  // makes the policy: throws for one the scene cannot run
    }

    /// Back to the start of the episode: every source at the recording's frame 0 or the teacher's settled start,
    /// the policy restarted.
    public func reset() throws {
        if case .recorded(let recording) = driver {
            let start = RecordedSource.observation(of: recording, frame: 0, scene: scene, kinematics: ForwardKinematics(tree: scene.tree))
            try reset(to: start)
            return
        }
        var rng = try groundTruth.startEpisode(episode, seed: seed)
        let start = groundTruth.observation
        for source in sources.dropFirst() { try source.reset(to: start) }
        if case .scripted(let kind) = driver {
            policy = try TeacherPolicy(kind: kind, simulation: groundTruth.simulation, rng: &rng)
        }
        restarted()
    }

    /// Every source at `observation` (the scene's `qpos` and `qvel`), the policy restarted from a generator of
    /// (seed, episode).
    public func reset(to observation: Observation) throws {
        for source in sources { try source.reset(to: observation) }
        if case .scripted(let kind) = driver {
            var rng = SeededRandom(seed: seed, stream: UInt64(episode))
            policy = try TeacherPolicy(kind: kind, simulation: groundTruth.simulation, rng: &rng)
        }
        restarted()
    }

    private func restarted() {
        step = 0
        lastAction = [Float](repeating: 0, count: scene.nu)
    }

    /// Whether a recorded episode has no actions left (other drivers never finish).
    public var isFinished: Bool {
        if case .recorded(let recording) = driver { return step >= recording.frameCount - 1 }
        return false
    }

    /// One control step of every source under the driver's next action; nothing once `isFinished`.
    public func advance() throws {
        guard !isFinished else { return }
        let action = try nextAction()
        for source in sources { try source.step(action: action) }
        lastAction = action
        step += 1
    }

    /// The mean distance (m) between the body origins of the ground truth and the first learned source over
    /// `measuredBodies`, or nil when there is no learned source.
    public var positionErrorMeters: Float? {
        guard sources.count > 1 else { return nil }
        guard !measuredBodies.isEmpty else { return 0 }
        let a = sources[0].observation.bodyPositions, b = sources[1].observation.bodyPositions
        var total: Float = 0
        for i in measuredBodies {
            let d = a[i] - b[i]
            total += (d * d).sum().squareRoot()
        }
        return total / Float(measuredBodies.count)
    }

    private func nextAction() throws -> [Float] {
        let low = scene.ctrlLow, high = scene.ctrlHigh
        switch driver {
        case .keyboard:
            return (0..<scene.nu).map { k in
                let command = k < 2 ? keyboardCommand[k] : 0
                return command >= 0 ? command * high[k] : -command * low[k]
            }
        case .recorded(let recording):
            let a = recording.actionDimension
            return Array(recording.actions[(step * a)..<((step + 1) * a)])
        case .scripted:
            var robot = SIMD2<Double>(0, 0), objects: [SIMD2<Double>] = []
            if let freeObjects {
                let r = try groundTruth.simulation.robotState(), states = try groundTruth.simulation.objectStates()
                robot = SIMD2(Double(r[0]), Double(r[1]))
                objects = (0..<freeObjects.objects.count).map { i in
                    SIMD2(Double(states[i * objectStateWidth]), Double(states[i * objectStateWidth + 1]))
                }
            }
            return policy?.action(robotPosition: robot, objectPositions: objects) ?? lastAction
        }
    }
}
#endif
