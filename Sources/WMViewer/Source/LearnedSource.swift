#if Viewer
import WorldModel

/// The learned world model as a pose source: a body-dynamics checkpoint (`wm train`) stepped by a
/// `LearnedEnvironment` (the one rollout path: `LearnedRolloutModel`), started from the ground truth's state
/// (velocity history filled with the current velocity, as after a steady motion).
public final class LearnedSource: PoseSource {
    public let label: String
    public let environment: LearnedEnvironment
    public var model: BodyDynamicsModel { environment.model }

    /// Loads `modelPath` for `scene`; throws, naming the file, for a checkpoint of another scene or one that is
    /// not a body-dynamics model.
    public init(modelPath: String, scene: SceneModel) throws {
        let model = try BodyDynamicsModel.load(from: modelPath)
        guard model.scene == scene else {
            throw WorldModelError(file: modelPath, "was trained on scene '\(model.scene.name)', not on the viewed scene '\(scene.name)'")
        }
        environment = try LearnedEnvironment(model: model, maxBatch: 1)
        label = "learned (\(model.configuration.kind == .gnn ? "GNN" : "dense MLP"))"
    }

    /// The parameters and the model's input state (H + 1 configurations).
    public var memoryFootprintBytes: Int? { model.parameterBytes + 4 * environment.state.qposHistory.count }

    public var observation: Observation { environment.observation }

    public func reset(to observation: Observation) throws { try environment.reset(to: observation) }

    /// One learned step; throws when the prediction stops being finite (the source keeps its last state).
    public func step(action: [Float]) throws { try environment.step(action: action) }
}
#endif
