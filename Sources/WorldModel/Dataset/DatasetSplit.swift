/// Deterministic train/valid/test assignment of episodes.
///
/// The episodes are shuffled (Fisher-Yates) by the SplitMix64 stream of `seed` (`SeededRandom.splitMix64`); the
/// first `round(E * train)` go to train, the next `round(E * valid)` to valid, the rest to test. The same arguments
/// always give the same splits, and the splits of existing datasets never change.
///
/// ```swift
/// let splits = DatasetSplit.assign(episodeCount: 20, seed: 1)   // 16 train, 2 valid, 2 test
/// ```
public enum DatasetSplit {
    public static func assign(episodeCount: Int, seed: UInt64, train: Double = 0.8, valid: Double = 0.1) -> [Split] {
        guard episodeCount > 0 else { return [] }
        let trainCount = min(episodeCount, max(0, Int((Double(episodeCount) * train).rounded())))
        let validCount = min(episodeCount - trainCount, max(0, Int((Double(episodeCount) * valid).rounded())))
        var order = Array(0..<episodeCount)
        var state = seed
        for i in stride(from: episodeCount - 1, to: 0, by: -1) {
            let j = Int(SeededRandom.splitMix64(&state) % UInt64(i + 1))
            order.swapAt(i, j)
        }
        var splits = [Split](repeating: .test, count: episodeCount)
        for (rank, episode) in order.enumerated() {
            if rank < trainCount { splits[episode] = .train } else if rank < trainCount + validCount { splits[episode] = .valid }
        }
        return splits
    }
}
