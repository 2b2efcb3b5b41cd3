import FoundationEssentials

/// The neural fields of a scene: one `NeuralObjectField` per object class (objects with the same shape,
/// half-extents and colour share one), the analytic table, and the lighting the fields were trained under.
///
/// The table is not learned: it is the scene's plane (height, extent and colour read from the MJCF), drawn
/// exactly by the renderer behind the objects. A static field would spend bytes to approximate something the
/// scene states, and the dense baseline gets the same table, so the comparison is about the objects.
///
/// Checkpoint (safetensors): every class's hash table and MLP parameters, F32 or ``FieldStorage/compact`` (int8
/// tables with per-level scales, F16 MLPs; `storage` in the metadata), and the `architecture` metadata holding
/// this set's `ObjectFieldSetDescription` as JSON. In memory the parameters are float32 either way.
///
/// ```swift
/// let fields = ObjectFieldSet(objects: scene.objects, table: renderer.table, configuration: .standard, seed: 1)
/// let image = renderer.render(camera: camera, fields: fields.placed(poses: poses))
/// try fields.save(to: "models/push-field.safetensors")
/// try fields.save(to: "/tmp/push-field-compact.safetensors", storage: .compact)
/// let loaded = try ObjectFieldSet.load(from: "models/push-field.safetensors")
/// ```
public final class ObjectFieldSet {
    public let description: ObjectFieldSetDescription
    /// One field per class.
    public let fields: [NeuralObjectField]
    /// How `save` stores the parameters by default: what the set was loaded from (float32 for a new set).
    public var storage: FieldStorage = .float32

    public init(description: ObjectFieldSetDescription, seed: UInt64) {
        self.description = description
        fields = description.classes.enumerated().map { index, c in
            NeuralObjectField(name: "class\(index)", bounds: c.bounds, configuration: description.configuration, seed: seed &+ UInt64(index) &* 7919)
        }
    }

    /// Fields for `objects`, classes by (shape, half-extents, colour); bounds are the shape's box plus 10% and 2 mm.
    public convenience init(sceneName: String, objects: [ObjectDescription], table: TableDescription, lighting: ViewLighting = .standard,
                            configuration: NeuralFieldConfiguration = .standard, seed: UInt64) {
        var classes: [ObjectFieldClass] = [], objectClasses: [Int] = []
        for object in objects {
            if let existing = classes.firstIndex(where: { $0.shape == object.shape && $0.halfExtentsMeters == object.halfExtentsMeters && $0.rgba == object.rgba }) {
                objectClasses.append(existing)
                continue
            }
            let half = boundingHalfExtents(object.shape, halfExtents: object.halfExtents) * 1.1 + 0.002
            classes.append(ObjectFieldClass(shape: object.shape, halfExtentsMeters: object.halfExtentsMeters, rgba: object.rgba,
                                            bounds: FieldBounds(halfExtents: half)))
            objectClasses.append(classes.count - 1)
        }
        self.init(description: ObjectFieldSetDescription(sceneName: sceneName, configuration: configuration, classes: classes,
                                                         objectClasses: objectClasses, table: table, lighting: lighting), seed: seed)
    }

    public var parameters: [Parameter] { fields.flatMap(\.parameters) }

    /// Bytes of all parameters in memory (float32).
    public var parameterBytes: Int { fields.reduce(0) { $0 + $1.parameterBytes } }

    /// Bytes of all parameters as `storage` stores them in the checkpoint (tensor data; the JSON header is not
    /// counted): the size of the scene representation compared with the dense grid.
    public var storedBytes: Int { storage.byteCount(parameters, tables: tableNames, levels: description.configuration.hashGrid.levels) }

    private var tableNames: Set<String> { Set(fields.map(\.table.name)) }

