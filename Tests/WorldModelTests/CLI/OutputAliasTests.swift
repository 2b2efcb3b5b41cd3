import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// No command writes over one of its inputs, whatever name the output is given.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct OutputAliasTests {
    @Test func trainRefusesToWriteOverItsDatasetOrConfiguration() throws {
        let data = try CLIFixture.copy(try #require(CLIFixture.pushData), as: "d.wmds")
        try expectRefused(["train", "--data", data, "--out", data, "--steps", "1"], naming: data, inputs: [data])
        let hard = data + ".hard.safetensors", soft = data + ".soft.safetensors"
        #expect(link(data, hard) == 0 && symlink(data, soft) == 0)
        try expectRefused(["train", "--data", data, "--out", hard, "--steps", "1"], naming: hard, inputs: [data])
        try expectRefused(["train", "--data", data, "--out", soft, "--steps", "1"], naming: soft, inputs: [data])
        let folder = String(data[..<data.lastIndex(of: "/")!])
        let dotted = folder + "/./" + String(data[data.index(after: data.lastIndex(of: "/")!)...])
        try expectRefused(["train", "--data", data, "--out", dotted, "--steps", "1", "--resume"], naming: dotted, inputs: [data])
        let config = try temporaryFile("alias-config.json", "{}")
        defer { unlink(config) }
        try expectRefused(["train", "--data", data, "--config", config, "--out", config, "--steps", "1"], naming: config, inputs: [config, data])
    }

    @Test func importExportAndGenerateRefuseToWriteOverTheirInputs() throws {
        let data = try CLIFixture.copy(try #require(CLIFixture.pushData), as: "e.wmds")
        try expectRefused(["dataset", "export", data, "--npz", data], naming: data, inputs: [data])
        let npz = data + ".npz"
        #expect(try runWM(["dataset", "export", data, "--npz", npz]).0 == 0)
        try expectRefused(["dataset", "import", npz, "--out", npz], naming: npz, inputs: [npz])
        let scene = try CLIFixture.copy(scenePath("push.xml"), as: "s.xml")
        try expectRefused(["dataset", "import", npz, "--scene", scene, "--out", scene], naming: scene, inputs: [npz, scene])
        try expectRefused(["generate", "--scene", scene, "--episodes", "1", "--steps", "2", "--out", scene], naming: scene, inputs: [scene])
    }

    @Test func rolloutRenderFieldAndViewRefuseToWriteOverTheirInputs() throws {
        let model = try CLIFixture.copy(CLIFixture.shipped("push.safetensors"), as: "m.safetensors")
        let scene = try CLIFixture.copy(scenePath("push.xml"), as: "s.xml")
        try expectRefused(["rollout", "--model", model, "--scene", scene, "--steps", "2", "--no-peak-rss", "--out", model], naming: model, inputs: [model, scene])
        try expectRefused(["rollout", "--model", model, "--scene", scene, "--steps", "2", "--no-peak-rss", "--out", scene], naming: scene, inputs: [model, scene])
        // An input named like a frame in the folder frames go to.
        let frames = CLIFixture.folder + "/frames-\(UInt64.random(in: 0...UInt64.max))"
        mkdir(frames, 0o755)
        let poses = frames + "/frame0000.png"
        let data = try #require(CLIFixture.pushData)
        let writer = try AtomicFileWriter(path: poses)
        try writer.write(try FileBytes.read(data))
        try writer.commit()
        let field = CLIFixture.shipped("push-field.safetensors")
        try expectRefused(["render", "--field", field, "--scene", scene, "--poses", poses, "--out", frames], naming: frames, inputs: [poses])
        try expectRefused(["rollout", "--model", model, "--scene", scene, "--field", field, "--data", poses, "--steps", "2", "--no-peak-rss",
                           "--render", frames], naming: frames, inputs: [poses])
        let dataCopy = try CLIFixture.copy(data, as: "f.wmds")
        try expectRefused(["field", "train", "--scene", scene, "--data", dataCopy, "--out", dataCopy], naming: dataCopy, inputs: [dataCopy])
        try expectRefused(["field", "train", "--scene", scene, "--data", dataCopy, "--out", scene], naming: scene, inputs: [scene])
        try expectRefused(["view", "--scene", scene, "--model", model, "--screenshot", model], naming: model, inputs: [model])
    }
}
