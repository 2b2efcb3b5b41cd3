/// Deterministic train/valid/test assignment of episodes.
///
/// The episodes are shuffled by a SplitMix64 stream seeded with `seed`; the first `round(E * train)` go to train,
/// the next `round(E * valid)` to valid, the rest to test. The same arguments always give the same splits.
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
            let j = Int(splitMix64(&state) % UInt64(i + 1))
            order.swapAt(i, j)
        }
        var splits = [Split](repeating: .test, count: episodeCount)
        for (rank, episode) in order.enumerated() {
            if rank < trainCount { splits[episode] = .train } else if rank < trainCount + validCount { splits[episode] = .valid }
        }
        return splits
    }

    /// One step of SplitMix64 (Steele, Lea and Flood 2014).
    static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
