import FoundationEssentials

/// What `wm dataset info` prints: a dataset's counts, objects, splits and provenance, from its header alone.
///
/// ```swift
/// let summary = try DatasetSummary(path: "/tmp/push.wmds")
/// print(summary.text)          // a few aligned lines
/// print(try summary.json())    // the same, as sorted-key JSON
/// ```
public struct DatasetSummary: Codable, Sendable, Equatable {
    public var path: String
    public var formatVersion: Int
    public var sceneName: String
    public var source: String
    public var policy: String
    public var seed: UInt64
    public var episodes: Int
    public var framesPerEpisode: Int
    public var stepsPerEpisode: Int
    public var controlDtSeconds: Double
    public var physicsDtSeconds: Double
    public var objects: Int
    /// Object count per shape name, e.g. `["box": 4]`.
    public var objectShapes: [String: Int]
    /// The free-object robot's shape, or "articulated" for a scene without one.
    public var robotShape: String
    public var actionDimension: Int
    /// MuJoCo's nq and nv, the moving bodies and the passive ones among them (bodies no actuator drives); nil
    /// when the dataset has no generalized state.
    public var generalizedState: GeneralizedStateSummary?
    /// Episode count per split name (`train`, `valid`, `test`), zeros included.
    public var splits: [String: Int]
    public var contactFraction: Double?
    public var sizeBytes: Int

    /// Reads the header of the dataset at `path` (no episode is read).
    public init(path: String) throws {
        let reader = try DatasetReader(path: path)
        self.init(header: reader.header, path: path, sizeBytes: reader.fileByteCount)
    }

    public init(header: DatasetHeader, path: String, sizeBytes: Int) {
        self.path = path
        formatVersion = header.formatVersion
        sceneName = header.sceneName
        source = header.source
        policy = header.policy
        seed = header.seed
        episodes = header.episodeCount
        framesPerEpisode = header.framesPerEpisode
        stepsPerEpisode = header.stepsPerEpisode
        controlDtSeconds = header.controlDtSeconds
        physicsDtSeconds = header.physicsDtSeconds
        objects = header.objects.count
        objectShapes = Dictionary(header.objects.map { ($0.shape.name, 1) }, uniquingKeysWith: +)
        robotShape = header.robot?.shape.name ?? "articulated"
        actionDimension = header.actionDimension
        generalizedState = header.sceneModel.map {
            GeneralizedStateSummary(nq: $0.nq, nv: $0.nv, movingBodies: $0.movingBodyIndices.count, passiveBodies: $0.passiveBodyIndices.count)
        }
        splits = Dictionary(uniqueKeysWithValues: Split.allCases.map { split in
            (split.rawValue, header.splits.count { $0 == split })
        })
        contactFraction = header.contactFraction
        self.sizeBytes = sizeBytes
    }

    /// Human-readable lines, one fact per line.
    public var text: String {
        let shapes = objectShapes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let splitText = Split.allCases.map { "\($0.rawValue) \(splits[$0.rawValue] ?? 0)" }.joined(separator: ", ")
        var lines = [
            "dataset      \(path)",
            "format       version \(formatVersion), \(sizeBytes) bytes (\(Self.humanBytes(sizeBytes)))",
            "scene        \(sceneName)",
            "source       \(source)",
            "policy       \(policy), seed \(seed)",
            "episodes     \(episodes) (\(splitText))",
            "frames       \(framesPerEpisode) per episode (\(stepsPerEpisode) steps of \(controlDtSeconds) s, physics dt \(physicsDtSeconds) s)",
            "objects      \(objects)\(objects > 0 ? " (\(shapes))" : "")",
            "robot        \(robotShape), \(actionDimension) action components",
        ]
        if let g = generalizedState {
            lines.append("state        qpos \(g.nq), qvel \(g.nv), \(g.movingBodies) moving bodies (\(g.passiveBodies) passive)")
        }
        if let contactFraction {
            lines.append("contact      \(Int((contactFraction * 100).rounded())) % of episodes touch an object")
        }
        return lines.joined(separator: "\n")
    }

    /// Sizes of the generalized state of a dataset.
    public struct GeneralizedStateSummary: Codable, Sendable, Equatable {
        public var nq: Int
        public var nv: Int
        public var movingBodies: Int
        public var passiveBodies: Int
    }

    /// The summary as pretty, sorted-key JSON.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    static func humanBytes(_ n: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(n)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(n) B" : "\((value * 10).rounded() / 10) \(units[unit])"
    }
}
