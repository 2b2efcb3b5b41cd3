#if Viewer
import WorldModel

/// What `wm view` asks for: a scene, how actions are chosen, and either a window or a screenshot.
public struct ViewerConfiguration: Sendable {
    public var scenePath: String
    public var driver: ActionDriver
    /// The start state is episode `episode` of `seed`, placed as `TeacherRecorder` places it.
    public var seed: UInt64
    public var episode: Int
    public var width: Int
    public var height: Int
    /// When set: render `frames` control steps in a hidden window and write the last frame here as PNG.
    public var screenshotPath: String?
    public var frames: Int
    /// When set: replay episode `episode` of this `.wmds` dataset (its start and its actions), with the
    /// recording drawn over the MuJoCo replay.
    public var dataPath: String?
    /// When set: a learned dynamics checkpoint rolled out beside the ground truth with the same actions.
    public var modelPath: String?
    /// When set: per-object neural fields of the scene (`wm field train`), rendered at the learned poses (the
    /// ground truth's without a model) in an inset, key `f`.
    public var fieldPath: String?

    public init(scenePath: String, driver: ActionDriver = .scripted(.waypoints), seed: UInt64 = 1, episode: Int = 0,
                width: Int = 960, height: Int = 540, screenshotPath: String? = nil, frames: Int = 100, dataPath: String? = nil,
                modelPath: String? = nil, fieldPath: String? = nil) {
        self.modelPath = modelPath
        self.fieldPath = fieldPath
        self.scenePath = scenePath
        self.driver = driver
        self.seed = seed
        self.episode = episode
        self.width = width
        self.height = height
        self.screenshotPath = screenshotPath
        self.frames = frames
        self.dataPath = dataPath
    }
}

/// The viewer's entry point.
///
/// ```swift
/// try Viewer.run(ViewerConfiguration(scenePath: "scenes/push.xml", screenshotPath: "/tmp/push.png", frames: 60))
/// ```
public enum Viewer {
    /// Opens the window and runs until it closes, or, with a screenshot path, renders and writes the PNG.
    /// Returns the control steps taken (a recorded episode can end before `frames`).
    @discardableResult
    public static func run(_ configuration: ViewerConfiguration) throws -> Int {
        let groundTruth = try GroundTruthSource(scenePath: configuration.scenePath)
        var driver = configuration.driver
        var learned: [any PoseSource] = []
        if let dataPath = configuration.dataPath {
            let recording = try recordedEpisode(dataPath, index: configuration.episode, scene: groundTruth.scene)
            driver = .recorded(recording)
            learned = [RecordedSource(episode: recording)]
        }
        if let modelPath = configuration.modelPath {
            learned.append(try LearnedSource(modelPath: modelPath, objects: groundTruth.scene.objects))
        }
        let session = try ViewerSession(groundTruth: groundTruth, learned: learned, driver: driver,
                                        seed: configuration.seed, episode: configuration.episode)
        var inset: FieldInset?
        if let fieldPath = configuration.fieldPath {
            let fields = try ObjectFieldSet.load(from: fieldPath)
            try InputCompatibility.check(field: fields, file: fieldPath, rendersObjectsOf: groundTruth.scene.objects,
                                         source: configuration.scenePath)
            inset = FieldInset(fields: fields, scene: groundTruth.scene)
        }
        let headless = configuration.screenshotPath != nil
        let window = try ViewerWindow(scene: session.scene, width: configuration.width, height: configuration.height,
                                      visible: !headless, title: "wm view: \(session.scene.name)")
        window.fieldInset = inset
        guard let path = configuration.screenshotPath else {
            try window.run(session)
            return session.step
        }
        for _ in 0..<configuration.frames where !session.isFinished {
            try session.advance()
            window.render(session)
            window.present()
        }
        window.refreshInset()
        window.render(session)
        try PNGFile.write(window.screenshot(), to: path)
        return session.step
    }

    /// Episode `index` of the dataset at `path`, checked against `scene` (same objects and action size).
    static func recordedEpisode(_ path: String, index: Int, scene: SceneDescription) throws -> Episode {
        let dataset = try DatasetReader(path: path)
        let header = dataset.header
        guard index >= 0, index < header.episodeCount else {
            throw WorldModelError(file: path, "--episode \(index): the dataset has episodes 0..<\(header.episodeCount)")
        }
        guard header.objects.map(\.shape) == scene.objects.map(\.shape), header.actionDimension == scene.robot.actionDimension else {
            throw WorldModelError(file: path, "recorded in scene '\(header.sceneName)' (\(header.objects.count) objects), which does not match --scene '\(scene.name)' (\(scene.objects.count) objects)")
        }
        return try dataset.episode(index)
    }
}
#endif
