#if Viewer
import WorldModel

/// Something the viewer can draw: a world of the scene's bodies that advances by one control step per action and
/// reports its configuration and every body's pose (`Observation`: `qpos`, `qvel`, `xpos`, `xquat`).
///
/// The MuJoCo ground truth (`GroundTruthSource`) is the first; a learned rollout (`LearnedSource`) or a recorded
/// episode (`RecordedSource`) is drawn beside it from the same start and driven by the same actions, so the viewer
/// can show the error between the two.
///
/// ```swift
/// let truth = try GroundTruthSource(scenePath: "scenes/push.xml")
/// try truth.reset(to: start)
/// try truth.step(action: [0.1, 0])
/// let cube = truth.observation.bodyPositions[2]
/// ```
public protocol PoseSource: AnyObject {
    /// A short name for the on-screen legend, e.g. "ground truth (MuJoCo)".
    var label: String { get }
    /// Bytes this source holds for its model and state, when it can tell; `nil` when it cannot.
    var memoryFootprintBytes: Int? { get }
    /// The world now.
    var observation: Observation { get }
    /// Starts over at `observation`'s configuration and velocity.
    func reset(to observation: Observation) throws
    /// Advances one control step under `action` (nu values of `ctrl`).
    func step(action: [Float]) throws
}
#endif
