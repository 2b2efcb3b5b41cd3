import ArgumentParser
import FoundationEssentials
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

struct TrackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "track",
        abstract: "Follow recorded episodes from a camera: predict with the learned model, correct the bodies' poses against RGB-D frames.",
        discussion: """
            For each episode of --data (from --first-episode, --episodes of them), the filter starts from the \
            recorded first frames (the model's history), then every control step: the teacher renders what --camera \
            sees of the recorded state (RGB-D, --size pixels square, the robot in the picture, Gaussian depth noise \
            of --depth-noise-mm), the learned model predicts the step from the recorded ctrl, the robot's joints are \
            read from the recording (its encoders), and the tracker moves the free bodies until the neural fields \
            rendered at their poses match the frame (Gauss-Newton through the volume renderer and the hash grids). \
            Prints the estimate's pose errors against the recording (all bodies, and the bodies while they move), \
            the body-frames reported lost, and filter steps per second (predict + correct, not the teacher's rendering).

            --camera names one of the scene's <camera> elements (scenes/push.xml has table_view).

            A body found poorly (under 70% of its pixels agreeing) is searched for around where it was lost: the \
            frame's pixels that the rest of the estimate does not explain suggest seeds, the best seeds are \
            refined (--no-search turns this off). --displace-mm and --displace-deg test it: in each episode one \
            body is moved by hand after --displace-after steps (the recording shows it moved from then on), and \
            the frames until the estimate is within 5 mm and 5 degrees of it again are counted.

            Examples:
              wm track --scene scenes/push.xml --field models/push-field.safetensors --model models/push-bodies.safetensors --data /tmp/data/push-track.wmds
              wm track ... --episodes 2 --steps 50 --render /tmp/wm-track --json
              wm track ... --displace-mm 30 --displace-deg 20
            """)

    @Option(help: "Scene MJCF file (the one the model, the fields and the data are of).")
    var scene: String

    @Option(help: "Neural field checkpoint (.safetensors, from wm field).")
    var field: String

    @Option(help: "Body-dynamics checkpoint (.safetensors, from wm train --graph bodies).")
    var model: String

    @Option(help: "Dataset of recorded episodes to track (.wmds, from wm generate).")
    var data: String

    @Option(help: "The scene camera to see through.")
    var camera: String = "table_view"

    @Option(help: "Image width and height in pixels.")
    var size: Int = 64

    @Option(help: "Standard deviation of the depth noise, millimetres.")
    var depthNoiseMm: Double = 2

    @Option(help: "Episodes to track.")
    var episodes: Int = 20

    @Option(help: "The first episode to track.")
    var firstEpisode: Int = 0

    @Option(help: "Control steps per episode, at most.")
    var steps: Int = 200

    @Option(help: "Gauss-Newton iterations per frame, at most.")
    var iterations: Int = PoseTrackerConfiguration().iterations

    @Option(help: "Samples along rays this many times the fields' own spacing apart (fewer samples are faster and coarser).")
    var sampleSpacing: Float = PoseTrackerConfiguration().sampleSpacingScale

    @Option(help: "Rays within this many metres of a body's bounding sphere are compared.")
    var margin: Float = PoseTrackerConfiguration().marginMeters

    @Option(help: "Threads for the tracker (distinct fields are evaluated in parallel; OpenBLAS stays on one).")
    var threads: Int = 2

    @Option(help: "Seed of the depth noise (and of the displacements' directions).")
    var seed: UInt64 = 1

    @Flag(help: "Do not search for bodies the tracker loses (re-detection).")
    var noSearch = false

    @Option(help: "Move one body per episode by this many millimetres (horizontally) between two frames, and count the frames until it is found again.")
    var displaceMm: Float?

    @Option(help: "Turn the moved body by this many degrees about the vertical (with --displace-mm).")
    var displaceDeg: Float = 20

    @Option(help: "Move the body after this many tracked steps (with --displace-mm).")
    var displaceAfter: Int = 100

    @Option(help: "Write the observed frame beside the rendered estimate as PNGs into this folder (every 10th frame of the first episode).")
    var render: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        try require(size >= 8 && size <= 1024, "--size must be between 8 and 1024 pixels")
        try require(depthNoiseMm.isFinite && depthNoiseMm >= 0 && depthNoiseMm <= 1000, "--depth-noise-mm must be between 0 and 1000")
        try require(episodes >= 1 && episodes <= 100_000, "--episodes must be between 1 and 100000")
        try require(firstEpisode >= 0, "--first-episode must be >= 0")
        try require(steps >= 1 && steps <= 1_000_000, "--steps must be between 1 and 1000000")
        try require(iterations >= 0 && iterations <= 1000, "--iterations must be between 0 and 1000")
        try require(sampleSpacing.isFinite && sampleSpacing >= 0.25 && sampleSpacing <= 16, "--sample-spacing must be between 0.25 and 16")
        try require(threads >= 1 && threads <= 256, "--threads must be between 1 and 256")
        try require(margin.isFinite && margin >= 0 && margin <= 1, "--margin must be between 0 and 1 m")
        if let displaceMm {
            try require(displaceMm.isFinite && displaceMm > 0 && displaceMm <= 500, "--displace-mm must be between 0 and 500")
            try require(displaceDeg.isFinite && abs(displaceDeg) <= 180, "--displace-deg must be between -180 and 180")
            try require(displaceAfter >= 0 && displaceAfter < steps, "--displace-after must be between 0 and --steps - 1")
        }
    }

    func run() throws {
        BLASThreads.set(1)
        let simulation = try MuJoCoSimulation(path: scene)
        let body = try BodyDynamicsModel.load(from: model)
        guard body.scene == simulation.sceneModel else {
            throw WorldModelError(file: model, "was trained on scene '\(body.scene.name)', not on \(scene) ('\(simulation.sceneModel.name)')")
        }
        let fields = try ObjectFieldSet.load(from: field)
        var configuration = PoseTrackerConfiguration()
        configuration.iterations = iterations
        configuration.sampleSpacingScale = sampleSpacing
        configuration.marginMeters = margin
        let filter = try TrackingFilter(model: body, fields: fields, configuration: configuration, search: noSearch ? nil : BodySearchConfiguration(),
                                        threads: threads, fieldSource: field)
        let reader = try DatasetReader(path: data)
        guard firstEpisode < reader.header.episodeCount else {
            throw WorldModelError(file: data, "has \(reader.header.episodeCount) episodes; --first-episode \(firstEpisode) is past them")
        }
        let chosen = Array(firstEpisode..<min(reader.header.episodeCount, firstEpisode + episodes))
        let view = try simulation.sceneCamera(named: camera, width: size, height: size)
        let observer = try CameraObserver(simulation: simulation, cameras: [view], depthNoiseMeters: Float(depthNoiseMm / 1000), seed: seed)
        if let render { try makeDirectory(render) }

        var evaluation = TrackingEvaluation(episodes: chosen, steps: steps)
        if let displaceMm {
            evaluation.displacement = .init(meters: displaceMm / 1000, degrees: displaceDeg, afterStep: displaceAfter, seed: seed)
        }
        let perEpisode = min(steps, max(0, reader.header.framesPerEpisode - 1 - body.historyLength))
        let progress = ProgressBar(total: chosen.count * perEpisode, label: "track")
        var done = 0
        let renderer = fields.makeRenderer()
        let summary = try evaluation.run(filter: filter, observer: observer, reader: reader) { frame in
            done += 1
            let worst = frame.positionErrors.max() ?? 0
            progress.update(done, status: "episode \(frame.episode) frame \(frame.frame): worst body \(format1(1000 * worst)) mm")
            if let render, frame.episode == chosen[0], frame.frame % 10 == 0 {
                let estimate = renderer.render(camera: view, fields: fields.placed(poses: filter.objectPoses(frame.estimate.qpos)))
                let picture = frame.frames[0].image.image.besides(estimate.image)
                try PNGFile.write(picture, to: render + "/frame\(String(frame.frame).leftPadded(to: 4)).png")
            }
        }
        progress.finish(chosen.count * perEpisode, status: "\(summary.frames) frames")

        if json {
            let report = TrackReport(scene: simulation.sceneModel.name, camera: camera, size: size, depth_noise_mm: depthNoiseMm,
                                     episodes: summary.episodes, frames: summary.frames, bodies: summary.bodies, iterations: iterations,
                                     position_error_mm: summary.positionErrorMillimetres, rotation_error_deg: summary.rotationErrorDegrees,
                                     rotation_error_ignoring_symmetry_deg: summary.rotationErrorIgnoringSymmetryDegrees,
                                     moving_position_error_mm: summary.movingPositionErrorMillimetres,
                                     moving_rotation_error_deg: summary.movingRotationErrorDegrees, moving_body_frames: summary.movingBodyFrames,
                                     lost_body_frames: summary.lostBodyFrames,
                                     lost_while_half_visible_body_frames: summary.lostWhileHalfVisibleBodyFrames,
                                     half_visible_body_frames: summary.halfVisibleBodyFrames,
                                     searches: filter.search?.searches ?? 0, recoveries: filter.search?.recoveries ?? 0,
                                     recovery: summary.recovery.map {
                                         TrackReport.Recovery(displacements: $0.displacements, found_within_5_frames: $0.foundWithinFiveFrames,
                                                              found: $0.found, frames_to_find: $0.framesToFind, displace_mm: displaceMm ?? 0,
                                                              displace_deg: displaceDeg)
                                     },
                                     frames_per_second: summary.framesPerSecond, compared_rays: summary.comparedRays)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            let p = summary.positionErrorMillimetres, r = summary.rotationErrorDegrees
            let mp = summary.movingPositionErrorMillimetres, mr = summary.movingRotationErrorDegrees
            print("tracked \(summary.frames) frames of \(summary.episodes) episode(s), \(summary.bodies) bodies, camera \(camera) \(size)x\(size), depth noise \(depthNoiseMm) mm")
            print("position error: median \(format1(p.median)) mm, 95th percentile \(format1(p.p95)) mm, max \(format1(p.max)) mm; rotation (up to the shape's symmetry): median \(format1(r.median)) deg, 95th \(format1(r.p95)) deg (ignoring symmetry: 95th \(format1(summary.rotationErrorIgnoringSymmetryDegrees.p95)) deg)")
            print("while moving (\(summary.movingBodyFrames) body-frames): median \(format1(mp.median)) mm, 95th \(format1(mp.p95)) mm; rotation median \(format1(mr.median)) deg, 95th \(format1(mr.p95)) deg")
            print("lost: \(summary.lostBodyFrames) body-frames, \(summary.lostWhileHalfVisibleBodyFrames) of them at least half visible (of \(summary.halfVisibleBodyFrames)); searched \(filter.search?.searches ?? 0) times, found \(filter.search?.recoveries ?? 0)")
            if let recovery = summary.recovery {
                print("moved by hand (\(format1(displaceMm ?? 0)) mm, \(format1(displaceDeg)) deg): \(recovery.displacements) bodies, found again within 5 frames: \(recovery.foundWithinFiveFrames), at all: \(recovery.found) (frames to find: median \(format1(recovery.framesToFind.median)), max \(format1(recovery.framesToFind.max)))")
            }
            print("\(format1(Float(summary.framesPerSecond))) frames/s (predict + correct, \(Int(summary.comparedRays)) rays compared per frame)")
        }
    }
}

