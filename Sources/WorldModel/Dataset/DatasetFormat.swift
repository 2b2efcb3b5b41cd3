import FoundationEssentials

/// The `.wmds` file layout, version 2. The full description, with shapes, units and frames, is in
/// `docs/dataset-format.md`; in short (all integers little-endian):
///
/// ```
/// offset 0   preamble, 32 bytes: magic 89 57 4D 44 53 0D 0A 1A ("\x89WMDS\r\n\x1a"), UInt32 format version,
///            UInt32 header byte count H, UInt32 CRC-32 of the header bytes, UInt32 0, UInt64 episode block byte count B
/// offset 32  header: H bytes of sorted-key JSON (``DatasetHeader``), padded with spaces
/// offset 32 + H + k * B   episode k: object states F*N*13 Float32, robot states F*R Float32 (R = 6, or 0 without
///            a free-object robot), actions (F-1)*A Float32, contact counts F Int32, qpos F*nq Float32,
///            qvel F*nv Float32, body poses F*B*7 Float32, then UInt32 CRC-32 of those bytes
/// ```
/// The file is exactly `32 + H + E * B` bytes long.
public enum DatasetFormat {
    /// The first 8 bytes of every `.wmds` file (PNG-style: a high byte, the name, CR LF, EOF).
    public static let magic: [UInt8] = [0x89, 0x57, 0x4D, 0x44, 0x53, 0x0D, 0x0A, 0x1A]
    /// Bytes before the JSON header.
    public static let preambleByteCount = 32
    /// Spare bytes (spaces) kept after the JSON so ``DatasetWriter/finish(updating:)`` can rewrite the header in place.
    static let headerSlack = 256

    /// The byte count B of one episode block (payload and its CRC-32) for a header's F, N and A.
    public static func episodeBlockByteCount(_ header: DatasetHeader) -> Int {
        episodePayloadByteCount(header) + 4
    }

    static func episodePayloadByteCount(_ header: DatasetHeader) -> Int {
        plannedBlockByteCount(framesPerEpisode: header.framesPerEpisode, dimensions: header.dimensions) - 4
    }

    /// A value as sorted-key JSON (the encoding of headers and of the scene model inside `.npz` files).
    static func encodeJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }

    /// The header as sorted-key JSON.
    static func encodeHeaderJSON(_ header: DatasetHeader, file: String?) throws -> [UInt8] {
        do {
            return try encodeJSON(header)
        } catch {
            throw WorldModelError(file: file, "cannot encode the dataset header: \(error)")
        }
    }

    /// The preamble and the header padded with spaces to `headerByteCount` bytes.
    static func encodePreambleAndHeader(json: [UInt8], headerByteCount: Int, blockByteCount: Int, version: Int) -> [UInt8] {
        var header = json
        header += [UInt8](repeating: 0x20, count: headerByteCount - json.count)
        var out = ByteWriter()
        out.append(contentsOf: magic)
        out.append(UInt32(version))
        out.append(UInt32(headerByteCount))
        out.append(CRC32.checksum(header))
        out.append(UInt32(0))
        out.append(UInt64(blockByteCount))
        out.append(contentsOf: header)
        return out.bytes
    }

    /// The header byte count H for a JSON of `jsonByteCount` bytes: room for the slack, rounded up to 64 bytes.
    static func paddedHeaderByteCount(jsonByteCount: Int) -> Int {
        (jsonByteCount + headerSlack + 63) / 64 * 64
    }
}
