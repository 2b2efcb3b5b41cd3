import FoundationEssentials
import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// `wm train`, `wm eval` and `wm rollout` on a scene without free objects (the arm and box), end to end.
@Suite(.serialized) struct BodyCommandTests {
    static let scene: String = {
        let path = CLIFixture.folder + "/arm_and_box.xml"
        let writer = try! AtomicFileWriter(path: path)
        try! writer.write(Array(armAndBoxScene.utf8))
        try! writer.commit()
        return path
    }()
    static let data: String = {
        let path = CLIFixture.folder + "/arm.wmds"
        _ = try! runWM(["generate", "--scene", scene, "--episodes", "8", "--steps", "20", "--seed", "2", "--out", path])
        return path
    }()
    static let model: String = {
        let path = CLIFixture.folder + "/arm.safetensors"
        _ = try! runWM(["train", "--data", data, "--out", path, "--config", "small", "--steps", "30"])
        return path
    }()

    @Test func trainEvalAndRolloutABodyModel() throws {
        #expect(try BodyDynamicsModel.isBodyModel(path: Self.model))
        let (status, out, err) = try runWM(["eval", "--model", Self.model, "--data", Self.data, "--split", "all", "--horizons", "1,5", "--json"])
        #expect(status == 0, "\(err)")
        struct Eval: Decodable { var models: [String: BodyRolloutErrors] }
        let report = try JSONDecoder().decode(Eval.self, from: Data(out.utf8))
        #expect(Set(report.models.keys) == ["gnn", "constant_velocity"])
        #expect(report.models["gnn"]!.rollouts > 0)
        let (rolloutStatus, rolloutOut, rolloutErr) = try runWM(["rollout", "--model", Self.model, "--scene", Self.scene, "--steps", "20", "--batch", "2", "--json"])
        #expect(rolloutStatus == 0, "\(rolloutErr)")
        struct Rollout: Decodable { var checks: BodyLongRolloutReport; var env_steps_per_second: Double }
        let rollout = try JSONDecoder().decode(Rollout.self, from: Data(rolloutOut.utf8))
        #expect(rollout.checks.divergedEnvironments == 0 && rollout.checks.environments == 2 && rollout.env_steps_per_second > 0)
    }

    /// `--render` and `--gif` on a body model: environment 0's prediction (the scene's primitives) beside MuJoCo's, at
    /// steps 0, 5, 10; both halves show the arm (not one flat colour) and start alike.
    @Test func renderAndGifDrawABodyModelsPredictionBesideMuJoCo() throws {
        let folder = CLIFixture.folder + "/arm-frames-\(UInt64.random(in: 0...UInt64.max))", gif = folder + ".gif"
        defer { unlink(gif) }
        let (status, out, err) = try runWM(["rollout", "--model", Self.model, "--scene", Self.scene, "--steps", "10", "--render", folder,
                                            "--render-every", "5", "--render-size", "48", "--gif", gif, "--json"])
        #expect(status == 0, "\(err)")
        struct Rollout: Decodable { var frames_written: Int; var gif_frames: Int? }
        let report = try JSONDecoder().decode(Rollout.self, from: Data(out.utf8))
        #expect(report.frames_written == 3 && report.gif_frames == 3)
        let first = try PNGFile.read(folder + "/" + RolloutRun.frameFileName(step: 0))
        #expect(first.width == 96 && first.height == 48)
        for step in [0, 5, 10] {
            let image = try PNGFile.read(folder + "/" + RolloutRun.frameFileName(step: step))
            for half in 0..<2 {
                var colours = Set<[UInt8]>()
                for y in 0..<48 { for x in 0..<48 { let o = (y * 96 + half * 48 + x) * 3; colours.insert(Array(image.pixels[o..<(o + 3)])) } }
                #expect(colours.count >= 8, "step \(step), half \(half): \(colours.count) colours")
            }
            unlink(folder + "/" + RolloutRun.frameFileName(step: step))
        }
        rmdir(folder)
        // At step 0 both halves draw the same state: most pixels agree closely.
        var close = 0
        for y in 0..<48 {
            for x in 0..<48 {
                let a = (y * 96 + x) * 3, b = (y * 96 + 48 + x) * 3
                if (0..<3).allSatisfy({ abs(Int(first.pixels[a + $0]) - Int(first.pixels[b + $0])) <= 40 }) { close += 1 }
            }
        }
        #expect(close > 48 * 48 * 7 / 10, "only \(close) of \(48 * 48) pixels agree at step 0")
        let animation = try GIFFile.read(gif)
        #expect(animation.frames.count == 3 && animation.frames[0].width == 96)
    }

    @Test func bodyModelsRefuseFilesOfAnotherScene() throws {
        let push = try #require(CLIFixture.pushData)
        try expectRefused(["eval", "--model", Self.model, "--data", push], naming: Self.model, inputs: [Self.model, push])
        let out = CLIFixture.folder + "/never.npz"
        try expectRefused(["rollout", "--model", Self.model, "--scene", scenePath("push.xml"), "--out", out], naming: Self.model,
                          inputs: [Self.model], outputs: [out])
        let checkpoint = CLIFixture.folder + "/never.safetensors"
        try expectRefused(["train", "--data", Self.data, "--graph", "objects", "--out", checkpoint, "--steps", "1"], naming: Self.data,
                          inputs: [Self.data], outputs: [checkpoint])
    }

    /// `wm bench planner` times the planner `wm plan` runs, on this body model and its scene.
    @Test func benchPlannerTimesThePlannerAgentsRun() throws {
        let (status, out, err) = try runWM(["bench", "planner", "--model", Self.model, "--scene", Self.scene, "--samples", "8", "--horizon", "3",
                                            "--repeats", "2", "--threads", "2", "--json"])
        #expect(status == 0, "\(err)")
        let report = try JSONDecoder().decode(PlannerBenchmarkReport.self, from: Data(out.utf8))
        #expect(report.task == "bring" && report.samples == 8 && report.horizon == 3 && report.threads == 2)
        #expect(report.planMillisecondsPerStep.rounds == 2 && report.planMillisecondsPerStep.median > 0)
        #expect(report.rolloutMillisecondsPerStep.median <= report.planMillisecondsPerStep.median)
        try expectRefused(["bench", "planner", "--model", Self.model, "--scene", scenePath("push.xml"), "--samples", "8", "--horizon", "3"],
                          naming: Self.model, inputs: [Self.model])
    }
}