    /// The free joints of `scene` whose bodies these fields draw, in MJCF order (as the set numbers its objects);
    /// throws, naming `source`, when the set is of another scene or does not hold one object per free joint.
    public func freeJoints(of scene: SceneModel, source: String? = nil) throws -> [KinematicTree.Joint] {
        guard description.sceneName == scene.name else {
            throw WorldModelError(file: source, "the fields are of scene '\(description.sceneName)', the model of scene '\(scene.name)'")
        }
        let free = scene.tree.joints.filter { $0.kind == .free }
        guard free.count == description.objectClasses.count else {
            throw WorldModelError(file: source, "the fields hold \(description.objectClasses.count) objects, scene '\(scene.name)' has \(free.count) free bodies")
        }
        return free
    }

    /// The fields placed at the objects' poses (`N x 7`: position, quaternion w x y z).
    public func placed(poses: [Float]) -> [PlacedField] {
        description.objectClasses.enumerated().map { i, c in
            PlacedField(field: fields[c], position: SIMD3(poses[7 * i], poses[7 * i + 1], poses[7 * i + 2]),
                        quaternion: SIMD4(poses[7 * i + 3], poses[7 * i + 4], poses[7 * i + 5], poses[7 * i + 6]))
        }
    }

    /// A renderer for this set's table and lighting, evaluating distinct fields on `threads` threads.
    public func makeRenderer(threads: Int = 1) -> VolumeRenderer {
        VolumeRenderer(lighting: description.lighting, table: description.table, threads: threads)
    }

    public func updateOccupancy() { for field in fields { field.updateOccupancy() } }

    /// Writes the set to `path` atomically, its parameters in `storage` (default: the set's own).
    public func save(to path: String, storage: FieldStorage? = nil) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let json = String(decoding: try encoder.encode(description), as: UTF8.self)
        let storage = storage ?? self.storage
        try Checkpoint.save(tensors: storage.tensors(parameters, tables: tableNames, levels: description.configuration.hashGrid.levels), to: path,
                            architecture: json, extra: ["kind": "wm.object_field_set", FieldStorage.metadataKey: storage.rawValue])
    }

    /// Loads a set saved by `save(to:)`; every problem (missing, truncated, corrupt, wrong kind) is a one-line error.
    public static func load(from path: String) throws -> ObjectFieldSet {
        let file = try SafetensorsFile.read(path)
        guard file.metadata["kind"] == "wm.object_field_set", let json = file.metadata[Checkpoint.Key.architecture] else {
            throw WorldModelError(file: path, "not a wm field checkpoint (metadata kind is not wm.object_field_set)")
        }
        let description: ObjectFieldSetDescription
        do {
            description = try JSONDecoder().decode(ObjectFieldSetDescription.self, from: Data(json.utf8))
        } catch {
            throw WorldModelError(file: path, "field description in the metadata is not readable: \(error)")
        }
        try Checkpoint.checkFormatVersion(file, path: path)
        let name = file.metadata[FieldStorage.metadataKey] ?? FieldStorage.float32.rawValue
        guard let storage = FieldStorage(rawValue: name) else {
            throw WorldModelError(file: path, "field storage '\(name)' is not one this build reads (\(FieldStorage.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let set = ObjectFieldSet(description: description, seed: 0)
        try storage.decode(file, path: path, into: set.parameters, tables: set.tableNames, levels: description.configuration.hashGrid.levels)
        set.storage = storage
        set.updateOccupancy()
        return set
    }
}

/// What an `ObjectFieldSet` is, stored as JSON in its checkpoint.
public struct ObjectFieldSetDescription: Codable, Equatable, Sendable {
    public var sceneName: String
    public var configuration: NeuralFieldConfiguration
    public var classes: [ObjectFieldClass]
    /// The class of each scene object, in scene order.
    public var objectClasses: [Int]
    public var table: TableDescription
    public var lighting: ViewLighting
}

/// Objects that look the same share a field: shape, half-extents (m) and colour, and the field's bounds.
public struct ObjectFieldClass: Codable, Equatable, Sendable {
    public var shape: ShapeKind
    public var halfExtentsMeters: [Float]
    public var rgba: [Float]
    public var bounds: FieldBounds
}
