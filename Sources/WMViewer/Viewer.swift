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

    public init(scenePath: String, driver: ActionDriver = .scripted(.waypoints), seed: UInt64 = 1, episode: Int = 0,
                width: Int = 960, height: Int = 540, screenshotPath: String? = nil, frames: Int = 100) {
        self.scenePath = scenePath
        self.driver = driver
        self.seed = seed
        self.episode = episode
        self.width = width
        self.height = height
        self.screenshotPath = screenshotPath
        self.frames = frames
    }
}

/// The viewer's entry point.
///
/// ```swift
/// try Viewer.run(ViewerConfiguration(scenePath: "scenes/push.xml", screenshotPath: "/tmp/push.png", frames: 60))
/// ```
public enum Viewer {
    /// Opens the window and runs until it closes, or, with a screenshot path, renders and writes the PNG.
    public static func run(_ configuration: ViewerConfiguration) throws {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: configuration.scenePath),
                                        driver: configuration.driver, seed: configuration.seed, episode: configuration.episode)
        let headless = configuration.screenshotPath != nil
        let window = try ViewerWindow(scene: session.scene, width: configuration.width, height: configuration.height,
                                      visible: !headless, title: "wm view: \(session.scene.name)")
        guard let path = configuration.screenshotPath else {
            try window.run(session)
            return
        }
        for _ in 0..<configuration.frames {
            try session.advance()
            window.render(session)
        }
        window.render(session)
        try PNGFile.write(window.screenshot(), to: path)
    }
}
#endif
