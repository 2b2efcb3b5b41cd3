import Foundation
import Testing
import WorldModel

/// The Python interpreter used to cross-check files: `$WM_PYTHON`, else `/tmp/wm-venv/bin/python3`, else `python3`.
private let pythonInterpreter: String = {
    if let path = ProcessInfo.processInfo.environment["WM_PYTHON"], !path.isEmpty { return path }
    if FileManager.default.isExecutableFile(atPath: "/tmp/wm-venv/bin/python3") { return "/tmp/wm-venv/bin/python3" }
    return "python3"
}()

/// Runs `python -c script args...`; returns stdout, or nil if the interpreter cannot run or the script fails.
private func runPython(_ script: String, _ arguments: [String] = []) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [pythonInterpreter, "-c", script] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return nil }
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self)
}

/// Whether Python's `safetensors` and `numpy` packages import; the cross-check tests are skipped otherwise.
private let pythonHasSafetensors = runPython("import safetensors.numpy, numpy") != nil

@Suite struct SafetensorsFileTests {
    static func sample() -> SafetensorsFile {
        SafetensorsFile(
            metadata: ["format_version": "1", "architecture": "{\"widths\":[3,4]}", "note": "quote \" and slash /"],
            tensors: [
                SafetensorsTensor(name: "layer.0.weight", shape: [3, 4], floats: (0..<12).map { Float($0) * 0.5 - 2 }),
                SafetensorsTensor(name: "layer.0.bias", shape: [1, 4], floats: [1, -1, 0.25, 3e-8]),
                SafetensorsTensor(name: "senders", shape: [5], int32s: [0, 1, 2, 1, 0]),
                SafetensorsTensor(name: "episode_ids", shape: [2, 1], int64s: [1 << 40, -7]),
                SafetensorsTensor(name: "scalar", shape: [], floats: [42]),
            ])
    }

    static func temporaryPath(_ name: String) -> String { "/tmp/wm-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).safetensors" }

    @Test func writesAndReadsBack() throws {
        let path = Self.temporaryPath("roundtrip")
        defer { unlink(path) }
        let file = Self.sample()
        try file.write(to: path)
        let back = try SafetensorsFile.read(path)
        #expect(back.metadata == file.metadata)
        #expect(back.tensors.map(\.name) == file.tensors.map(\.name))
        #expect(back.tensor(named: "episode_ids")?.int64s == [1 << 40, -7])
        #expect(back.tensor(named: "layer.0.weight")?.floats == file.tensors[0].floats)
        let bytes = try FileBytes.read(path)
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(headerLength % 8 == 0)
        #expect(bytes[8] == UInt8(ascii: "{"))
    }

