/// Which learned dynamics a checkpoint holds.
public enum DynamicsKind: String, Codable, Sendable {
    /// The encode-process-decode graph network over object nodes.
    case gnn
    /// The dense baseline: one MLP over all objects' states concatenated; fixed object count.
    case denseMLP = "dense_mlp"
}

/// Everything that defines a dynamics model and how it is trained. Stored in checkpoints as JSON.
///
/// Presets: `default` (latent 64, 3 message-passing steps), `small` (latent 32, 2 steps, for tests), `gns-peer`
/// (every pair connected, 5 steps, latent 128, 2 hidden layers with LayerNorm: the same network as
/// `../shared/peers/gns_torch.py`), `dense` (the dense flat-state MLP baseline).
public struct DynamicsConfiguration: Codable, Equatable, Sendable {
    public var kind: DynamicsKind
    public var features: GraphFeatureConfiguration
    public var latentWidth: Int
    public var hiddenLayers: Int
    public var messagePassingSteps: Int
    /// Hidden width of the dense baseline's MLP.
    public var denseHiddenWidth: Int
    /// Training: standard deviation of the random-walk noise on the newest velocity (m/s, rad/s).
    public var linearVelocityNoise: Float
    public var angularVelocityNoise: Float
    /// Training: graphs (environments at one frame each) per minibatch.
    public var batchSize: Int
    public var learningRate: Float
    /// Training: the learning rate decays by 10x every this many steps (exponential).
    public var learningRateDecaySteps: Int
    public var weightDecay: Float
    public var gradientClipNorm: Float
    /// Rollouts lift an object whose lowest point sinks deeper than this (m) into the table back onto it
    /// (``DynamicsState/keepAboveTable(objects:tableHeightMeters:toleranceMeters:dtSeconds:)``). Nil (checkpoints
    /// from before it existed, and the default) means ``defaultTablePenetrationToleranceMeters``; a value above any
    /// depth (e.g. 1) turns it off.
    public var tablePenetrationToleranceMeters: Float?
    /// 2 mm, as the body graph's static contacts (``BodyDynamicsConfiguration/staticPenetrationToleranceMeters``).
    public static let defaultTablePenetrationToleranceMeters: Float = 0.002
    /// The table tolerance rollouts use: the configuration's, or the default.
    public var tableToleranceMeters: Float { tablePenetrationToleranceMeters ?? Self.defaultTablePenetrationToleranceMeters }

    public init(kind: DynamicsKind = .gnn, features: GraphFeatureConfiguration = GraphFeatureConfiguration(),
                latentWidth: Int = 64, hiddenLayers: Int = 2, messagePassingSteps: Int = 3, denseHiddenWidth: Int = 256,
                linearVelocityNoise: Float = 0.003, angularVelocityNoise: Float = 0.03, batchSize: Int = 32,
                learningRate: Float = 1e-3, learningRateDecaySteps: Int = 40_000, weightDecay: Float = 0,
                gradientClipNorm: Float = 1) {
        self.kind = kind
        self.features = features
        self.latentWidth = latentWidth
        self.hiddenLayers = hiddenLayers
        self.messagePassingSteps = messagePassingSteps
        self.denseHiddenWidth = denseHiddenWidth
        self.linearVelocityNoise = linearVelocityNoise
        self.angularVelocityNoise = angularVelocityNoise
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.learningRateDecaySteps = learningRateDecaySteps
        self.weightDecay = weightDecay
        self.gradientClipNorm = gradientClipNorm
    }

    /// The preset names `preset(named:)` knows.
    public static let presetNames = ["default", "small", "gns-peer", "dense", "receiver-frame"]

    /// A named preset, or nil.
    public static func preset(named name: String) -> DynamicsConfiguration? {
        switch name {
        case "default": return DynamicsConfiguration()
        case "small": return DynamicsConfiguration(latentWidth: 32, messagePassingSteps: 2, batchSize: 16)
        case "gns-peer":
            return DynamicsConfiguration(features: GraphFeatureConfiguration(allPairs: true), latentWidth: 128, hiddenLayers: 2,
                                         messagePassingSteps: 5)
        case "dense": return DynamicsConfiguration(kind: .denseMLP)
        case "receiver-frame": return DynamicsConfiguration(features: GraphFeatureConfiguration(frame: .receiver))
        default: return nil
        }
    }
}
