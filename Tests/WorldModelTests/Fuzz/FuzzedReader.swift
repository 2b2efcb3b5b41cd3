import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// The readers the fuzzer drives (`tools/fuzz.sh`, the `Fuzz/` package compiles this same file) and the corpus
/// regression test replays: each takes raw bytes as wm takes a file it is given, and must answer with a value
/// or a thrown error, never a crash or a hang.
enum FuzzedReader: String, CaseIterable, Sendable {
    /// `SafetensorsFile.parse`, then what loading a dynamics model or a field does with a valid file.
    case safetensors
    /// `DatasetReader`: the preamble and header, then every episode; then the same bytes with their CRC-32s
    /// made right, so a mutation reaches the header's JSON and the episodes instead of stopping at a checksum.
    case dataset
    /// `NumPyFile.decode` (one `.npy`), `NumPyArchive.read` (zip, stored or deflated) and `NPZImport.read`.
    case npz
    /// MuJoCo loads the bytes as MJCF, then wm reads its scene (objects, robot, table, timing).
    case scene

    /// The file name extension MuJoCo and the readers expect.
    var fileExtension: String {
        switch self {
        case .safetensors: "safetensors"
        case .dataset: "wmds"
        case .npz: "npz"
        case .scene: "xml"
        }
    }

    /// Feeds `bytes` to the reader through a file at `scratch`; returns whether the reader accepted them.
    @discardableResult
    func read(_ bytes: [UInt8], scratch: String) -> Bool {
        guard Self.writeScratch(bytes, to: scratch) else { return false }
        switch self {
        case .safetensors:
            guard (try? SafetensorsFile.parse(bytes, file: scratch)) != nil else { return false }
            _ = try? DynamicsModel.load(from: scratch)
            _ = try? ObjectFieldSet.load(from: scratch)
            return true
        case .dataset:
            var accepted = Self.readDataset(scratch)
            let repaired = Self.withDatasetChecksumsRepaired(bytes)
            if repaired != bytes, Self.writeScratch(repaired, to: scratch) { accepted = Self.readDataset(scratch) || accepted }
            return accepted
        case .npz:
            _ = try? NumPyFile.decode(bytes, file: scratch)
            guard (try? NumPyArchive.read(path: scratch)) != nil else { return false }
            _ = try? NPZImport.read(npz: scratch)
            return true
        case .scene:
            return (try? MuJoCoSimulation(path: scratch)) != nil
        }
    }

    private static func readDataset(_ path: String) -> Bool {
        guard let reader = try? DatasetReader(path: path) else { return false }
        for k in 0..<reader.header.episodeCount { _ = try? reader.episode(k) }
        _ = try? DatasetSummary(path: path)
        return true
    }

    /// `bytes` with the header's CRC-32 (preamble bytes 16..<20) and every whole episode block's trailing CRC-32
    /// recomputed, as far as the preamble's header and block sizes fit the bytes.
    static func withDatasetChecksumsRepaired(_ bytes: [UInt8]) -> [UInt8] {
        let preamble = DatasetFormat.preambleByteCount
        guard bytes.count >= preamble else { return bytes }
        var out = bytes
        func u32(_ o: Int) -> Int { (0..<4).reduce(0) { $0 | Int(bytes[o + $1]) << (8 * $1) } }
        func store(_ value: UInt32, at o: Int) { for k in 0..<4 { out[o + k] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(k))) } }
        let headerCount = u32(12)
        guard headerCount <= bytes.count - preamble else { return out }
        store(CRC32.checksum(bytes[preamble..<(preamble + headerCount)]), at: 16)
        let block = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[24 + $1]) << (8 * UInt64($1)) }
        guard block >= 4, block <= UInt64(bytes.count) else { return out }
        var start = preamble + headerCount
        while start + Int(block) <= out.count {
            let end = start + Int(block) - 4
            store(CRC32.checksum(out[start..<end]), at: end)
            start += Int(block)
        }
        return out
    }

    /// Writes the bytes with plain system calls (no fsync: the fuzzer runs thousands of inputs a second).
    private static func writeScratch(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}
