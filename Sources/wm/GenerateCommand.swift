import ArgumentParser
import FoundationEssentials
import WorldModel

extension ActionPolicyKind: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Record teacher trajectories with MuJoCo into a .wmds dataset.",
        discussion: """
            Each episode places the scene's objects at random (seeded) positions, lets contacts settle, then drives
            the robot with a scripted policy for --steps control steps (50 Hz over 2 ms physics steps unless the
            scene says otherwise), recording every object's pose and velocity, the robot, actions and contacts.
            The same arguments write the same bytes. Episodes split 80/10/10 into train/valid/test.

            Example:
              wm generate --scene scenes/push.xml --episodes 20 --steps 100 --seed 1 --out /tmp/push.wmds
              wm dataset info /tmp/push.wmds
            """)

    @Option(help: "The MJCF scene (see scenes/).")
    var scene: String

    @Option(help: "Number of episodes.")
    var episodes: Int = 20

    @Option(help: "Control steps (actions) per episode; each episode records steps + 1 frames.")
    var steps: Int = 100

    @Option(help: "Seed for placements, policy noise and splits.")
    var seed: UInt64 = 1

    @Option(help: "Output dataset (.wmds); written atomically.")
    var out: String

    @Option(help: "Action policy: waypoints (pushes objects in most episodes), random, or still.")
    var policy: ActionPolicyKind = .waypoints

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        try require(episodes >= 1, "--episodes must be at least 1")
        try require(steps >= 1, "--steps must be at least 1")
        try require(steps < Int.max / 2 && episodes < Int.max / 2, "--episodes and --steps must be below \(Int.max / 2)")
    }

    func run() throws {
        try OutputPathCheck.refuse(outputs: [out], overwriting: [scene])
        let recorder = try TeacherRecorder(scenePath: scene)
        let bar = ProgressBar(total: episodes, label: "generate")
        let summary = try recorder.generateDataset(path: out, episodes: episodes, steps: steps, seed: seed, policy: policy) {
            bar.update($0)
        }
        bar.finish(episodes)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        let s = summary
        print("""
            wrote \(s.path): scene \(s.sceneName), \(s.episodes) episodes x \(s.stepsPerEpisode) steps, \(s.objects) objects
              splits: train \(s.splitSizes["train"] ?? 0), valid \(s.splitSizes["valid"] ?? 0), test \(s.splitSizes["test"] ?? 0)
              robot touched an object in \(percent(s.contactFraction)) of episodes; an object moved > 1 cm in \(percent(s.movedFraction))
              \(Int(s.controlStepsPerSecond)) control steps/s, \(Int(s.physicsStepsPerSecond)) MuJoCo physics steps/s, \(s.bytes) bytes (\(s.bytes * 1000 / max(1, s.episodes * s.stepsPerEpisode)) bytes per 1000 control steps)
            """)
    }

    private func percent(_ x: Double) -> String { "\(Int((x * 100).rounded()))%" }
}
