import Testing
import WorldModel

@Suite struct DatasetSummaryTests {
    @Test func summarisesTheHeader() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 8, episodes: 20, frames: 11, objects: 5)
        let path = try DatasetFixture.write(data, to: folder + "/a.wmds")
        let summary = try DatasetSummary(path: path)
        #expect(summary.episodes == 20 && summary.framesPerEpisode == 11 && summary.stepsPerEpisode == 10)
        #expect(summary.objects == 5)
        #expect(summary.objectShapes == ["sphere": 2, "box": 1, "capsule": 1, "cylinder": 1])
        #expect(summary.splits == ["train": 16, "valid": 2, "test": 2])
        #expect(summary.sizeBytes == (try DatasetFixture.bytes(path)).count)
        #expect(summary.text.contains("episodes     20 (train 16, valid 2, test 2)"))
        let json = try summary.json()
        #expect(json.contains("\"episodes\" : 20"))
        #expect(json.contains("\"framesPerEpisode\" : 11"))
    }
}
