import FoundationEssentials

/// Element types a ``SafetensorsFile`` holds: float32 weights and integer index data.
public enum SafetensorsDType: String, Sendable, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case i8 = "I8"
    case i32 = "I32"
    case i64 = "I64"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .i8: return 1
        case .f16: return 2
        case .f32, .i32: return 4
        case .i64: return 8
        }
    }
}

/// One named tensor: dtype, shape and raw little-endian bytes (row-major).
public struct SafetensorsTensor: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// `shape.product * dtype.size` bytes, little-endian.
    public var bytes: [UInt8]

    /// A float32 tensor.
    public init(name: String, shape: [Int], floats: [Float]) {
        precondition(shape.reduce(1, *) == floats.count, "SafetensorsTensor: shape does not match value count")
        self.init(name: name, dtype: .f32, shape: shape, bytes: floats.withUnsafeBytes { Array($0) })
    }

    /// A float16 tensor (IEEE half precision, as NumPy's float16 and PyTorch's torch.float16).
    public init(name: String, shape: [Int], halves: [Float16]) {
        precondition(shape.reduce(1, *) == halves.count, "SafetensorsTensor: shape does not match value count")
        self.init(name: name, dtype: .f16, shape: shape, bytes: halves.withUnsafeBytes { Array($0) })
    }

    /// An int8 tensor.
    public init(name: String, shape: [Int], int8s: [Int8]) {
        precondition(shape.reduce(1, *) == int8s.count, "SafetensorsTensor: shape does not match value count")
        self.init(name: name, dtype: .i8, shape: shape, bytes: int8s.withUnsafeBytes { Array($0) })
    }

    /// An int32 tensor (for index data).
    public init(name: String, shape: [Int], int32s: [Int32]) {
        precondition(shape.reduce(1, *) == int32s.count, "SafetensorsTensor: shape does not match value count")
        self.init(name: name, dtype: .i32, shape: shape, bytes: int32s.withUnsafeBytes { Array($0) })
    }

    /// An int64 tensor (for index data).
    public init(name: String, shape: [Int], int64s: [Int64]) {
        precondition(shape.reduce(1, *) == int64s.count, "SafetensorsTensor: shape does not match value count")
        self.init(name: name, dtype: .i64, shape: shape, bytes: int64s.withUnsafeBytes { Array($0) })
    }

    public init(name: String, dtype: SafetensorsDType, shape: [Int], bytes: [UInt8]) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }

    /// The values as float32 (`dtype` must be `.f32`).
    public var floats: [Float] { values(Float.self, .f32) }
    /// The values as float16 (`dtype` must be `.f16`).
    public var halves: [Float16] { values(Float16.self, .f16) }
    /// The values as int8 (`dtype` must be `.i8`).
    public var int8s: [Int8] { values(Int8.self, .i8) }
    /// The values as int32 (`dtype` must be `.i32`).
    public var int32s: [Int32] { values(Int32.self, .i32) }
    /// The values as int64 (`dtype` must be `.i64`).
    public var int64s: [Int64] { values(Int64.self, .i64) }

    private func values<T>(_: T.Type, _ expected: SafetensorsDType) -> [T] {
        precondition(dtype == expected, "SafetensorsTensor \(name) is \(dtype.rawValue), not \(expected.rawValue)")
        return [T](unsafeUninitializedCapacity: elementCount) { buffer, count in
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            count = elementCount
        }
    }
}