    @Test func expectChecksNamesAndShapes() throws {
        let file = Self.sample()
        let shapes = Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0.shape) })
        try file.expect(shapes, file: "m.safetensors")
        var wrongShape = shapes
        wrongShape["layer.0.bias"] = [4]
        #expect(throws: WorldModelError.self) { try file.expect(wrongShape, file: "m.safetensors") }
        var missing = shapes
        missing["layer.1.weight"] = [4, 4]
        #expect(throws: WorldModelError.self) { try file.expect(missing, file: "m.safetensors") }
        var extra = shapes
        extra["scalar"] = nil
        #expect(throws: WorldModelError.self) { try file.expect(extra, file: "m.safetensors") }
    }

    /// Every prefix of a valid file is rejected with one line that names the file.
    @Test func truncatedFilesAreOneLineErrors() throws {
        let path = Self.temporaryPath("whole")
        defer { unlink(path) }
        try Self.sample().write(to: path)
        let bytes = try FileBytes.read(path)
        for length in [0, 3, 8, 9, 40, bytes.count / 2, bytes.count - 4, bytes.count - 1] {
            let error = #expect(throws: WorldModelError.self) { _ = try SafetensorsFile.parse(Array(bytes[0..<length]), file: path) }
            #expect(error?.description.hasPrefix(path + ": ") == true, "length \(length): \(error?.description ?? "")")
            #expect(error?.description.contains("\n") == false)
        }
    }

    @Test func corruptedFilesAreRejected() throws {
        let path = Self.temporaryPath("corrupt")
        defer { unlink(path) }
        try Self.sample().write(to: path)
        let good = try FileBytes.read(path)
        let headerLength = Int(good[0]) | Int(good[1]) << 8
        let header = String(decoding: good[8..<(8 + headerLength)], as: UTF8.self)
        func withHeader(_ text: String) -> [UInt8] {
            var h = Array(text.utf8)
            while h.count < headerLength { h.append(0x20) }
            var out = good
            out.replaceSubrange(8..<(8 + headerLength), with: h)
            var length = ByteWriter()
            length.append(UInt64(h.count))
            out.replaceSubrange(0..<8, with: length.bytes)
            return out
        }
        var hugeLength = good
        hugeLength[7] = 0x7f
        var nan = good
        let firstFloat = 8 + headerLength
        nan.replaceSubrange(firstFloat..<(firstFloat + 4), with: [0x00, 0x00, 0xc0, 0x7f])
        let cases: [(String, [UInt8])] = [
            ("huge header length", hugeLength),
            ("not JSON", withHeader("{\"a\": [1, 2")),
            ("unknown dtype", withHeader(header.replacingOccurrences(of: "\"I32\"", with: "\"Q8\""))),
            ("shape disagrees with bytes", withHeader(header.replacingOccurrences(of: "\"shape\":[5]", with: "\"shape\":[6]"))),
            ("overlapping offsets", withHeader(header.replacingOccurrences(of: "\"data_offsets\":[0,", with: "\"data_offsets\":[4,"))),
            ("trailing bytes", good + [0, 0, 0, 0]),
            ("NaN weight", nan),
        ]
        for (what, bytes) in cases {
            let error = #expect(throws: WorldModelError.self, "\(what)") { _ = try SafetensorsFile.parse(bytes, file: path) }
            #expect(error?.description.hasPrefix(path + ": ") == true, "\(what): \(error?.description ?? "")")
        }
    }

    @Test(.enabled(if: pythonHasSafetensors, "Python with the safetensors package not found (set WM_PYTHON or create /tmp/wm-venv); skipping the cross-check"))
    func pythonReadsWhatWeWrite() throws {
        let path = Self.temporaryPath("python")
        defer { unlink(path) }
        try Self.sample().write(to: path)
        let script = """
            import sys, json, safetensors.numpy, safetensors
            t = safetensors.numpy.load_file(sys.argv[1])
            with safetensors.safe_open(sys.argv[1], framework="np") as f: meta = f.metadata()
            print(json.dumps({"shapes": {k: list(v.shape) for k, v in t.items()}, "dtypes": {k: str(v.dtype) for k, v in t.items()},
                              "w": t["layer.0.weight"].ravel().tolist(), "ids": t["episode_ids"].ravel().tolist(), "meta": meta}))
            """
        let output = try #require(runPython(script, [path]))
        struct Report: Decodable { var shapes: [String: [Int]]; var dtypes: [String: String]; var w: [Float]; var ids: [Int64]; var meta: [String: String] }
        let report = try JSONDecoder().decode(Report.self, from: Data(output.utf8))
        let sample = Self.sample()
        #expect(report.shapes == Dictionary(uniqueKeysWithValues: sample.tensors.map { ($0.name, $0.shape) }))
        #expect(report.dtypes["senders"] == "int32" && report.dtypes["episode_ids"] == "int64" && report.dtypes["scalar"] == "float32")
        #expect(report.w == sample.tensors[0].floats)
        #expect(report.ids == [1 << 40, -7])
        #expect(report.meta == sample.metadata)
    }

    @Test(.enabled(if: pythonHasSafetensors, "Python with the safetensors package not found (set WM_PYTHON or create /tmp/wm-venv); skipping the cross-check"))
    func weReadWhatPythonWrites() throws {
        let path = Self.temporaryPath("from-python")
        defer { unlink(path) }
        let script = """
            import sys, numpy as np, safetensors.numpy
            safetensors.numpy.save_file({"b": np.arange(6, dtype=np.float32).reshape(2, 3), "a": np.array([3, 1], dtype=np.int64)},
                                        sys.argv[1], metadata={"format_version": "1"})
            """
        _ = try #require(runPython(script, [path]))
        let file = try SafetensorsFile.read(path)
        #expect(file.tensor(named: "b")?.floats == [0, 1, 2, 3, 4, 5])
        #expect(file.tensor(named: "b")?.shape == [2, 3])
        #expect(file.tensor(named: "a")?.int64s == [3, 1])
        #expect(file.metadata == ["format_version": "1"])
    }
}
