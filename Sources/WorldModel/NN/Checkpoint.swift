/// Saving and loading model parameters as safetensors, with the architecture and normalisation in metadata.
///
/// Metadata keys: `format_version` (``formatVersion``), `architecture` (JSON text describing the model,
/// e.g. an encoded ``MLPDescription``), `normalization` (JSON text of normalisation statistics, if any), and
/// anything else the caller adds. Each ``Parameter`` is an F32 tensor named by its name, shape `[rows, cols]`.
///
/// ```swift
/// try Checkpoint.save(mlp.parameters, to: "model.safetensors", architecture: architectureJSON)
/// let metadata = try Checkpoint.load(from: "model.safetensors", into: mlp.parameters)
/// ```
public enum Checkpoint {
    /// The checkpoint format version this code writes and reads.
    public static let formatVersion = "1"

    /// Metadata keys with a fixed meaning.
    public enum Key {
        public static let formatVersion = "format_version"
        public static let architecture = "architecture"
        public static let normalization = "normalization"
    }

    /// Writes `parameters` and metadata to `path` atomically.
    public static func save(_ parameters: [Parameter], to path: String, architecture: String, normalization: String? = nil, extra: [String: String] = [:]) throws {
        try save(tensors: parameters.map { SafetensorsTensor(name: $0.name, shape: $0.shape, floats: $0.value.values) }, to: path,
                 architecture: architecture, normalization: normalization, extra: extra)
    }

    /// Writes `tensors` (parameters already encoded, in any dtype) with the same metadata, atomically.
    public static func save(tensors: [SafetensorsTensor], to path: String, architecture: String, normalization: String? = nil,
                            extra: [String: String] = [:]) throws {
        var metadata = extra
        metadata[Key.formatVersion] = formatVersion
        metadata[Key.architecture] = architecture
        if let normalization { metadata[Key.normalization] = normalization }
        try SafetensorsFile(metadata: metadata, tensors: tensors).write(to: path)
    }

    /// Throws, naming `path`, unless `file`'s metadata has this build's format version.
    public static func checkFormatVersion(_ file: SafetensorsFile, path: String) throws {
        guard let version = file.metadata[Key.formatVersion] else {
            throw WorldModelError(file: path, "checkpoint has no format_version in its metadata")
        }
        guard version == formatVersion else {
            throw WorldModelError(file: path, "checkpoint format_version \(version), this build reads \(formatVersion)")
        }
    }

    /// Reads `path`, checks its format version, architecture text (when `expectedArchitecture` is given) and
    /// that its tensors are exactly `parameters` by name and shape, then copies the values in.
    /// Returns the metadata. Nothing is modified if any check fails.
    @discardableResult
    public static func load(from path: String, into parameters: [Parameter], expectedArchitecture: String? = nil) throws -> [String: String] {
        let file = try SafetensorsFile.read(path)
        try checkFormatVersion(file, path: path)
        if let expectedArchitecture, file.metadata[Key.architecture] != expectedArchitecture {
            throw WorldModelError(file: path, "checkpoint architecture \(file.metadata[Key.architecture] ?? "(none)") differs from \(expectedArchitecture)")
        }
        try file.expect(Dictionary(uniqueKeysWithValues: parameters.map { ($0.name, $0.shape) }), file: path)
        for parameter in parameters {
            let tensor = file.tensor(named: parameter.name)!
            guard tensor.dtype == .f32 else {
                throw WorldModelError(file: path, "tensor \(parameter.name) is \(tensor.dtype.rawValue), parameters are F32")
            }
        }
        for parameter in parameters {
            let values = file.tensor(named: parameter.name)!.floats
            values.withUnsafeBufferPointer { parameter.value.base.update(from: $0.baseAddress!, count: values.count) }
        }
        return file.metadata
    }
}
