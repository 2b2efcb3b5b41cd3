#if Viewer
import WorldModel

/// A recorded episode (from a dataset) played back frame by frame, as a `PoseSource`: its `qpos` per frame, body
/// poses by forward kinematics.
///
/// Drawn over the MuJoCo replay of the same episode's actions, it shows how far the replay drifts from the
/// recording; a learned rollout plugs in the same way. A recording can only start at its own frame 0:
/// `reset` rewinds there whatever it is given (the session resets every source to that frame anyway).
///
/// ```swift
/// let recording = try RecordedSource(episode: try DatasetReader(path: "/tmp/push.wmds").episode(3), scene: scene)
/// try recording.step(action: [])   // frame 1
/// ```
public final class RecordedSource: PoseSource {
    public let episode: Episode
    public let label: String
    /// The frame shown, 0 ..< `episode.frameCount`.
    public private(set) var frame = 0
    private let scene: SceneModel
    private let kinematics: ForwardKinematics

    /// Throws for an episode without the scene's generalized state (`qpos`, nq per frame).
    public init(episode: Episode, scene: SceneModel, label: String = "recorded episode (dataset)") throws {
        guard episode.qpos.count == episode.frameCount * scene.nq else {
            throw WorldModelError("the recorded episode has \(episode.qpos.count) qpos values for \(episode.frameCount) frames; scene '\(scene.name)' has nq = \(scene.nq)")
        }
        self.episode = episode
        self.scene = scene
        self.label = label
        kinematics = ForwardKinematics(tree: scene.tree)
    }

    /// The bytes of the episode's arrays held in memory.
    public var memoryFootprintBytes: Int? {
        4 * (episode.qpos.count + episode.qvel.count + episode.actions.count + episode.bodyPoses.count
             + episode.objectStates.count + episode.robotStates.count + episode.contactCounts.count)
    }

    public var observation: Observation { Self.observation(of: episode, frame: frame, scene: scene, kinematics: kinematics) }

    /// Frame `t` of `episode` as an observation (zero velocity where the dataset holds none).
    public static func observation(of episode: Episode, frame t: Int, scene: SceneModel, kinematics: ForwardKinematics) -> Observation {
        let nq = scene.nq, nv = scene.nv, nu = scene.nu
        let qvel = episode.qvel.count == episode.frameCount * nv ? Array(episode.qvel[(t * nv)..<((t + 1) * nv)]) : [Float](repeating: 0, count: nv)
        let ctrl = t == 0 ? [Float](repeating: 0, count: nu) : Array(episode.actions[((t - 1) * nu)..<(t * nu)])
        return Observation(qpos: Array(episode.qpos[(t * nq)..<((t + 1) * nq)]), qvel: qvel, ctrl: ctrl, step: t, kinematics: kinematics)
    }

    public func reset(to observation: Observation) throws {
        frame = 0
    }

    /// Moves to the next frame (the action is the recorded one; the last frame stays).
    public func step(action: [Float]) throws {
        frame = min(frame + 1, episode.frameCount - 1)
    }
}
#endif
