import Testing
import WorldModel

@Suite struct DatasetSplitTests {
    @Test func sizesFollowTheFractions() {
        for (e, expected) in [(20, (16, 2, 2)), (100, (80, 10, 10)), (4, (3, 0, 1)), (1, (1, 0, 0)), (0, (0, 0, 0))] {
            let splits = DatasetSplit.assign(episodeCount: e, seed: 7)
            #expect(splits.count == e)
            #expect(splits.count { $0 == .train } == expected.0)
            #expect(splits.count { $0 == .valid } == expected.1)
            #expect(splits.count { $0 == .test } == expected.2)
        }
        let half = DatasetSplit.assign(episodeCount: 10, seed: 1, train: 0.5, valid: 0.5)
        #expect(half.count { $0 == .train } == 5 && half.count { $0 == .test } == 0)
    }

    @Test func deterministicAndSeedDependent() {
        #expect(DatasetSplit.assign(episodeCount: 50, seed: 3) == DatasetSplit.assign(episodeCount: 50, seed: 3))
        #expect(DatasetSplit.assign(episodeCount: 50, seed: 3) != DatasetSplit.assign(episodeCount: 50, seed: 4))
        // Shuffled, not a block of train followed by valid and test.
        #expect(DatasetSplit.assign(episodeCount: 50, seed: 3).prefix(40).contains { $0 != .train })
    }

    /// The split sequence is pinned: shipped models are evaluated on the splits of existing datasets, so the
    /// shuffle (SplitMix64 steps of `SeededRandom.splitMix64`) must never change. Expected indices recorded
    /// from the implementation that wrote those datasets.
    @Test func splitIsPinned() {
        func indices(_ splits: [Split], _ kind: Split) -> [Int] { splits.indices.filter { splits[$0] == kind } }
        let twenty = DatasetSplit.assign(episodeCount: 20, seed: 1)
        #expect(indices(twenty, .train) == [0, 1, 2, 3, 4, 6, 7, 9, 10, 11, 13, 14, 15, 16, 18, 19])
        #expect(indices(twenty, .valid) == [12, 17])
        #expect(indices(twenty, .test) == [5, 8])
        let odd = DatasetSplit.assign(episodeCount: 37, seed: 2024)
        #expect(indices(odd, .train) == [0, 1, 2, 4, 5, 6, 7, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28, 29,
                                         30, 32, 34, 35, 36])
        #expect(indices(odd, .valid) == [8, 10, 11, 33])
        #expect(indices(odd, .test) == [3, 26, 31])
        let ten = DatasetSplit.assign(episodeCount: 10, seed: 0)
        #expect(indices(ten, .valid) == [0] && indices(ten, .test) == [5])
    }
}
