#if Viewer
import WorldModel

/// Something the viewer can draw: a world that advances by one control step per action and reports where
/// every object is.
///
/// The MuJoCo ground truth (`GroundTruthSource`) is the first; a learned rollout is another, drawn beside it
/// from the same start and driven by the same actions, so the viewer can show the error between the two.
///
/// ```swift
/// let truth = try GroundTruthSource(scenePath: "scenes/push.xml")
/// try truth.reset(objectStates: start, robotState: robot)
/// try truth.step(action: [0.1, 0])
/// let firstCentre = SIMD3(truth.objectStates[0], truth.objectStates[1], truth.objectStates[2])
/// ```
public protocol PoseSource: AnyObject {
    /// A short name for the on-screen legend, e.g. "ground truth (MuJoCo)".
    var label: String { get }
    /// Bytes this source holds for its model and state, when it can tell; `nil` when it cannot.
    var memoryFootprintBytes: Int? { get }
    /// The objects' states now, N x 13 (position, quaternion w x y z, linear and angular velocity; see
    /// `Episode.objectStates` for units and frames).
    var objectStates: [Float] { get }
    /// The robot's state now (6 floats: body position (m, world), linear velocity (m/s, world)).
    var robotState: [Float] { get }
    /// Starts over from `objectStates` (N x 13) with the robot body at `robotState`'s position.
    func reset(objectStates: [Float], robotState: [Float]) throws
    /// Advances one control step under `action` (its meaning: `RobotDescription.actionMeaning`).
    func step(action: [Float]) throws
}

extension PoseSource {
    /// The centre (m, world) of object `index`.
    public func position(ofObject index: Int) -> SIMD3<Float> {
        let o = index * objectStateWidth
        return SIMD3(objectStates[o], objectStates[o + 1], objectStates[o + 2])
    }

    /// The orientation (w, x, y, z), body to world, of object `index`.
    public func quaternion(ofObject index: Int) -> SIMD4<Float> {
        let o = index * objectStateWidth
        return SIMD4(objectStates[o + 3], objectStates[o + 4], objectStates[o + 5], objectStates[o + 6])
    }
}
#endif
