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
    /// `DatasetReader`: the preamble and header, then every episode.
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
            guard let reader = try? DatasetReader(path: scratch) else { return false }
            for k in 0..<reader.header.episodeCount { _ = try? reader.episode(k) }
            _ = try? DatasetSummary(path: scratch)
            return true
        case .npz:
            _ = try? NumPyFile.decode(bytes, file: scratch)
            guard (try? NumPyArchive.read(path: scratch)) != nil else { return false }
            _ = try? NPZImport.read(npz: scratch)
            return true
        case .scene:
            return (try? MuJoCoSimulation(path: scratch)) != nil
        }
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
