import FoundationEssentials

/// A learned dynamics model: the network (graph network or the dense baseline), its normalisation statistics,
/// the robot's kinematics, and the configuration, saved together in one safetensors checkpoint.
///
/// ```swift
/// let model = try DynamicsModel.load(from: "models/push.safetensors")
/// let runner = try DynamicsRunner(model: model, objects: scene.objects, maxEnvironments: 1)
/// var states = [DynamicsState(episode: episode, frame: 5, historyLength: model.historyLength, dtSeconds: model.dtSeconds)]
/// try runner.step(&states, actions: [SIMD2(0.1, 0)])
/// ```
public final class DynamicsModel {
    public let configuration: DynamicsConfiguration
    /// The objects of the training scene. The graph network takes any objects; the dense baseline only these.
    public let trainedObjects: [ObjectDescription]
    public let robot: RobotDescription
    /// Seconds per control step.
    public let dtSeconds: Float
    public var nodeStatistics: FeatureStatistics
    public var edgeStatistics: FeatureStatistics
    /// Statistics of the decoded accelerations (6: linear m/s², angular rad/s², in the output frame).
    public var targetStatistics: FeatureStatistics
    public var robotKinematics: RobotKinematics
    let graphNetwork: GraphNetwork?
    let denseNetwork: MLP?
    /// Every trainable parameter.
    public let parameters: [Parameter]

    public var historyLength: Int { configuration.features.historyLength }

    /// A freshly initialised model for a scene.
    public init(configuration: DynamicsConfiguration, objects: [ObjectDescription], robot: RobotDescription, dtSeconds: Float,
                robotKinematics: RobotKinematics, seed: UInt64) {
        self.configuration = configuration
        trainedObjects = objects
        self.robot = robot
        self.dtSeconds = dtSeconds
        self.robotKinematics = robotKinematics
        let nodeWidth = configuration.features.nodeWidth
        nodeStatistics = FeatureStatistics(identityOfWidth: nodeWidth)
        edgeStatistics = FeatureStatistics(identityOfWidth: GraphFeatureConfiguration.edgeWidth)
        targetStatistics = FeatureStatistics(identityOfWidth: 6)
        switch configuration.kind {
        case .gnn:
            let network = GraphNetwork(Self.graphArchitecture(configuration), seed: seed)
            graphNetwork = network
            denseNetwork = nil
            parameters = network.parameters
        case .denseMLP:
            let n = objects.count
            let widths = [(n + 1) * nodeWidth] + Array(repeating: configuration.denseHiddenWidth, count: configuration.hiddenLayers) + [n * 6]
            var rng = SeededRandom(seed: seed)
            let mlp = MLP(MLPDescription(widths: widths, activation: .relu), name: "dense", using: &rng)
            graphNetwork = nil
            denseNetwork = mlp
            parameters = mlp.parameters
        }
    }

    static func graphArchitecture(_ c: DynamicsConfiguration) -> GraphNetworkArchitecture {
        GraphNetworkArchitecture(nodeInputWidth: c.features.nodeWidth, edgeInputWidth: GraphFeatureConfiguration.edgeWidth, outputWidth: 6,
                                 latentWidth: c.latentWidth, hiddenLayers: c.hiddenLayers, messagePassingSteps: c.messagePassingSteps)
    }

    /// Bytes of the parameters (float32).
    public var parameterBytes: Int { parameters.scalarCount * MemoryLayout<Float>.stride }

    /// An independent copy: the same configuration, scene, kinematics, statistics and weights, its own buffers
    /// (a data-parallel training thread's replica).
    public func replica() -> DynamicsModel {
        let copy = DynamicsModel(configuration: configuration, objects: trainedObjects, robot: robot, dtSeconds: dtSeconds,
                                 robotKinematics: robotKinematics, seed: 0)
        copy.nodeStatistics = nodeStatistics
        copy.edgeStatistics = edgeStatistics
        copy.targetStatistics = targetStatistics
        copy.parameters.copyValues(from: parameters)
        return copy
    }

    /// What the checkpoint's `architecture` metadata holds.
    struct Architecture: Codable, Equatable {
        var configuration: DynamicsConfiguration
        var trainedObjects: [ObjectDescription]
        var robot: RobotDescription
        var dtSeconds: Float
    }

    struct Normalization: Codable, Equatable {
        var node: FeatureStatistics
        var edge: FeatureStatistics
        var target: FeatureStatistics
    }

    /// The checkpoint metadata `model` of a free-object dynamics model.
    public static let checkpointKind = "wm-dynamics"

    /// Writes the model atomically; `extra` adds metadata (e.g. training summary).
    public func save(to path: String, extra: [String: String] = [:]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let architecture = Architecture(configuration: configuration, trainedObjects: trainedObjects, robot: robot, dtSeconds: dtSeconds)
        let normalization = Normalization(node: nodeStatistics, edge: edgeStatistics, target: targetStatistics)
        var metadata = extra
        metadata["robot_kinematics"] = String(decoding: try encoder.encode(robotKinematics), as: UTF8.self)
        metadata["model"] = Self.checkpointKind
        try Checkpoint.save(parameters, to: path, architecture: String(decoding: try encoder.encode(architecture), as: UTF8.self),
                            normalization: String(decoding: try encoder.encode(normalization), as: UTF8.self), extra: metadata)
    }

    /// Reads a model written by `save`, validating every tensor against the architecture it declares.
    public static func load(from path: String) throws -> DynamicsModel {
        let file = try SafetensorsFile.read(path)
        guard file.metadata["model"] == Self.checkpointKind else {
            throw WorldModelError(file: path, "not a wm dynamics checkpoint (metadata 'model' is \(file.metadata["model"] ?? "missing"))")
        }
        let decoder = JSONDecoder()
        func decode<T: Decodable>(_ type: T.Type, _ key: String) throws -> T {
            guard let text = file.metadata[key] else { throw WorldModelError(file: path, "checkpoint metadata lacks '\(key)'") }
            do { return try decoder.decode(T.self, from: Data(text.utf8)) } catch {
                throw WorldModelError(file: path, "checkpoint metadata '\(key)' is not valid: \(error)")
            }
        }
        let architecture = try decode(Architecture.self, Checkpoint.Key.architecture)
        let normalization = try decode(Normalization.self, Checkpoint.Key.normalization)
        let kinematics = try decode(RobotKinematics.self, "robot_kinematics")
        let model = DynamicsModel(configuration: architecture.configuration, objects: architecture.trainedObjects, robot: architecture.robot,
                                  dtSeconds: architecture.dtSeconds, robotKinematics: kinematics, seed: 0)
        guard normalization.node.width == model.nodeStatistics.width, normalization.edge.width == model.edgeStatistics.width,
              normalization.target.width == 6 else {
            throw WorldModelError(file: path, "normalisation statistics do not match the architecture")
        }
        try Checkpoint.load(from: path, into: model.parameters)
        model.nodeStatistics = normalization.node
        model.edgeStatistics = normalization.edge
        model.targetStatistics = normalization.target
        return model
    }
}
