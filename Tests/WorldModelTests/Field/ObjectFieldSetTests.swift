import Testing
import Glibc
@testable import WorldModel

@Suite struct ObjectFieldSetTests {
    static let table = TableDescription(heightMeters: 0, halfExtentsMeters: [0.5, 0.5], rgb: [0.78, 0.76, 0.70])
    static let objects = [
        ObjectDescription(name: "a", shape: .box, halfExtentsMeters: [0.025, 0.025, 0.025], massKg: 0.1, rgba: [0.2, 0.5, 0.8, 1]),
        ObjectDescription(name: "b", shape: .sphere, halfExtentsMeters: [0.02, 0, 0], massKg: 0.1, rgba: [0.9, 0.7, 0.2, 1]),
        ObjectDescription(name: "c", shape: .box, halfExtentsMeters: [0.025, 0.025, 0.025], massKg: 0.1, rgba: [0.2, 0.5, 0.8, 1]),
    ]
    static let configuration = NeuralFieldConfiguration(
        hashGrid: HashGridConfiguration(levels: 2, featuresPerLevel: 2, log2TableSize: 6, baseResolution: 2, finestResolution: 8),
        hiddenWidths: [8], samplesAcrossBounds: 16, occupancyResolution: 4)

    func temporaryPath(_ name: String) -> String { "/tmp/wm-field-test-\(getpid())-\(name).safetensors" }

    @Test func identicalObjectsShareAClass() {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, table: Self.table, configuration: Self.configuration, seed: 1)
        #expect(set.fields.count == 2)
        #expect(set.description.objectClasses == [0, 1, 0])
        #expect(set.parameterBytes == set.parameters.reduce(0) { $0 + $1.value.count } * 4)
    }

    @Test func saveAndLoadGiveTheSameField() throws {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, table: Self.table, configuration: Self.configuration, seed: 3)
        for i in 0..<set.fields[0].table.value.count { set.fields[0].table.value.base[i] = Float(i % 7) * 0.1 }
        let path = temporaryPath("roundtrip")
        defer { unlink(path) }
        try set.save(to: path)
        let loaded = try ObjectFieldSet.load(from: path)
        #expect(loaded.description == set.description)
        let points: [Float] = [0.01, 0.0, 0.005, -0.02, 0.01, 0.0]
        var a = [Float](repeating: 0, count: 2), b = a, ca = [Float](repeating: 0, count: 6), cb = ca
        set.fields[0].evaluate(points: points, count: 2, towardsLight: [0, 0, 1], density: &a, rgb: &ca)
        loaded.fields[0].evaluate(points: points, count: 2, towardsLight: [0, 0, 1], density: &b, rgb: &cb)
        #expect(a == b && ca == cb)
    }

    @Test func truncatedOrCorruptCheckpointIsAOneLineError() throws {
        let set = ObjectFieldSet(sceneName: "t", objects: Self.objects, table: Self.table, configuration: Self.configuration, seed: 3)
        let path = temporaryPath("broken")
        defer { unlink(path) }
        try set.save(to: path)
        let bytes = try FileBytes.read(path)
        for broken in [Array(bytes[0..<(bytes.count / 2)]), Array(bytes[0..<5]), [UInt8](repeating: 0x7b, count: 64)] {
            let writer = try AtomicFileWriter(path: path)
            try writer.write(broken)
            try writer.commit()
            do {
                _ = try ObjectFieldSet.load(from: path)
                Issue.record("a broken checkpoint loaded")
            } catch let error as WorldModelError {
                #expect(error.file == path)
                #expect(!error.description.contains("\n"))
            }
        }
        #expect(throws: WorldModelError.self) { try ObjectFieldSet.load(from: temporaryPath("missing")) }
    }
}
