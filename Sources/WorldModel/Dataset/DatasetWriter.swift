#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a `.wmds` dataset as a stream: the header first, then the episodes one at a time, then ``finish()``.
///
/// Memory stays at one episode block whatever the dataset's size. Nothing appears at `path` until `finish()`
/// renames the complete file into place; an error or a writer dropped early leaves no file behind.
/// The same header and episodes always give the same bytes. Layout: `docs/dataset-format.md`.
///
/// ```swift
/// let writer = try DatasetWriter(path: "/tmp/push.wmds", header: header)
/// for episode in episodes { try writer.append(episode) }
/// try writer.finish()
/// ```
public final class DatasetWriter {
    public let path: String
    /// The header as written (``finish(updating:)`` may replace it).
    public private(set) var header: DatasetHeader
    /// Episodes appended so far.
    public private(set) var appendedCount = 0
    private let file: AtomicFileWriter
    private let headerByteCount: Int
    private let blockByteCount: Int
    private var block: [UInt8]

    /// Validates the header and writes it.
    public init(path: String, header: DatasetHeader) throws {
        try header.validate(file: path)
        guard header.formatVersion == DatasetHeader.currentFormatVersion else {
            throw WorldModelError(file: path, "cannot write format version \(header.formatVersion), only \(DatasetHeader.currentFormatVersion)")
        }
        self.path = path
        self.header = header
        let json = try DatasetFormat.encodeHeaderJSON(header, file: path)
        headerByteCount = DatasetFormat.paddedHeaderByteCount(jsonByteCount: json.count)
        blockByteCount = DatasetFormat.episodeBlockByteCount(header)
        block = [UInt8](repeating: 0, count: blockByteCount)
        file = try AtomicFileWriter(path: path)
        try file.write(DatasetFormat.encodePreambleAndHeader(
            json: json, headerByteCount: headerByteCount, blockByteCount: blockByteCount, version: header.formatVersion))
    }

    /// Appends the next episode; its frame, object and action counts must match the header, its values be finite.
    public func append(_ episode: Episode) throws {
        guard appendedCount < header.episodeCount else {
            throw WorldModelError(file: path, "more episodes appended than the header's \(header.episodeCount)")
        }
        try header.check(episode, index: appendedCount, file: path)
        block.withUnsafeMutableBytes { out in
            var offset = 0
            func put<T>(_ values: [T]) {
                values.withUnsafeBytes { src in
                    UnsafeMutableRawBufferPointer(rebasing: out[offset..<(offset + src.count)]).copyMemory(from: src)
                    offset += src.count
                }
            }
            put(episode.objectStates)
            put(episode.robotStates)
            put(episode.actions)
            put(episode.contactCounts)
            put(episode.qpos)
            put(episode.qvel)
            put(episode.bodyPoses)
            let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: out[0..<offset]))
            out.storeBytes(of: crc.littleEndian, toByteOffset: offset, as: UInt32.self)
        }
        try file.write(block)
        appendedCount += 1
    }

    /// Checks that every episode was appended, then renames the file into place.
    ///
    /// - Parameter updated: a header to store instead of the first one, for what is known only at the end
    ///   (e.g. ``DatasetHeader/contactFraction``). It must keep the counts, objects and robot of the first, and its
    ///   JSON must fit the space reserved (the first header's JSON plus 256 bytes or more).
    public func finish(updating updated: DatasetHeader? = nil) throws {
        guard appendedCount == header.episodeCount else {
            throw WorldModelError(file: path, "\(appendedCount) episodes appended, the header promises \(header.episodeCount)")
        }
        if let updated {
            try updated.validate(file: path)
            guard updated.episodeCount == header.episodeCount, updated.framesPerEpisode == header.framesPerEpisode,
                  updated.objects == header.objects, updated.robot == header.robot, updated.sceneModel == header.sceneModel,
                  updated.formatVersion == header.formatVersion else {
                throw WorldModelError(file: path, "the updated header changes the episode layout")
            }
            let json = try DatasetFormat.encodeHeaderJSON(updated, file: path)
            guard json.count <= headerByteCount else {
                throw WorldModelError(file: path, "the updated header needs \(json.count) bytes, \(headerByteCount) were reserved")
            }
            let bytes = DatasetFormat.encodePreambleAndHeader(
                json: json, headerByteCount: headerByteCount, blockByteCount: blockByteCount, version: updated.formatVersion)
            try overwriteStart(of: file.temporaryPath, with: bytes)
            header = updated
        }
        try file.commit()
    }

    private func overwriteStart(of temporaryPath: String, with bytes: [UInt8]) throws {
        let fd = open(temporaryPath, O_WRONLY)
        guard fd >= 0 else { throw WorldModelError(file: path, "cannot reopen the temporary file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var done = 0
        try bytes.withUnsafeBytes { buffer in
            while done < buffer.count {
                let n = pwrite(fd, buffer.baseAddress! + done, buffer.count - done, off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw WorldModelError(file: path, "header rewrite failed: \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }
}
