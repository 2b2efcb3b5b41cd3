import FoundationEssentials
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a `.wmds` dataset: the header on opening, then any episode on demand, each checked by its CRC-32.
///
/// Opening reads only the 32-byte preamble and the JSON header, and checks the magic, the version, the header's
/// checksum and that the file is exactly as long as the header implies (a truncated file fails here); so inspecting
/// a 2 GB dataset takes a few kilobytes of memory. Layout: `docs/dataset-format.md`.
///
/// ```swift
/// let dataset = try DatasetReader(path: "/tmp/push.wmds")
/// for k in dataset.episodeIndices(in: .train) {
///     let episode = try dataset.episode(k)
///     print(episode.objectStates[0..<3])    // object 0's position at frame 0
/// }
/// ```
public final class DatasetReader {
    public let path: String
    public let header: DatasetHeader
    /// The file's size in bytes.
    public let fileByteCount: Int
    private let descriptor: Int32
    private let episodesOffset: Int
    private let blockByteCount: Int

    public init(path: String) throws {
        self.path = path
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: path, message) }
        let size = try FileBytes.size(of: path)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw fail("cannot open: \(String(cString: strerror(errno)))") }
        var closeOnError = true
        defer { if closeOnError { close(fd) } }

        let preamble = try FileBytes.read(descriptor: fd, path: path, offset: 0, count: min(size, DatasetFormat.preambleByteCount))
        guard preamble.count >= DatasetFormat.magic.count, Array(preamble[0..<8]) == DatasetFormat.magic else {
            throw fail("not a wm dataset (bad magic bytes)")
        }
        guard preamble.count == DatasetFormat.preambleByteCount else {
            throw fail("truncated: \(size) bytes, shorter than the \(DatasetFormat.preambleByteCount)-byte preamble")
        }
        var fields = ByteReader(preamble, file: path, offset: 8)
        let version = Int(try fields.readUInt32())
        guard version <= DatasetHeader.currentFormatVersion else {
            throw fail("format version \(version) is newer than this wm reads (\(DatasetHeader.currentFormatVersion)); update wm")
        }
        guard version >= 1 else { throw fail("format version \(version) is not valid") }
        if version == 1 { throw fail(Self.versionOneAdvice(descriptor: fd, path: path, size: size)) }
        let headerByteCount = Int(try fields.readUInt32())
        let headerCRC = try fields.readUInt32()
        _ = try fields.readUInt32()
        let storedBlockByteCount = try fields.readUInt64()
        guard DatasetFormat.preambleByteCount + headerByteCount <= size else {
            throw fail("truncated: \(size) bytes, the header alone needs \(DatasetFormat.preambleByteCount + headerByteCount)")
        }
        let headerBytes = try FileBytes.read(descriptor: fd, path: path, offset: DatasetFormat.preambleByteCount, count: headerByteCount)
        guard CRC32.checksum(headerBytes) == headerCRC else { throw fail("header checksum mismatch (corrupted file)") }
        let header: DatasetHeader
        do {
            header = try JSONDecoder().decode(DatasetHeader.self, from: Data(headerBytes))
        } catch {
            throw fail("header is not valid JSON for format version \(version)")
        }
        try header.validate(file: path)
        let d = header.dimensions
        guard header.episodeCount <= size, header.framesPerEpisode <= size, d.objectCount <= size, d.actionDimension <= size,
              d.nq <= size, d.nv <= size, d.bodyCount <= size else {
            throw fail("header counts exceed the file size of \(size) bytes (corrupted header)")
        }
        let block = DatasetFormat.episodeBlockByteCount(header)
        guard storedBlockByteCount == UInt64(block) else {
            throw fail("episode blocks are \(storedBlockByteCount) bytes, the header implies \(block)")
        }
        let expected = DatasetFormat.preambleByteCount + headerByteCount + header.episodeCount * block
        if size < expected {
            throw fail("truncated: \(size) bytes, \(header.episodeCount) episodes need \(expected)")
        }
        if size > expected {
            throw fail("\(size - expected) unexpected bytes after the last episode (expected \(expected) bytes)")
        }
        self.header = header
        self.fileByteCount = size
        self.descriptor = fd
        self.episodesOffset = DatasetFormat.preambleByteCount + headerByteCount
        self.blockByteCount = block
        closeOnError = false
    }

    deinit { close(descriptor) }

    /// Episode `index`, read from its block alone and checked against its CRC-32.
    public func episode(_ index: Int) throws -> Episode {
        guard index >= 0, index < header.episodeCount else {
            throw WorldModelError(file: path, "episode \(index) out of range 0..<\(header.episodeCount)")
        }
        let bytes = try FileBytes.read(descriptor: descriptor, path: path, offset: episodesOffset + index * blockByteCount, count: blockByteCount)
        let payload = blockByteCount - 4
        let f = header.framesPerEpisode, d = header.dimensions
        return try bytes.withUnsafeBytes { raw in
            let stored = raw.loadUnaligned(fromByteOffset: payload, as: UInt32.self).littleEndian
            guard CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[0..<payload])) == stored else {
                throw WorldModelError(file: path, "episode \(index): checksum mismatch (corrupted file)")
            }
            var offset = 0
            func take<T>(_ count: Int, _: T.Type) -> [T] {
                let values = [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                    UnsafeMutableRawBufferPointer(buffer)
                        .copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + count * 4)]))
                    initialized = count
                }
                offset += count * 4
                return values
            }
            let objects = take(f * d.objectCount * objectStateWidth, Float.self)
            let robot = take(f * d.robotWidth, Float.self)
            let actions = take((f - 1) * d.actionDimension, Float.self)
            let contacts = take(f, Int32.self)
            let qpos = take(f * d.nq, Float.self), qvel = take(f * d.nv, Float.self)
            let poses = take(f * d.bodyCount * bodyPoseWidth, Float.self)
            return Episode(frameCount: f, objectCount: d.objectCount, actionDimension: d.actionDimension, objectStates: objects,
                           robotStates: robot, actions: actions, contactCounts: contacts, qpos: qpos, qvel: qvel, bodyPoses: poses)
        }
    }

    /// What to say about a version-1 file (free-object states only, no qpos/qvel): how to regenerate it, with its
    /// scene, counts, seed and policy when its header can be read.
    private static func versionOneAdvice(descriptor fd: Int32, path: String, size: Int) -> String {
        struct VersionOne: Decodable { var sceneName: String; var seed: UInt64; var policy: String; var source: String; var episodeCount: Int; var framesPerEpisode: Int }
        var what = ""
        if size > DatasetFormat.preambleByteCount,
           let preamble = try? FileBytes.read(descriptor: fd, path: path, offset: 12, count: 4),
           case let count = Int(preamble.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self).littleEndian }),
           count <= size - DatasetFormat.preambleByteCount,
           let bytes = try? FileBytes.read(descriptor: fd, path: path, offset: DatasetFormat.preambleByteCount, count: count),
           let old = try? JSONDecoder().decode(VersionOne.self, from: Data(bytes)) {
            what = old.source.hasPrefix("wm generate")
                ? " (scene '\(old.sceneName)', \(old.episodeCount) episodes of \(old.framesPerEpisode - 1) steps, seed \(old.seed), policy \(old.policy))"
                : " (from \(old.source))"
        }
        return "format version 1 holds no qpos/qvel; this wm reads version \(DatasetHeader.currentFormatVersion): regenerate it with wm generate, or re-import it with wm dataset import\(what)"
    }

    /// The indices of the episodes in `split`, ascending; all episodes for nil.
    public func episodeIndices(in split: Split?) -> [Int] {
        guard let split else { return Array(0..<header.episodeCount) }
        return header.splits.indices.filter { header.splits[$0] == split }
    }
}
