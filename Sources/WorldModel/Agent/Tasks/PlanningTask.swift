/// What an agent is asked to do, as a planner needs it: a cost over a predicted trajectory, a measure of how far
/// the world still is from done, and a success test. Any scene, any model: costs read body poses (and `qpos`)
/// from ``SampledTrajectories``, never a model's internals.
///
/// Write your own in a few lines; e.g. keep the hand high:
///
/// ```swift
/// struct HoldHandHigh: PlanningTask {
///     var hand: Int, height: Float
///     var name: String { "hold-high" }
///     var summary: String { "keep body \(hand) at z >= \(height) m" }
///     var toleranceMeters: Float { 0.01 }
///     func cost(of trajectories: SampledTrajectories, sample s: Int) -> Float {
///         (0..<trajectories.horizon).reduce(0) { $0 + max(0, height - trajectories.position(sample: s, step: $1, body: hand).z) }
///     }
///     func distance(_ observation: Observation) -> Float { max(0, height - observation.bodyPositions[hand].z) }
/// }
/// let action = try planner.plan(from: state, task: HoldHandHigh(hand: scene.handBodyIndex!, height: 0.3))
/// ```
public protocol PlanningTask: Sendable {
    /// A short name for reports (`push`, `bring`, `reach`).
    var name: String { get }
    /// One line saying what is asked, with the bodies' names and the numbers.
    var summary: String { get }
    /// The cost of sample `s` of `trajectories` (lower is better). The planner adds its smoothness term and
    /// gives diverged samples +infinity itself.
    func cost(of trajectories: SampledTrajectories, sample s: Int) -> Float
    /// How far `observation` is from done (m): the success test compares it with `toleranceMeters`.
    func distance(_ observation: Observation) -> Float
    var toleranceMeters: Float { get }
}

extension PlanningTask {
    /// Whether `observation` accomplishes the task.
    public func isSolved(_ observation: Observation) -> Bool { distance(observation) <= toleranceMeters }
}
