import ArgumentParser
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The main job in one command: the shipped push world model rolled out beside MuJoCo.",
        discussion: """
            Places the push scene's boxes at a seeded random start the models never saw, lets MuJoCo's scripted
            pusher act for the history the model needs, then rolls the learned graph network out for 4 s (200
            control steps) with the robot's actions, re-simulates the same actions in MuJoCo, and prints the error,
            the speed and the memory table against the dense baseline (flat-state MLP + dense voxel grid). With the
            shipped neural field it writes PNG frames (prediction left, MuJoCo right, the pusher drawn on both) to
            --frames and the same frames as a looping animated GIF, 320 px wide, shown in real time (--gif).
            Run it from the wm folder: it reads scenes/push.xml and models/push*.safetensors.
            """)

    @Option(help: "Where to write PNG frames.") var frames = "/tmp/wm-demo"
    @Option(help: "Where to write the animated GIF (default: demo.gif in the --frames folder).") var gif: String?
    @Option(help: "Seed of the start placement and the pusher's policy.") var seed: UInt64 = 2026

    func run() throws {
        let needed = ["scenes/push.xml", "models/push.safetensors", "models/push-dense.safetensors"]
        for path in needed where access(path, R_OK) != 0 {
            throw WorldModelError(file: path, "not found: run `wm demo` from the wm folder (it reads scenes/ and models/)")
        }
        var arguments = ["--model", "models/push.safetensors", "--dense", "models/push-dense.safetensors", "--scene", "scenes/push.xml",
                         "--steps", "200", "--batch", "1", "--seed", "\(seed)"]
        if access("models/push-field.safetensors", R_OK) == 0 {
            arguments += ["--field", "models/push-field.safetensors", "--render", frames, "--render-every", "10",
                          "--render-size", "160", "--gif", gif ?? frames + "/demo.gif"]
        }
        print("wm demo: wm rollout " + arguments.joined(separator: " "))
        let rollout = try RolloutCommand.parse(arguments)
        try rollout.run()
    }
}
