/// Loading the episodes of a dataset split for training and evaluation.
public enum DynamicsData {
    /// Every episode of `split` (all episodes when nil) of the dataset at `path`, with its header.
    public static func episodes(path: String, split: Split?) throws -> (DatasetHeader, [Episode]) {
        let reader = try DatasetReader(path: path)
        let episodes = try reader.episodeIndices(in: split).map { try reader.episode($0) }
        return (reader.header, episodes)
    }

    /// The train and valid episodes of one dataset file, or of the shards of one generation run read as they are,
    /// without merging them (`DatasetMerge.run(of:)` checks them, once): the run's header and each split's
    /// episodes in run order, the same as from the merged file.
    public static func trainAndValid(paths: [String]) throws -> (header: DatasetHeader, train: [Episode], valid: [Episode]) {
        let header: DatasetHeader, readers: [DatasetReader]
        if paths.count == 1 {
            let reader = try DatasetReader(path: paths[0])
            (header, readers) = (reader.header, [reader])
        } else {
            (header, readers) = try DatasetMerge.run(of: paths)
        }
        func read(_ split: Split) throws -> [Episode] {
            try readers.flatMap { reader in try reader.episodeIndices(in: split).map { try reader.episode($0) } }
        }
        return (header, try read(.train), try read(.valid))
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
