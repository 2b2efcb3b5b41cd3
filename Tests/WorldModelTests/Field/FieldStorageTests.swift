import Testing
import Glibc
@testable import WorldModel

@Suite struct FieldStorageTests {
    func temporaryPath(_ name: String) -> String { "/tmp/wm-field-storage-\(getpid())-\(name).safetensors" }

    func fieldSet(seed: UInt64) -> ObjectFieldSet {
        let set = ObjectFieldSet(sceneName: "t", objects: ObjectFieldSetTests.objects, table: ObjectFieldSetTests.table,
                                 configuration: ObjectFieldSetTests.configuration, seed: seed)
        // Tables with a different range per level and feature, as trained tables have.
        for field in set.fields {
            let t = field.table.value, rows = t.rows / 2
            for r in 0..<t.rows { for f in 0..<t.cols { t.base[r * t.cols + f] = Float(sin(Double(r * 3 + f))) * (r < rows ? 0.5 : 0.01) * Float(f + 1) } }
        }
        return set
    }

    /// Each table value comes back within half a quantisation step of its level and feature, every MLP value
    /// within float16's rounding, and what loads is what the file holds (saving the loaded set again gives the same bytes).
    @Test func compactRoundTripKeepsValuesWithinTheirQuantisationStep() throws {
        let set = fieldSet(seed: 3)
        let path = temporaryPath("compact"), again = temporaryPath("again")
        defer { unlink(path); unlink(again) }
        try set.save(to: path, storage: .compact)
        let loaded = try ObjectFieldSet.load(from: path)
        #expect(loaded.storage == .compact && loaded.description == set.description)
        let levels = ObjectFieldSetTests.configuration.hashGrid.levels
        for (a, b) in zip(set.fields, loaded.fields) {
            let t = a.table.value, rows = t.rows / levels
            for l in 0..<levels {
                for f in 0..<t.cols {
                    var largest: Float = 0
                    for r in 0..<rows { largest = max(largest, abs(t.base[(l * rows + r) * t.cols + f])) }
                    let step = largest / 127
                    for r in 0..<rows {
                        let i = (l * rows + r) * t.cols + f
                        #expect(abs(t.base[i] - b.table.value.base[i]) <= step / 2 * 1.0001, "level \(l) feature \(f) row \(r)")
                    }
                }
            }
            for (p, q) in zip(a.mlp.parameters, b.mlp.parameters) {
                for i in 0..<p.value.count {
                    let x = p.value.base[i]
                    #expect(abs(x - q.value.base[i]) <= max(abs(x) * 1e-3, 1e-7))
                }
            }
        }
        try loaded.save(to: again)
        #expect(try FileBytes.read(again) == FileBytes.read(path))
        let file = try SafetensorsFile.read(path)
        #expect(file.metadata["storage"] == "compact")
        #expect(file.tensor(named: "class0.hash_table")?.dtype == .i8 && file.tensor(named: "class0.hash_table.scale")?.dtype == .f32)
        #expect(file.tensor(named: "class0.mlp.0.weight")?.dtype == .f16)
        #expect(loaded.storedBytes == file.tensors.reduce(0) { $0 + $1.bytes.count })
        #expect(set.storedBytes == set.parameterBytes && loaded.parameterBytes == set.parameterBytes)
        #expect(Double(set.parameterBytes) / Double(loaded.storedBytes) > 3)
    }

    @Test func aFloat32FileStillLoadsAndAMismatchedTensorIsAOneLineError() throws {
        let set = fieldSet(seed: 4)
        let path = temporaryPath("float32"), broken = temporaryPath("broken")
        defer { unlink(path); unlink(broken) }
        try set.save(to: path)
        #expect(try ObjectFieldSet.load(from: path).storage == .float32)
        // A compact file whose metadata says float32: the int8 table is refused by name and dtype.
        try set.save(to: broken, storage: .compact)
        var file = try SafetensorsFile.read(broken)
        file.metadata["storage"] = "float32"
        try file.write(to: broken)
        do {
            _ = try ObjectFieldSet.load(from: broken)
            Issue.record("a mislabelled field loaded")
        } catch let error as WorldModelError {
            #expect(error.file == broken && !error.description.contains("\n"), "\(error)")
        }
        file.metadata["storage"] = "bfloat8"
        try file.write(to: broken)
        #expect(throws: WorldModelError.self) { try ObjectFieldSet.load(from: broken) }
    }

    @Test func halfAndInt8TensorsRoundTripAndNonFiniteHalvesAreRefused() throws {
        let path = temporaryPath("dtypes")
        defer { unlink(path) }
        let halves: [Float16] = [1, -2.5, 0.125], codes: [Int8] = [-127, 0, 5, 127]
        try SafetensorsFile(metadata: [:], tensors: [SafetensorsTensor(name: "h", shape: [3], halves: halves),
                                                     SafetensorsTensor(name: "q", shape: [2, 2], int8s: codes)]).write(to: path)
        let file = try SafetensorsFile.read(path)
        #expect(file.tensor(named: "h")?.halves == halves && file.tensor(named: "q")?.int8s == codes)
        try SafetensorsFile(metadata: [:], tensors: [SafetensorsTensor(name: "h", shape: [2], halves: [1, .nan])]).write(to: path)
        #expect(throws: WorldModelError.self) { try SafetensorsFile.read(path) }
    }
}