/// A file in the Hugging Face safetensors format: an 8-byte little-endian header length `N`, `N` bytes of
/// JSON header, then the tensors' raw bytes back to back.
///
/// Header: `{"__metadata__": {string: string}, NAME: {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ...}`
/// with offsets relative to the end of the header. The writer pads the header with spaces to a multiple
/// of 8 bytes and lays tensors out contiguously in order. The reader checks everything it relies on (header
/// length, JSON, dtypes, offsets in range, contiguous and non-overlapping, shape times dtype size equal to
/// byte count, exact file length, finite floats) and reports any failure as one ``WorldModelError`` naming the file.
///
/// ```swift
/// var file = SafetensorsFile(metadata: ["format_version": "1"])
/// file.tensors.append(SafetensorsTensor(name: "w", shape: [2, 2], floats: [1, 2, 3, 4]))
/// try file.write(to: "/tmp/m.safetensors")
/// let back = try SafetensorsFile.read("/tmp/m.safetensors")
/// try back.expect(["w": [2, 2]], file: "/tmp/m.safetensors")
/// ```
public struct SafetensorsFile: Sendable, Equatable {
    /// The `__metadata__` string map.
    public var metadata: [String: String]
    /// Tensors in file order.
    public var tensors: [SafetensorsTensor]

    public init(metadata: [String: String] = [:], tensors: [SafetensorsTensor] = []) {
        self.metadata = metadata
        self.tensors = tensors
    }

    /// The tensor called `name`, if any.
    public func tensor(named name: String) -> SafetensorsTensor? {
        tensors.first { $0.name == name }
    }

