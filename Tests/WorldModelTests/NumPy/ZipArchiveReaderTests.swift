import Testing
import WorldModel

@Suite struct ZipArchiveReaderTests {
    private func archive(in folder: String, compress: Bool) throws -> (path: String, entries: [(String, [UInt8])]) {
        let entries: [(String, [UInt8])] = [
            ("a.bin", Array(repeating: 7, count: 3000)),
            ("dir/b.txt", Array("hello zip".utf8)),
            ("empty", []),
        ]
        let path = folder + "/t.zip"
        let writer = try ZipArchiveWriter(path: path)
        for (name, bytes) in entries { try writer.add(name: name, contents: bytes, compress: compress) }
        try writer.finish()
        return (path, entries)
    }

    @Test func writtenEntriesReadBack() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        for compress in [false, true] {
            let (path, entries) = try archive(in: folder, compress: compress)
            let zip = try ZipArchiveReader(path: path)
            #expect(zip.entryNames == entries.map(\.0))
            for (name, bytes) in entries { #expect(try zip.contents(of: name) == bytes) }
            #expect(throws: WorldModelError.self) { try zip.contents(of: "missing") }
        }
    }

    @Test(.enabled(if: DatasetFixture.hasNumPy, "needs python3 with numpy on PATH"))
    func pythonZipfileReadsWhatWeWrite() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let (path, _) = try archive(in: folder, compress: true)
        let out = try #require(DatasetFixture.python("""
            import zipfile; z = zipfile.ZipFile('\(path)'); assert z.testzip() is None
            print(z.namelist(), len(z.read('a.bin')), z.read('dir/b.txt').decode())
            """))
        #expect(out == "['a.bin', 'dir/b.txt', 'empty'] 3000 hello zip\n")
    }

    @Test func damagedArchivesAreOneLineErrorsNamingTheFile() throws {
        let folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let (path, _) = try archive(in: folder, compress: true)
        let good = try DatasetFixture.bytes(path)
        func message(_ bytes: [UInt8], entry: String = "a.bin") throws -> String {
            let damaged = folder + "/damaged.zip"
            try DatasetFixture.writeBytes(bytes, to: damaged)
            do {
                _ = try ZipArchiveReader(path: damaged).contents(of: entry)
                return "no error"
            } catch let error as WorldModelError {
                #expect(error.description.hasPrefix(damaged + ": "))
                return error.message
            }
        }
        #expect(try message(Array("just some text, not a zip at all".utf8)).hasPrefix("not a zip archive"))
        #expect(try message(Array(good.prefix(good.count / 2))).hasPrefix("truncated zip archive"))
        var flipped = good
        flipped[40] ^= 0xFF  // inside a.bin's deflated data
        #expect(try message(flipped).hasPrefix("entry a.bin: "))
        #expect(try message([]).hasPrefix("not a zip archive"))
    }
}
