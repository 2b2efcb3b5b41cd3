/// A world an agent acts in, for any MuJoCo scene: start it, step it with an action vector, look at it, and ask
/// "what if" without acting.
///
/// Two implementations answer to the same calls: `MuJoCoEnvironment` (the physics teacher) and
/// `LearnedEnvironment` (the learned world model). An agent written against `Environment` swaps one for the
/// other in one line:
///
/// ```swift
/// let teacher = try MuJoCoEnvironment(scenePath: "/tmp/dmc/dm_control/suite/stacker.xml")
/// var world: any Environment = teacher
/// // world = try LearnedEnvironment(modelPath: "models/stacker.safetensors")
/// var seen = try world.reset(to: teacher.reset(seed: 7))
/// for _ in 0..<50 { seen = try world.step(action: [0.2, -0.1, 0, 0, 0.5]) }   // nu = 5 values of ctrl
/// print(seen.qpos, seen.bodyPositions[4])
/// let futures = try world.rollout(actions: [[[Float]](repeating: [0, 0, 0, 0, 0], count: 25)])  // state unchanged
/// try PNGFile.write(world.render(camera: .tableOverview), to: "/tmp/now.png")
/// try world.observeCameras([try teacher.simulation.sceneCamera(named: "table_view", width: 64, height: 64)])
/// let frame = try world.step(action: [0.2, -0.1, 0, 0, 0.5]).frames[0]   // RGB-D, for an agent that sees
/// ```
///
/// Actions are MuJoCo's `ctrl`: one value per actuator (`sceneModel.actuators`, nu of them), held for one control
/// step (`sceneModel.controlDtSeconds`), clamped into each actuator's `ctrlrange`. A wrong count or a non-finite
/// value throws one line naming it. Implementations are classes holding mutable state and are not thread-safe:
/// use one environment per thread.
public protocol Environment: AnyObject {
    /// Bodies, joints, actuators and timing of the world.
    var sceneModel: SceneModel { get }
    /// What the agent sees now.
    var observation: Observation { get }
    /// Starts over at `observation`'s configuration and velocity (e.g. one the teacher showed).
    @discardableResult func reset(to observation: Observation) throws -> Observation
    /// Applies `action` (nu values of `ctrl`) for one control step and returns what the agent sees after it.
    @discardableResult func step(action: [Float]) throws -> Observation
    /// Rolls out each action sequence from the current state and returns the observation after every step
    /// (`result[k][t]` follows `actions[k][t]`). The environment's own state does not change.
    func rollout(actions: [[[Float]]]) throws -> [[Observation]]
    /// An RGB image of the current state from `camera`.
    func render(camera: PinholeCamera) -> RGBImage
    /// From now on, every observation after `reset` and `step` (and `observation`) carries the RGB-D frames of
    /// `cameras` (`Observation.frames`), so an agent can be written against what a camera sees; an empty list stops
    /// it. Observations of `rollout` carry none. Throws when the environment cannot render its scene.
    func observeCameras(_ cameras: [PinholeCamera]) throws
}
