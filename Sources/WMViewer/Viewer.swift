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
    /// When set: a learned body-dynamics checkpoint of the scene (`wm train`), rolled out beside the ground truth
    /// with the same actions.
    public var modelPath: String?
    /// When set: per-object neural fields of the scene (`wm field train`), rendered at the learned poses (the
    /// ground truth's without a model) with the robot drawn over them, in an inset, key `f`.
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
        let scene = groundTruth.scene
        var driver = configuration.driver
        var learned: [any PoseSource] = []
        if let dataPath = configuration.dataPath {
            let recording = try recordedEpisode(dataPath, index: configuration.episode, scene: scene, sceneFile: configuration.scenePath)
            driver = .recorded(recording)
            learned = [try RecordedSource(episode: recording, scene: scene)]
        }
        if let modelPath = configuration.modelPath {
            learned.append(try LearnedSource(modelPath: modelPath, scene: scene))
        }
        let session = try ViewerSession(groundTruth: groundTruth, learned: learned, driver: driver,
                                        seed: configuration.seed, episode: configuration.episode)
        let inset = try configuration.fieldPath.map { path in
            try FieldInset(fields: try ObjectFieldSet.load(from: path), scene: scene, source: path)
        }
        let headless = configuration.screenshotPath != nil
        let window = try ViewerWindow(session: session, width: configuration.width, height: configuration.height,
                                      visible: !headless, title: "wm view: \(scene.name)")
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

    /// Episode `index` of the dataset at `path`, checked against `scene` (the same scene: bodies, joints and
    /// actuators).
    static func recordedEpisode(_ path: String, index: Int, scene: SceneModel, sceneFile: String) throws -> Episode {
        let dataset = try DatasetReader(path: path)
        let header = dataset.header
        guard index >= 0, index < header.episodeCount else {
            throw WorldModelError(file: path, "--episode \(index): the dataset has episodes 0..<\(header.episodeCount)")
        }
        guard header.sceneModel == scene else {
            throw WorldModelError(file: path, "recorded in scene '\(header.sceneName)', which does not match --scene \(sceneFile) ('\(scene.name)')")
        }
        return try dataset.episode(index)
    }
}
#endif
