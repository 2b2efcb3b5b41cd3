#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads whole files or byte ranges of files, with errors that name the file.
public enum FileBytes {
    /// The size of a file in bytes.
    public static func size(of path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw WorldModelError(file: path, "cannot open: \(String(cString: strerror(errno)))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw WorldModelError(file: path, "not a regular file") }
        return Int(info.st_size)
    }

    /// Reads `count` bytes at `offset`; throws if the file is shorter (a truncated file).
    public static func read(_ path: String, offset: Int = 0, count: Int? = nil) throws -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw WorldModelError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let total = try size(of: path)
        let wanted = count ?? max(0, total - offset)
        guard offset >= 0, wanted >= 0, offset + wanted <= total else {
            throw WorldModelError(file: path, "truncated: needs bytes \(offset)..<\(offset + wanted), file has \(total)")
        }
        return try read(descriptor: fd, path: path, offset: offset, count: wanted)
    }

    /// Reads exactly `count` bytes at `offset` from an open file; a short file is a "truncated" error naming `path`.
    public static func read(descriptor fd: Int32, path: String, offset: Int, count: Int) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var done = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while done < count {
                let n = pread(fd, buffer.baseAddress! + done, count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WorldModelError(file: path, "read failed: \(String(cString: strerror(errno)))")
                }
                if n == 0 { throw WorldModelError(file: path, "truncated: unexpected end of file at byte \(offset + done)") }
                done += n
            }
        }
        return bytes
    }
}
