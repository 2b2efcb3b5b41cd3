#if Viewer
import WorldModel

/// The MuJoCo teacher (`MuJoCoEnvironment`) as a `PoseSource`: the ground truth every learned model is compared
/// against.
public final class GroundTruthSource: PoseSource {
    public let environment: MuJoCoEnvironment
    public var simulation: MuJoCoSimulation { environment.simulation }
    public var scene: SceneModel { environment.sceneModel }
    public let label = "ground truth (MuJoCo)"
    /// MuJoCo's buffers are not visible from here, so the footprint is unknown.
    public let memoryFootprintBytes: Int? = nil
    public var observation: Observation { environment.observation }

    /// Loads the MJCF scene at `scenePath`.
    public init(scenePath: String) throws {
        environment = try MuJoCoEnvironment(scenePath: scenePath)
    }

    public func reset(to observation: Observation) throws { try environment.reset(to: observation) }

    public func step(action: [Float]) throws { try environment.step(action: action) }

    /// Starts where the teacher's episode `episode` of `seed` starts (`wm generate`: placed and settled) and
    /// returns the episode's generator, which seeds its policy (`TeacherPolicy`).
    public func startEpisode(_ episode: Int, seed: UInt64) throws -> SeededRandom {
        try environment.startEpisode(episode, seed: seed)
    }
}
#endif
