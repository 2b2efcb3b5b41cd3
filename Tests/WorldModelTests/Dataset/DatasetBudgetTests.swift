import Testing
import WorldModel

@Suite struct DatasetBudgetTests {
    @Test func thePlannedSizeIsTheFormatsBlockSize() {
        let header = DatasetHeader(sceneName: "push", mjcf: "", seed: 1, source: "test", policy: "still", objects: [testBox, testBox],
                                   robot: testPusher, episodeCount: 3, framesPerEpisode: 11, splits: [.train, .train, .test])
        let one = DatasetFormat.plannedFileByteCount(episodes: 1, framesPerEpisode: 11, dimensions: header.dimensions, mjcfByteCount: 0)
        let four = DatasetFormat.plannedFileByteCount(episodes: 4, framesPerEpisode: 11, dimensions: header.dimensions, mjcfByteCount: 0)
        #expect(four - one == 3 * (DatasetFormat.episodeBlockByteCount(header) + 10))
    }

    @Test func twoBillionEpisodesOfTwoBillionStepsAreRefusedBeforeAnyWork() {
        #expect(DatasetFormat.plannedFileByteCount(episodes: 2_000_000_000, framesPerEpisode: 2_000_000_001,
                                                   dimensions: EpisodeDimensions(objectCount: 4, hasRobot: true, actionDimension: 2), mjcfByteCount: 4000) == Int.max)
        let error = #expect(throws: WorldModelError.self) {
            try DatasetFormat.checkBudget(path: "/tmp/big.wmds", episodes: 2_000_000_000, framesPerEpisode: 2_000_000_001,
                                          dimensions: EpisodeDimensions(objectCount: 4, hasRobot: true, actionDimension: 2), mjcfByteCount: 4000)
        }
        #expect(error?.description.hasPrefix("/tmp/big.wmds: needs more than 9.2 EB, its file system has ") == true)
    }
}
