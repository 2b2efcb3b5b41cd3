#if canImport(Glibc)
import Glibc
#endif

/// Bytes a world model holds while it rolls out, by category. Every number is counted from the buffers the
/// model actually allocated (parameters, workspaces, states), not estimated from sizes on disk.
public struct MemoryFootprint: Codable, Sendable, Equatable {
    /// Trained weights: dynamics network, and the scene representation's network weights are in `sceneBytes`.
    public var parametersBytes: Int
    /// Preallocated activations, gradients-free inference buffers, graph buffers, outputs.
    public var workspaceBytes: Int
    /// The per-step state of every environment (poses, velocity histories, robot).
    public var stateBytes: Int
    /// The scene representation used to render: the neural field (compact) or the dense voxel grid (dense).
    public var sceneBytes: Int
    /// Peak resident memory (bytes) of a process that ran this model alone, when measured.
    public var peakRSSBytes: Int?

    public init(parametersBytes: Int, workspaceBytes: Int, stateBytes: Int, sceneBytes: Int, peakRSSBytes: Int? = nil) {
        self.parametersBytes = parametersBytes
        self.workspaceBytes = workspaceBytes
        self.stateBytes = stateBytes
        self.sceneBytes = sceneBytes
        self.peakRSSBytes = peakRSSBytes
    }

    public var totalBytes: Int { parametersBytes + workspaceBytes + stateBytes + sceneBytes }

    enum CodingKeys: String, CodingKey {
        case parametersBytes = "parameters_bytes", workspaceBytes = "workspace_bytes", stateBytes = "state_bytes"
        case sceneBytes = "scene_bytes", totalBytes = "total_bytes", peakRSSBytes = "peak_rss_bytes"
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(parametersBytes, forKey: .parametersBytes)
        try c.encode(workspaceBytes, forKey: .workspaceBytes)
        try c.encode(stateBytes, forKey: .stateBytes)
        try c.encode(sceneBytes, forKey: .sceneBytes)
        try c.encode(totalBytes, forKey: .totalBytes)
        try c.encode(peakRSSBytes, forKey: .peakRSSBytes)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        parametersBytes = try c.decode(Int.self, forKey: .parametersBytes)
        workspaceBytes = try c.decode(Int.self, forKey: .workspaceBytes)
        stateBytes = try c.decode(Int.self, forKey: .stateBytes)
        sceneBytes = try c.decode(Int.self, forKey: .sceneBytes)
        peakRSSBytes = try c.decodeIfPresent(Int.self, forKey: .peakRSSBytes)
    }

    /// The bytes of the per-step states of `states`.
    public static func stateBytes(_ states: [DynamicsState]) -> Int {
        states.reduce(0) { total, s in
            total + (s.positions.count + s.quaternions.count + s.linearVelocities.count + s.angularVelocities.count
                     + s.robotVelocities.count + 3 + 2) * MemoryLayout<Float>.stride
        }
    }

    /// The footprint of a rollout engine over `states`, with a scene representation of `sceneBytes`.
    public static func of(_ engine: RolloutEngine, states: [DynamicsState], sceneBytes: Int) -> MemoryFootprint {
        MemoryFootprint(parametersBytes: engine.model.parameterBytes, workspaceBytes: engine.workspaceBytes,
                        stateBytes: stateBytes(states), sceneBytes: sceneBytes)
    }

    /// Peak resident set size of this process so far (bytes), from getrusage.
    public static func peakResidentBytesOfThisProcess() -> Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Int(usage.ru_maxrss) * 1024
    }
}

/// The compact world model against the dense baseline, measured on the same rollout.
public struct MemoryReport: Codable, Sendable {
    public var compact: MemoryFootprint
    public var dense: MemoryFootprint
    /// dense total / compact total.
    public var ratio: Double { Double(dense.totalBytes) / Double(max(compact.totalBytes, 1)) }

    public init(compact: MemoryFootprint, dense: MemoryFootprint) {
        self.compact = compact
        self.dense = dense
    }

    enum CodingKeys: String, CodingKey { case compact, dense, ratio }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(compact, forKey: .compact)
        try c.encode(dense, forKey: .dense)
        try c.encode(ratio, forKey: .ratio)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        compact = try c.decode(MemoryFootprint.self, forKey: .compact)
        dense = try c.decode(MemoryFootprint.self, forKey: .dense)
    }

    /// A plain-text table, one row per category, in KiB.
    public var table: String {
        func kib(_ b: Int?) -> String { b.map { String(format1(Double($0) / 1024)) } ?? "-" }
        func format1(_ x: Double) -> String { "\(Double(Int(x * 10)) / 10)" }
        func row(_ name: String, _ a: Int?, _ b: Int?) -> String {
            name.padding(18) + kib(a).leftPadding(14) + kib(b).leftPadding(14) + "\n"
        }
        var text = "memory (KiB)".padding(18) + "compact".leftPadding(14) + "dense".leftPadding(14) + "\n"
        text += row("parameters", compact.parametersBytes, dense.parametersBytes)
        text += row("workspaces", compact.workspaceBytes, dense.workspaceBytes)
        text += row("per-step state", compact.stateBytes, dense.stateBytes)
        text += row("scene", compact.sceneBytes, dense.sceneBytes)
        text += row("total", compact.totalBytes, dense.totalBytes)
        text += row("peak RSS alone", compact.peakRSSBytes, dense.peakRSSBytes)
        text += "dense / compact = \(format1(ratio))x\n"
        return text
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    func leftPadding(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
