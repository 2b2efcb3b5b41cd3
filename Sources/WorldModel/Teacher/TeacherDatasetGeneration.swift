#if canImport(Glibc)
import Glibc
#endif

/// What `TeacherRecorder.generateDataset` did: counts and speeds.
public struct TeacherGenerationSummary: Codable, Sendable {
    public var path: String
    public var sceneName: String
    public var episodes: Int
    public var stepsPerEpisode: Int
    /// Passive bodies (objects no actuator drives).
    public var objects: Int
    /// Fraction of episodes in which the robot touched at least one object.
    public var contactFraction: Double
    /// Fraction of episodes in which some passive body moved more than 1 cm.
    public var movedFraction: Double
    public var splitSizes: [String: Int]
    public var seconds: Double
    public var controlStepsPerSecond: Double
    public var physicsStepsPerSecond: Double
    public var bytes: Int
}

extension TeacherRecorder {
    /// Records `episodes` episodes of `steps` control steps into a `.wmds` dataset at `path` (written atomically:
    /// nothing appears at `path` unless every episode was recorded). Splits are 80/10/10 by episode, from `seed`.
    /// `progress(done)` is called after each episode.
    public func generateDataset(path: String, episodes: Int, steps: Int, seed: UInt64, policy: ActionPolicyKind,
                                progress: (Int) -> Void = { _ in }) throws -> TeacherGenerationSummary {
        guard episodes >= 1, steps >= 1 else { throw WorldModelError(file: path, "need at least 1 episode of at least 1 step") }
        let model = sceneModel, freeObjects = try? scene
        let dimensions = EpisodeDimensions(objectCount: freeObjects?.objects.count ?? 0, hasRobot: freeObjects != nil, actionDimension: model.nu,
                                           nq: model.nq, nv: model.nv, bodyCount: model.movingBodyIndices.count)
        try DatasetFormat.checkBudget(path: path, episodes: episodes, framesPerEpisode: ResourceBudget.sum(steps, 1), dimensions: dimensions,
                                      mjcfByteCount: simulation.mjcf.utf8.count)
        let splits = DatasetSplit.assign(episodeCount: episodes, seed: seed)
        var header = DatasetHeader(
            sceneName: model.name, mjcf: simulation.mjcf, seed: seed, source: "wm generate --policy \(policy.rawValue)",
            policy: policy.rawValue, controlDtSeconds: model.controlDtSeconds, physicsDtSeconds: model.physicsDtSeconds,
            tableHeightMeters: freeObjects?.tableHeightMeters ?? 0, objects: freeObjects?.objects ?? [], robot: freeObjects?.robot,
            sceneModel: model, episodeCount: episodes, framesPerEpisode: steps + 1, splits: splits)
        let writer = try DatasetWriter(path: path, header: header)
        let start = monotonicSeconds()
        var touched = 0, moved = 0
        for k in 0..<episodes {
            let recording = try record(episode: k, steps: steps, seed: seed, policy: policy)
            if recording.robotTouchedObject { touched += 1 }
            if recording.maxDisplacementMeters > 0.01 { moved += 1 }
            try writer.append(recording.episode)
            progress(k + 1)
        }
        let seconds = monotonicSeconds() - start
        header.contactFraction = Double(touched) / Double(episodes)
        try writer.finish(updating: header)
        let controlSteps = Double(episodes * steps)
        let physicsSteps = Double(episodes * (steps * model.controlSubsteps + settlePhysicsSteps))
        var sizes: [String: Int] = [:]
        for split in Split.allCases { sizes[split.rawValue] = splits.filter { $0 == split }.count }
        return TeacherGenerationSummary(
            path: path, sceneName: model.name, episodes: episodes, stepsPerEpisode: steps, objects: model.passiveBodyIndices.count,
            contactFraction: Double(touched) / Double(episodes), movedFraction: Double(moved) / Double(episodes),
            splitSizes: sizes, seconds: seconds, controlStepsPerSecond: controlSteps / seconds,
            physicsStepsPerSecond: physicsSteps / seconds, bytes: (try? FileBytes.size(of: path)) ?? 0)
    }
}
