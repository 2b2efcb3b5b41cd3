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
}
