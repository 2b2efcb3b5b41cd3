/// Reads the entries of a zip archive (PKWARE APPNOTE): stored or deflated, with zip64 sizes and offsets.
///
/// The central directory at the end of the file is the truth for names, sizes and offsets (NumPy's writer leaves
/// placeholder sizes in local headers); each entry's data is found through its local header and checked against its
/// CRC-32. Every problem is one ``WorldModelError`` naming the archive (and the entry).
///
/// ```swift
/// let zip = try ZipArchiveReader(path: "sample.npz")
/// for name in zip.entryNames { print(name) }
/// let bytes = try zip.contents(of: "box_pos.npy")
/// ```
public struct ZipArchiveReader {
    /// One central-directory record.
    struct Entry {
        var name: String
        var method: UInt16
        var crc: UInt32
        var compressedSize: Int
        var uncompressedSize: Int
        var localHeaderOffset: Int
    }

    public let path: String
    private let bytes: [UInt8]
    private let entries: [Entry]

    /// Entry names in directory order.
    public var entryNames: [String] { entries.map(\.name) }

    /// Reads the archive and its central directory.
    public init(path: String) throws {
        self.path = path
        bytes = try FileBytes.read(path)
        entries = try Self.readDirectory(bytes, path)
    }

    private static func readDirectory(_ bytes: [UInt8], _ path: String) throws -> [Entry] {
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: path, message) }
        let startsLikeZip = bytes.count >= 2 && bytes[0] == 0x50 && bytes[1] == 0x4B
        guard bytes.count >= 22 else {
            throw fail(startsLikeZip ? "truncated zip archive (\(bytes.count) bytes)"
                                     : "not a zip archive (\(bytes.count) bytes, too short)")
        }
        // The end-of-central-directory record: signature PK\5\6, within the last 22 + 65535 bytes.
        var eocd = -1
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 65_535)
        while i >= lowest {
            if bytes[i] == 0x50, bytes[i + 1] == 0x4B, bytes[i + 2] == 5, bytes[i + 3] == 6 { eocd = i; break }
            i -= 1
        }
        guard eocd >= 0 else {
            throw fail(startsLikeZip ? "truncated zip archive (no end-of-central-directory record)"
                                     : "not a zip archive (no end-of-central-directory record)")
        }
        var reader = ByteReader(bytes, file: path, offset: eocd + 10)
        var entryCount = Int(try reader.readUInt16())
        _ = try reader.readUInt32()  // directory size
        var directoryOffset = Int(try reader.readUInt32())
        if entryCount == 0xFFFF || directoryOffset == 0xFFFF_FFFF {
            // zip64: a locator just before the record points to the zip64 end-of-central-directory record.
            var locator = ByteReader(bytes, file: path, offset: max(0, eocd - 20))
            guard eocd >= 20, try locator.readUInt32() == 0x0706_4B50 else {
                throw fail("zip64 archive without a zip64 locator")
            }
            locator.offset = eocd - 12
            let record = Int(clamping: try locator.readUInt64())
            var zip64 = ByteReader(bytes, file: path, offset: record)
            guard try zip64.readUInt32() == 0x0606_4B50 else { throw fail("bad zip64 end-of-central-directory record") }
            zip64.offset += 20
            entryCount = Int(clamping: try zip64.readUInt64())
            zip64.offset += 8
            directoryOffset = Int(clamping: try zip64.readUInt64())
        }
        var entries: [Entry] = []
        var directory = ByteReader(bytes, file: path, offset: directoryOffset)
        for index in 0..<entryCount {
            guard directory.offset <= bytes.count - 46, try directory.readUInt32() == 0x0201_4B50 else {
                throw fail("zip central directory entry \(index) is damaged")
            }
            directory.offset += 6
            let method = try directory.readUInt16()
            directory.offset += 4
            let crc = try directory.readUInt32()
            var compressed = Int(try directory.readUInt32())
            var uncompressed = Int(try directory.readUInt32())
            let nameLength = Int(try directory.readUInt16())
            let extraLength = Int(try directory.readUInt16())
            let commentLength = Int(try directory.readUInt16())
            directory.offset += 8
            var localOffset = Int(try directory.readUInt32())
            let name = String(decoding: try directory.readBytes(nameLength, "entry name"), as: UTF8.self)
            var extra = ByteReader(Array(try directory.readBytes(extraLength, "extra field")), file: path)
            while extra.remaining >= 4 {
                let tag = try extra.readUInt16()
                let size = Int(try extra.readUInt16())
                guard tag == 0x0001 else { extra.offset += size; continue }
                // The zip64 extra field holds, in order, only the values whose 32-bit fields are saturated.
                if uncompressed == 0xFFFF_FFFF { uncompressed = Int(clamping: try extra.readUInt64()) }
                if compressed == 0xFFFF_FFFF { compressed = Int(clamping: try extra.readUInt64()) }
                if localOffset == 0xFFFF_FFFF { localOffset = Int(clamping: try extra.readUInt64()) }
                break
            }
            directory.offset += commentLength
            entries.append(Entry(name: name, method: method, crc: crc, compressedSize: compressed,
                                 uncompressedSize: uncompressed, localHeaderOffset: localOffset))
        }
        return entries
    }

    /// The uncompressed bytes of the entry `name`, checked against its CRC-32.
    public func contents(of name: String) throws -> [UInt8] {
        guard let entry = entries.first(where: { $0.name == name }) else {
            throw WorldModelError(file: path, "no entry '\(name)' in the archive")
        }
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: path, "entry \(name): \(message)") }
        var local = ByteReader(bytes, file: path, offset: entry.localHeaderOffset)
        guard entry.localHeaderOffset <= bytes.count - 30, try local.readUInt32() == 0x0403_4B50 else {
            throw fail("bad local header (truncated or damaged archive)")
        }
        local.offset = entry.localHeaderOffset + 26
        let nameLength = Int(try local.readUInt16())
        let extraLength = Int(try local.readUInt16())
        let start = entry.localHeaderOffset + 30 + nameLength + extraLength
        guard entry.compressedSize >= 0, entry.compressedSize <= bytes.count - start else {
            throw fail("data runs past the end of the file (truncated archive)")
        }
        let stored = bytes[start..<(start + entry.compressedSize)]
        let data: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else { throw fail("stored entry with mismatched sizes") }
            data = Array(stored)
        case 8:
            do {
                data = try RawDeflate.decompress(stored, expectedCount: entry.uncompressedSize)
            } catch let error as WorldModelError {
                throw fail(error.message)
            }
        default:
            throw fail("compression method \(entry.method) is not supported (stored and deflate are)")
        }
        guard CRC32.checksum(data) == entry.crc else { throw fail("CRC-32 mismatch (corrupted archive)") }
        return data
    }
}

extension ByteReader {
    mutating func readUInt16(_ what: String = "UInt16") throws -> UInt16 {
        let pair = try readBytes(2, what)
        return UInt16(pair[pair.startIndex]) | UInt16(pair[pair.startIndex + 1]) << 8
    }
}
