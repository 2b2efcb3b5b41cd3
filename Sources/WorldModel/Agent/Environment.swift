/// A world an agent acts in: reset it, step it with an action, look at it, and ask "what if" without acting.
///
/// Two implementations answer to the same calls: `MuJoCoEnvironment` (the physics teacher) and
/// `LearnedEnvironment` (the learned world model). An agent written against `Environment` swaps one for the
/// other in one line:
///
/// ```swift
/// let world: any Environment = try MuJoCoEnvironment(scenePath: "scenes/push.xml")
/// // let world: any Environment = try LearnedEnvironment(modelPath: "models/push.safetensors", scenePath: "scenes/push.xml")
/// var seen = try world.reset(seed: 7)
/// for _ in 0..<50 { seen = try world.step(action: SIMD2(0.2, 0)) }
/// print(seen.objects[0].position)
/// let futures = try world.rollout(actions: [[SIMD2](repeating: SIMD2(0, 0.2), count: 25)])  // state unchanged
/// try PNGFile.write(world.render(camera: .tableOverview), to: "/tmp/now.png")
/// ```
///
/// Actions are the planar robot's commanded velocity (vx, vy) in m/s, world frame, held for one control step
/// (`scene.controlDtSeconds`); see `RobotDescription.actionMeaning`. Implementations are classes holding mutable
/// state and are not thread-safe: use one environment per thread.
public protocol Environment: AnyObject {
    /// Objects, robot and timing of the world.
    var scene: SceneDescription { get }
    /// What the agent sees now.
    var observation: Observation { get }
    /// Starts over with objects and the robot at `placement`, at rest.
    @discardableResult func reset(to placement: InitialPlacement) throws -> Observation
    /// Applies `action` for one control step and returns what the agent sees after it.
    @discardableResult func step(action: SIMD2<Float>) throws -> Observation
    /// Rolls out each action sequence from the current state and returns the observation after every step
    /// (`result[k][t]` follows `actions[k][t]`). The environment's own state does not change.
    func rollout(actions: [[SIMD2<Float>]]) throws -> [[Observation]]
    /// An RGB image of the current state from `camera`.
    func render(camera: PinholeCamera) -> RGBImage
}

extension Environment {
    /// Starts over at the random placement of `seed` (`InitialPlacement.sample`): the same seed gives the same
    /// start in every environment of the same scene.
    @discardableResult public func reset(seed: UInt64) throws -> Observation {
        var rng = SeededRandom(seed: seed)
        return try reset(to: InitialPlacement.sample(for: scene, using: &rng))
    }
}
