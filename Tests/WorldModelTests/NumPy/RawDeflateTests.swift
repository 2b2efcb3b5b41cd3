import Testing
import WorldModel

@Suite struct RawDeflateTests {
    @Test func compressThenDecompressGivesTheInput() throws {
        var random = DatasetFixture.Random(state: 1)
        let input = (0..<5000).map { i in i % 7 == 0 ? UInt8(truncatingIfNeeded: random.next()) : UInt8(i % 13) }
        let packed = try RawDeflate.compress(input)
        #expect(packed.count < input.count)
        #expect(try RawDeflate.decompress(packed[...], expectedCount: input.count) == input)
        #expect(try RawDeflate.compress(input) == packed)
        #expect(try RawDeflate.decompress(try RawDeflate.compress([])[...], expectedCount: 0) == [])
    }

    @Test func truncatedOrWrongSizeStreamsAreErrors() throws {
        let input = [UInt8](repeating: 42, count: 1000) + Array(0..<200)
        let packed = try RawDeflate.compress(input)
        #expect(throws: WorldModelError.self) { try RawDeflate.decompress(packed.dropLast(5), expectedCount: input.count) }
        #expect(throws: WorldModelError.self) { try RawDeflate.decompress(packed[...], expectedCount: input.count - 1) }
        #expect(throws: WorldModelError.self) { try RawDeflate.decompress(packed[...], expectedCount: input.count + 1) }
    }

    @Test func crc32MatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        let whole = CRC32.checksum(Array("hello world".utf8))
        #expect(CRC32.checksum(Array(" world".utf8), continuing: CRC32.checksum(Array("hello".utf8))) == whole)
    }
}
