import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Files that do not belong together are one line naming the file, never a trap: a checkpoint of another scene,
/// object count, robot (action size), control step, history length, configuration or kind, for every command
/// that reads one.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct MismatchTests {
    let push = scenePath("push.xml"), clutter = scenePath("clutter.xml")
    let gnn = CLIFixture.shipped("push.safetensors"), dense = CLIFixture.shipped("push-dense.safetensors")
    let field = CLIFixture.shipped("push-field.safetensors"), clutterField = CLIFixture.shipped("clutter-field.safetensors")
    let clutterDense = CLIFixture.shipped("clutter-dense.safetensors")

    @Test func trainResumeRefusesACheckpointThatDoesNotFitTheData() throws {
        let pushData = try #require(CLIFixture.pushData), clutterData = try #require(CLIFixture.clutterData)
        let short = try #require(CLIFixture.shortPushData)
        let resume = { (checkpoint: String, data: String, extra: [String]) in
            let copy = try CLIFixture.copy(checkpoint, as: "resume.safetensors")
            try expectRefused(["train", "--data", data, "--out", copy, "--resume", "--steps", "2"] + extra,
                              naming: extra.isEmpty && data == short ? data : copy, inputs: [copy, data])
        }
        try resume(gnn, clutterData, [])                                  // another scene (object count and shapes)
        try resume(clutterDense, pushData, [])                            // the dense baseline of another object count
        try resume(try #require(CLIFixture.wideActionModel), pushData, []) // another robot
        try resume(try #require(CLIFixture.slowModel), pushData, [])       // another control step
        try resume(gnn, short, [])                                        // episodes shorter than the history
        try resume(gnn, pushData, ["--config", "dense"])                  // another configuration
        try resume(field, pushData, [])                                   // a field is no dynamics model
    }

    @Test func evalRefusesModelsThatDoNotFitTheData() throws {
        let pushData = try #require(CLIFixture.pushData), clutterData = try #require(CLIFixture.clutterData)
        let short = try #require(CLIFixture.shortPushData)
        let eval = { (model: String, data: String, naming: String, extra: [String]) in
            try expectRefused(["eval", "--model", model, "--data", data, "--split", "all", "--horizons", "1,5"] + extra, naming: naming, inputs: [model, data])
        }
        try eval(dense, clutterData, dense, [])
        try eval(try #require(CLIFixture.wideActionModel), pushData, try #require(CLIFixture.wideActionModel), [])
        try eval(try #require(CLIFixture.slowModel), pushData, try #require(CLIFixture.slowModel), [])
        try eval(gnn, short, short, [])
        try eval(field, pushData, field, [])
        try eval(gnn, pushData, gnn, ["--dense", gnn])
    }

    @Test func rolloutRefusesFilesThatDoNotFitTheScene() throws {
        let clutterData = try #require(CLIFixture.clutterData), short = try #require(CLIFixture.shortPushData)
        let rollout = { (extra: [String], naming: String) in
            try expectRefused(["rollout", "--scene", push, "--steps", "2", "--no-peak-rss"] + extra, naming: naming, inputs: [push])
        }
        try rollout(["--model", dense], dense)
        try rollout(["--model", field], field)
        try rollout(["--model", try #require(CLIFixture.wideActionModel)], try #require(CLIFixture.wideActionModel))
        try rollout(["--model", try #require(CLIFixture.slowModel)], try #require(CLIFixture.slowModel))
        try rollout(["--model", gnn, "--dense", gnn], gnn)
        try rollout(["--model", gnn, "--dense", clutterDense], clutterDense)
        try rollout(["--model", gnn, "--field", clutterField], clutterField)
        try rollout(["--model", gnn, "--field", gnn], gnn)
        try rollout(["--model", gnn, "--data", clutterData], clutterData)
        try rollout(["--model", gnn, "--data", short], short)
    }

    @Test func planRefusesModelsThatDoNotFitTheScene() throws {
        let plan = { (model: String, scene: String) in
            try expectRefused(["plan", "--model", model, "--scene", scene, "--tasks", "1", "--controllers", "learned", "--time-limit", "0.1"],
                              naming: model, inputs: [model, scene])
        }
        try plan(CLIFixture.shipped("push-bodies.safetensors"), clutter)
        try plan(CLIFixture.shipped("push.safetensors"), push)
        try plan(dense, clutter)
        try plan(field, push)
        try plan(try #require(CLIFixture.wideActionModel), push)
        try plan(try #require(CLIFixture.slowModel), push)
    }

    @Test func renderAndFieldEvalRefuseFieldsAndDataOfAnotherScene() throws {
        let pushData = try #require(CLIFixture.pushData), clutterData = try #require(CLIFixture.clutterData)
        let frames = CLIFixture.folder
        try expectRefused(["render", "--field", clutterField, "--scene", push, "--poses", pushData, "--out", frames], naming: clutterField, inputs: [clutterField])
        try expectRefused(["render", "--field", gnn, "--scene", push, "--poses", pushData, "--out", frames], naming: gnn, inputs: [gnn])
        try expectRefused(["render", "--field", field, "--scene", push, "--poses", clutterData, "--out", frames], naming: clutterData, inputs: [clutterData])
        let eval = ["field", "eval", "--scene", push, "--frames", "1", "--size", "8", "--dense", "8"]
        try expectRefused(eval + ["--field", clutterField, "--data", pushData], naming: clutterField, inputs: [clutterField])
        try expectRefused(eval + ["--field", gnn, "--data", pushData], naming: gnn, inputs: [gnn])
        try expectRefused(eval + ["--field", field, "--data", clutterData], naming: clutterData, inputs: [clutterData])
        let out = CLIFixture.folder + "/never-field.safetensors"
        try expectRefused(["field", "train", "--scene", push, "--data", clutterData, "--out", out, "--minutes", "0.01"], naming: clutterData,
                          inputs: [clutterData], outputs: [out])
    }

    @Test func viewChecksItsFilesBeforeAnyWindow() throws {
        let clutterData = try #require(CLIFixture.clutterData)
        try expectRefused(["view", "--scene", push, "--model", clutterDense], naming: clutterDense, inputs: [clutterDense])
        try expectRefused(["view", "--scene", push, "--model", try #require(CLIFixture.wideActionModel)], naming: try #require(CLIFixture.wideActionModel), inputs: [push])
        try expectRefused(["view", "--scene", push, "--model", field], naming: field, inputs: [field])
        try expectRefused(["view", "--scene", push, "--data", clutterData], naming: clutterData, inputs: [clutterData])
    }
}
