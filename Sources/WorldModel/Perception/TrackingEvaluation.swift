#if canImport(Glibc)
import Glibc
#endif

/// Tracks recorded episodes from camera frames and measures the poses found against the recording.
///
/// Episode e starts from its recorded frames 0...H (the model's history, known); then, for each control step t,
/// the cameras observe the recorded `qpos` of frame t + 1 (`CameraObserver`: the teacher's frames, robot in the
/// picture, depth noise), and the filter predicts with the recorded `ctrl` of step t, reads the robot's joints from
/// the recording and corrects the free bodies against the frames. Errors are the estimate's free-body poses against
/// the recording's, per body and frame (rotations up to the shape's symmetries, and plainly); a body is "moving" at a frame where its recorded speed is at least
/// `movingSpeed` m/s. Timing covers the filter's step (predict + correct) only, not the teacher's rendering.
public struct TrackingEvaluation {
    public var episodes: [Int]
    /// Control steps tracked per episode, at most (an episode's own length bounds it).
    public var steps: Int
    public var movingSpeed: Float = 0.01

    public init(episodes: [Int], steps: Int) {
        self.episodes = episodes
        self.steps = steps
    }

    /// One tracked frame.
    public struct Frame: Sendable {
        public var episode: Int
        /// The frame index in the episode (t + 1).
        public var frame: Int
        /// Per body: position error (m), rotation error (degrees), recorded speed (m/s), lost.
        public var positionErrors: [Float]
        public var rotationErrorsDegrees: [Float]
        public var speeds: [Float]
        public var lost: [Bool]
        public var estimate: TrackingFilterEstimate
        public var frames: [CameraFrame]
    }

    /// What `run` measured.
    public struct Summary: Codable, Sendable {
        public var episodes: Int
        public var frames: Int
        public var bodies: Int
        /// Over every body at every frame: median, 95th percentile and maximum.
        public var positionErrorMillimetres: Percentiles
        /// Up to the shape's symmetries (`ShapeSymmetry`: a cube turned by 90 degrees looks the same).
        public var rotationErrorDegrees: Percentiles
        /// The plain angle between the estimated and the recorded orientation.
        public var rotationErrorIgnoringSymmetryDegrees: Percentiles
        /// Over the bodies at the frames where they move.
        public var movingPositionErrorMillimetres: Percentiles
        public var movingRotationErrorDegrees: Percentiles
        public var movingBodyFrames: Int
        /// Body-frames the tracker reported lost.
        public var lostBodyFrames: Int
        /// Filter steps (predict + correct) per second.
        public var framesPerSecond: Double
        /// Mean rays compared per step.
        public var comparedRays: Double
    }

    public struct Percentiles: Codable, Sendable {
        public var median: Float
        public var p95: Float
        public var max: Float

