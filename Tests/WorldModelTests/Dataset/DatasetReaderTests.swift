import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DatasetReaderTests {
    /// Writes a dataset, lets `damage` change its bytes, and returns the error opening or reading it gives.
    private func failure(_ damage: (inout [UInt8]) -> Void, readAllEpisodes: Bool = true) throws -> String? {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let path = try DatasetFixture.write(DatasetFixture.dataset(seed: 9), to: folder + "/a.wmds")
        var bytes = try DatasetFixture.bytes(path)
        damage(&bytes)
        try DatasetFixture.writeBytes(bytes, to: path)
        do {
            let reader = try DatasetReader(path: path)
            if readAllEpisodes {
                for k in 0..<reader.header.episodeCount { _ = try reader.episode(k) }
            }
            return nil
        } catch let error as WorldModelError {
            #expect(error.description.hasPrefix(path + ": "))
            #expect(!error.description.contains("\n"))
            return error.message
        }
    }

    @Test func truncationAnywhereIsDetectedOnOpen() throws {
        let full = try failure { _ in }
        #expect(full == nil)
        for keep in [0, 5, 20, 31, 40, 300, 1000, 2000, 3000] {
            let message = try failure({ $0.removeLast($0.count - min(keep, $0.count)) }, readAllEpisodes: false)
            #expect(message != nil, "kept \(keep) bytes")
        }
        let cutLast = try failure({ $0.removeLast(1) }, readAllEpisodes: false)
        #expect(cutLast?.hasPrefix("truncated") == true)
        let extra = try failure({ $0 += [0, 0] }, readAllEpisodes: false)
        #expect(extra?.contains("unexpected bytes") == true)
    }

    @Test func flippedByteInAnEpisodeIsACRCMismatch() throws {
        let message = try failure { bytes in bytes[bytes.count - 100] ^= 0x40 }
        #expect(message == "episode 4: checksum mismatch (corrupted file)")
        // The other episodes still read: the reader opens fine and episode 0 is intact.
        let opened = try failure({ bytes in bytes[bytes.count - 100] ^= 0x40 }, readAllEpisodes: false)
        #expect(opened == nil)
    }

    @Test func flippedByteInTheHeaderIsDetected() throws {
        let message = try failure { bytes in bytes[40] ^= 0x01 }
        #expect(message == "header checksum mismatch (corrupted file)")
    }

    @Test func wrongMagicAndFutureVersionAreRefused() throws {
        let magic = try failure { bytes in bytes[1] = UInt8(ascii: "X") }
        #expect(magic == "not a wm dataset (bad magic bytes)")
        let future = try failure { bytes in bytes[8] = 3 }
        #expect(future?.hasPrefix("format version 3 is newer than this wm reads (2)") == true)
    }

    @Test func versionOneIsRefusedWithHowToRegenerateIt() throws {
        let old = try failure { bytes in bytes[8] = 1 }
        #expect(old?.hasPrefix("format version 1 holds no qpos/qvel") == true)
        #expect(old?.contains("regenerate it with wm generate") == true && old?.contains("(from DatasetFixture)") == true)
    }

    @Test func episodeIndicesFollowTheSplits() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 21, episodes: 20, frames: 2, objects: 1)
        let reader = try DatasetReader(path: DatasetFixture.write(data, to: folder + "/a.wmds"))
        let train = reader.episodeIndices(in: .train)
        let valid = reader.episodeIndices(in: .valid)
        let test = reader.episodeIndices(in: .test)
        #expect(train.count == 16 && valid.count == 2 && test.count == 2)
        #expect((train + valid + test).sorted() == Array(0..<20))
        #expect(reader.episodeIndices(in: nil) == Array(0..<20))
        #expect(throws: WorldModelError.self) { try reader.episode(20) }
    }

    @Test func missingFileNamesIt() {
        #expect {
            try DatasetReader(path: "/tmp/wm-no-such-dataset.wmds")
        } throws: { error in
            (error as? WorldModelError)?.description.hasPrefix("/tmp/wm-no-such-dataset.wmds: cannot open") == true
        }
    }
}
