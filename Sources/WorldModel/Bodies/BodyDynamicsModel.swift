import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A learned model of any MuJoCo scene's dynamics in MuJoCo's own state: from the last H + 1 `qpos` and the
/// `ctrl` vector it predicts `qacc` (nv), integrated in joint space; forward kinematics from the kinematic tree
/// places the bodies, so articulated bodies never come apart. No MuJoCo needed to run one.
///
/// Two networks: the graph network over the body graph (``BodyGraphLayout``: a node per moving body and the
/// world, joint edges, contact edges by surface distance, actions through the actuator moment arms), or the dense
/// baseline (one MLP over the flat state). The checkpoint (safetensors) stores the whole ``SceneModel``: tree,
/// geoms, actuators and their moment arms.
///
/// ```swift
/// let model = try BodyDynamicsModel.load(from: "models/stacker.safetensors")
/// let runner = try BodyDynamicsRunner(model: model, maxEnvironments: 1)
/// var states = [BodyState(episode: episode, frame: 2, historyLength: model.historyLength, nq: model.scene.nq)]
/// runner.step(&states, ctrl: Array(episode.actions[(2 * model.scene.nu)..<(3 * model.scene.nu)]))
/// ```
public final class BodyDynamicsModel {
    public let configuration: BodyDynamicsConfiguration
    public let scene: SceneModel
    public let layout: BodyGraphLayout
    /// Seconds per control step.
    public let dtSeconds: Float
    /// Graph network: node feature statistics; dense baseline: input statistics.
    public var inputStatistics: FeatureStatistics
    /// Graph network: edge feature statistics; dense baseline: unused (width 1).
    public var edgeStatistics: FeatureStatistics
    /// Graph network: per target class (``BodyGraphLayout/targetClass``, 10); dense baseline: per DOF (nv). Units of qacc.
    public var targetStatistics: FeatureStatistics
    let graphNetwork: GraphNetwork?
    let denseNetwork: MLP?
    public let parameters: [Parameter]

    public var historyLength: Int { configuration.historyLength }

    public init(configuration: BodyDynamicsConfiguration, scene: SceneModel, seed: UInt64) throws {
        guard configuration.historyLength >= 1 && configuration.historyLength <= 16 else {
            throw WorldModelError("history length \(configuration.historyLength) is outside 1...16")
        }
        self.configuration = configuration
        self.scene = scene
        layout = try BodyGraphLayout(scene: scene)
        dtSeconds = Float(scene.controlDtSeconds)
        let h = configuration.historyLength
        switch configuration.kind {
        case .gnn:
            let network = GraphNetwork(GraphNetworkArchitecture(
                nodeInputWidth: BodyGraphFeatures.nodeWidth(historyLength: h), edgeInputWidth: BodyGraphFeatures.edgeWidth, outputWidth: 6,
                latentWidth: configuration.latentWidth, hiddenLayers: configuration.hiddenLayers,
                messagePassingSteps: configuration.messagePassingSteps), seed: seed)
            graphNetwork = network
            denseNetwork = nil
            parameters = network.parameters
            inputStatistics = FeatureStatistics(identityOfWidth: BodyGraphFeatures.nodeWidth(historyLength: h))
            edgeStatistics = FeatureStatistics(identityOfWidth: BodyGraphFeatures.edgeWidth)
            targetStatistics = FeatureStatistics(identityOfWidth: BodyGraphLayout.targetClassCount)
        case .denseMLP:
            let width = DenseStateFeatures.width(scene: scene, historyLength: h)
            let widths = [width] + Array(repeating: configuration.denseHiddenWidth, count: configuration.hiddenLayers) + [scene.nv]
            var rng = SeededRandom(seed: seed)
            let mlp = MLP(MLPDescription(widths: widths, activation: .relu), name: "dense", using: &rng)
            graphNetwork = nil
            denseNetwork = mlp
            parameters = mlp.parameters
            inputStatistics = FeatureStatistics(identityOfWidth: width)
            edgeStatistics = FeatureStatistics(identityOfWidth: 1)
            targetStatistics = FeatureStatistics(identityOfWidth: scene.nv)
        }
    }

    /// An independent copy: the same configuration, scene, statistics and weights, its own buffers (a
    /// data-parallel training thread's replica).
    public func replica() throws -> BodyDynamicsModel {
        let copy = try BodyDynamicsModel(configuration: configuration, scene: scene, seed: 0)
        copy.inputStatistics = inputStatistics
        copy.edgeStatistics = edgeStatistics
        copy.targetStatistics = targetStatistics
        copy.parameters.copyValues(from: parameters)
        return copy
    }

    /// The checkpoint's `model` metadata value.
    public static let checkpointKind = "wm-body-dynamics"

    struct Architecture: Codable, Equatable {
        var configuration: BodyDynamicsConfiguration
        var scene: SceneModel
    }

