import FoundationEssentials
import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct CheckpointTests {
    static let architecture = MLPDescription(widths: [3, 8, 2], activation: .silu, layerNorm: true)

    static func architectureJSON(_ description: MLPDescription) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(description), as: UTF8.self)
    }

    @Test func savedParametersLoadIntoAFreshModel() throws {
        let path = "/tmp/wm-checkpoint-\(getpid()).safetensors"
        defer { unlink(path) }
        let trained = MLP(Self.architecture, name: "f", seed: 1)
        let json = try Self.architectureJSON(Self.architecture)
        try Checkpoint.save(trained.parameters, to: path, architecture: json, normalization: "{\"mean\":[0,0,0]}", extra: ["seed": "1"])
        let fresh = MLP(Self.architecture, name: "f", seed: 2)
        #expect(fresh.parameters[0].value.values != trained.parameters[0].value.values)
        let metadata = try Checkpoint.load(from: path, into: fresh.parameters, expectedArchitecture: json)
        for (a, b) in zip(trained.parameters, fresh.parameters) { #expect(a.value.values == b.value.values) }
        #expect(metadata["normalization"] == "{\"mean\":[0,0,0]}")
        #expect(metadata["seed"] == "1")
        #expect(metadata["format_version"] == Checkpoint.formatVersion)
        let decoded = try JSONDecoder().decode(MLPDescription.self, from: Data(try #require(metadata["architecture"]).utf8))
        #expect(decoded == Self.architecture)
    }

    @Test func architectureMismatchIsRejectedAndLeavesParametersAlone() throws {
        let path = "/tmp/wm-checkpoint-mismatch-\(getpid()).safetensors"
        defer { unlink(path) }
        let small = MLP(Self.architecture, name: "f", seed: 1)
        try Checkpoint.save(small.parameters, to: path, architecture: try Self.architectureJSON(Self.architecture))
        let wider = MLP(MLPDescription(widths: [3, 16, 2], activation: .silu, layerNorm: true), name: "f", seed: 3)
        let before = wider.parameters.map(\.value.values)
        let error = #expect(throws: WorldModelError.self) { try Checkpoint.load(from: path, into: wider.parameters) }
        #expect(error?.description.hasPrefix(path + ": tensor f.0.bias has shape [1, 8], architecture needs [1, 16]") == true, "\(error?.description ?? "")")
        #expect(wider.parameters.map(\.value.values) == before)
        let renamed = MLP(Self.architecture, name: "g", seed: 1)
        #expect(throws: WorldModelError.self) { try Checkpoint.load(from: path, into: renamed.parameters) }
    }

    @Test func otherFormatVersionsAreRejected() throws {
        let path = "/tmp/wm-checkpoint-version-\(getpid()).safetensors"
        defer { unlink(path) }
        let mlp = MLP(Self.architecture, name: "f", seed: 1)
        try Checkpoint.save(mlp.parameters, to: path, architecture: "{}", extra: ["format_version": "0"])
        var file = try SafetensorsFile.read(path)
        file.metadata["format_version"] = "99"
        try file.write(to: path)
        #expect(throws: WorldModelError.self) { try Checkpoint.load(from: path, into: mlp.parameters) }
    }
}
