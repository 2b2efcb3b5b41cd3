/// A bounds-checked little-endian reader over bytes in memory; every overrun is an error naming the file.
public struct ByteReader {
    public let bytes: [UInt8]
    public var offset: Int
    /// The file the bytes came from, for error messages.
    public let file: String?

    public init(_ bytes: [UInt8], file: String? = nil, offset: Int = 0) {
        self.bytes = bytes
        self.file = file
        self.offset = offset
    }

    public var remaining: Int { bytes.count - offset }

    private mutating func need(_ n: Int, _ what: String) throws {
        guard n >= 0, offset >= 0, offset <= bytes.count, n <= bytes.count - offset else {
            throw WorldModelError(file: file, "truncated: \(what) needs \(n) bytes at offset \(offset), \(remaining) left")
        }
    }

    public mutating func readUInt32(_ what: String = "UInt32") throws -> UInt32 {
        try need(4, what)
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) << (8 * UInt32(i)) }
        offset += 4
        return v
    }

    public mutating func readUInt64(_ what: String = "UInt64") throws -> UInt64 {
        try need(8, what)
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) << (8 * UInt64(i)) }
        offset += 8
        return v
    }

    public mutating func readBytes(_ n: Int, _ what: String = "bytes") throws -> ArraySlice<UInt8> {
        try need(n, what)
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }

    /// Reads `count` float32 values (little-endian).
    public mutating func readFloats(_ count: Int, _ what: String = "floats") throws -> [Float] {
        try need(count < 0 ? -1 : ResourceBudget.product(count, 4), what)
        var out = [Float](repeating: 0, count: count)
        out.withUnsafeMutableBytes { dst in
            bytes.withUnsafeBytes { src in
                dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: src[offset..<(offset + count * 4)]))
            }
        }
        offset += count * 4
        return out
    }
}

/// Appends little-endian values to a byte array.
public struct ByteWriter {
    public private(set) var bytes: [UInt8] = []

    public init() {}

    public mutating func append(_ v: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }

    public mutating func append(_ v: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) }
    }

    public mutating func append<S: Sequence>(contentsOf s: S) where S.Element == UInt8 {
        bytes.append(contentsOf: s)
    }

    public mutating func append(_ values: [Float]) {
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }
}
