import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DatasetWriterTests {
    @Test func writtenEpisodesReadBackExactly() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 11)
        let path = try DatasetFixture.write(data, to: folder + "/a.wmds")
        let reader = try DatasetReader(path: path)
        #expect(reader.header == data.header)
        for k in 0..<data.header.episodeCount {
            #expect(try reader.episode(k) == data.episodes[k])
        }
        // Reading out of order works the same (each episode is its own block).
        #expect(try reader.episode(3) == data.episodes[3])
        #expect(try reader.episode(0) == data.episodes[0])
    }

    @Test func sameInputGivesIdenticalBytes() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let a = try DatasetFixture.write(DatasetFixture.dataset(seed: 5), to: folder + "/a.wmds")
        let b = try DatasetFixture.write(DatasetFixture.dataset(seed: 5), to: folder + "/b.wmds")
        let c = try DatasetFixture.write(DatasetFixture.dataset(seed: 6), to: folder + "/c.wmds")
        #expect(try DatasetFixture.bytes(a) == DatasetFixture.bytes(b))
        #expect(try DatasetFixture.bytes(a) != DatasetFixture.bytes(c))
    }

    @Test func fileLengthIsPreamblePlusHeaderPlusBlocks() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 2, episodes: 4, frames: 9, objects: 2)
        let path = try DatasetFixture.write(data, to: folder + "/a.wmds")
        let bytes = try DatasetFixture.bytes(path)
        #expect(Array(bytes[0..<8]) == DatasetFormat.magic)
        let headerBytes = Int(bytes[12]) | Int(bytes[13]) << 8 | Int(bytes[14]) << 16 | Int(bytes[15]) << 24
        // Per block: 9*2*13 + 9*6 + 8*2 floats, 9 contact counts, one CRC, 4 bytes each.
        let block = 4 * (9 * 2 * 13 + 9 * 6 + 8 * 2 + 9) + 4
        #expect(DatasetFormat.episodeBlockByteCount(data.header) == block)
        #expect(bytes.count == 32 + headerBytes + 4 * block)
        #expect(headerBytes % 64 == 0)
    }

    @Test func finishCanUpdateTheHeaderInPlace() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        var data = DatasetFixture.dataset(seed: 3)
        data.header.contactFraction = nil
        let writer = try DatasetWriter(path: folder + "/a.wmds", header: data.header)
        for episode in data.episodes { try writer.append(episode) }
        var updated = data.header
        updated.contactFraction = 0.8125
        updated.source = "wm generate --policy waypoints --episodes 5"
        try writer.finish(updating: updated)
        let reader = try DatasetReader(path: folder + "/a.wmds")
        #expect(reader.header == updated)
        #expect(try reader.episode(4) == data.episodes[4])
    }

    @Test func wrongEpisodeShapeIsRefusedAndNothingIsWritten() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let data = DatasetFixture.dataset(seed: 4)
        let path = folder + "/a.wmds"
        do {
            let writer = try DatasetWriter(path: path, header: data.header)
            try writer.append(data.episodes[0])
            var short = data.episodes[1]
            short.frameCount -= 1
            #expect {
                try writer.append(short)
            } throws: { error in
                (error as? WorldModelError)?.description.hasPrefix(path + ": episode 1: 6 frames") == true
            }
            var bad = data.episodes[1]
            bad.objectStates[5] = .nan
            #expect(throws: WorldModelError.self) { try writer.append(bad) }
            // Too few episodes: finish refuses.
            #expect(throws: WorldModelError.self) { try writer.finish() }
        }
        #expect(DatasetFixture.contents(of: folder).isEmpty)
    }

    @Test func inconsistentHeaderIsRefused() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        var header = DatasetFixture.dataset(seed: 1).header
        header.splits.removeLast()
        #expect(throws: WorldModelError.self) { try DatasetWriter(path: folder + "/a.wmds", header: header) }
        #expect(DatasetFixture.contents(of: folder).isEmpty)
    }
}
