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
    /// Geoms of different moving bodies closer than this (m) get contact edges.
    public var contactRadiusMeters: Float
    /// A static geom (floor, wall, table) and a moving geom closer than this (m) get a static-contact edge. Wider
    /// than `contactRadiusMeters` so that a fast link (a swinging arm moves 2-3 cm per control step) is seen
    /// approaching the floor before it is through it; static edges are few (one per moving geom and static geom).
    public var staticContactRadiusMeters: Float
    /// Whether each static-contact edge also runs from the moving body to the world node. The world node is joined
    /// to the robot's root, so a contact at the end of a long chain (stacker's fingertips, six joints from the root)
    /// reaches the root's DOFs in two message-passing steps instead of one per joint.
    public var staticContactEdgesToWorld: Bool
    public var latentWidth: Int
    public var hiddenLayers: Int
    public var messagePassingSteps: Int
    /// Hidden width of the dense baseline's MLP.
    public var denseHiddenWidth: Int
    /// Training: standard deviation of the random-walk noise on the newest velocity, for translational DOFs (m/s)
    /// and rotational ones (rad/s).
    public var linearVelocityNoise: Float
    public var angularVelocityNoise: Float
    /// Training: standard deviation of a random offset of the passive bodies' configuration history (the same in
    /// every frame, so velocities barely change), for translational DOFs (m) and rotational ones (rad). The target then
    /// pulls the body back to the recorded next configuration: where the offset is observable (a body pushed
    /// into the floor or another body) the model learns to push it out; where it is not, the mean correction is 0.
    public var positionNoiseMeters: Float
    public var rotationNoiseRadians: Float
    /// Training: the same offset for the robot's DOFs (actuated bodies and those below them), translational (m) and
    /// rotational (rad). Its configuration is observed at every step, but a long closed-loop rollout predicts it
    /// too: without this offset the model never sees a link pressed into the floor and the push that gets it out.
    public var robotPositionNoiseMeters: Float
    public var robotRotationNoiseRadians: Float
    /// Training: environments (one frame each) per minibatch.
    public var batchSize: Int
    public var learningRate: Float
    /// The learning rate decays by 10x every this many steps (exponential).
    public var learningRateDecaySteps: Int
    public var gradientClipNorm: Float
    /// Rollouts keep limited hinges and slides within their range widened by this margin (rad for hinges; a
    /// slide's margin is this many metres times 0.1), as MuJoCo's soft limits let them overshoot a little.
    public var jointLimitMarginRadians: Float
    /// Rollouts move a moving geom that sinks deeper than this (m) into a static geom back out
    /// (``StaticContactProjection``). Absent from older checkpoints: decoded as the default, 2 mm, since it is a
    /// rule of the rollout, not something the network learned. A value of 1 m or more turns it off.
    public var staticPenetrationToleranceMeters: Float

    public init(kind: BodyDynamicsKind = .gnn, historyLength: Int = 2, contactRadiusMeters: Float = 0.02, staticContactRadiusMeters: Float? = nil,
                staticContactEdgesToWorld: Bool = false, latentWidth: Int = 64,
                hiddenLayers: Int = 2, messagePassingSteps: Int = 5, denseHiddenWidth: Int = 256, linearVelocityNoise: Float = 0.01,
                angularVelocityNoise: Float = 0.1, positionNoiseMeters: Float = 0.0005, rotationNoiseRadians: Float = 0.01,
                robotPositionNoiseMeters: Float = 0, robotRotationNoiseRadians: Float = 0, batchSize: Int = 16, learningRate: Float = 1e-3, learningRateDecaySteps: Int = 20_000,
                gradientClipNorm: Float = 1, jointLimitMarginRadians: Float = 0.0175, staticPenetrationToleranceMeters: Float = 0.002) {
        self.kind = kind
        self.historyLength = historyLength
        self.contactRadiusMeters = contactRadiusMeters
        self.staticContactRadiusMeters = staticContactRadiusMeters ?? contactRadiusMeters
        self.staticContactEdgesToWorld = staticContactEdgesToWorld
        self.latentWidth = latentWidth
        self.hiddenLayers = hiddenLayers
        self.messagePassingSteps = messagePassingSteps
        self.denseHiddenWidth = denseHiddenWidth
        self.linearVelocityNoise = linearVelocityNoise
        self.angularVelocityNoise = angularVelocityNoise
        self.positionNoiseMeters = positionNoiseMeters
        self.rotationNoiseRadians = rotationNoiseRadians
        self.robotPositionNoiseMeters = robotPositionNoiseMeters
        self.robotRotationNoiseRadians = robotRotationNoiseRadians
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.learningRateDecaySteps = learningRateDecaySteps
        self.gradientClipNorm = gradientClipNorm
        self.jointLimitMarginRadians = jointLimitMarginRadians
        self.staticPenetrationToleranceMeters = staticPenetrationToleranceMeters
    }

    /// Decodes a configuration; an absent offset noise (checkpoints written before those fields existed) decodes
    /// as 0, the noise those models were trained with, an absent static-contact radius as the contact radius and
    /// absent world-bound static edges as none, an absent penetration tolerance as 2 mm.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try c.decode(BodyDynamicsKind.self, forKey: .kind), historyLength: try c.decode(Int.self, forKey: .historyLength),
                  contactRadiusMeters: try c.decode(Float.self, forKey: .contactRadiusMeters),
                  staticContactRadiusMeters: try c.decodeIfPresent(Float.self, forKey: .staticContactRadiusMeters),
                  staticContactEdgesToWorld: try c.decodeIfPresent(Bool.self, forKey: .staticContactEdgesToWorld) ?? false, latentWidth: try c.decode(Int.self, forKey: .latentWidth),
                  hiddenLayers: try c.decode(Int.self, forKey: .hiddenLayers), messagePassingSteps: try c.decode(Int.self, forKey: .messagePassingSteps),
                  denseHiddenWidth: try c.decode(Int.self, forKey: .denseHiddenWidth),
                  linearVelocityNoise: try c.decode(Float.self, forKey: .linearVelocityNoise),
                  angularVelocityNoise: try c.decode(Float.self, forKey: .angularVelocityNoise),
                  positionNoiseMeters: try c.decodeIfPresent(Float.self, forKey: .positionNoiseMeters) ?? 0,
                  rotationNoiseRadians: try c.decodeIfPresent(Float.self, forKey: .rotationNoiseRadians) ?? 0,
                  robotPositionNoiseMeters: try c.decodeIfPresent(Float.self, forKey: .robotPositionNoiseMeters) ?? 0,
                  robotRotationNoiseRadians: try c.decodeIfPresent(Float.self, forKey: .robotRotationNoiseRadians) ?? 0,
                  batchSize: try c.decode(Int.self, forKey: .batchSize), learningRate: try c.decode(Float.self, forKey: .learningRate),
                  learningRateDecaySteps: try c.decode(Int.self, forKey: .learningRateDecaySteps),
                  gradientClipNorm: try c.decode(Float.self, forKey: .gradientClipNorm),
                  jointLimitMarginRadians: try c.decode(Float.self, forKey: .jointLimitMarginRadians),
                  staticPenetrationToleranceMeters: try c.decodeIfPresent(Float.self, forKey: .staticPenetrationToleranceMeters) ?? 0.002)
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