        init(_ values: [Float]) {
            let sorted = values.sorted()
            func at(_ q: Float) -> Float { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int((q * Float(sorted.count - 1)).rounded()))] }
            median = at(0.5); p95 = at(0.95); max = sorted.last ?? 0
        }
    }

    /// Tracks `episodes` of `reader` (whose scene must be the filter's), calling `onFrame` after every step.
    public func run(filter: TrackingFilter, observer: CameraObserver, reader: DatasetReader,
                    onFrame: (Frame) throws -> Void = { _ in }) throws -> Summary {
        let scene = filter.model.scene
        guard reader.header.sceneModel == scene else {
            throw WorldModelError(file: reader.path, "was recorded in scene '\(reader.header.sceneName)', the model is of scene '\(scene.name)'")
        }
        return try run(filter: filter, observer: observer, episodes: episodes.map { ($0, try reader.episode($0)) }, onFrame: onFrame)
    }

    /// Tracks recorded episodes (numbered as given; `self.episodes` is not used), calling `onFrame` after every step.
    public func run(filter: TrackingFilter, observer: CameraObserver, episodes recorded: [(index: Int, episode: Episode)],
                    onFrame: (Frame) throws -> Void = { _ in }) throws -> Summary {
        let scene = filter.model.scene, nq = scene.nq, nu = scene.nu, h = filter.model.historyLength
        var position: [Float] = [], rotation: [Float] = [], movingPosition: [Float] = [], movingRotation: [Float] = []
        var lost = 0, frameCount = 0, seconds = 0.0, rays = 0.0, rawRotation: [Float] = []
        let n = filter.objectQposAddresses.count
        let description = filter.tracker.fields.description
        let classes = description.objectClasses.map { description.classes[$0] }
        let dt = Float(scene.controlDtSeconds)
        for (e, episode) in recorded {
            guard episode.frameCount > h + 1 else { continue }
            filter.start(at: BodyState(episode: episode, frame: h, historyLength: h, nq: nq))
            let last = min(episode.frameCount - 1, h + steps)
            for t in h..<last {
                let truth = Array(episode.qpos[((t + 1) * nq)..<((t + 2) * nq)])
                let before = Array(episode.qpos[(t * nq)..<((t + 1) * nq)])
                let ctrl = Array(episode.actions[(t * nu)..<((t + 1) * nu)])
                let frames = try observer.observe(qpos: truth)
                let start = monotonicSeconds()
                let estimate = try filter.step(ctrl: ctrl, measuredQpos: truth, frames: frames)
                seconds += monotonicSeconds() - start
                rays += Double(estimate.tracking.comparedRays)
                let found = filter.objectPoses(estimate.qpos), recorded = filter.objectPoses(truth), previous = filter.objectPoses(before)
                var frame = Frame(episode: e, frame: t + 1, positionErrors: [], rotationErrorsDegrees: [], speeds: [], lost: [],
                                  estimate: estimate, frames: frames)
                for b in 0..<n {
                    let p = SIMD3(found[7 * b], found[7 * b + 1], found[7 * b + 2]), q = SIMD3(recorded[7 * b], recorded[7 * b + 1], recorded[7 * b + 2])
                    let o = SIMD3(previous[7 * b], previous[7 * b + 1], previous[7 * b + 2])
                    let error = ((p - q) * (p - q)).sum().squareRoot()
                    let qa = SIMD4(found[7 * b + 3], found[7 * b + 4], found[7 * b + 5], found[7 * b + 6])
                    let qb = SIMD4(recorded[7 * b + 3], recorded[7 * b + 4], recorded[7 * b + 5], recorded[7 * b + 6])
                    let degrees = RotationMath.angleBetween(qa, qb) * 180 / .pi
                    let c = classes[b]
                    let symmetric = ShapeSymmetry.rotationError(estimate: RotationMath.normalized(qa), truth: RotationMath.normalized(qb),
                                                                shape: c.shape, halfExtents: c.halfExtentsMeters) * 180 / .pi
                    let speed = ((q - o) * (q - o)).sum().squareRoot() / dt
                    frame.positionErrors.append(error); frame.rotationErrorsDegrees.append(degrees); frame.speeds.append(speed)
                    frame.lost.append(estimate.tracking.bodies[b].isLost)
                    position.append(1000 * error); rotation.append(symmetric); rawRotation.append(degrees)
                    if speed >= movingSpeed { movingPosition.append(1000 * error); movingRotation.append(symmetric) }
                    if estimate.tracking.bodies[b].isLost { lost += 1 }
                }
                frameCount += 1
                try onFrame(frame)
            }
        }
        return Summary(episodes: recorded.count, frames: frameCount, bodies: n,
                       positionErrorMillimetres: Percentiles(position), rotationErrorDegrees: Percentiles(rotation),
                       rotationErrorIgnoringSymmetryDegrees: Percentiles(rawRotation),
                       movingPositionErrorMillimetres: Percentiles(movingPosition), movingRotationErrorDegrees: Percentiles(movingRotation),
                       movingBodyFrames: movingPosition.count, lostBodyFrames: lost,
                       framesPerSecond: Double(frameCount) / max(seconds, 1e-9), comparedRays: rays / Double(max(frameCount, 1)))
    }
}
