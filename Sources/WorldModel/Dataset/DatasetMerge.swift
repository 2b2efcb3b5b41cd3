/// Joins the shards of one generation run (``DatasetShard``, written by `wm generate --shard i/n`) into one
/// dataset with the bytes the unsharded run writes: the same header (the run's episode count, splits and contact
/// fraction) and the episodes in run order. Each shard is checked against the first: same scene, seed, policy,
/// source, timing and layout, and together they must cover the run exactly once.
///
/// ```swift
/// try DatasetMerge.merge(shards: ["/tmp/s0.wmds", "/tmp/s1.wmds"], to: "/tmp/run.wmds")
/// ```
/// One episode is in memory at a time; the output is written atomically. `run(of:)` checks the same without
/// writing, for readers of the shards as they are (`DynamicsData.trainAndValid(paths:)`: training on shards).
public enum DatasetMerge {
    @discardableResult
    public static func merge(shards paths: [String], to output: String, progress: (Int) -> Void = { _ in }) throws -> DatasetHeader {
        guard !paths.isEmpty else { throw WorldModelError(file: output, "no shards to merge") }
        try OutputPathCheck.refuse(outputs: [output], overwriting: paths)
        var (header, parts) = try run(of: paths)
        let contactFraction = header.contactFraction
        header.contactFraction = nil
        let writer = try DatasetWriter(path: output, header: header)
        var done = 0
        for part in parts {
            for k in 0..<part.header.episodeCount {
                try writer.append(try part.episode(k))
                done += 1
                progress(done)
            }
        }
        header.contactFraction = contactFraction
        try writer.finish(updating: header)
        return header
    }

    /// The header of the run `paths` are the shards of (its episode count, splits and, when every shard knows it,
    /// contact fraction), and the shards' readers in run order; throws, naming the file, for a file that is not a
    /// shard, shards of different runs, a shard given twice or missing.
    public static func run(of paths: [String]) throws -> (header: DatasetHeader, shards: [DatasetReader]) {
        guard !paths.isEmpty else { throw WorldModelError("no shards given") }
        let readers = try paths.map { try DatasetReader(path: $0) }
        var parts: [(reader: DatasetReader, shard: DatasetShard)] = []
        for reader in readers {
            guard let shard = reader.header.shard else {
                throw WorldModelError(file: reader.path, "is not a shard of a generation run (its header records no shard)")
            }
            parts.append((reader, shard))
        }
        let first = parts[0]
        func runHeader(_ header: DatasetHeader) -> DatasetHeader {
            var run = header
            run.shard = nil; run.contactFraction = nil; run.episodeCount = 0; run.splits = []
            return run
        }
        let reference = runHeader(first.reader.header)
        for (reader, shard) in parts.dropFirst() {
            guard runHeader(reader.header) == reference else {
                throw WorldModelError(file: reader.path, "is a shard of another run than \(first.reader.path) (scene, seed, policy, steps or layout differ)")
            }
            guard shard.count == first.shard.count, shard.totalEpisodes == first.shard.totalEpisodes else {
                throw WorldModelError(file: reader.path, "is shard \(shard.index)/\(shard.count) of \(shard.totalEpisodes) episodes, \(first.reader.path) is one of \(first.shard.count) shards of \(first.shard.totalEpisodes)")
            }
        }
        parts.sort { $0.shard.index < $1.shard.index }
        for (previous, part) in zip(parts, parts.dropFirst()) where previous.shard.index == part.shard.index {
            throw WorldModelError(file: part.reader.path, "shard \(part.shard.index)/\(part.shard.count) is given twice (also \(previous.reader.path))")
        }
        let seen = Set(parts.map(\.shard.index))
        let missing = (0..<first.shard.count).filter { !seen.contains($0) }
        guard missing.isEmpty else {
            throw WorldModelError(file: first.reader.path, "shards \(missing.map { "\($0)/\(first.shard.count)" }.joined(separator: ", ")) of its run are missing")
        }
        var touched = 0, touchedKnown = true
        for part in parts {
            guard part.reader.header.episodeCount == part.shard.episodes.count else {
                throw WorldModelError(file: part.reader.path, "holds \(part.reader.header.episodeCount) episodes, shard \(part.shard.index)/\(part.shard.count) of \(part.shard.totalEpisodes) has \(part.shard.episodes.count)")
            }
            if let t = part.shard.touchedEpisodes { touched += t } else { touchedKnown = false }
        }
        var header = reference
        header.episodeCount = first.shard.totalEpisodes
        header.splits = parts.flatMap(\.reader.header.splits)
        if touchedKnown { header.contactFraction = Double(touched) / Double(header.episodeCount) }
        return (header, parts.map(\.reader))
    }
}
