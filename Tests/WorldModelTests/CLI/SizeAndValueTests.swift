import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Absurd sizes and degenerate values are refused before any work, in one line naming the value or the file.
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct SizeAndValueTests {
    let push = scenePath("push.xml"), gnn = CLIFixture.shipped("push.safetensors"), field = CLIFixture.shipped("push-field.safetensors")

    @Test func sizesThatCannotFitAreRefusedWithBothNumbers() throws {
        let out = CLIFixture.folder + "/never-big.wmds"
        try expectRefused(["generate", "--scene", push, "--episodes", "2000000000", "--steps", "2000000000", "--out", out],
                          naming: "its file system has", inputs: [push], outputs: [out])
        try expectRefused(["rollout", "--model", gnn, "--scene", push, "--batch", "2000000000", "--no-peak-rss"],
                          naming: "of memory, this machine has", inputs: [gnn])
        let bodies = CLIFixture.shipped("push-bodies.safetensors")
        try expectRefused(["plan", "--model", bodies, "--scene", push, "--samples", "900000", "--tasks", "1", "--controllers", "learned"],
                          naming: "of memory, this machine has", inputs: [bodies])
        let data = try #require(CLIFixture.pushData)
        try expectRefused(["field", "train", "--scene", push, "--data", data, "--out", out, "--frames", "100000", "--size", "4096"],
                          naming: "of memory, this machine has", inputs: [data], outputs: [out])
    }

    @Test(arguments: [
        ["field", "train", "--scene", "S", "--data", "D", "--out", "O", "--size", "0"],
        ["field", "train", "--scene", "S", "--data", "D", "--out", "O", "--minutes", "inf"],
        ["field", "train", "--scene", "S", "--data", "D", "--out", "O", "--minutes", "nan"],
        ["field", "train", "--scene", "S", "--data", "D", "--out", "O", "--cameras", "0"],
        ["field", "eval", "--scene", "S", "--data", "D", "--field", "F", "--size", "0"],
        ["rollout", "--model", "M", "--scene", "S", "--render-every", "0"],
        ["rollout", "--model", "M", "--scene", "S", "--threads", "0"],
        ["rollout", "--model", "M", "--scene", "S", "--steps", "0"],
        ["rollout", "--model", "M", "--scene", "S", "--render-size", "0"],
        ["train", "--data", "D", "--out", "O", "--minutes", "inf"],
        ["train", "--data", "D", "--out", "O", "--minutes", "-1"],
        ["train", "--data", "D", "--out", "O", "--threads", "0"],
        ["train", "--data", "D", "--out", "O", "--steps", "0"],
        ["plan", "--model", "M", "--scene", "S", "--horizon", "0"],
        ["plan", "--model", "M", "--scene", "S", "--threads", "0"],
        ["plan", "--model", "M", "--scene", "S", "--time-limit", "inf"],
        ["render", "--field", "F", "--scene", "S", "--poses", "D", "--out", "O", "--size", "0"],
        ["render", "--field", "F", "--scene", "S", "--poses", "D", "--out", "O", "--every", "0"],
        ["eval", "--model", "M", "--data", "D", "--stride", "0"],
        ["eval", "--model", "M", "--data", "D", "--horizons", "0"],
        ["view", "--scene", "S", "--width", "0"],
        ["generate", "--scene", "S", "--out", "O", "--steps", "0"],
    ])
    func degenerateValuesAreRefusedInValidate(_ arguments: [String]) throws {
        let (status, out, err) = try runWM(arguments)
        let flag = arguments[arguments.count - 2]
        #expect(status == 1 && out.isEmpty)
        #expect(err.split(separator: "\n").count == 1 && err.contains(flag), "stderr: \(err)")
    }

    @Test func importRefusesValuesThatCannotBePhysical() throws {
        let data = try #require(CLIFixture.pushData)
        let npz = CLIFixture.folder + "/physical-\(UInt64.random(in: 0...UInt64.max)).npz"
        #expect(try runWM(["dataset", "export", data, "--npz", npz]).0 == 0)
        let arrays = try NumPyArchive.read(path: npz)
        func variant(_ name: String, _ change: (inout [Float]) -> Void) throws -> String {
            var values = try #require(arrays[name]).floats()
            change(&values)
            let path = npz + "-" + name + ".npz"
            try NumPyArchive.write(arrays.sorted { $0.key < $1.key }.map { ($0.key, $0.key == name ? NumPyArray(floats: values, shape: $0.value.shape) : $0.value) },
                                   to: path, compress: false)
            return path
        }
        let zeroQuaternion = try variant("box_quat") { for k in 0..<4 { $0[4 * 5 + k] = 0 } }
        let negativeMass = try variant("object_mass") { $0[1] = -0.1 }
        let negativeSize = try variant("object_half_extents") { $0[4] = -0.02 }
        let out = npz + ".wmds"
        try expectRefused(["dataset", "import", zeroQuaternion, "--out", out], naming: "box_quat", inputs: [zeroQuaternion], outputs: [out])
        try expectRefused(["dataset", "import", negativeMass, "--out", out], naming: "object_mass", inputs: [negativeMass], outputs: [out])
        try expectRefused(["dataset", "import", negativeSize, "--out", out], naming: "object_half_extents", inputs: [negativeSize], outputs: [out])
        let (_, _, err) = try runWM(["dataset", "import", zeroQuaternion, "--out", out])
        #expect(err.contains("(0, 1, 1)") && err.contains("norm 0.0"), "stderr: \(err)")
    }
}
