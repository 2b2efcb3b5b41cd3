import FoundationEssentials
import Testing
import WorldModel

/// `wm train --threads T`: T data-parallel ranks as threads of one process.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct TrainThreadsTests {
    /// Two threads train the weights one thread trains, up to the rounding of the split minibatch, and say so in
    /// the summary (2 ranks, identical weights on both).
    @Test func twoThreadsTrainWhatOneTrains() throws {
        let folder = CLIFixture.folder + "/train-threads"
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = folder + "/push.wmds"
        let (status, _, err) = try runWM(["generate", "--scene", scenePath("push.xml"), "--episodes", "6", "--steps", "12", "--seed", "3", "--out", data])
        #expect(status == 0, "\(err)")
        func train(threads: Int) throws -> ([SafetensorsTensor], String) {
            let out = folder + "/t\(threads).safetensors"
            let (status, stdout, err) = try runWM(["train", "--config", "small", "--steps", "4", "--seed", "2", "--threads", "\(threads)", "--json",
                                                   "--data", data, "--out", out])
            #expect(status == 0, "\(err)")
            return (try SafetensorsFile.read(out).tensors, stdout)
        }
        let (one, oneSummary) = try train(threads: 1)
        let (two, twoSummary) = try train(threads: 2)
        #expect(oneSummary.contains("\"ranks\" : 1") && twoSummary.contains("\"ranks\" : 2"), "\(twoSummary)")
        #expect(twoSummary.contains("\"maxRankWeightDifference\" : 0"), "\(twoSummary)")
        #expect(one.map(\.name) == two.map(\.name) && !one.isEmpty)
        var largest: Float = 0
        for (a, b) in zip(one, two) where a.dtype == .f32 {
            for (x, y) in zip(a.floats, b.floats) { largest = max(largest, abs(x - y)) }
        }
        #expect(largest < 1e-4, "largest weight difference \(largest)")
    }
}
