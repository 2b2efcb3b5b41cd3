import FoundationEssentials
import Testing
import WorldModel

/// `wm train --data` given once per shard: training on the shards of one run as they are.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct TrainOnShardsTests {
    /// The shards, in any order, train the weights their merge trains, bit for bit; shards of different runs, or
    /// one given twice, are one line naming the file, and nothing is written.
    @Test func shardsTrainWhatTheirMergeTrains() throws {
        let folder = CLIFixture.folder + "/train-shards"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        func generate(_ shard: String, seed: String, out: String) throws {
            let (status, _, err) = try runWM(["generate", "--scene", scenePath("push.xml"), "--episodes", "6", "--steps", "12", "--seed", seed,
                                              "--shard", shard, "--out", out])
            #expect(status == 0, "\(err)")
        }
        let s0 = folder + "/s0.wmds", s1 = folder + "/s1.wmds", foreign = folder + "/other1.wmds", merged = folder + "/merged.wmds"
        try generate("0/2", seed: "3", out: s0)
        try generate("1/2", seed: "3", out: s1)
        try generate("1/2", seed: "4", out: foreign)
        let (mergeStatus, _, mergeErr) = try runWM(["dataset", "merge", s0, s1, "--out", merged])
        #expect(mergeStatus == 0, "\(mergeErr)")

        func train(_ data: [String], out: String) throws -> [SafetensorsTensor] {
            let (status, _, err) = try runWM(["train", "--graph", "bodies", "--steps", "3", "--seed", "2", "--out", out] + data.flatMap { ["--data", $0] })
            #expect(status == 0, "\(err)")
            return try SafetensorsFile.read(out).tensors
        }
        let fromMerge = try train([merged], out: folder + "/a.safetensors")
        let fromShards = try train([s1, s0], out: folder + "/b.safetensors")
        #expect(!fromMerge.isEmpty && fromMerge == fromShards)

        try expectRefused(["train", "--graph", "bodies", "--steps", "1", "--data", s0, "--data", foreign, "--out", folder + "/c.safetensors"],
                          naming: foreign, inputs: [s0, foreign], outputs: [folder + "/c.safetensors"])
        try expectRefused(["train", "--graph", "bodies", "--steps", "1", "--data", s0, "--data", s0, "--out", folder + "/c.safetensors"],
                          naming: s0, inputs: [s0], outputs: [folder + "/c.safetensors"])
    }
}