    /// The header JSON, padded with spaces to a multiple of 8 bytes.
    public func headerBytes() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        func quoted(_ s: String) throws -> String { String(decoding: try encoder.encode(s), as: UTF8.self) }
        var parts: [String] = []
        if !metadata.isEmpty {
            parts.append("\"__metadata__\":" + String(decoding: try encoder.encode(metadata), as: UTF8.self))
        }
        var offset = 0
        var seen = Set<String>()
        for tensor in tensors {
            guard tensor.name != "__metadata__", seen.insert(tensor.name).inserted else {
                throw WorldModelError("safetensors: duplicate or reserved tensor name \(tensor.name)")
            }
            guard tensor.bytes.count == tensor.elementCount * tensor.dtype.size else {
                throw WorldModelError("safetensors: tensor \(tensor.name) has \(tensor.bytes.count) bytes for shape \(tensor.shape)")
            }
            let end = offset + tensor.bytes.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            parts.append(try quoted(tensor.name) + ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        while header.count % 8 != 0 { header.append(0x20) }
        return header
    }

    /// Writes the file atomically (temporary file, then rename).
    public func write(to path: String) throws {
        let header: [UInt8]
        do { header = try headerBytes() } catch let error as WorldModelError { throw WorldModelError(file: path, error.message) }
        let writer = try AtomicFileWriter(path: path)
        var length = ByteWriter()
        length.append(UInt64(header.count))
        try writer.write(length.bytes)
        try writer.write(header)
        for tensor in tensors { try writer.write(tensor.bytes) }
        try writer.commit()
    }

    /// Reads and validates a file.
    public static func read(_ path: String) throws -> SafetensorsFile {
        try parse(try FileBytes.read(path), file: path)
    }

    /// Parses and validates the bytes of a safetensors file; errors name `file`.
    public static func parse(_ bytes: [UInt8], file: String?) throws -> SafetensorsFile {
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: file, "not a valid safetensors file: " + message) }
        var reader = ByteReader(bytes, file: file)
        guard bytes.count >= 8 else { throw fail("\(bytes.count) bytes, shorter than the 8-byte header length") }
        let headerLength = try reader.readUInt64("header length")
        guard headerLength >= 2, headerLength <= 100_000_000, headerLength <= UInt64(bytes.count - 8) else {
            throw fail("header length \(headerLength) does not fit a file of \(bytes.count) bytes (truncated or corrupted)")
        }
        let headerData = Data(try reader.readBytes(Int(headerLength), "header"))
        guard headerData.first == UInt8(ascii: "{") else { throw fail("header does not start with '{'") }
        let entries: [String: HeaderValue]
        do {
            entries = try JSONDecoder().decode([String: HeaderValue].self, from: headerData)
        } catch {
            throw fail("header is not valid JSON of the expected form")
        }
        var metadata: [String: String] = [:]
        var located: [(name: String, dtype: SafetensorsDType, shape: [Int], begin: Int, end: Int)] = []
        for (name, value) in entries {
            switch value {
            case .metadata(let map):
                guard name == "__metadata__" else { throw fail("entry \(name) is not a tensor") }
                metadata = map
            case .tensor(let entry):
                guard name != "__metadata__" else { throw fail("__metadata__ is not a string map") }
                guard let dtype = SafetensorsDType(rawValue: entry.dtype) else { throw fail("tensor \(name) has unsupported dtype \(entry.dtype)") }
                guard entry.data_offsets.count == 2 else { throw fail("tensor \(name) data_offsets must have two entries") }
                guard entry.shape.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else { throw fail("tensor \(name) has a bad shape \(entry.shape)") }
                let (begin, end) = (entry.data_offsets[0], entry.data_offsets[1])
                var byteCount = dtype.size
                for d in entry.shape {
                    let (product, overflow) = byteCount.multipliedReportingOverflow(by: d)
                    guard !overflow else { throw fail("tensor \(name) shape \(entry.shape) is too large") }
                    byteCount = product
                }
                guard begin >= 0, end >= begin, end - begin == byteCount else {
                    throw fail("tensor \(name) of shape \(entry.shape) \(dtype.rawValue) has byte range \(begin)..<\(end)")
                }
                located.append((name, dtype, entry.shape, begin, end))
            }
        }
        located.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let dataStart = 8 + Int(headerLength)
        let dataLength = bytes.count - dataStart
        var expected = 0
        for t in located {
            guard t.begin == expected else {
                throw fail(t.begin < expected ? "tensor \(t.name) overlaps the previous tensor" : "gap before tensor \(t.name) at data offset \(expected)")
            }
            expected = t.end
        }
        guard expected == dataLength else {
            throw fail(expected > dataLength
                ? "truncated: tensors need \(expected) data bytes, file has \(dataLength)"
                : "\(dataLength - expected) unexpected bytes after the last tensor")
        }
        var tensors: [SafetensorsTensor] = []
        tensors.reserveCapacity(located.count)
        for t in located {
            let slice = Array(bytes[(dataStart + t.begin)..<(dataStart + t.end)])
            let tensor = SafetensorsTensor(name: t.name, dtype: t.dtype, shape: t.shape, bytes: slice)
            let finite: Bool
            switch t.dtype {
            case .f32: finite = slice.withUnsafeBytes { $0.bindMemory(to: Float.self).allSatisfy(\.isFinite) }
            case .f16: finite = slice.withUnsafeBytes { $0.bindMemory(to: Float16.self).allSatisfy(\.isFinite) }
            default: finite = true
            }
            guard finite else { throw WorldModelError(file: file, "tensor \(t.name) contains NaN or infinite values") }
            tensors.append(tensor)
        }
        return SafetensorsFile(metadata: metadata, tensors: tensors)
    }

    /// Checks that the file holds exactly the tensors in `shapes` (name to shape), no more, no fewer.
    public func expect(_ shapes: [String: [Int]], file: String?) throws {
        for (name, shape) in shapes.sorted(by: { $0.key < $1.key }) {
            guard let tensor = tensor(named: name) else {
                throw WorldModelError(file: file, "checkpoint lacks tensor \(name) (architecture mismatch)")
            }
            guard tensor.shape == shape else {
                throw WorldModelError(file: file, "tensor \(name) has shape \(tensor.shape), architecture needs \(shape)")
            }
        }
        if let extra = tensors.map(\.name).sorted().first(where: { shapes[$0] == nil }) {
            throw WorldModelError(file: file, "checkpoint has unexpected tensor \(extra) (architecture mismatch)")
        }
    }
}

/// A top-level header entry: the metadata map or a tensor description.
private enum HeaderValue: Decodable {
    struct Entry: Decodable {
        var dtype: String
        var shape: [Int]
        var data_offsets: [Int]
    }

    case metadata([String: String])
    case tensor(Entry)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let entry = try? container.decode(Entry.self) {
            self = .tensor(entry)
        } else {
            self = .metadata(try container.decode([String: String].self))
        }
    }
}
