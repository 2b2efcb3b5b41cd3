/// How a field set's parameters are stored in its checkpoint. In memory they are always float32 (the renderer
/// and the trainer work on those); a compact file is decoded into them on load, so what renders is exactly
/// what the file holds.
///
/// Layouts (safetensors tensors, `L` = levels, `T` = 2^log2TableSize rows per level, `F` = features per level):
/// - `float32`: every parameter as F32 under its name.
/// - `compact`: each hash table `NAME.hash_table` as I8 `[L * T, F]` with `NAME.hash_table.scale` F32 `[L, F]`
///   (value = int8 x the scale of its level and feature: symmetric, scale = largest magnitude / 127); every
///   other parameter (the MLPs' weights and biases) as F16 under its name. The metadata key `storage` says which.
///
/// ```python
/// from safetensors.numpy import load_file
/// t = load_file("models/clutter-field-compact.safetensors")
/// table = t["class0.hash_table"].reshape(8, 2048, 2) * t["class0.hash_table.scale"][:, None, :]
/// ```
public enum FieldStorage: String, Codable, Sendable, CaseIterable {
    case float32
    case compact

    /// The metadata key holding the storage of a field checkpoint (absent: float32).
    public static let metadataKey = "storage"
    /// The suffix of a compact table's scales.
    static let scaleSuffix = ".scale"

    /// The tensors of `parameters` in this storage; `tables` are the hash tables (their parameters, with `levels` levels each).
    func tensors(_ parameters: [Parameter], tables: Set<String>, levels: Int) -> [SafetensorsTensor] {
        parameters.flatMap { p -> [SafetensorsTensor] in
            let values = p.value.values
            switch self {
            case .float32:
                return [SafetensorsTensor(name: p.name, shape: p.shape, floats: values)]
            case .compact where tables.contains(p.name):
                let (codes, scales) = Self.quantize(values, levels: levels, features: p.value.cols)
                return [SafetensorsTensor(name: p.name, shape: p.shape, int8s: codes),
                        SafetensorsTensor(name: p.name + Self.scaleSuffix, shape: [levels, p.value.cols], floats: scales)]
            case .compact:
                return [SafetensorsTensor(name: p.name, shape: p.shape, halves: values.map { Float16($0) })]
            }
        }
    }

    /// Bytes of `parameters` in this storage (the tensors' data, without the header).
    func byteCount(_ parameters: [Parameter], tables: Set<String>, levels: Int) -> Int {
        parameters.reduce(0) { total, p in
            switch self {
            case .float32: return total + 4 * p.value.count
            case .compact where tables.contains(p.name): return total + p.value.count + 4 * levels * p.value.cols
            case .compact: return total + 2 * p.value.count
            }
        }
    }

    /// Decodes `file`'s tensors of this storage into `parameters` (names and shapes checked first; nothing is
    /// modified if a check fails).
    func decode(_ file: SafetensorsFile, path: String, into parameters: [Parameter], tables: Set<String>, levels: Int) throws {
        var shapes = Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.shape) })
        if self == .compact { for p in parameters where tables.contains(p.name) { shapes[p.name + Self.scaleSuffix] = [levels, p.value.cols] } }
        try file.expect(shapes, file: path)
        func expected(_ name: String) -> SafetensorsDType {
            self == .float32 || name.hasSuffix(Self.scaleSuffix) ? .f32 : tables.contains(name) ? .i8 : .f16
        }
        for tensor in file.tensors where tensor.dtype != expected(tensor.name) {
            throw WorldModelError(file: path, "tensor \(tensor.name) is \(tensor.dtype.rawValue), a \(rawValue) field stores it as \(expected(tensor.name).rawValue)")
        }
        for p in parameters {
            let tensor = file.tensor(named: p.name)!
            let values: [Float]
            switch tensor.dtype {
            case .f16: values = tensor.halves.map { Float($0) }
            case .i8: values = Self.dequantize(tensor.int8s, scales: file.tensor(named: p.name + Self.scaleSuffix)!.floats, levels: levels, features: p.value.cols)
            default: values = tensor.floats
            }
            values.withUnsafeBufferPointer { p.value.base.update(from: $0.baseAddress!, count: values.count) }
        }
    }

    /// Symmetric int8 codes of a table `[levels * rows, features]`, one scale per (level, feature).
    static func quantize(_ values: [Float], levels: Int, features: Int) -> (codes: [Int8], scales: [Float]) {
        let rows = values.count / (levels * features)
        var scales = [Float](repeating: 0, count: levels * features)
        var codes = [Int8](repeating: 0, count: values.count)
        for l in 0..<levels {
            for f in 0..<features {
                var largest: Float = 0
                for r in 0..<rows { largest = max(largest, abs(values[(l * rows + r) * features + f])) }
                let scale = largest > 0 ? largest / 127 : 1
                scales[l * features + f] = scale
                for r in 0..<rows {
                    let i = (l * rows + r) * features + f
                    codes[i] = Int8(max(-127, min(127, (values[i] / scale).rounded())))
                }
            }
        }
        return (codes, scales)
    }

    /// The values of int8 `codes` with their (level, feature) `scales`.
    static func dequantize(_ codes: [Int8], scales: [Float], levels: Int, features: Int) -> [Float] {
        let rows = codes.count / (levels * features)
        return codes.indices.map { i in Float(codes[i]) * scales[(i / features / rows) * features + i % features] }
    }
}
