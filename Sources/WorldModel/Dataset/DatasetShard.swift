/// Which part of a larger generation run a dataset file holds: shard `index` of `count` covers the episodes
/// `firstEpisode ..< firstEpisode + episodeCount` of a run of `totalEpisodes` (contiguous, as
/// ``range(index:count:totalEpisodes:)`` cuts them). Episode k of a run depends only on its seed and k, so the shards
/// of a run, recorded anywhere (Slurm array tasks, Kubernetes Indexed Jobs, MPI ranks), merge
/// (``DatasetMerge``) into the bytes a single run would write.
///
/// ```swift
/// let shard = try DatasetShard.parse("2/4", totalEpisodes: 100)   // episodes 50..<75
/// ```
public struct DatasetShard: Codable, Equatable, Sendable {
    /// This shard's index, 0 ..< count.
    public var index: Int
    public var count: Int
    /// The run's episode count and this shard's first episode in it.
    public var totalEpisodes: Int
    public var firstEpisode: Int
    /// Episodes of this shard in which the robot touched an object (the teacher's count; merging sums them into the
    /// run's `contactFraction`).
    public var touchedEpisodes: Int?

    public init(index: Int, count: Int, totalEpisodes: Int, firstEpisode: Int, touchedEpisodes: Int? = nil) {
        self.index = index
        self.count = count
        self.totalEpisodes = totalEpisodes
        self.firstEpisode = firstEpisode
        self.touchedEpisodes = touchedEpisodes
    }

    /// The episodes of shard `index` of `count`: contiguous blocks whose sizes differ by at most one.
    public static func range(index: Int, count: Int, totalEpisodes: Int) -> Range<Int> {
        (index * totalEpisodes / count)..<((index + 1) * totalEpisodes / count)
    }

    /// This shard's episodes of the run.
    public var episodes: Range<Int> { Self.range(index: index, count: count, totalEpisodes: totalEpisodes) }

    /// Reads `i/n` (0 <= i < n), for a run of `totalEpisodes`; throws when it is malformed or the shard is empty.
    public static func parse(_ text: String, totalEpisodes: Int) throws -> DatasetShard {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else {
            throw WorldModelError("shard '\(text)' is not i/n with 0 <= i < n")
        }
        guard n <= totalEpisodes else {
            throw WorldModelError("\(n) shards of \(totalEpisodes) episodes would leave some empty: use at most \(totalEpisodes) shards")
        }
        return DatasetShard(index: i, count: n, totalEpisodes: totalEpisodes, firstEpisode: range(index: i, count: n, totalEpisodes: totalEpisodes).lowerBound)
    }
}
