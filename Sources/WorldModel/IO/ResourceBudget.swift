#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks a command's memory and disk needs against the machine before any work starts, so an absurd size is
/// one line instead of a hang, an out-of-memory kill or a full disk.
///
/// Sizes are computed with ``product(_:)`` and ``sum(_:)``, which saturate at `Int.max` instead of trapping
/// on overflow, so a count of two billion gives a huge number of bytes, not a crash.
///
/// ```swift
/// try ResourceBudget.checkDisk(bytes: ResourceBudget.product(episodes, bytesPerEpisode), output: "/tmp/d.wmds")
/// // "/tmp/d.wmds: needs 8.2 TB, its file system has 41.3 GB free"
/// ```
public enum ResourceBudget {
    /// The machine's physical memory in bytes.
    public static var physicalMemoryBytes: Int {
        let pages = sysconf(Int32(_SC_PHYS_PAGES)), size = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && size > 0 ? product(pages, size) : Int.max
    }

    /// Bytes free (for an unprivileged writer) on the file system that `path` would be written to.
    public static func freeDiskBytes(forOutput path: String) -> Int? {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        var info = statvfs()
        guard statvfs(folder, &info) == 0 else { return nil }
        return product(Int(info.f_bavail), Int(info.f_frsize))
    }

    /// Throws when `bytes` of memory (what `purpose` holds) exceed the physical memory; names `file` if given.
    public static func checkMemory(bytes: Int, for purpose: String, file: String? = nil) throws {
        let available = physicalMemoryBytes
        guard bytes <= available else {
            throw WorldModelError(file: file, "\(purpose) needs \(formatBytes(bytes)) of memory, this machine has \(formatBytes(available))")
        }
    }

    /// Throws naming `output` when writing `bytes` there would not fit in its file system's free space.
    public static func checkDisk(bytes: Int, output: String) throws {
        guard let free = freeDiskBytes(forOutput: output) else { return }  // the writer reports a missing folder
        guard bytes <= free else {
            throw WorldModelError(file: output, "needs \(formatBytes(bytes)), its file system has \(formatBytes(free)) free")
        }
    }

    /// The product of non-negative factors, `Int.max` if it overflows.
    public static func product(_ factors: Int...) -> Int {
        var result = 1
        for f in factors {
            let (p, overflow) = result.multipliedReportingOverflow(by: Swift.max(0, f))
            if overflow { return Int.max }
            result = p
        }
        return result
    }

    /// The sum of non-negative terms, `Int.max` if it overflows.
    public static func sum(_ terms: Int...) -> Int {
        var result = 0
        for t in terms {
            let (s, overflow) = result.addingReportingOverflow(Swift.max(0, t))
            if overflow { return Int.max }
            result = s
        }
        return result
    }

    /// Bytes in decimal units with one decimal: `12.3 GB`; `Int.max` is "more than 9.2 EB".
    public static func formatBytes(_ bytes: Int) -> String {
        if bytes == Int.max { return "more than 9.2 EB" }
        let units = ["bytes", "kB", "MB", "GB", "TB", "PB", "EB"]
        var value = Double(bytes), unit = 0
        while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
        if unit == 0 { return "\(bytes) bytes" }
        return "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
