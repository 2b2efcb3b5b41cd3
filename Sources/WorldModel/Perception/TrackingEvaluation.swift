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
///
/// Each body's visible fraction at each frame comes from the teacher (`MuJoCoSimulation.visibleFractions`, first
/// camera): a body reported lost while at least half of it is in sight counts as `lostWhileHalfVisibleBodyFrames`.
///
/// With a `displacement`, one body per episode is moved by hand between two frames (the recording from then on
/// shows it moved: its position offset horizontally, its orientation turned about the vertical), and the frames
/// until the estimate finds it again are counted.
public struct TrackingEvaluation {
    public var episodes: [Int]
    /// Control steps tracked per episode, at most (an episode's own length bounds it).
    public var steps: Int
    public var movingSpeed: Float = 0.01
    public var displacement: Displacement?

    /// A body knocked between two frames: in episode e, body `e % N` (N tracked bodies) is moved after control
    /// step `afterStep` (counted from the first tracked step) by `meters` horizontally, in a direction drawn from
    /// (`seed`, e) among those that keep it 6 cm clear of every other moving body, and turned by `degrees` about
    /// the vertical (alternating in sign by episode). It is found again at the first frame whose estimate is within
    /// `foundMeters` and `foundDegrees` (up to the shape's symmetry) of it.
    public struct Displacement: Sendable {
        public var meters: Float
        public var degrees: Float
        public var afterStep: Int
        public var seed: UInt64
        public var foundMeters: Float = 0.005
        public var foundDegrees: Float = 5

        public init(meters: Float, degrees: Float, afterStep: Int, seed: UInt64) {
            self.meters = meters
            self.degrees = degrees
            self.afterStep = afterStep
            self.seed = seed
        }
    }

    /// What a `Displacement` run measured.
    public struct Recovery: Codable, Sendable {
        /// Bodies moved (an episode too short, or without a clear direction, moves none).
        public var displacements: Int
        /// Moved bodies found again within 5 frames, and at all before the episode ended.
        public var foundWithinFiveFrames: Int
        public var found: Int
        /// Frames (1 = the first frame that shows the body moved) until found, over those found.
        public var framesToFind: Percentiles
    }

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
        /// Body-frames reported lost while the camera saw at least half of the body.
        public var lostWhileHalfVisibleBodyFrames: Int
        /// Body-frames in which at least half of the body was in sight.
        public var halfVisibleBodyFrames: Int
        /// With a `displacement`: how fast moved bodies were found again.
        public var recovery: Recovery?
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
        var lostWhileVisible = 0, halfVisible = 0
        var displacements = 0, foundFrames: [Float] = []
        let n = filter.objectQposAddresses.count
        let simulation = observer.renderer.simulation
        let description = filter.tracker.fields.description
        let classes = description.objectClasses.map { description.classes[$0] }
        let dt = Float(scene.controlDtSeconds)
        for (e, episode) in recorded {
            guard episode.frameCount > h + 1 else { continue }
            filter.start(at: BodyState(episode: episode, frame: h, historyLength: h, nq: nq))
            let last = min(episode.frameCount - 1, h + steps)
            var moved: (body: Int, firstFrame: Int, apply: ([Float]) -> [Float])? = nil
            if let displacement, h + displacement.afterStep + 1 < last {
                let frame = h + displacement.afterStep + 1
                let body = e % n
                if let apply = displacement.move(body: body, of: filter, at: Array(episode.qpos[(frame * nq)..<((frame + 1) * nq)]), episode: e) {
                    moved = (body, frame, apply)
                    displacements += 1
                }
            }
            var awaitingFind = moved != nil
            for t in h..<last {
                // The frame before is moved too once the body is, so the hand's move is not counted as motion.
                func recorded(_ f: Int) -> [Float] {
                    let q = Array(episode.qpos[(f * nq)..<((f + 1) * nq)])
                    if let moved, t + 1 >= moved.firstFrame { return moved.apply(q) }
                    return q
                }
                let truth = recorded(t + 1), before = recorded(t)
                let ctrl = Array(episode.actions[(t * nu)..<((t + 1) * nu)])
                let frames = try observer.observe(qpos: truth)
                let visible = observer.cameras.isEmpty ? [] : simulation.visibleFractions(of: filter.objectBodies, camera: observer.cameras[0])
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
                    if visible[b] >= 0.5 {
                        halfVisible += 1
                        if estimate.tracking.bodies[b].isLost { lostWhileVisible += 1 }
                    }
                    if let moved, let displacement, awaitingFind, b == moved.body, t + 1 >= moved.firstFrame,
                       error <= displacement.foundMeters, symmetric <= displacement.foundDegrees {
                        awaitingFind = false
                        foundFrames.append(Float(t + 2 - moved.firstFrame))
                    }
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
                       lostWhileHalfVisibleBodyFrames: lostWhileVisible, halfVisibleBodyFrames: halfVisible,
                       recovery: displacement == nil ? nil : Recovery(displacements: displacements,
                                                                      foundWithinFiveFrames: foundFrames.filter { $0 <= 5 }.count,
                                                                      found: foundFrames.count, framesToFind: Percentiles(foundFrames)),
                       framesPerSecond: Double(frameCount) / max(seconds, 1e-9), comparedRays: rays / Double(max(frameCount, 1)))
    }
}

extension TrackingEvaluation.Displacement {
    /// The move of tracked body `body` (index among the filter's bodies) in episode `episode`, given the recorded
    /// `qpos` of the first frame that shows it: a function from a recorded `qpos` to the moved one, or nil when no
    /// direction keeps the body 6 cm clear of the other moving bodies.
    func move(body: Int, of filter: TrackingFilter, at qpos: [Float], episode: Int) -> (([Float]) -> [Float])? {
        let scene = filter.model.scene
        let address = filter.objectQposAddresses[body]
        let bodyIndex = filter.objectBodies[body]
        let (p, _) = ForwardKinematics(tree: scene.tree).bodyPoses(qpos: qpos)
        let others = scene.movingBodyIndices.filter { $0 != bodyIndex }.map { SIMD3(p[3 * $0], p[3 * $0 + 1], p[3 * $0 + 2]) }
        let start = SIMD3(qpos[address], qpos[address + 1], qpos[address + 2])
        var random = SeededRandom(seed: seed, stream: UInt64(episode))
        let first = Float(random.uniform(0, 2 * .pi))
        let turn = RotationMath.exp([0, 0, (episode % 2 == 0 ? 1 : -1) * degrees * .pi / 180])
        for k in 0..<12 {
            let angle = first + Float(k) * .pi / 6
            let offset = meters * SIMD3(cos(angle), sin(angle), 0)
            let moved = start + offset
            let clear = others.allSatisfy { o in
                let d = SIMD2(moved.x - o.x, moved.y - o.y)
                return (d * d).sum() >= 0.06 * 0.06
            }
            guard clear else { continue }
            return { recorded in
                var out = recorded
                for i in 0..<3 { out[address + i] += offset[i] }
                let q = SIMD4(out[address + 3], out[address + 4], out[address + 5], out[address + 6])
                let turned = RotationMath.normalized(RotationMath.multiply(turn, q))
                for i in 0..<4 { out[address + 3 + i] = turned[i] }
                return out
            }
        }
        return nil
    }
}
