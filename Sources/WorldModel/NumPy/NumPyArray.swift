/// The element types wm reads and writes in `.npy` files, named by their NumPy `descr` string.
public enum NumPyDType: Sendable, Equatable {
    case float32, float64, int8, int16, int32, int64, uint8, uint64, bool
    /// Fixed-length unicode strings of `length` characters (`<U5`), stored as UTF-32LE, NUL-padded.
    case unicode(length: Int)

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .int8, .uint8, .bool: 1
        case .int16: 2
        case .float32, .int32: 4
        case .float64, .int64, .uint64: 8
        case .unicode(let length): 4 * length
        }
    }

    /// The NumPy `descr` string, e.g. `<f4`.
    public var descr: String {
        switch self {
        case .float32: "<f4"
        case .float64: "<f8"
        case .int8: "|i1"
        case .int16: "<i2"
        case .int32: "<i4"
        case .int64: "<i8"
        case .uint8: "|u1"
        case .uint64: "<u8"
        case .bool: "|b1"
        case .unicode(let length): "<U\(length)"
        }
    }

    /// Parses a `descr` string; nil for types wm does not read (big-endian, complex, objects, ...).
    public init?(descr: String) {
        var text = Substring(descr)
        if let first = text.first, first == "<" || first == "|" || first == "=" { text = text.dropFirst() }
        switch text {
        case "f4": self = .float32
        case "f8": self = .float64
        case "i1": self = .int8
        case "i2": self = .int16
        case "i4": self = .int32
        case "i8": self = .int64
        case "u1": self = .uint8
        case "u8": self = .uint64
        case "b1": self = .bool
        default:
            guard text.first == "U", let length = Int(text.dropFirst()), length >= 0 else { return nil }
            self = .unicode(length: length)
        }
    }

    var isNumeric: Bool {
        if case .unicode = self { return false }
        return true
    }
}

/// An n-dimensional NumPy array held as its raw little-endian bytes, C order.
///
/// Build one from Swift values, or get one from ``NumPyFile/decode(_:file:)``, then ask for the values in the
/// type you need; numeric dtypes convert (an `int16` array reads as `[Int]` or `[Float]`).
///
/// ```swift
/// let positions = NumPyArray(floats: [0, 0, 0.025], shape: [1, 3])
/// let bytes = NumPyFile.encode(positions)                // a complete .npy file
/// let back = try NumPyFile.decode(bytes, file: "p.npy")
/// let values = try back.floats()                         // [0, 0, 0.025]
/// ```
public struct NumPyArray: Sendable, Equatable {
    public var dtype: NumPyDType
    /// The shape; `[]` for a scalar (one element).
    public var shape: [Int]
    /// `elementCount * dtype.itemSize` bytes, little-endian, C (row-major) order.
    public var bytes: [UInt8]

    /// The number of elements (1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }

    public init(dtype: NumPyDType, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public init(floats: [Float], shape: [Int]) {
        self.init(dtype: .float32, shape: shape, bytes: floats.withUnsafeBytes { Array($0) })
    }

    public init(doubles: [Double], shape: [Int]) {
        self.init(dtype: .float64, shape: shape, bytes: doubles.withUnsafeBytes { Array($0) })
    }

    public init(int16s: [Int16], shape: [Int]) {
        self.init(dtype: .int16, shape: shape, bytes: int16s.withUnsafeBytes { Array($0) })
    }

    public init(int32s: [Int32], shape: [Int]) {
        self.init(dtype: .int32, shape: shape, bytes: int32s.withUnsafeBytes { Array($0) })
    }

    public init(int64s: [Int64], shape: [Int]) {
        self.init(dtype: .int64, shape: shape, bytes: int64s.withUnsafeBytes { Array($0) })
    }

    public init(uint64s: [UInt64], shape: [Int]) {
        self.init(dtype: .uint64, shape: shape, bytes: uint64s.withUnsafeBytes { Array($0) })
    }

    /// A scalar unicode string (`<U n`, shape `()`), as `np.array("text")` makes.
    public init(string: String) {
        self.init(strings: [string], shape: [])
    }

    /// Unicode strings, padded with NUL to the longest (at least one character, as NumPy does).
    public init(strings: [String], shape: [Int]) {
        let scalars = strings.map { Array($0.unicodeScalars) }
        let length = max(1, scalars.map(\.count).max() ?? 0)
        var out = [UInt8]()
        out.reserveCapacity(strings.count * length * 4)
        for s in scalars {
            for i in 0..<length {
                let v = i < s.count ? s[i].value : 0
                for b in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(b)))) }
            }
        }
        self.init(dtype: .unicode(length: length), shape: shape, bytes: out)
    }

    private func load<T>(_ type: T.Type, _ index: Int) -> T {
        bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index * MemoryLayout<T>.size, as: T.self) }
    }

    private func typeError(_ wanted: String) -> WorldModelError {
        WorldModelError("has dtype \(dtype.descr), expected \(wanted)")
    }

    /// The elements as Double, converted from any numeric dtype.
    public func doubles() throws -> [Double] {
        let n = elementCount
        switch dtype {
        case .float32: return (0..<n).map { Double(load(Float.self, $0)) }
        case .float64: return (0..<n).map { load(Double.self, $0) }
        case .int8: return (0..<n).map { Double(load(Int8.self, $0)) }
        case .int16: return (0..<n).map { Double(load(Int16.self, $0)) }
        case .int32: return (0..<n).map { Double(load(Int32.self, $0)) }
        case .int64: return (0..<n).map { Double(load(Int64.self, $0)) }
        case .uint8, .bool: return bytes.map { Double($0) }
        case .uint64: return (0..<n).map { Double(load(UInt64.self, $0)) }
        case .unicode: throw typeError("a number")
        }
    }

    /// The elements as Float, converted from any numeric dtype (exact for `<f4`).
    public func floats() throws -> [Float] {
        if dtype == .float32 {
            return [Float](unsafeUninitializedCapacity: elementCount) { buffer, count in
                bytes.withUnsafeBytes { src in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: src)
                }
                count = elementCount
            }
        }
        return try doubles().map { Float($0) }
    }

    /// The elements as Int64, from integer or boolean dtypes only (floats are refused, not rounded).
    public func integers() throws -> [Int64] {
        let n = elementCount
        switch dtype {
        case .int8: return (0..<n).map { Int64(load(Int8.self, $0)) }
        case .int16: return (0..<n).map { Int64(load(Int16.self, $0)) }
        case .int32: return (0..<n).map { Int64(load(Int32.self, $0)) }
        case .int64: return (0..<n).map { load(Int64.self, $0) }
        case .uint8, .bool: return bytes.map { Int64($0) }
        case .uint64: return (0..<n).map { Int64(bitPattern: load(UInt64.self, $0)) }
        case .float32, .float64, .unicode: throw typeError("an integer type")
        }
    }

    /// The elements of a unicode array as strings, trailing NULs removed.
    public func strings() throws -> [String] {
        guard case .unicode(let length) = dtype else { throw typeError("a unicode string (<U...)") }
        return try (0..<elementCount).map { i in
            var text = String.UnicodeScalarView()
            for c in 0..<length {
                let v = load(UInt32.self, i * length + c)
                if v == 0 { break }
                guard let scalar = Unicode.Scalar(v) else { throw WorldModelError("holds an invalid unicode scalar \(v)") }
                text.append(scalar)
            }
            return String(text)
        }
    }
}
