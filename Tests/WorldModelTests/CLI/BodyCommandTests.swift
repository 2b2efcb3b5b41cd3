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
