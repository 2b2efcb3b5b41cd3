import ArgumentParser
import WorldModel

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Inspect, export and import trajectory datasets (.wmds).",
        discussion: """
            A .wmds file holds episodes of object and robot states, actions and
            contact counts, after a header (scene, robot, timing, splits) that is
            read and checked before any episode. Layout: docs/dataset-format.md.
              wm dataset info /tmp/push.wmds
              wm dataset export /tmp/push.wmds --npz /tmp/push.npz --compress
              wm dataset import sample_push_n4.npz --out /tmp/sample.wmds
            """,
        subcommands: [Info.self, Export.self, Import.self, Merge.self]
    )

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe a dataset from its header (fast: no episode is read).",
            discussion: """
                Prints episodes, frames and steps per episode, objects and their
                shapes, split sizes, scene, format version, source, seed and size on
                disk. The file's length and header checksum are verified.
                Example:
                  wm dataset info /tmp/push.wmds --json
                """
        )

        @Argument(help: "The dataset (.wmds).")
        var file: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let summary = try DatasetSummary(path: file)
            print(json ? try summary.json() : summary.text)
        }
    }

    struct Merge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Join the shards of one generation run (wm generate --shard i/n) into one dataset.",
            discussion: """
                The shards may be given in any order; together they must be every
                shard of one run (same scene, seed, policy, steps). The result has
                the bytes a single unsharded wm generate writes.
                Example:
                  wm generate --scene scenes/push.xml --episodes 40 --shard 0/2 --out /tmp/s0.wmds
                  wm generate --scene scenes/push.xml --episodes 40 --shard 1/2 --out /tmp/s1.wmds
                  wm dataset merge /tmp/s0.wmds /tmp/s1.wmds --out /tmp/push40.wmds
                """
        )

        @Argument(help: "The shard datasets (.wmds).")
        var shards: [String]

        @Option(help: "The merged dataset (.wmds), written atomically.")
        var out: String

        func run() throws {
            let header = try DatasetMerge.merge(shards: shards, to: out)  // refuses an output that is one of the shards
            print("wrote \(out): \(header.episodeCount) episodes of \(header.framesPerEpisode) frames from \(shards.count) shards")
        }
    }

    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a dataset as a NumPy .npz (numpy.load reads it).",
            discussion: """
                The arrays are those of sample_push_n4.npz (box_pos, box_quat,
                box_linvel, box_angvel, pusher_pos, pusher_vel, actions, ncon,
                box_half_size, box_mass, physics_dt, control_dt, seed, mjcf) plus
                wm's extras (object_*, robot_*, split, scene_name, ...), so importing
                the export gives back the same dataset.
                Example:
                  wm dataset export /tmp/push.wmds --npz /tmp/push.npz --compress
                  python3 -c "import numpy; print(numpy.load('/tmp/push.npz')['box_pos'].shape)"
                """
        )

        @Argument(help: "The dataset (.wmds).")
        var file: String

        @Option(help: "The .npz to write (atomically).")
        var npz: String

        @Flag(help: "Deflate the arrays (like numpy.savez_compressed).")
        var compress = false

        func run() throws {
            try OutputPathCheck.refuse(outputs: [npz], overwriting: [file])
            try NPZExport.write(dataset: file, to: npz, compress: compress)
            print("wrote \(npz)")
        }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Turn a NumPy .npz of trajectories into a dataset.",
            discussion: """
                Reads the arrays documented in docs/dataset-format.md (compressed or
                not). Every array is checked for shape, dtype, consistent E/T/N and
                NaN; nothing is written unless all pass. Without object_* arrays the
                objects are cubes from box_half_size and box_mass; without robot_*
                arrays the robot is the capsule pusher (action = commanded velocity
                (vx, vy) in m/s). Splits come from the file's seed.
                Examples:
                  wm dataset import sample_push_n4.npz --out /tmp/sample.wmds
                  wm dataset import theirs.npz --out /tmp/t.wmds --map box_pos=obj_pos
                  wm dataset import theirs.npz --out /tmp/t.wmds --scene scenes/push.xml
                """
        )

        @Argument(help: "The .npz to read.")
        var npz: String

        @Option(help: "The dataset to write (.wmds, atomically).")
        var out: String

        @Option(name: .customLong("map"), help: ArgumentHelp(
            "Read a documented array under another name: DOCUMENTED=INFILE, e.g. box_pos=obj_pos. Repeatable.",
            valueName: "name=name"))
        var renames: [String] = []

        @Option(help: "The MJCF scene the data was recorded in: its objects' shapes, masses and colours, the robot and the scene name go into the header (MuJoCo loads it; the npz's own mjcf is never loaded).")
        var scene: String?

        func run() throws {
            try OutputPathCheck.refuse(outputs: [out], overwriting: [npz] + (scene.map { [$0] } ?? []))
            var options = NPZImportOptions()
            for pair in renames {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ValidationError("--map takes DOCUMENTED=INFILE (e.g. box_pos=obj_pos), got '\(pair)'")
                }
                options.arrayNames[parts[0]] = parts[1]
            }
            if let scene {
                let simulation = try MuJoCoSimulation(path: scene)
                let description = try simulation.scene
                options.generalizedStateFromScene = (simulation.sceneModel, try simulation.freeObjectLayout)
                options.mjcf = description.mjcf
                options.sceneName = description.name
                options.objectsFromScene = description.objects
                options.robotFromScene = description.robot
            }
            let header = try NPZImport.convert(npz: npz, to: out, options: options)
            print("wrote \(out): \(header.episodeCount) episodes of \(header.framesPerEpisode) frames, \(header.objects.count) objects")
        }
    }
}
