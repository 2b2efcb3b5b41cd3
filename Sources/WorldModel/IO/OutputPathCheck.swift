#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Refuses an output that is one of the command's inputs, before any work starts.
///
/// Two paths are the same file when they resolve to the same absolute path (symbolic links, `..`, `./`) or
/// name the same device and inode (hard links, bind mounts). Each output is compared with every input, and so
/// is the temporary file its `AtomicFileWriter` would write first.
///
/// ```swift
/// try OutputPathCheck.refuse(outputs: [out], overwriting: [data, scene])
/// // throws "/tmp/d.wmds: is also an input of this command (/tmp/./d.wmds); refusing to overwrite it"
/// ```
public enum OutputPathCheck {
    /// Throws naming the output when any output (or its temporary file) is the same file as any input.
    public static func refuse(outputs: [String], overwriting inputs: [String]) throws {
        let inputIdentities = inputs.map { ($0, FileIdentity(path: $0)) }
        for output in outputs {
            var candidates = [output]
            if let temporary = try? AtomicFileWriter.temporaryPath(for: output) { candidates.append(temporary) }
            for candidate in candidates {
                let identity = FileIdentity(path: candidate)
                for (input, inputIdentity) in inputIdentities where identity.isSameFile(as: inputIdentity) {
                    let what = candidate == output ? "is also an input of this command" : "has a temporary file that is an input of this command"
                    throw WorldModelError(file: output, "\(what) (\(input)); refusing to overwrite it")
                }
            }
        }
    }

    /// Throws naming the folder when an input is a file in it that the command would write (a name for which
    /// `writes` is true), e.g. `frame0025.png` of a folder of rendered frames.
    public static func refuse(folder: String, writingFilesWhere writes: (String) -> Bool, overwriting inputs: [String]) throws {
        guard let resolvedFolder = FileIdentity.resolve(folder) else { return }  // a missing folder holds no input
        for input in inputs {
            guard let resolved = FileIdentity.resolve(input), let slash = resolved.lastIndex(of: "/") else { continue }
            let parent = slash == resolved.startIndex ? "/" : String(resolved[..<slash])
            if parent == resolvedFolder, writes(String(resolved[resolved.index(after: slash)...])) {
                throw WorldModelError(file: folder, "would write over the input \(input); refusing")
            }
        }
    }
}

/// What identifies a file: its resolved absolute path, and its device and inode when it exists.
struct FileIdentity {
    var resolvedPath: String?
    var deviceAndInode: (UInt64, UInt64)?

    init(path: String) {
        resolvedPath = Self.resolve(path)
        var info = stat()
        if stat(path, &info) == 0 { deviceAndInode = (UInt64(info.st_dev), UInt64(info.st_ino)) }
    }

    func isSameFile(as other: FileIdentity) -> Bool {
        if let a = deviceAndInode, let b = other.deviceAndInode { return a == b }
        if let a = resolvedPath, let b = other.resolvedPath { return a == b }
        return false
    }

    /// The absolute path with links resolved; for a file that does not exist yet, its folder's resolved path
    /// and its name.
    static func resolve(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        if realpath(path, &buffer) != nil { return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        guard !name.isEmpty, name != ".", name != "..", realpath(folder, &buffer) != nil else { return nil }
        let resolvedFolder = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return (resolvedFolder == "/" ? "" : resolvedFolder) + "/" + name
    }
}
