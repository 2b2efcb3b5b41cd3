import ArgumentParser
import WorldModel

struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render a field at recorded poses to PNG frames, beside the teacher's ray-cast view.",
        discussion: """
            Each frame is the field's rendering (left) beside MuJoCo's ray-cast view at the same poses (right), from
            one camera around the objects' centroid at the first frame.
            Example:
              wm render --field models/push-field.safetensors --scene scenes/push.xml --poses /tmp/push.wmds --episode 0 --out /tmp/frames
            """)

    @Option(help: "A field checkpoint from wm field train.")
    var field: String

    @Option(help: "The MJCF scene (for the ground-truth view).")
    var scene: String

    @Option(help: "A .wmds dataset whose episode gives the poses.")
    var poses: String

    @Option(help: "Episode index.")
    var episode: Int = 0

    @Option(help: "Render every k-th frame.")
    var every: Int = 10

    @Option(help: "Image size in pixels (square).")
    var size: Int = 128

    @Option(help: "Output folder (must exist).")
    var out: String

    func validate() throws {
        try require(episode >= 0, "--episode must not be negative")
        try require(every >= 1, "--every must be at least 1 (frames between renders)")
        try require(size >= 1 && size <= 4096, "--size must be between 1 and 4096 pixels, got \(size)")
    }

    func run() throws {
        try OutputPathCheck.refuse(folder: out, writingFilesWhere: RolloutRun.isFrameFileName, overwriting: [field, scene, poses])
        BLASThreads.set(1)  // these products are small: OpenBLAS threads only contend on 2 cores
        let fields = try ObjectFieldSet.load(from: field)
        let reader = try DatasetReader(path: poses)
        guard episode < reader.header.episodeCount else {
            throw WorldModelError(file: poses, "has \(reader.header.episodeCount) episodes, no episode \(episode)")
        }
        let teacher = try RayCastRenderer(simulation: try MuJoCoSimulation(path: scene))
        teacher.includesRobot = !fields.robotLinks.isEmpty
        let n = teacher.scene.objects.count
        try InputCompatibility.check(dataset: reader.header, file: poses, recordedIn: teacher.scene, sceneFile: scene)
        try InputCompatibility.check(field: fields, file: field, rendersObjectsOf: teacher.scene.objects, robot: teacher.scene.robot, source: scene)
        let recorded = try reader.episode(episode)
        let camera = PinholeCamera.aroundObjects(poses: FieldFrame(recorded, frame: 0).objectStates, objectCount: n, count: 1,
                                                 azimuthOffsetDegrees: 210, size: size)[0]
        let renderer = fields.makeRenderer()
        var written = 0, psnrSum: Double = 0
        for f in stride(from: 0, to: recorded.frameCount, by: max(1, every)) {
            let truth = try teacher.views(frames: [FieldFrame(recorded, frame: f)], cameras: [camera])[0]
            let predicted = renderer.render(camera: camera, fields: fields.placed(poses: truth.objectPoses, linkPoses: truth.linkPoses))
            let path = "\(out)/frame\(String(repeating: "0", count: max(0, 4 - String(f).count)))\(f).png"
            try PNGFile.write(predicted.image.besides(truth.image.image), to: path)
            psnrSum += FieldEvaluation.psnr(predicted, truth.image)
            written += 1
        }
        print("wrote \(written) frames (field | ray-cast teacher) to \(out); mean PSNR \(format1(psnrSum / Double(max(written, 1)))) dB")
    }
}
