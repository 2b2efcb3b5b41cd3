/// A trained world model loaded from its checkpoint files: today the dynamics (`wm train`'s safetensors);
/// the neural field for rendering joins it when issue 5 lands.
///
/// ```swift
/// let world = try LearnedWorldModel.load(dynamics: "models/push.safetensors")
/// print(world.dynamics.historyLength, world.parameterBytes)
/// ```
/// Read-only after loading; the environments and rollout models built on it hold their own buffers, one per thread.
public final class LearnedWorldModel {
    /// The learned dynamics: network, normalisation and robot kinematics.
    public let dynamics: DynamicsModel
    /// The file it was loaded from.
    public let dynamicsPath: String

    public init(dynamics: DynamicsModel, dynamicsPath: String = "") {
        self.dynamics = dynamics
        self.dynamicsPath = dynamicsPath
    }

    /// Loads the dynamics checkpoint at `path` (throws naming the file if it is missing or not a wm model).
    public static func load(dynamics path: String) throws -> LearnedWorldModel {
        LearnedWorldModel(dynamics: try DynamicsModel.load(from: path), dynamicsPath: path)
    }

    /// Bytes of every parameter (float32).
    public var parameterBytes: Int { dynamics.parameterBytes }
}
