import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Replays the fuzzing corpus (`Corpus/<reader>/`: seeds, inputs libFuzzer found interesting, and every input
/// that once crashed a reader): each must give a value or a thrown error, never a crash or a hang.
@Suite struct FuzzCorpusTests {
    static func corpus(_ reader: FuzzedReader) -> [String] {
        let folder = packageRoot + "/Tests/WorldModelTests/Fuzz/Corpus/" + reader.rawValue
        let files = (directoryEntries(folder) ?? []).filter { !$0.hasPrefix(".") }.map { folder + "/" + $0 }
        return files.sorted()
    }

    @Test(arguments: FuzzedReader.allCases)
    func everyCorpusInputIsAValueOrAnError(_ reader: FuzzedReader) throws {
        let files = Self.corpus(reader)
        #expect(files.count >= 2, "the \(reader.rawValue) corpus is missing")
        let scratch = "/tmp/wm-fuzz-replay-\(getpid())-\(reader.rawValue).\(reader.fileExtension)"
        defer { unlink(scratch) }
        var accepted = 0
        for file in files where reader.read(try FileBytes.read(file), scratch: scratch) { accepted += 1 }
        #expect(accepted >= 1, "no seed of the \(reader.rawValue) corpus is a valid file any more")
    }
}
