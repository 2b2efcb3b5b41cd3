#if Viewer
import WorldModel

/// A recorded episode (from a dataset) played back frame by frame, as a `PoseSource`.
///
/// Drawn over the MuJoCo replay of the same episode's actions, it shows how far the replay drifts from the
/// recording; a learned rollout plugs in the same way. A recording can only start at its own frame 0:
/// `reset` rewinds there whatever states it is given (the session resets every source to that frame anyway).
///
/// ```swift
/// let recording = RecordedSource(episode: try DatasetReader(path: "/tmp/push.wmds").episode(3))
/// try recording.step(action: [])   // frame 1
/// ```
public final class RecordedSource: PoseSource {
    public let episode: Episode
    public let label: String
    /// The frame shown, 0 ..< `episode.frameCount`.
    public private(set) var frame = 0

    public init(episode: Episode, label: String = "recorded episode (dataset)") {
        self.episode = episode
        self.label = label
    }

    /// The bytes of the episode's arrays held in memory.
    public var memoryFootprintBytes: Int? {
        4 * (episode.objectStates.count + episode.robotStates.count + episode.actions.count + episode.contactCounts.count)
    }

    public var objectStates: [Float] {
        let width = episode.objectCount * objectStateWidth
        return Array(episode.objectStates[(frame * width)..<((frame + 1) * width)])
    }

    public var robotState: [Float] {
        Array(episode.robotStates[(frame * robotStateWidth)..<((frame + 1) * robotStateWidth)])
    }

    public func reset(objectStates: [Float], robotState: [Float]) throws {
        frame = 0
    }

    /// Moves to the next frame (the action is the recorded one; the last frame stays).
    public func step(action: [Float]) throws {
        frame = min(frame + 1, episode.frameCount - 1)
    }
}
#endif
