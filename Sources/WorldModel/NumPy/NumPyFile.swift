/// The `.npy` file format (NumPy's `numpy.lib.format`, versions 1.0, 2.0 and 3.0) for ``NumPyArray``.
///
/// A file is: the magic `\x93NUMPY`, a major and minor version byte, the header length (UInt16 in 1.0,
/// UInt32 in 2.0 and 3.0), an ASCII Python dict literal such as
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (4, 151), }` padded with spaces and a newline so the data
/// starts at a multiple of 64 bytes, then the raw elements in C order.
///
/// ```swift
/// let bytes = NumPyFile.encode(NumPyArray(int32s: [1, 2, 3], shape: [3]))
/// let array = try NumPyFile.decode(bytes, file: "split.npy")   // dtype .int32, shape [3]
/// ```
public enum NumPyFile {
    static let magic: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]  // \x93NUMPY

    /// A complete `.npy` file for `array`: version 1.0 unless the header needs 2.0.
    public static func encode(_ array: NumPyArray) -> [UInt8] {
        let shape: String
        switch array.shape.count {
        case 0: shape = "()"
        case 1: shape = "(\(array.shape[0]),)"
        default: shape = "(" + array.shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dict = "{'descr': '\(array.dtype.descr)', 'fortran_order': False, 'shape': \(shape), }"
        let small = 6 + 2 + 2 + dict.utf8.count + 1 < 65_536
        let prefix = small ? 10 : 12
        let padding = (64 - (prefix + dict.utf8.count + 1) % 64) % 64
        dict += String(repeating: " ", count: padding) + "\n"
        var out = magic
        out.reserveCapacity(prefix + dict.utf8.count + array.bytes.count)
        let length = dict.utf8.count
        if small {
            out += [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)]
        } else {
            out += [2, 0] + (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) }
        }
        out += dict.utf8
        out += array.bytes
        return out
    }

    /// Parses a `.npy` file; errors name `file`. Refuses Fortran order, big-endian and unknown dtypes.
    public static func decode(_ bytes: [UInt8], file: String? = nil) throws -> NumPyArray {
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: file, message) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else { throw fail("not a .npy file (bad magic)") }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("truncated .npy header") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail(".npy format version \(major).\(bytes[7]) is not supported (1.0, 2.0, 3.0 are)")
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("truncated .npy header") }
        guard let header = String(validating: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self) else {
            throw fail(".npy header is not text")
        }
        let fields = try parseHeader(header, fail)
        guard let dtype = NumPyDType(descr: fields.descr) else {
            throw fail("dtype '\(fields.descr)' is not supported (<f4 <f8 |i1 <i2 <i4 <i8 |u1 <u8 |b1 <U..)")
        }
        guard !fields.fortranOrder else { throw fail("Fortran-order arrays are not supported; save with C order") }
        let dataStart = headerStart + headerLength
        let (count, overflow) = fields.shape.reduce((1, false)) { acc, d in
            let (p, o) = acc.0.multipliedReportingOverflow(by: d)
            return (p, acc.1 || o)
        }
        let (byteCount, overflow2) = count.multipliedReportingOverflow(by: dtype.itemSize)
        guard !overflow, !overflow2 else { throw fail("shape \(fields.shape) is too large") }
        guard bytes.count - dataStart == byteCount else {
            throw fail("holds \(bytes.count - dataStart) data bytes, shape \(fields.shape) of \(fields.descr) needs \(byteCount)")
        }
        return NumPyArray(dtype: dtype, shape: fields.shape, bytes: Array(bytes[dataStart...]))
    }

    /// Reads the three keys of the header dict; the dict is a Python literal, parsed just enough for NumPy's own output.
    private static func parseHeader(_ text: String, _ fail: (String) -> WorldModelError) throws
        -> (descr: String, fortranOrder: Bool, shape: [Int]) {
        func value(after key: String) throws -> Substring {
            guard let keyRange = text.firstRange(of: "'\(key)'") ?? text.firstRange(of: "\"\(key)\"") else {
                throw fail(".npy header lacks '\(key)'")
            }
            var rest = text[keyRange.upperBound...].drop { $0 == " " }
            guard rest.first == ":" else { throw fail(".npy header is malformed near '\(key)'") }
            rest = rest.dropFirst().drop { $0 == " " }
            return rest
        }
        let descrText = try value(after: "descr")
        guard let quote = descrText.first, quote == "'" || quote == "\"",
              let end = descrText.dropFirst().firstIndex(of: quote) else {
            throw fail(".npy descr is not a simple type string (structured dtypes are not supported)")
        }
        let descr = String(descrText[descrText.index(after: descrText.startIndex)..<end])
        let fortran = try value(after: "fortran_order")
        let fortranOrder: Bool
        if fortran.hasPrefix("False") { fortranOrder = false } else if fortran.hasPrefix("True") { fortranOrder = true } else {
            throw fail(".npy header has a malformed fortran_order")
        }
        let shapeText = try value(after: "shape")
        guard shapeText.first == "(", let close = shapeText.firstIndex(of: ")") else { throw fail(".npy header has a malformed shape") }
        let inner = shapeText[shapeText.index(after: shapeText.startIndex)..<close]
        var shape: [Int] = []
        for part in inner.split(separator: ",") {
            let trimmed = part.filter { $0 != " " && $0 != "L" }
            if trimmed.isEmpty { continue }
            guard let d = Int(trimmed), d >= 0 else { throw fail(".npy header has a malformed shape (\(inner))") }
            shape.append(d)
        }
        return (descr, fortranOrder, shape)
    }
}