private func format1(_ value: Float) -> String { "\((value * 10).rounded() / 10)" }

private extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

/// The JSON of `wm track --json` (snake-case keys, sorted).
struct TrackReport: Encodable {
    var scene: String
    var camera: String
    var size: Int
    var depth_noise_mm: Double
    var episodes: Int
    var frames: Int
    var bodies: Int
    var iterations: Int
    var position_error_mm: TrackingEvaluation.Percentiles
    /// Up to the shape's symmetries (a cube turned by 90 degrees looks the same).
    var rotation_error_deg: TrackingEvaluation.Percentiles
    var rotation_error_ignoring_symmetry_deg: TrackingEvaluation.Percentiles
    var moving_position_error_mm: TrackingEvaluation.Percentiles
    var moving_rotation_error_deg: TrackingEvaluation.Percentiles
    var moving_body_frames: Int
    var lost_body_frames: Int
    var lost_while_half_visible_body_frames: Int
    var half_visible_body_frames: Int
    /// Bodies searched for after the tracker lost them, and found.
    var searches: Int
    var recoveries: Int
    var recovery: Recovery?
    var frames_per_second: Double
    var compared_rays: Double

    struct Recovery: Encodable {
        var displacements: Int
        var found_within_5_frames: Int
        var found: Int
        var frames_to_find: TrackingEvaluation.Percentiles
        var displace_mm: Float
        var displace_deg: Float
    }
}
