/// Loading the episodes of a dataset split for training and evaluation.
public enum DynamicsData {
    /// Every episode of `split` (all episodes when nil) of the dataset at `path`, with its header.
    public static func episodes(path: String, split: Split?) throws -> (DatasetHeader, [Episode]) {
        let reader = try DatasetReader(path: path)
        let episodes = try reader.episodeIndices(in: split).map { try reader.episode($0) }
        return (reader.header, episodes)
    }

    /// One dataset file, or the shards of one generation run read as they are, without merging them
    /// (`DatasetMerge.run(of:)` checks them): the run's header and the episodes of `split` in run order, the same
    /// as from the merged file.
    public static func episodes(paths: [String], split: Split?) throws -> (DatasetHeader, [Episode]) {
        if paths.count == 1 { return try episodes(path: paths[0], split: split) }
        let (header, shards) = try DatasetMerge.run(of: paths)
        var all: [Episode] = []
        for reader in shards { all += try reader.episodeIndices(in: split).map { try reader.episode($0) } }
        return (header, all)
    }

    /// Fits the robot kinematics of a dataset's training episodes.
    public static func robotKinematics(header: DatasetHeader, episodes: [Episode]) -> RobotKinematics {
        // Joint limits are not in the header: the pusher's workspace is bounded by its slide joints (+-0.35 m
        // in wm's scenes); positions outside what the data ever reached are clamped to the data's range.
        var low = SIMD2<Float>(repeating: .infinity), high = SIMD2<Float>(repeating: -.infinity)
        for e in episodes {
            for t in 0..<e.frameCount {
                let p = SIMD2(e.robotStates[t * robotStateWidth], e.robotStates[t * robotStateWidth + 1])
                low = pointwiseMin(low, p)
                high = pointwiseMax(high, p)
            }
        }
        if !low.x.isFinite { low = SIMD2(-1, -1); high = SIMD2(1, 1) }
        return RobotKinematics.fit(episodes: episodes, dtSeconds: Float(header.controlDtSeconds), lowerBound: low, upperBound: high)
    }
}
