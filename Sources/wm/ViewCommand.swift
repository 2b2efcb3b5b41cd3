import ArgumentParser
import WorldModel
#if Viewer
import WMViewer
#endif

/// `wm view`: watch a scene in a GLFW window, or render it headless to a PNG. Needs the `Viewer` trait.
struct ViewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "view",
        abstract: "Watch the MuJoCo ground truth and the learned world side by side in a window, or render a screenshot.",
        discussion: """
            Needs the Viewer trait: swift run --traits Viewer wm view --scene scenes/push.xml
            Any scene wm reads, e.g. --scene /tmp/dmc/dm_control/suite/stacker.xml --policy reach --model models/stacker.safetensors
            Headless (e.g. under xvfb-run -a): add --screenshot OUT.png --frames N.
            Mouse: left-drag orbit, right-drag pan, wheel zoom. Keys: space pause, . step, r reset, +/- speed,
            g/l/f show ground truth / learned / field, arrows drive the first two actuators (--policy keyboard), q quit.
            """
    )

    @Option(help: "The MJCF scene file.") var scene: String
    @Option(help: "A learned body-dynamics checkpoint of the scene (wm train), rolled out beside MuJoCo with the same actions (toggle with l).") var model: String?
    @Option(help: "Per-object neural fields of the scene (wm field train): drawn at the learned poses (MuJoCo's without --model), the robot by its own field (or its primitives for fields trained --no-robot), in the top-right corner, toggle with f.") var field: String?
    @Option(help: "A .wmds dataset: replay --episode's actions from its start, the recording drawn over MuJoCo's replay.") var data: String?
    @Option(help: "The episode: its start placement (and, with --data, its actions).") var episode = 0
    @Option(help: "The seed of the start placement and the scripted policy.") var seed: UInt64 = 1
    @Option(help: "Who acts: a teacher policy (waypoints, smooth, random, still, reach; as wm generate, the same episode) or keyboard (arrows: the first two actuators). Default: wm generate's for the scene (waypoints with free objects, else smooth).") var policy: String?
    @Option(help: "Render headless and write the last frame to this PNG.") var screenshot: String?
    @Option(help: "Control steps to render before the screenshot.") var frames = 100
    @Option(help: "Window width in pixels.") var width = 960
    @Option(help: "Window height in pixels.") var height = 540

    func validate() throws {
        try require(width >= 1 && width <= 16384 && height >= 1 && height <= 16384, "--width and --height must be between 1 and 16384 pixels")
        try require(frames >= 0, "--frames must not be negative")
        try require(episode >= 0, "--episode must not be negative")
    }

    /// Checks the files before any window opens: the model, the dataset and the fields against the scene, the
    /// screenshot against every input.
    private func checkInputs() throws {
        if let screenshot { try OutputPathCheck.refuse(outputs: [screenshot], overwriting: [scene] + [model, data, field].compactMap { $0 }) }
        guard model != nil || data != nil || field != nil else { return }
        let sceneModel = try MuJoCoSimulation(path: scene).sceneModel
        if let model {
            let body = try BodyDynamicsModel.load(from: model)
            guard body.scene == sceneModel else {
                throw WorldModelError(file: model, "was trained on scene '\(body.scene.name)', not on \(scene) ('\(sceneModel.name)')")
            }
        }
        if let data {
            let header = try DatasetReader(path: data).header
            guard header.sceneModel == sceneModel else {
                throw WorldModelError(file: data, "recorded in scene '\(header.sceneName)', which does not match --scene \(scene) ('\(sceneModel.name)')")
            }
        }
        if let field { _ = try ObjectFieldSet.load(from: field).freeJoints(of: sceneModel, source: field) }
    }

    func run() throws {
        try checkInputs()
        #if Viewer
        let name = try policy ?? TeacherRecorder(scenePath: scene).defaultPolicy.rawValue
        guard let driver = ActionDriver(name: name) else {
            throw WorldModelError("--policy \(name): expected one of \(ActionDriver.names.joined(separator: ", "))")
        }
        let steps = try Viewer.run(ViewerConfiguration(scenePath: scene, driver: driver, seed: seed, episode: episode,
                                           width: width, height: height, screenshotPath: screenshot, frames: frames, dataPath: data,
                                           modelPath: model, fieldPath: field))
        if let screenshot { print("wrote \(screenshot) (\(width)x\(height), after \(steps) control steps)") }
        #else
        throw WorldModelError("wm view needs the Viewer trait: build with `swift build --traits Viewer` (or `swift run --traits Viewer wm view ...`)")
        #endif
    }
}
