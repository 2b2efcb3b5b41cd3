import Testing
@testable import WorldModel

@Suite struct DatasetMergeTests {
    /// The shards of a run merge into the bytes of the unsharded run, whatever order they are given in.
    @Test(arguments: [("push.xml", 1, 4), ("clutter.xml", 2, 3)])
    func shardsMergeIntoTheBytesOfOneRun(scene: String, seed: Int, count: Int) throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let recorder = try TeacherRecorder(scenePath: scenePath(scene))
        let whole = folder + "/whole.wmds"
        try recorder.generateDataset(path: whole, episodes: 7, steps: 6, seed: UInt64(seed), policy: .waypoints)
        var shards: [String] = []
        for i in 0..<count {
            let path = folder + "/shard\(i).wmds"
            let summary = try recorder.generateDataset(path: path, episodes: 7, steps: 6, seed: UInt64(seed), policy: .waypoints, shard: (i, count))
            #expect(summary.episodes == DatasetShard.range(index: i, count: count, totalEpisodes: 7).count)
            shards.append(path)
        }
        let merged = folder + "/merged.wmds"
        try DatasetMerge.merge(shards: shards.reversed(), to: merged)
        #expect(try DatasetFixture.bytes(merged) == DatasetFixture.bytes(whole))
    }

    @Test func incompleteOrForeignShardsAreRefusedInOneLine() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        func shard(_ i: Int, seed: UInt64 = 1) throws -> String {
            let path = folder + "/s\(i)-\(seed).wmds"
            try recorder.generateDataset(path: path, episodes: 3, steps: 3, seed: seed, policy: .still, shard: (i, 3))
            return path
        }
        let whole = folder + "/whole.wmds"
        try recorder.generateDataset(path: whole, episodes: 3, steps: 3, seed: 1, policy: .still)
        let (a, b, c, other) = (try shard(0), try shard(1), try shard(2), try shard(2, seed: 9))
        let out = folder + "/out.wmds"
        func refusal(_ paths: [String]) -> String? {
            do { try DatasetMerge.merge(shards: paths, to: out); return nil } catch let error as WorldModelError {
                return error.description.contains("\n") ? "two lines" : error.description
            } catch { return "\(error)" }
        }
        #expect(refusal([a, b])?.contains("shards 2/3 of its run are missing") == true)
        #expect(refusal([a, b, b])?.contains("given twice") == true)
        #expect(refusal([a, b, other])?.contains("another run") == true)
        #expect(refusal([a, b, whole])?.contains("is not a shard") == true)
        #expect(refusal([c, a, b]) == nil)
        #expect(!DatasetFixture.contents(of: folder).contains { $0.contains(".tmp-") })
        #expect(throws: WorldModelError.self) { _ = try DatasetShard.parse("3/3", totalEpisodes: 5) }
        #expect(throws: WorldModelError.self) { _ = try DatasetShard.parse("1/6", totalEpisodes: 5) }
    }
}
