import CZlib

/// Raw deflate streams (RFC 1951, no zlib or gzip wrapper), as zip entries store them; zlib does the work.
///
/// ```swift
/// let packed = try RawDeflate.compress(bytes)
/// let unpacked = try RawDeflate.decompress(packed, expectedCount: bytes.count)
/// ```
public enum RawDeflate {
    /// Compresses with zlib's default level; the same bytes and zlib version give the same output.
    public static func compress(_ input: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        guard deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY,
                            zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw WorldModelError("zlib deflateInit2 failed")
        }
        defer { deflateEnd(&stream) }
        let bound = Int(deflateBound(&stream, uLong(input.count)))
        var output = [UInt8](repeating: 0, count: bound)
        var input = input
        let status = finish(&stream, input: &input, output: &output) { deflate(&$0, Z_FINISH) }
        guard status == Z_STREAM_END else { throw WorldModelError("zlib deflate failed (\(status))") }
        output.removeLast(Int(stream.avail_out))
        return output
    }

    /// Inflates a raw deflate stream that must produce exactly `expectedCount` bytes.
    public static func decompress(_ input: ArraySlice<UInt8>, expectedCount: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -15, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw WorldModelError("zlib inflateInit2 failed")
        }
        defer { inflateEnd(&stream) }
        // Deflate expands at most 1032:1, so a larger claim is a damaged directory, not a reason to allocate it.
        guard expectedCount >= 0, expectedCount <= 1032 * input.count + 64, expectedCount <= Int(UInt32.max), input.count <= Int(UInt32.max) else {
            throw WorldModelError("the directory says \(expectedCount) bytes, more than \(input.count) compressed bytes can inflate to")
        }
        var output = [UInt8](repeating: 0, count: expectedCount)
        var input = Array(input)
        let status = finish(&stream, input: &input, output: &output) { inflate(&$0, Z_FINISH) }
        switch status {
        case Z_STREAM_END: break
        case Z_BUF_ERROR where stream.avail_out == 0:
            throw WorldModelError("compressed data inflates to more than the \(expectedCount) bytes the directory says")
        case Z_BUF_ERROR: throw WorldModelError("compressed data ends early (truncated)")
        default: throw WorldModelError("compressed data is corrupt (zlib error \(status))")
        }
        guard Int(stream.total_out) == expectedCount else {
            throw WorldModelError("inflated to \(stream.total_out) bytes, the directory says \(expectedCount)")
        }
        return output
    }

    /// Points `stream` at all of `input` and `output` and runs `step` (deflate or inflate with Z_FINISH) once.
    private static func finish(_ stream: inout z_stream, input: inout [UInt8], output: inout [UInt8],
                               _ step: (inout z_stream) -> Int32) -> Int32 {
        input.withUnsafeMutableBufferPointer { src in
            output.withUnsafeMutableBufferPointer { dst in
                stream.next_in = src.baseAddress
                stream.avail_in = uInt(src.count)
                stream.next_out = dst.baseAddress
                stream.avail_out = uInt(dst.count)
                return step(&stream)
            }
        }
    }
}