    struct Normalization: Codable, Equatable {
        var input: FeatureStatistics
        var edge: FeatureStatistics
        var target: FeatureStatistics
    }

    public var parameterBytes: Int { parameters.scalarCount * MemoryLayout<Float>.stride }

    /// Writes the model atomically; `extra` adds metadata.
    public func save(to path: String, extra: [String: String] = [:]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var metadata = extra
        metadata["model"] = Self.checkpointKind
        try Checkpoint.save(parameters, to: path,
                            architecture: String(decoding: try encoder.encode(Architecture(configuration: configuration, scene: scene)), as: UTF8.self),
                            normalization: String(decoding: try encoder.encode(Normalization(input: inputStatistics, edge: edgeStatistics,
                                                                                           target: targetStatistics)), as: UTF8.self),
                            extra: metadata)
    }

    /// Whether the checkpoint at `path` is a body-dynamics model (reads only its header).
    public static func isBodyModel(path: String) throws -> Bool {
        try SafetensorsFile.read(path).metadata["model"] == checkpointKind
    }

    /// Reads a model written by `save`, validating every tensor against the architecture it declares.
    public static func load(from path: String) throws -> BodyDynamicsModel {
        let file = try SafetensorsFile.read(path)
        guard file.metadata["model"] == checkpointKind else {
            if file.metadata["model"] == DynamicsModel.checkpointKind {
                throw WorldModelError(file: path, "holds a free-object dynamics model, not a body-graph one (the environments and the planner run body-graph models: train one on the body graph)")
            }
            throw WorldModelError(file: path, "not a wm body-dynamics checkpoint (metadata 'model' is \(file.metadata["model"] ?? "missing"))")
        }
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = file.metadata[key] else { throw WorldModelError(file: path, "checkpoint metadata lacks '\(key)'") }
            do { return try JSONDecoder().decode(T.self, from: Data(text.utf8)) } catch {
                throw WorldModelError(file: path, "checkpoint metadata '\(key)' is not valid: \(error)")
            }
        }
        let architecture = try decode(Architecture.self, Checkpoint.Key.architecture)
        let normalization = try decode(Normalization.self, Checkpoint.Key.normalization)
        let model: BodyDynamicsModel
        do { model = try BodyDynamicsModel(configuration: architecture.configuration, scene: architecture.scene, seed: 0) } catch let e as WorldModelError {
            throw WorldModelError(file: path, e.message)
        }
        guard normalization.input.width == model.inputStatistics.width, normalization.edge.width == model.edgeStatistics.width,
              normalization.target.width == model.targetStatistics.width else {
            throw WorldModelError(file: path, "normalisation statistics do not match the architecture")
        }
        try Checkpoint.load(from: path, into: model.parameters)
        model.inputStatistics = normalization.input
        model.edgeStatistics = normalization.edge
        model.targetStatistics = normalization.target
        return model
    }
}

/// The dense baseline's input row: per joint its configuration (hinge: sin and cos of qpos - ref; slide: qpos - ref;
/// free: position (3) and quaternion (4, w >= 0); ball: quaternion (4, w >= 0)), then the velocity history
/// (H x nv, oldest first), then ctrl (nu).
public enum DenseStateFeatures {
    public static func width(scene: SceneModel, historyLength h: Int) -> Int {
        scene.tree.joints.reduce(0) { $0 + configurationWidth($1.kind) } + h * scene.nv + scene.nu
    }

    static func configurationWidth(_ kind: KinematicTree.JointKind) -> Int {
        switch kind {
        case .hinge: 2
        case .slide: 1
        case .free: 7
        case .ball: 4
        }
    }

    /// Writes the row of `qpos` (nq), `velocities` (H x nv) and `ctrl` (nu) into `row`.
    static func write(_ row: UnsafeMutablePointer<Float>, scene: SceneModel, qpos: ArraySlice<Float>, velocities: UnsafeBufferPointer<Float>,
                      ctrl: UnsafeBufferPointer<Float>) {
        var c = 0
        let start = qpos.startIndex
        for joint in scene.tree.joints {
            let a = start + joint.qposAddress
            switch joint.kind {
            case .hinge:
                let x = qpos[a] - joint.referenceQpos[0]
                row[c] = Float(sin(Double(x))); row[c + 1] = Float(cos(Double(x))); c += 2
            case .slide:
                row[c] = qpos[a] - joint.referenceQpos[0]; c += 1
            case .free, .ball:
                let q0 = joint.kind == .free ? a + 3 : a
                if joint.kind == .free { for k in 0..<3 { row[c + k] = qpos[a + k] }; c += 3 }
                let sign: Float = qpos[q0] < 0 ? -1 : 1
                for k in 0..<4 { row[c + k] = sign * qpos[q0 + k] }
                c += 4
            }
        }
        for v in velocities { row[c] = v; c += 1 }
        for u in ctrl { row[c] = u; c += 1 }
    }
}
