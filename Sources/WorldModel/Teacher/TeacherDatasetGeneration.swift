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
    /// With `shard` (`index` and `count`), only that shard's episodes of the run are recorded, with their splits of
    /// the whole run, and ``DatasetMerge`` joins the shards into the bytes of the unsharded run.
    /// `progress(done)` is called after each episode.
    public func generateDataset(path: String, episodes runEpisodes: Int, steps: Int, seed: UInt64, policy: ActionPolicyKind,
                                shard: (index: Int, count: Int)? = nil,
                                progress: (Int) -> Void = { _ in }) throws -> TeacherGenerationSummary {
        guard runEpisodes >= 1, steps >= 1 else { throw WorldModelError(file: path, "need at least 1 episode of at least 1 step") }
        var part: DatasetShard? = nil
        if let shard {
            guard shard.count >= 1, shard.index >= 0, shard.index < shard.count, shard.count <= runEpisodes else {
                throw WorldModelError(file: path, "shard \(shard.index)/\(shard.count) of \(runEpisodes) episodes: need 0 <= index < count <= episodes")
            }
            part = DatasetShard(index: shard.index, count: shard.count, totalEpisodes: runEpisodes,
                                firstEpisode: DatasetShard.range(index: shard.index, count: shard.count, totalEpisodes: runEpisodes).lowerBound)
        }
        let indices = part?.episodes ?? 0..<runEpisodes, episodes = indices.count
        let model = sceneModel, freeObjects = try? scene
        let dimensions = EpisodeDimensions(objectCount: freeObjects?.objects.count ?? 0, hasRobot: freeObjects != nil, actionDimension: model.nu,
                                           nq: model.nq, nv: model.nv, bodyCount: model.movingBodyIndices.count)
        try DatasetFormat.checkBudget(path: path, episodes: episodes, framesPerEpisode: ResourceBudget.sum(steps, 1), dimensions: dimensions,
                                      mjcfByteCount: simulation.mjcf.utf8.count)
        let splits = Array(DatasetSplit.assign(episodeCount: runEpisodes, seed: seed)[indices])
        var header = DatasetHeader(
            sceneName: model.name, mjcf: simulation.mjcf, seed: seed, source: "wm generate --policy \(policy.rawValue)",
            policy: policy.rawValue, controlDtSeconds: model.controlDtSeconds, physicsDtSeconds: model.physicsDtSeconds,
            tableHeightMeters: freeObjects?.tableHeightMeters ?? 0, objects: freeObjects?.objects ?? [], robot: freeObjects?.robot,
            sceneModel: model, episodeCount: episodes, framesPerEpisode: steps + 1, splits: splits)
        header.shard = part
        let writer = try DatasetWriter(path: path, header: header)
        let start = monotonicSeconds()
        var touched = 0, moved = 0
        for (done, k) in indices.enumerated() {
            let recording = try record(episode: k, steps: steps, seed: seed, policy: policy)
            if recording.robotTouchedObject { touched += 1 }
            if recording.maxDisplacementMeters > 0.01 { moved += 1 }
            try writer.append(recording.episode)
            progress(done + 1)
        }
        let seconds = monotonicSeconds() - start
        header.contactFraction = Double(touched) / Double(episodes)
        header.shard?.touchedEpisodes = touched
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
