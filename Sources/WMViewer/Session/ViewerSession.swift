#if Viewer
import WorldModel

/// What the viewer shows, without any window: the sources side by side from one start, driven by the same
/// actions, and the error between the first two.
///
/// The first source is the ground truth; it also makes the start state (episode `episode` of `seed`, placed
/// as `TeacherRecorder` places it) that every source is reset to, unless the driver replays a recorded episode:
/// then every source starts from its frame 0.
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
    public var scene: SceneDescription { groundTruth.scene }
    public let driver: ActionDriver
    public let seed: UInt64
    public let episode: Int
    /// Control steps taken since the last reset.
    public private(set) var step = 0
    /// The last action applied.
    public private(set) var lastAction: [Float]
    /// With the keyboard driver: the commanded velocity as a fraction of the action bounds, in [-1, 1] per axis.
    public var keyboardCommand = SIMD2<Float>(0, 0)
    private var policy: ActionPolicy

    public init(groundTruth: GroundTruthSource, learned: [any PoseSource] = [], driver: ActionDriver = .scripted(.waypoints),
                seed: UInt64 = 1, episode: Int = 0) throws {
        self.groundTruth = groundTruth
        sources = [groundTruth] + learned
        shown = [Bool](repeating: true, count: sources.count)
        self.driver = driver
        self.seed = seed
        self.episode = episode
        lastAction = [Float](repeating: 0, count: groundTruth.scene.robot.actionDimension)
        policy = Self.makePolicy(groundTruth.scene, driver: driver, seed: seed, episode: episode)
        try reset()
    }

    /// Back to the start of the episode: every source at the recording's frame 0 or the ground truth's settled
    /// start, the policy restarted.
    public func reset() throws {
        if case .recorded(let recording) = driver {
            try reset(objectStates: Array(recording.objectStates.prefix(recording.objectCount * objectStateWidth)),
                      robotState: Array(recording.robotStates.prefix(robotStateWidth)))
        } else {
            let start = try groundTruth.settledStart(seed: seed, episode: episode)
            try reset(objectStates: start.objects, robotState: start.robot)
        }
    }

    /// Whether a recorded episode has no actions left (other drivers never finish).
    public var isFinished: Bool {
        if case .recorded(let recording) = driver { return step >= recording.frameCount - 1 }
        return false
    }

    /// Every source at the given state (objects N x 13, robot 6 floats), the policy restarted.
    public func reset(objectStates: [Float], robotState: [Float]) throws {
        for source in sources { try source.reset(objectStates: objectStates, robotState: robotState) }
        policy = Self.makePolicy(scene, driver: driver, seed: seed, episode: episode)
        step = 0
        lastAction = [Float](repeating: 0, count: scene.robot.actionDimension)
    }

    /// One control step of every source under the driver's next action; nothing once `isFinished`.
    public func advance() throws {
        guard !isFinished else { return }
        let action = nextAction()
        for source in sources { try source.step(action: action) }
        lastAction = action
        step += 1
    }

    /// The mean distance (m) between the object centres of the ground truth and the first learned source, or
    /// nil when there is no learned source.
    public var positionErrorMeters: Float? {
        guard sources.count > 1 else { return nil }
        let n = scene.objects.count
        guard n > 0 else { return 0 }
        var total: Float = 0
        for i in 0..<n {
            let d = sources[0].position(ofObject: i) - sources[1].position(ofObject: i)
            total += (d * d).sum().squareRoot()
        }
        return total / Float(n)
    }

    private func nextAction() -> [Float] {
        let robot = scene.robot
        switch driver {
        case .keyboard:
            return (0..<robot.actionDimension).map { k in
                let command = k < 2 ? keyboardCommand[k] : 0
                return command >= 0 ? command * robot.actionHigh[k] : -command * robot.actionLow[k]
            }
        case .recorded(let recording):
            let a = recording.actionDimension
            return Array(recording.actions[(step * a)..<((step + 1) * a)])
        case .scripted:
            let states = groundTruth.objectStates, r = groundTruth.robotState
            let objects = (0..<scene.objects.count).map { i in
                SIMD2(Double(states[i * objectStateWidth]), Double(states[i * objectStateWidth + 1]))
            }
            return policy.action(robotPosition: SIMD2(Double(r[0]), Double(r[1])), objectPositions: objects)
        }
    }

    private static func makePolicy(_ scene: SceneDescription, driver: ActionDriver, seed: UInt64, episode: Int) -> ActionPolicy {
        let kind: ActionPolicyKind = if case .scripted(let k) = driver { k } else { .still }
        var rng = SeededRandom(seed: seed, stream: UInt64(episode) &+ 0x5EED)
        return ActionPolicy(kind: kind, actionLow: scene.robot.actionLow, actionHigh: scene.robot.actionHigh,
                            controlDtSeconds: scene.controlDtSeconds, rng: SeededRandom(seed: rng.next()))
    }
}
#endif
