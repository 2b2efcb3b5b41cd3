/// Which network a body-dynamics checkpoint holds.
public enum BodyDynamicsKind: String, Codable, Sendable {
    /// The encode-process-decode graph network over the body graph (``BodyGraphLayout``).
    case gnn
    /// The dense baseline: one MLP over the flat generalized state (qpos features, velocity history, ctrl).
    case denseMLP = "dense_mlp"
}

/// Everything that defines a body-dynamics model and how it is trained. Stored in checkpoints as JSON.
///
/// Presets: `default` (latent 64, 5 message-passing steps: enough to carry a torque along a 5-link arm), `small` (latent 32, 2 steps, for tests), `dense` (the
/// flat MLP over (qpos, qvel, ctrl)).
public struct BodyDynamicsConfiguration: Codable, Equatable, Sendable {
    public var kind: BodyDynamicsKind
    /// Generalized velocities of the last `historyLength` control steps in the inputs (finite differences of qpos).
    public var historyLength: Int
    /// Geoms of different bodies closer than this (m) get contact edges; static geoms too.
    public var contactRadiusMeters: Float
    public var latentWidth: Int
    public var hiddenLayers: Int
    public var messagePassingSteps: Int
    /// Hidden width of the dense baseline's MLP.
    public var denseHiddenWidth: Int
    /// Training: standard deviation of the random-walk noise on the newest velocity, for translational DOFs (m/s)
    /// and rotational ones (rad/s).
    public var linearVelocityNoise: Float
    public var angularVelocityNoise: Float
    /// Training: environments (one frame each) per minibatch.
    public var batchSize: Int
    public var learningRate: Float
    /// The learning rate decays by 10x every this many steps (exponential).
    public var learningRateDecaySteps: Int
    public var gradientClipNorm: Float
    /// Rollouts keep limited hinges and slides within their range widened by this margin (rad for hinges; a
    /// slide's margin is this many metres times 0.1), as MuJoCo's soft limits let them overshoot a little.
    public var jointLimitMarginRadians: Float

    public init(kind: BodyDynamicsKind = .gnn, historyLength: Int = 2, contactRadiusMeters: Float = 0.02, latentWidth: Int = 64,
                hiddenLayers: Int = 2, messagePassingSteps: Int = 5, denseHiddenWidth: Int = 256, linearVelocityNoise: Float = 0.003,
                angularVelocityNoise: Float = 0.03, batchSize: Int = 16, learningRate: Float = 1e-3, learningRateDecaySteps: Int = 20_000,
                gradientClipNorm: Float = 1, jointLimitMarginRadians: Float = 0.0175) {
        self.kind = kind
        self.historyLength = historyLength
        self.contactRadiusMeters = contactRadiusMeters
        self.latentWidth = latentWidth
        self.hiddenLayers = hiddenLayers
        self.messagePassingSteps = messagePassingSteps
        self.denseHiddenWidth = denseHiddenWidth
        self.linearVelocityNoise = linearVelocityNoise
        self.angularVelocityNoise = angularVelocityNoise
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.learningRateDecaySteps = learningRateDecaySteps
        self.gradientClipNorm = gradientClipNorm
        self.jointLimitMarginRadians = jointLimitMarginRadians
    }

    public static let presetNames = ["default", "small", "dense"]

    public static func preset(named name: String) -> BodyDynamicsConfiguration? {
        switch name {
        case "default": return BodyDynamicsConfiguration()
        case "small": return BodyDynamicsConfiguration(latentWidth: 32, messagePassingSteps: 2, batchSize: 8)
        case "dense": return BodyDynamicsConfiguration(kind: .denseMLP, batchSize: 32)
        default: return nil
        }
    }
}
