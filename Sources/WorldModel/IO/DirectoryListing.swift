#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The names in a directory (without `.` and `..`), in the order the file system gives them.
///
/// Each name is read in place from the `dirent` record `readdir` returns. Copying the record or its
/// `d_name` array (`entry.pointee.d_name`) reads the full 256-byte array, past the end of a short record;
/// when the record is the last one of the kernel's buffer that read can leave the mapped page and crash.
///
/// Returns nil when the directory cannot be opened.
public func directoryEntries(_ folder: String) -> [String]? {
    guard let directory = opendir(folder) else { return nil }
    defer { closedir(directory) }
    let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
    var names: [String] = []
    while let entry = readdir(directory) {
        let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
        if name != "." && name != ".." { names.append(name) }
    }
    return names
}
