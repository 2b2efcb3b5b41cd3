/// What `wm bench track` reports: the filter users run (`TrackingFilter.step`: the learned prediction, then the
/// tracker's correction against the frames), timed where it runs, on episodes the teacher records in the run.
public struct TrackingBenchmarkReport: Codable, Sendable {
    public var model: String
    public var field: String
    public var scene: String
    public var camera: String
    public var size: Int
    public var depthNoiseMillimetres: Float
    public var bodies: Int
    public var framesPerRound: Int
    public var iterations: Int
    public var threads: Int
    /// Filter steps per second (predict + correct; the teacher's rendering is not timed), per round.
    public var framesPerSecond: RoundStatistics
    /// Milliseconds per filter step.
    public var millisecondsPerFrame: RoundStatistics
    /// From the last round: median pose errors against the recording.
    public var medianPositionErrorMillimetres: Float
    public var medianRotationErrorDegrees: Float
    public var lostBodyFrames: Int
    /// Over all rounds: bodies the filter searched for (`BodySearch`), which cost more than a tracked frame.
    public var searches: Int
}

/// Times `TrackingFilter` on `episodes` recorded episodes of `steps` control steps (the teacher's default policy,
/// seeds from `seed`), `rounds` times over the same frames; each round's rate is one sample.
public enum TrackingBenchmark {
    public static func run(model: BodyDynamicsModel, modelName: String, fields: ObjectFieldSet, fieldName: String, scenePath: String,
                           cameraName: String, size: Int, depthNoiseMeters: Float, episodes: Int, steps: Int, seed: UInt64,
                           configuration: PoseTrackerConfiguration, threads: Int, rounds: Int,
                           onRound: (Int) -> Void = { _ in }) throws -> TrackingBenchmarkReport {
        let recorder = try TeacherRecorder(scenePath: scenePath)
        guard model.scene == recorder.simulation.sceneModel else {
            throw WorldModelError(file: modelName, "was trained on scene '\(model.scene.name)', not on \(scenePath)")
        }
        let recorded = try (0..<episodes).map { ($0, try recorder.record(episode: $0, steps: steps, seed: seed, policy: recorder.defaultPolicy).episode) }
        let filter = try TrackingFilter(model: model, fields: fields, configuration: configuration, threads: threads, fieldSource: fieldName)
        let simulation = try MuJoCoSimulation(path: scenePath)
        let camera = try simulation.sceneCamera(named: cameraName, width: size, height: size)
        var rates: [Double] = [], summary: TrackingEvaluation.Summary?
        for round in 0..<rounds {
            let observer = try CameraObserver(simulation: simulation, cameras: [camera], depthNoiseMeters: depthNoiseMeters, seed: seed)
            summary = try TrackingEvaluation(episodes: [], steps: steps).run(filter: filter, observer: observer, episodes: recorded)
            rates.append(summary!.framesPerSecond)
            onRound(round + 1)
        }
        return TrackingBenchmarkReport(model: modelName, field: fieldName, scene: model.scene.name, camera: cameraName, size: size,
                                       depthNoiseMillimetres: 1000 * depthNoiseMeters, bodies: filter.objectQposAddresses.count,
                                       framesPerRound: summary?.frames ?? 0, iterations: configuration.iterations, threads: threads,
                                       framesPerSecond: RoundStatistics(rates), millisecondsPerFrame: RoundStatistics(rates.map { 1000 / $0 }),
                                       medianPositionErrorMillimetres: summary?.positionErrorMillimetres.median ?? .nan,
                                       medianRotationErrorDegrees: summary?.rotationErrorDegrees.median ?? .nan,
                                       lostBodyFrames: summary?.lostBodyFrames ?? 0, searches: filter.search?.searches ?? 0)
    }
}
