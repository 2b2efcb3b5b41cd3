/// Follows a scene from camera frames: each control step the learned dynamics predicts where everything goes
/// (`LearnedEnvironment`, the model's one rollout path), then the tracker corrects the free bodies' poses against
/// the frames (`PoseTracker`). The robot's joints are measured (its encoders: `measuredQpos`), the objects are
/// seen; the corrected configuration becomes the newest row of the model's history, so the next prediction
/// starts from what was seen. The robot, drawn from its primitive geoms at the measured joints, masks the pixels
/// where the frames see it (`CameraFrame.occluderDepth`).
///
/// The field set's objects are the scene's free joints, in MJCF order (as `ObjectFieldSet` numbers them). A body
/// the tracker finds poorly is searched for (`BodySearch`, unless `search` is nil); one still lost keeps its
/// prediction for that step.
///
/// ```swift
/// let filter = try TrackingFilter(model: .load(from: "models/push-bodies.safetensors"),
///                                 fields: .load(from: "models/push-field.safetensors"))
/// filter.start(at: BodyState(episode: episode, frame: 1, historyLength: filter.model.historyLength, nq: 11))
/// let estimate = try filter.step(ctrl: action, measuredQpos: encoders, frames: try observer.observe(qpos: truth))
/// ```
/// Not thread-safe.
public final class TrackingFilter {
    public let model: BodyDynamicsModel
    public let tracker: PoseTracker
    /// Re-detection of bodies the tracker loses; nil: none.
    public let search: BodySearch?
    /// The qpos address of each tracked body's free joint, in the field set's object order.
    public let objectQposAddresses: [Int]
    /// Each tracked body's index among the scene's bodies (MuJoCo's body id), in the same order.
    public let objectBodies: [Int]
    private let environment: LearnedEnvironment
    private var history: BodyStateTracker
    private let kinematics: ForwardKinematics
    /// The moving bodies that are not tracked (the robot): known from the measured joints, masked in the frames.
    private let robotBodies: Set<Int>

    /// `threads`: the tracker's (distinct fields in parallel). Throws when the fields are of another scene or do not hold one object per free joint of the model's scene.
    public init(model: BodyDynamicsModel, fields: ObjectFieldSet, configuration: PoseTrackerConfiguration = PoseTrackerConfiguration(),
                search: BodySearchConfiguration? = BodySearchConfiguration(), threads: Int = 1, fieldSource: String? = nil) throws {
        let scene = model.scene
        let free = try fields.freeJoints(of: scene, source: fieldSource)
        self.model = model
        tracker = PoseTracker(fields: fields, configuration: configuration, threads: threads)
        self.search = search.map { BodySearch(fields: fields, configuration: $0) }
        objectQposAddresses = free.map(\.qposAddress)
        let tracked = free.map(\.body)
        objectBodies = tracked
        robotBodies = Set(scene.movingBodyIndices.filter { !tracked.contains($0) })
        kinematics = ForwardKinematics(tree: scene.tree)
        environment = try LearnedEnvironment(model: model, maxBatch: 1)
        history = BodyStateTracker(scene: scene, historyLength: model.historyLength)
    }

    /// The current estimate of MuJoCo's `qpos`.
    public var qpos: [Float] { Array(history.state.qpos) }

    /// The tracked bodies' poses in `qpos` (N x 7).
    public func objectPoses(_ qpos: [Float]) -> [Float] {
        objectQposAddresses.flatMap { qpos[$0..<($0 + 7)] }
    }

    /// Starts from a known state (the model's H + 1 configurations).
    public func start(at state: BodyState) { history.start(at: state) }

    /// `frames` with the robot's depth at the measured joints as their occluder (where they have none yet).
    public func masked(_ frames: [CameraFrame], measuredQpos: [Float]) -> [CameraFrame] {
        guard !robotBodies.isEmpty else { return frames }
        let (p, q) = kinematics.bodyPoses(qpos: measuredQpos)
        let robot = PlacedPrimitives(scene: model.scene, bodyPositions: p, bodyQuaternions: q, including: { self.robotBodies.contains($0) })
        return frames.map { frame in
            guard frame.occluderDepth == nil else { return frame }
            var out = frame
            let camera = frame.camera
            var depth = [Float](repeating: .infinity, count: camera.width * camera.height)
            for y in 0..<camera.height {
                for x in 0..<camera.width {
                    let d = camera.rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                    if let (t, _) = robot.nearest(origin: camera.position, direction: d) { depth[y * camera.width + x] = t }
                }
            }
            out.occluderDepth = depth
            return out
        }
    }

    /// One control step: predicts with `ctrl` (nu values), takes the robot's joints from `measuredQpos` (nq values;
    /// the tracked bodies' entries are ignored) and corrects the bodies against `frames`.
    public func step(ctrl: [Float], measuredQpos: [Float], frames: [CameraFrame]) throws -> TrackingFilterEstimate {
        let scene = model.scene
        guard measuredQpos.count == scene.nq, measuredQpos.allSatisfy(\.isFinite) else {
            throw WorldModelError("measured qpos must be \(scene.nq) finite values, got \(measuredQpos.count)")
        }
        environment.reset(to: history.state)
        var predicted: [Float]
        var diverged = false
        do {
            predicted = try environment.step(action: ctrl).qpos
        } catch let error as WorldModelError where error.message.contains("diverged") {
            predicted = qpos
            diverged = true
        }
        var corrected = measuredQpos
        let predictedPoses = objectPoses(predicted)
        let seen = masked(frames, measuredQpos: measuredQpos)
        var found = try tracker.track(frames: seen, from: predictedPoses)
        if let search { found = try search.recover(found, frames: seen, tracker: tracker) }
        for (b, a) in objectQposAddresses.enumerated() {
            let source = found.bodies[b].isLost ? predictedPoses : found.poses
            for k in 0..<7 { corrected[a + k] = source[7 * b + k] }
        }
        history.advance(toQpos: corrected)
        return TrackingFilterEstimate(qpos: corrected, predictedPoses: predictedPoses, tracking: found, predictionDiverged: diverged)
    }
}

/// One step of a `TrackingFilter`.
public struct TrackingFilterEstimate: Sendable {
    /// The corrected configuration (nq).
    public var qpos: [Float]
    /// The tracked bodies' predicted poses before the correction (N x 7).
    public var predictedPoses: [Float]
    public var tracking: PoseTrackingResult
    /// The learned model's prediction was not finite; the last estimate was used as the prediction.
    public var predictionDiverged: Bool
}
