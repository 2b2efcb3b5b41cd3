/// Plans from a camera instead of from MuJoCo's state: wraps a controller (the learned planner) so that what it
/// observes after every executed step is the `TrackingFilter`'s estimate, from the observation's camera frames
/// (`Observation.frames`: the environment must observe cameras) and the robot's measured joints, not the teacher's
/// `qpos`. The task starts from the teacher's state (a known start, as `wm track`); MuJoCo still moves the world
/// and judges success.
///
/// ```swift
/// try teacher.observeCameras([camera], depthNoiseMeters: 0.002, seed: 1)
/// let seeing = try CameraController(inner: LearnedController(model: model, configuration: configuration),
///                                   filter: TrackingFilter(model: model, fields: fields))
/// let summary = try evaluation.run(controller: seeing, environment: teacher)
/// ```
public final class CameraController: Controller {
    public let name: String
    public let inner: any Controller
    public let filter: TrackingFilter
    /// Pose errors (m) of the tracked bodies against the teacher, every observed step.
    public private(set) var positionErrors: [Float] = []
    /// The median of `positionErrors` (m); 0 before any step.
    public var medianPositionError: Float { TrackingEvaluation.Percentiles(positionErrors).median }
    private let kinematics: ForwardKinematics
    private var lastAction: [Float]

    public init(inner: any Controller, filter: TrackingFilter, name: String = "learned-camera") {
        self.inner = inner
        self.filter = filter
        self.name = name
        kinematics = ForwardKinematics(tree: filter.model.scene.tree)
        lastAction = [Float](repeating: 0, count: filter.model.scene.nu)
    }

    public func begin(environment: MuJoCoEnvironment) {
        inner.begin(environment: environment)
        var start = BodyStateTracker(scene: filter.model.scene, historyLength: filter.model.historyLength)
        start.start(at: environment.observation)
        filter.start(at: start.state)
        for k in lastAction.indices { lastAction[k] = 0 }
    }

    public func action(environment: MuJoCoEnvironment, task: any PlanningTask) throws -> [Float] {
        let action = try inner.action(environment: environment, task: task)
        lastAction = action
        return action
    }

    /// Filters the observation's frames and passes the estimate on. When it has no frames or the filter throws
    /// (`observe` cannot), the inner controller gets the filter's last estimate, never the teacher's state.
    public func observe(_ observation: Observation) {
        guard !observation.frames.isEmpty,
              let estimate = try? filter.step(ctrl: lastAction, measuredQpos: observation.qpos, frames: observation.frames) else {
            inner.observe(Observation(qpos: filter.qpos, qvel: observation.qvel, ctrl: observation.ctrl, step: observation.step, kinematics: kinematics))
            return
        }
        let seen = filter.objectPoses(estimate.qpos), truth = filter.objectPoses(observation.qpos)
        for b in 0..<(seen.count / 7) {
            let d = SIMD3(seen[7 * b], seen[7 * b + 1], seen[7 * b + 2]) - SIMD3(truth[7 * b], truth[7 * b + 1], truth[7 * b + 2])
            positionErrors.append((d * d).sum().squareRoot())
        }
        inner.observe(Observation(qpos: estimate.qpos, qvel: observation.qvel, ctrl: observation.ctrl, step: observation.step, kinematics: kinematics))
    }

    public var planningMillisecondsPerStep: Double { inner.planningMillisecondsPerStep }
}
