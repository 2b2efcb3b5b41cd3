import Foundation
import WorldModel

/// Seeded synthetic datasets and scratch folders for the dataset and NumPy tests (no MuJoCo needed).
enum DatasetFixture {
    /// A small deterministic random stream (the library's SeededRandom).
    struct Random {
        private var generator: SeededRandom
        init(state: UInt64) { generator = SeededRandom(seed: state) }
        mutating func next() -> UInt64 { generator.next() }
        /// Uniform in [low, high).
        mutating func float(_ low: Float, _ high: Float) -> Float {
            low + (high - low) * Float(next() >> 40) / Float(1 << 24)
        }
    }

    /// A header and E episodes of random (but finite) values: mixed shapes, a capsule pusher.
    static func dataset(seed: UInt64, episodes e: Int = 5, frames f: Int = 7, objects n: Int = 3)
        -> (header: DatasetHeader, episodes: [Episode]) {
        var random = Random(state: seed)
        let objects = (0..<n).map { i in
            ObjectDescription(
                name: "object\(i)", shape: ShapeKind.allCases[i % ShapeKind.allCases.count],
                halfExtentsMeters: [random.float(0.01, 0.05), random.float(0.01, 0.05), random.float(0.01, 0.05)],
                massKg: random.float(0.05, 0.5), rgba: [random.float(0, 1), random.float(0, 1), random.float(0, 1), 1])
        }
        let robot = RobotDescription.capsulePusher
        let header = DatasetHeader(
            sceneName: "synthetic", mjcf: "<mujoco model=\"synthetic\"/>", seed: seed, source: "DatasetFixture",
            policy: "random", objects: objects, robot: robot, episodeCount: e, framesPerEpisode: f,
            splits: DatasetSplit.assign(episodeCount: e, seed: seed), contactFraction: 0.6)
        let episodes = (0..<e).map { _ in
            Episode(
                frameCount: f, objectCount: n, actionDimension: robot.actionDimension,
                objectStates: (0..<(f * n * objectStateWidth)).map { _ in random.float(-1, 1) },
                robotStates: (0..<(f * robotStateWidth)).map { _ in random.float(-1, 1) },
                actions: (0..<((f - 1) * robot.actionDimension)).map { _ in random.float(-0.3, 0.3) },
                contactCounts: (0..<f).map { _ in Int32(random.next() % 20) })
        }
        return (header, episodes)
    }

    /// Writes a dataset and returns its path.
    @discardableResult
    static func write(_ dataset: (header: DatasetHeader, episodes: [Episode]), to path: String) throws -> String {
        let writer = try DatasetWriter(path: path, header: dataset.header)
        for episode in dataset.episodes { try writer.append(episode) }
        try writer.finish()
        return path
    }

    /// A new empty folder under /tmp.
    static func scratchFolder() -> String {
        var template = Array("/tmp/wm-dataset-test-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    /// The names in a folder (hidden temporary files included).
    static func contents(of folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    static func remove(_ folder: String) {
        try? FileManager.default.removeItem(atPath: folder)
    }

    static func bytes(_ path: String) throws -> [UInt8] { try FileBytes.read(path) }

    static func writeBytes(_ bytes: [UInt8], to path: String) throws {
        let writer = try AtomicFileWriter(path: path)
        try writer.write(bytes)
        try writer.commit()
    }

    /// Runs python3 with numpy; nil when either is missing.
    static func python(_ script: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// Whether python3 with numpy runs (asked once); tests that need it are skipped otherwise.
    static let hasNumPy: Bool = python("import numpy") != nil

    /// The sample recorded with MuJoCo's Python bindings, at `../shared/peers/` beside the repository.
    static let samplePath: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/peers/sample_push_n4.npz").path
    }()

    static var sampleExists: Bool { FileManager.default.fileExists(atPath: samplePath) }
}
