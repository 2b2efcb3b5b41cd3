import ArgumentParser
import FoundationEssentials
import WorldModel

extension ActionPolicyKind: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Record teacher trajectories with MuJoCo into a .wmds dataset.",
        discussion: """
            Any MuJoCo scene of bodies on hinge, slide, ball or free joints with primitive geoms and actuators on
            joints or fixed tendons: the scenes in scenes/, or dm_control's (tools/fetch-dm-control.sh puts them in
            /tmp/dmc/dm_control/suite). Each episode places the bodies at random (seeded: episode k depends only on
            --seed and k), lets contacts settle, then drives the actuators with a scripted policy for --steps control
            steps (the scene's wm_control_substeps, else 20 ms of physics steps), recording MuJoCo's qpos, qvel and
            ctrl, every moving body's pose and the contact count per frame (and, for free-object scenes like
            scenes/push.xml, each object's pose and velocity and the pusher's). The same arguments write the same
            bytes. Episodes split 80/10/10 into train/valid/test.

            Examples:
              wm generate --scene scenes/push.xml --episodes 20 --steps 100 --seed 1 --out /tmp/push.wmds
              wm generate --scene /tmp/dmc/dm_control/suite/stacker.xml --episodes 20 --steps 100 --out /tmp/stacker.wmds
              wm dataset info /tmp/push.wmds
              for i in 0 1 2 3; do wm generate --scene scenes/push.xml --episodes 40 --shard $i/4 --out /tmp/s$i.wmds & done; wait
              wm dataset merge /tmp/s0.wmds /tmp/s1.wmds /tmp/s2.wmds /tmp/s3.wmds --out /tmp/push40.wmds
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

    @Option(help: "Action policy: waypoints (a pusher steered to push free objects), smooth (low-pass random ctrl in ctrlrange, any actuators), reach (an arm's hand reaches a free-standing object, closes and pushes or drags it; for arm scenes such as dm_control's stacker and manipulator), random (held uniform ctrl), or still. Default: waypoints for free-object scenes, else smooth.")
    var policy: ActionPolicyKind?

    @Option(help: "Record only shard i of n of the run (i/n, 0 <= i < n): its contiguous block of the --episodes episodes, with their splits of the whole run. 'wm dataset merge' joins the n shards into the bytes of the unsharded run (one shard per Slurm array task or Kubernetes index).")
    var shard: String?

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func validate() throws {
        if let shard {
            do { _ = try DatasetShard.parse(shard, totalEpisodes: max(episodes, 1)) } catch let error as WorldModelError {
                throw ValidationError("--shard: \(error.message)")
            }
        }
        try require(episodes >= 1, "--episodes must be at least 1")
        try require(steps >= 1, "--steps must be at least 1")
        try require(steps < Int.max / 2 && episodes < Int.max / 2, "--episodes and --steps must be below \(Int.max / 2)")
    }

    func run() throws {
        try OutputPathCheck.refuse(outputs: [out], overwriting: [scene])
        let recorder = try TeacherRecorder(scenePath: scene)
        let part = try shard.map { try DatasetShard.parse($0, totalEpisodes: episodes) }
        let count = part?.episodes.count ?? episodes
        let bar = ProgressBar(total: count, label: "generate")
        let summary = try recorder.generateDataset(path: out, episodes: episodes, steps: steps, seed: seed,
                                                   policy: policy ?? recorder.defaultPolicy,
                                                   shard: part.map { ($0.index, $0.count) }) {
            bar.update($0)
        }
        bar.finish(count)
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
