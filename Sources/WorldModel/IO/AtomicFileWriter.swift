#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that readers see either the old file or the complete new one, never a half-written one.
///
/// Bytes go to a temporary file beside the destination (`.NAME.tmp-PID`); `commit()` flushes it to disk
/// and renames it over the destination. If the writer is dropped without `commit()` (an error, Ctrl-C
/// handled by the caller), the temporary file is removed and the destination is untouched. Until then the
/// temporary file is remembered by `InterruptSignal`, so a signal that ends the process removes it too; one
/// left by a process killed outright (SIGKILL) is removed by the next writer to the same destination.
///
/// ```swift
/// let writer = try AtomicFileWriter(path: "model.safetensors")
/// try writer.write(headerBytes)
/// try writer.write(floats)
/// try writer.commit()
/// ```
/// Not thread-safe: one writer, one thread.
public final class AtomicFileWriter {
    /// The destination path.
    public let path: String
    /// The temporary path bytes go to until `commit()`.
    public let temporaryPath: String
    private var descriptor: Int32
    private var committed = false
    private let interruptSlot: Int32
    /// Bytes written so far.
    public private(set) var bytesWritten: Int = 0

    public init(path: String) throws {
        self.path = path
        temporaryPath = try Self.temporaryPath(for: path)
        Self.removeTemporaryFilesOfEndedProcesses(for: path)
        interruptSlot = InterruptSignal.remember(temporaryFile: temporaryPath)
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if descriptor < 0 {
            let reason = String(cString: strerror(errno))
            InterruptSignal.forget(interruptSlot)
            throw WorldModelError(file: path, "cannot create: \(reason)")
        }
    }

    /// The temporary file a writer to `path` uses in this process: `.NAME.tmp-PID` beside it.
    public static func temporaryPath(for path: String) throws -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty else { throw WorldModelError(file: path, "not a file path") }
        return (directory.isEmpty ? "" : directory + "/") + "." + name + ".tmp-\(getpid())"
    }

    /// The temporary files of writers to `path` in any process, `.NAME.tmp-PID` beside it, with their PIDs.
    public static func temporaryFiles(for path: String) -> [(path: String, pid: pid_t)] {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let prefix = "." + (slash.map { String(path[path.index(after: $0)...]) } ?? path) + ".tmp-"
        var found: [(path: String, pid: pid_t)] = []
        for name in directoryEntries(folder) ?? [] {
            if name.hasPrefix(prefix), let pid = pid_t(name.dropFirst(prefix.count)), pid > 0 { found.append((folder + "/" + name, pid)) }
        }
        return found
    }

    /// Removes the temporary files other writers to `path` left when their process was killed (SIGKILL, a
    /// power cut): those whose PID no longer runs. A live writer's file is left alone.
    static func removeTemporaryFilesOfEndedProcesses(for path: String) {
        for (file, pid) in temporaryFiles(for: path) where pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
            unlink(file)
        }
    }

    deinit {
        if !committed {
            if descriptor >= 0 { close(descriptor) }
            unlink(temporaryPath)
            InterruptSignal.forget(interruptSlot)
        }
    }

    /// Appends raw bytes.
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var base = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let n = Glibc.write(descriptor, base, remaining)
            if n < 0 {
                if errno == EINTR { continue }
                throw WorldModelError(file: path, "write failed: \(String(cString: strerror(errno)))")
            }
            remaining -= n
            base += n
            bytesWritten += n
        }
    }

    /// Appends the bytes of an array.
    public func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Appends float32 values, little-endian.
    public func write(_ values: [Float]) throws {
        try values.withUnsafeBytes { try write($0) }
    }

    /// Flushes to disk and renames the temporary file over the destination.
    public func commit() throws {
        guard !committed else { return }
        if fsync(descriptor) != 0 {
            throw WorldModelError(file: path, "fsync failed: \(String(cString: strerror(errno)))")
        }
        close(descriptor)
        descriptor = -1
        defer { InterruptSignal.forget(interruptSlot) }
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            committed = true
            throw WorldModelError(file: path, "cannot rename into place: \(reason)")
        }
        committed = true
    }
}
