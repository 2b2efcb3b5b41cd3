import FoundationEssentials

/// The neural fields of a scene: one `NeuralObjectField` per object class (objects with the same shape,
/// half-extents and colour share one), one per robot link (`robotLinks`: the robot body, in its own frame, so the
/// learned world draws the robot too), the analytic table, and the lighting the fields were trained under.
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
/// let fields = ObjectFieldSet(sceneName: teacher.scene.name, objects: teacher.scene.objects, robotLinks: [teacher.robotLink],
///                             table: teacher.table, seed: 1)
/// let image = renderer.render(camera: camera, fields: fields.placed(poses: poses, linkPoses: robotPose))
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

    /// Fields for `objects`, classes by (shape, half-extents, colour), and one for each of `robotLinks`; bounds are
    /// the shape's box plus 10% and 2 mm (a link's in its body frame, around where its shape sits).
    public convenience init(sceneName: String, objects: [ObjectDescription], robotLinks: [RobotLinkShape] = [], table: TableDescription,
                            lighting: ViewLighting = .standard, configuration: NeuralFieldConfiguration = .standard, seed: UInt64) {
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
        var links: [FieldLink] = []
        for link in robotLinks {
            let half = link.bodyFrameHalfExtents * 1.1 + 0.002, centre = link.centreMeters
            classes.append(ObjectFieldClass(shape: link.shape, halfExtentsMeters: link.halfExtentsMeters, rgba: link.rgba,
                                            bounds: FieldBounds(minimum: centre - half, maximum: centre + half)))
            links.append(FieldLink(bodyName: link.bodyName, classIndex: classes.count - 1,
                                   shapePose: [centre.x, centre.y, centre.z] + (0..<4).map { link.quaternion[$0] }))
        }
        self.init(description: ObjectFieldSetDescription(sceneName: sceneName, configuration: configuration, classes: classes,
                                                         objectClasses: objectClasses, table: table, lighting: lighting,
                                                         robotLinks: links.isEmpty ? nil : links), seed: seed)
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

    /// The robot bodies drawn by fields of their own (none in a set trained without the robot).
    public var robotLinks: [FieldLink] { description.robotLinks ?? [] }

    /// The fields placed at the objects' poses (`N x 7`: position, quaternion w x y z) and the robot links at
    /// `linkPoses` (`L x 7` body poses, in `robotLinks` order; empty: the links are not drawn).
    public func placed(poses: [Float], linkPoses: [Float] = []) -> [PlacedField] {
        let pose = { (values: [Float], i: Int) in
            (SIMD3(values[7 * i], values[7 * i + 1], values[7 * i + 2]), SIMD4(values[7 * i + 3], values[7 * i + 4], values[7 * i + 5], values[7 * i + 6]))
        }
        var placed = description.objectClasses.enumerated().map { i, c in
            let (p, q) = pose(poses, i)
            return PlacedField(field: fields[c], position: p, quaternion: q)
        }
        let links = robotLinks
        if !links.isEmpty && linkPoses.count >= 7 * links.count {
            for (i, link) in links.enumerated() {
                let (p, q) = pose(linkPoses, i)
                placed.append(PlacedField(field: fields[link.classIndex], position: p, quaternion: q))
            }
        }
        return placed
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
        let classCount = description.classes.count
        if let c = description.objectClasses.first(where: { $0 < 0 || $0 >= classCount }) {
            throw WorldModelError(file: path, "an object refers to field class \(c), the set has \(classCount)")
        }
        if let link = (description.robotLinks ?? []).first(where: { $0.classIndex < 0 || $0.classIndex >= classCount || $0.shapePose.count != 7 }) {
            throw WorldModelError(file: path, "robot link '\(link.bodyName)' refers to field class \(link.classIndex) of \(classCount) with \(link.shapePose.count) shape-pose values (7 expected)")
        }
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
    /// The robot bodies with fields of their own; absent in sets trained before robot links existed (the robot
    /// is then drawn from its primitives).
    public var robotLinks: [FieldLink]?
}

/// A robot body drawn by a field: the MuJoCo body's name, its field class (bounds in the body frame), and where
/// its shape sits in the body frame (`shapePose`: position (m), quaternion w x y z), for the dense baseline.
public struct FieldLink: Codable, Equatable, Sendable {
    public var bodyName: String
    public var classIndex: Int
    public var shapePose: [Float]
}

/// The shape of a robot body as a field learns it: its primitive (shape, half-extents as `ShapeKind` defines
/// them, colour) at `centreMeters` and `quaternion` (w x y z) in the body frame.
public struct RobotLinkShape: Sendable, Equatable {
    public var bodyName: String
    public var shape: ShapeKind
    public var halfExtentsMeters: [Float]
    public var rgba: [Float]
    public var centreMeters: SIMD3<Float>
    /// (w, x, y, z), unit: the shape's frame -> the body frame.
    public var quaternion: SIMD4<Float>

    public init(bodyName: String, shape: ShapeKind, halfExtentsMeters: [Float], rgba: [Float], centreMeters: SIMD3<Float>,
                quaternion: SIMD4<Float> = SIMD4(1, 0, 0, 0)) {
        self.bodyName = bodyName
        self.shape = shape
        self.halfExtentsMeters = halfExtentsMeters
        self.rgba = rgba
        self.centreMeters = centreMeters
        self.quaternion = quaternion
    }

    /// Half-extents (m) of the body-frame box around the shape: its own box, turned by `quaternion`.
    var bodyFrameHalfExtents: SIMD3<Float> {
        let h = boundingHalfExtents(shape, halfExtents: SIMD3(halfExtentsMeters[0], halfExtentsMeters[1], halfExtentsMeters[2]))
        var out = SIMD3<Float>.zero
        for (j, axis) in [SIMD3<Float>(1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, 1)].enumerated() {
            let column = RotationMath.rotate(quaternion, axis)
            out += SIMD3(abs(column.x), abs(column.y), abs(column.z)) * h[j]
        }
        return out
    }
}

/// Objects that look the same share a field: shape, half-extents (m) and colour, and the field's bounds.
public struct ObjectFieldClass: Codable, Equatable, Sendable {
    public var shape: ShapeKind
    public var halfExtentsMeters: [Float]
    public var rgba: [Float]
    public var bounds: FieldBounds
}
