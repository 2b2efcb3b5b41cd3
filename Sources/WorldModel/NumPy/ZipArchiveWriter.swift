/// Writes a zip archive entry by entry (stored or deflated), atomically: nothing appears at `path` until
/// ``finish()``. Timestamps are fixed (1980-01-01 00:00), so the same entries give the same bytes.
///
/// Entries and the archive are limited to 4 GiB (no zip64 on writing); a larger entry is an error, not a bad file.
///
/// ```swift
/// let zip = try ZipArchiveWriter(path: "out.npz")
/// try zip.add(name: "x.npy", contents: NumPyFile.encode(array), compress: true)
/// try zip.finish()
/// ```
public final class ZipArchiveWriter {
    private let file: AtomicFileWriter
    private var directory = ByteWriter()
    private var entryCount = 0

    public var path: String { file.path }

    public init(path: String) throws {
        file = try AtomicFileWriter(path: path)
    }

    /// Appends one entry.
    public func add(name: String, contents: [UInt8], compress: Bool) throws {
        let stored = compress ? try RawDeflate.compress(contents) : contents
        let offset = file.bytesWritten
        guard contents.count < 0xFFFF_FFFF, stored.count < 0xFFFF_FFFF, offset < 0xFFFF_FFFF, entryCount < 0xFFFF else {
            throw WorldModelError(file: path, "entry \(name) does not fit a zip archive without zip64 (over 4 GiB)")
        }
        let crc = CRC32.checksum(contents)
        let nameBytes = Array(name.utf8)
        let method: UInt16 = compress ? 8 : 0
        // Fields shared by the local header and the central directory record, from "version needed" on.
        var common = ByteWriter()
        common.append16(20)                   // version needed: 2.0
        common.append16(0x0800)               // flags: UTF-8 names
        common.append16(method)
        common.append16(0)                    // time 00:00:00
        common.append16(0x21)                 // date 1980-01-01
        common.append(crc)
        common.append(UInt32(stored.count))
        common.append(UInt32(contents.count))
        common.append16(UInt16(nameBytes.count))
        common.append16(0)                    // extra field length

        var local = ByteWriter()
        local.append(UInt32(0x0403_4B50))
        local.append(contentsOf: common.bytes)
        local.append(contentsOf: nameBytes)
        try file.write(local.bytes)
        try file.write(stored)

        directory.append(UInt32(0x0201_4B50))
        directory.append16(0x031E)             // made by: Unix, 3.0
        directory.append(contentsOf: common.bytes)
        directory.append16(0)                  // comment length
        directory.append16(0)                  // disk number
        directory.append16(0)                  // internal attributes
        directory.append(UInt32(0o100644) << 16)  // external attributes: a regular file, rw-r--r--
        directory.append(UInt32(offset))
        directory.append(contentsOf: nameBytes)
        entryCount += 1
    }

    /// Writes the central directory and renames the archive into place.
    public func finish() throws {
        let directoryOffset = file.bytesWritten
        guard directoryOffset < 0xFFFF_FFFF else {
            throw WorldModelError(file: path, "archive over 4 GiB needs zip64, which wm does not write")
        }
        var end = ByteWriter()
        end.append(UInt32(0x0605_4B50))
        end.append16(0)
        end.append16(0)
        end.append16(UInt16(entryCount))
        end.append16(UInt16(entryCount))
        end.append(UInt32(directory.bytes.count))
        end.append(UInt32(directoryOffset))
        end.append16(0)
        try file.write(directory.bytes)
        try file.write(end.bytes)
        try file.commit()
    }
}

extension ByteWriter {
    mutating func append16(_ v: UInt16) {
        append(contentsOf: [UInt8(v & 0xFF), UInt8(v >> 8)])
    }
}
