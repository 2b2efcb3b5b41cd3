import FoundationEssentials

/// What an `.npz` import may take from elsewhere than the file.
public struct NPZImportOptions: Sendable {
    /// Renames: documented name -> the name in the file. `["box_pos": "obj_pos"]` reads the file's `obj_pos` as `box_pos`.
    public var arrayNames: [String: String]
    /// The scene's name; default: the file's `scene_name` array, else the file name without `.npz`.
    public var sceneName: String?
    /// The scene's MJCF text; default: the file's `mjcf` array. It is stored, never loaded, so MJCF that this
    /// machine's MuJoCo cannot load imports fine.
    public var mjcf: String?
    /// Object descriptions from a scene loader; default: the file's `object_*` arrays, else cubes from
    /// `box_half_size` and `box_mass`.
    public var objectsFromScene: [ObjectDescription]?
    /// The robot from a scene loader; default: the file's `robot_*` arrays, else ``RobotDescription/capsulePusher``.
    public var robotFromScene: RobotDescription?
    /// The scene's model and where its objects and robot are in qpos (from a scene loader): push-style arrays
    /// without `qpos` are then mapped onto the scene's free joints and slide joints (``FreeObjectLayout``).
    public var generalizedStateFromScene: (model: SceneModel, layout: FreeObjectLayout)?

    public init(arrayNames: [String: String] = [:], sceneName: String? = nil, mjcf: String? = nil,
                objectsFromScene: [ObjectDescription]? = nil, robotFromScene: RobotDescription? = nil) {
        self.arrayNames = arrayNames
        self.sceneName = sceneName
        self.mjcf = mjcf
        self.objectsFromScene = objectsFromScene
        self.robotFromScene = robotFromScene
    }
}

/// Turns a NumPy `.npz` with the array names of ``NPZArrayNames`` into a dataset.
///
/// Every array is checked: a missing array, a wrong shape or dtype, counts (E, T, N) that disagree between arrays,
/// or NaN in states or actions is one ``WorldModelError`` naming the file and the array. Splits come from the file's
/// `split` array, else from ``DatasetSplit/assign(episodeCount:seed:train:valid:)`` with the file's seed.
///
/// ```swift
/// let (header, episodes) = try NPZImport.read(npz: "sample_push_n4.npz")
/// try NPZImport.convert(npz: "trajectories.npz", to: "/tmp/push.wmds",
///                       options: NPZImportOptions(arrayNames: ["box_pos": "obj_pos"]))
/// ```
public enum NPZImport {
    /// Reads and checks the whole file into a header and its episodes.
    public static func read(npz path: String, options: NPZImportOptions = NPZImportOptions()) throws
        -> (header: DatasetHeader, episodes: [Episode]) {
        let arrays = NamedArrays(path: path, arrays: try NumPyArchive.read(path: path), renames: options.arrayNames)
        typealias K = NPZArrayNames

        let positions = try arrays.require(K.objectPositions)
        guard positions.shape.count == 4, positions.shape[3] == 3, positions.shape[1] >= 1 else {
            throw arrays.error(K.objectPositions, "has shape \(shapeText(positions.shape)), expected (E, T+1, N, 3)")
        }
        let e = positions.shape[0], f = positions.shape[1], n = positions.shape[2]
        let actionsArray = try arrays.require(K.actions)
        guard actionsArray.shape.count == 3 else {
            throw arrays.error(K.actions, "has shape \(shapeText(actionsArray.shape)), expected (E, T, A)")
        }
        let a = actionsArray.shape[2]
        let dims = "E=\(e), T+1=\(f), N=\(n) from \(arrays.label(K.objectPositions))"

        let pos = try arrays.floats(K.objectPositions, shape: [e, f, n, 3], meaning: "(E, T+1, N, 3)", dims: dims)
        let quat = try arrays.floats(K.objectQuaternions, shape: [e, f, n, 4], meaning: "(E, T+1, N, 4)", dims: dims)
        if let bad = PhysicalValueCheck.firstDegenerateQuaternion(quat) {
            throw arrays.error(K.objectQuaternions, "holds a quaternion of norm \(bad.norm) at (E, T+1, N) = \(PhysicalValueCheck.index(bad.offset, shape: [e, f, n])); orientations must be nonzero")
        }
        let linvel = try arrays.floats(K.objectLinearVelocities, shape: [e, f, n, 3], meaning: "(E, T+1, N, 3)", dims: dims)
        let angvel = try arrays.floats(K.objectAngularVelocities, shape: [e, f, n, 3], meaning: "(E, T+1, N, 3)", dims: dims)
        let hasRobot = arrays.has(K.robotPositions) || !arrays.has(K.sceneModel)
        let robotPos = hasRobot ? try arrays.floats(K.robotPositions, shape: [e, f, 3], meaning: "(E, T+1, 3)", dims: dims) : []
        let robotVel = hasRobot ? try arrays.floats(K.robotVelocities, shape: [e, f, 3], meaning: "(E, T+1, 3)", dims: dims) : []
        let actions = try arrays.floats(K.actions, shape: [e, f - 1, a], meaning: "(E, T, A)", dims: dims)
        let contacts = try arrays.integers(K.contactCounts, shape: [e, f], meaning: "(E, T+1)", dims: dims)
        guard contacts.allSatisfy({ $0 >= 0 && $0 <= Int64(Int32.max) }) else {
            throw arrays.error(K.contactCounts, "holds negative or huge contact counts")
        }

        let seed = UInt64(bitPattern: try arrays.scalarInteger(K.seed))
        let controlDt = try arrays.scalarDouble(K.controlDt)
        let physicsDt = try arrays.scalarDouble(K.physicsDt)
        let mjcf = try options.mjcf ?? arrays.string(K.mjcf)
        let objects = try options.objectsFromScene ?? readObjects(arrays, n: n)
        guard objects.count == n else {
            throw WorldModelError(file: path, "the scene has \(objects.count) objects, \(arrays.label(K.objectPositions)) has N=\(n)")
        }
        let robot = hasRobot ? try options.robotFromScene ?? readRobot(arrays, actionDimension: a) : nil
        if let robot, robot.actionDimension != a {
            throw arrays.error(K.actions, "has \(a) action components, the robot has \(robot.actionDimension)")
        }
        // MuJoCo's generalized state, when the file carries it with its scene model (wm's own exports do).
        var sceneModel: SceneModel? = nil
        var qpos: [Float] = [], qvel: [Float] = [], bodyPoses: [Float] = []
        if let (model, layout) = options.generalizedStateFromScene, !arrays.has(K.qpos), let robot, robot.actionDimension == model.nu {
            guard layout.objectJoints.count == n else {
                throw WorldModelError(file: path, "the scene has \(layout.objectJoints.count) free objects, \(arrays.label(K.objectPositions)) has N=\(n)")
            }
            sceneModel = model
            let kinematics = ForwardKinematics(tree: model.tree)
            let robotRest = layout.robotRestPose(model: model, kinematics: kinematics)
            for row in 0..<(e * f) {
                var states = [Float](repeating: 0, count: n * objectStateWidth)
                for object in 0..<n {
                    let i = row * n + object, out = object * objectStateWidth
                    for k in 0..<3 { states[out + k] = pos[i * 3 + k]; states[out + 7 + k] = linvel[i * 3 + k]; states[out + 10 + k] = angvel[i * 3 + k] }
                    for k in 0..<4 { states[out + 3 + k] = quat[i * 4 + k] }
                }
                let robotState = Array(robotPos[(row * 3)..<(row * 3 + 3)] + robotVel[(row * 3)..<(row * 3 + 3)])
                let state = layout.generalizedState(objectStates: states[...], robotState: robotState[...], model: model, kinematics: kinematics,
                                                          robotRest: robotRest)
                qpos += state.qpos
                qvel += state.qvel
                bodyPoses += state.bodyPoses
            }
        } else if arrays.has(K.sceneModel), arrays.has(K.qpos) {
            do {
                sceneModel = try JSONDecoder().decode(SceneModel.self, from: Data(try arrays.string(K.sceneModel).utf8))
            } catch let error as WorldModelError {
                throw error
            } catch {
                throw arrays.error(K.sceneModel, "is not a valid scene model (JSON)")
            }
            let model = sceneModel!, b = model.movingBodyIndices.count
            guard model.nu == a else { throw arrays.error(K.actions, "has \(a) action components, the scene model has nu = \(model.nu)") }
            qpos = try arrays.floats(K.qpos, shape: [e, f, model.nq], meaning: "(E, T+1, nq)", dims: dims + ", nq=\(model.nq)")
            qvel = try arrays.floats(K.qvel, shape: [e, f, model.nv], meaning: "(E, T+1, nv)", dims: dims + ", nv=\(model.nv)")
            bodyPoses = try arrays.floats(K.bodyPoses, shape: [e, f, b, bodyPoseWidth], meaning: "(E, T+1, B, 7)", dims: dims + ", B=\(b)")
        }
        let nq = sceneModel?.nq ?? 0, nv = sceneModel?.nv ?? 0, poseWidth = (sceneModel?.movingBodyIndices.count ?? 0) * bodyPoseWidth
        let splits: [Split]
        if arrays.has(K.splits) {
            splits = try arrays.integers(K.splits, shape: [e], meaning: "(E)", dims: dims).map { code in
                guard let split = NPZArrayNames.split(code: code) else {
                    throw arrays.error(K.splits, "holds \(code); 0 train, 1 valid, 2 test")
                }
                return split
            }
        } else {
            splits = DatasetSplit.assign(episodeCount: e, seed: seed)
        }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let stem = fileName.hasSuffix(".npz") ? String(fileName.dropLast(4)) : fileName
        let header = DatasetHeader(
            sceneName: try options.sceneName ?? arrays.optionalString(K.sceneName) ?? stem,
            mjcf: mjcf, seed: seed,
            source: try arrays.optionalString(K.source) ?? "import \(fileName)",
            policy: try arrays.optionalString(K.policy) ?? "unknown",
            controlDtSeconds: controlDt, physicsDtSeconds: physicsDt,
            tableHeightMeters: arrays.has(K.tableHeight) ? Float(try arrays.scalarDouble(K.tableHeight)) : 0,
            objects: objects, robot: robot, sceneModel: sceneModel, episodeCount: e, framesPerEpisode: f, splits: splits,
            contactFraction: arrays.has(K.contactFraction) ? try arrays.scalarDouble(K.contactFraction) : nil)
        try header.validate(file: path)

        var episodes: [Episode] = []
        episodes.reserveCapacity(e)
        for episode in 0..<e {
            var states = [Float](repeating: 0, count: f * n * objectStateWidth)
            var robotStates = [Float](repeating: 0, count: robot == nil ? 0 : f * robotStateWidth)
            for frame in 0..<f {
                for object in 0..<n {
                    let row = (episode * f + frame) * n + object
                    let out = (frame * n + object) * objectStateWidth
                    for k in 0..<3 { states[out + k] = pos[row * 3 + k] }
                    for k in 0..<4 { states[out + 3 + k] = quat[row * 4 + k] }
                    for k in 0..<3 { states[out + 7 + k] = linvel[row * 3 + k] }
                    for k in 0..<3 { states[out + 10 + k] = angvel[row * 3 + k] }
                }
                let row = episode * f + frame
                for k in 0..<(robot == nil ? 0 : 3) {
                    robotStates[frame * robotStateWidth + k] = robotPos[row * 3 + k]
                    robotStates[frame * robotStateWidth + 3 + k] = robotVel[row * 3 + k]
                }
            }
            let steps = (f - 1) * a
            episodes.append(Episode(
                frameCount: f, objectCount: n, actionDimension: a, objectStates: states, robotStates: robotStates,
                actions: Array(actions[(episode * steps)..<((episode + 1) * steps)]),
                contactCounts: contacts[(episode * f)..<((episode + 1) * f)].map { Int32($0) },
                qpos: Array(qpos[(episode * f * nq)..<((episode + 1) * f * nq)]),
                qvel: Array(qvel[(episode * f * nv)..<((episode + 1) * f * nv)]),
                bodyPoses: Array(bodyPoses[(episode * f * poseWidth)..<((episode + 1) * f * poseWidth)])))
        }
        return (header, episodes)
    }

    /// Imports `npz` into a `.wmds` dataset at `output`, atomically (nothing is written if any check fails).
    @discardableResult
    public static func convert(npz path: String, to output: String, options: NPZImportOptions = NPZImportOptions()) throws
        -> DatasetHeader {
        let (header, episodes) = try read(npz: path, options: options)
        let writer = try DatasetWriter(path: output, header: header)
        for episode in episodes { try writer.append(episode) }
        try writer.finish()
        return header
    }

    private static func readObjects(_ arrays: NamedArrays, n: Int) throws -> [ObjectDescription] {
        typealias K = NPZArrayNames
        let dims = "N=\(n) from \(arrays.label(K.objectPositions))"
        let defaultColour: [Float] = [0.8, 0.5, 0.2, 1]
        let names = arrays.has(K.objectNames)
            ? try arrays.strings(K.objectNames, shape: [n], meaning: "(N)", dims: dims)
            : (0..<n).map { "box\($0)" }
        let colours = arrays.has(K.objectColours)
            ? try arrays.floats(K.objectColours, shape: [n, 4], meaning: "(N, 4)", dims: dims)
            : Array((0..<n).map { _ in defaultColour }.joined())
        if arrays.has(K.objectShapes) {
            let codes = try arrays.integers(K.objectShapes, shape: [n], meaning: "(N)", dims: dims)
            let extents = try arrays.floats(K.objectHalfExtents, shape: [n, 3], meaning: "(N, 3)", dims: dims)
            let masses = try arrays.floats(K.objectMasses, shape: [n], meaning: "(N)", dims: dims)
            if let bad = PhysicalValueCheck.firstNegative(extents) {
                throw arrays.error(K.objectHalfExtents, "holds \(extents[bad]) at \(PhysicalValueCheck.index(bad, shape: [n, 3])); half-extents must not be negative")
            }
            if let bad = PhysicalValueCheck.firstNegative(masses) { throw arrays.error(K.objectMasses, "holds \(masses[bad]) at (\(bad)); masses must not be negative") }
            return try (0..<n).map { i in
                guard let code = Int32(exactly: codes[i]), let shape = ShapeKind(rawValue: code) else {
                    throw arrays.error(K.objectShapes, "holds \(codes[i]), not a shape (0 sphere, 1 box, 2 capsule, 3 cylinder)")
                }
                return ObjectDescription(name: names[i], shape: shape, halfExtentsMeters: Array(extents[(3 * i)..<(3 * i + 3)]),
                                         massKg: masses[i], rgba: Array(colours[(4 * i)..<(4 * i + 4)]))
            }
        }
        let halfSize = try arrays.require(K.boxHalfSize)
        let extents: [Float]
        switch halfSize.shape {
        case [], [1]: extents = Array(repeating: try arrays.numbers(K.boxHalfSize)[0], count: 3 * n)
        case [n]: extents = try arrays.numbers(K.boxHalfSize).flatMap { [$0, $0, $0] }
        case [n, 3]: extents = try arrays.numbers(K.boxHalfSize)
        default: throw arrays.error(K.boxHalfSize, "has shape \(shapeText(halfSize.shape)), expected (), (N) or (N, 3) with \(dims)")
        }
        let mass = try arrays.require(K.boxMass)
        let masses: [Float]
        switch mass.shape {
        case [], [1]: masses = Array(repeating: try arrays.numbers(K.boxMass)[0], count: n)
        case [n]: masses = try arrays.numbers(K.boxMass)
        default: throw arrays.error(K.boxMass, "has shape \(shapeText(mass.shape)), expected () or (N) with \(dims)")
        }
        guard extents.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw arrays.error(K.boxHalfSize, "must be positive and finite") }
        guard masses.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw arrays.error(K.boxMass, "must be finite and not negative") }
        return (0..<n).map { i in
            ObjectDescription(name: names[i], shape: .box, halfExtentsMeters: Array(extents[(3 * i)..<(3 * i + 3)]),
                              massKg: masses[i], rgba: Array(colours[(4 * i)..<(4 * i + 4)]))
        }
    }

    private static func readRobot(_ arrays: NamedArrays, actionDimension a: Int) throws -> RobotDescription {
        typealias K = NPZArrayNames
        guard arrays.has(K.robotShape) else {
            guard a == RobotDescription.capsulePusher.actionDimension else {
                throw arrays.error(K.actions, "has \(a) action components; without robot_* arrays the robot is the documented capsule pusher with 2")
            }
            return .capsulePusher
        }
        let dims = "A=\(a) from \(arrays.label(K.actions))"
        let code = try arrays.scalarInteger(K.robotShape)
        guard let shapeCode = Int32(exactly: code), let shape = ShapeKind(rawValue: shapeCode) else {
            throw arrays.error(K.robotShape, "holds \(code), not a shape (0 sphere, 1 box, 2 capsule, 3 cylinder)")
        }
        return RobotDescription(
            name: try arrays.string(K.robotName), shape: shape,
            halfExtentsMeters: try arrays.floats(K.robotHalfExtents, shape: [3], meaning: "(3)", dims: dims),
            shapeCentreHeightMeters: Float(try arrays.scalarDouble(K.robotShapeCentreHeight)),
            actionDimension: a, actionMeaning: try arrays.string(K.robotActionMeaning),
            actionLow: try arrays.floats(K.robotActionLow, shape: [a], meaning: "(A)", dims: dims),
            actionHigh: try arrays.floats(K.robotActionHigh, shape: [a], meaning: "(A)", dims: dims))
    }
}

func shapeText(_ shape: [Int]) -> String {
    shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
}

/// The arrays of one `.npz`, looked up by documented name through the user's renames, with checks whose errors
/// name the file and the array.
private struct NamedArrays {
    let path: String
    let arrays: [String: NumPyArray]
    let renames: [String: String]

    func fileName(_ name: String) -> String { renames[name] ?? name }

    func label(_ name: String) -> String {
        let inFile = fileName(name)
        return inFile == name ? "array \(name)" : "array \(inFile) (read as \(name))"
    }

    func error(_ name: String, _ message: String) -> WorldModelError {
        WorldModelError(file: path, "\(label(name)) \(message)")
    }

    func has(_ name: String) -> Bool { arrays[fileName(name)] != nil }

    func require(_ name: String) throws -> NumPyArray {
        guard let array = arrays[fileName(name)] else {
            let hint = renames[name] == nil ? " (map a file array onto it with arrayNames[\"\(name)\"])" : ""
            throw WorldModelError(file: path, "\(label(name)) is missing\(hint)")
        }
        return array
    }

    private func shaped(_ name: String, _ shape: [Int], _ meaning: String, _ dims: String) throws -> NumPyArray {
        let array = try require(name)
        guard array.shape == shape else {
            throw error(name, "has shape \(shapeText(array.shape)), expected \(meaning) = \(shapeText(shape)) with \(dims)")
        }
        return array
    }

    /// Float values of a float32 or float64 array of exactly `shape`, all finite.
    func floats(_ name: String, shape: [Int], meaning: String, dims: String) throws -> [Float] {
        let array = try shaped(name, shape, meaning, dims)
        guard array.dtype == .float32 || array.dtype == .float64 else {
            throw error(name, "has dtype \(array.dtype.descr), expected float32 (<f4) or float64 (<f8)")
        }
        let values = try array.floats()
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw error(name, "holds \(values[bad]) at flat index \(bad); states and actions must be finite")
        }
        return values
    }

    /// Values of a numeric array of any shape, as Float.
    func numbers(_ name: String) throws -> [Float] {
        let array = try require(name)
        guard array.dtype.isNumeric else { throw error(name, "has dtype \(array.dtype.descr), expected a number") }
        return try array.floats()
    }

    func integers(_ name: String, shape: [Int], meaning: String, dims: String) throws -> [Int64] {
        let array = try shaped(name, shape, meaning, dims)
        do { return try array.integers() } catch let failure as WorldModelError { throw error(name, failure.message) }
    }

    func strings(_ name: String, shape: [Int], meaning: String, dims: String) throws -> [String] {
        let array = try shaped(name, shape, meaning, dims)
        do { return try array.strings() } catch let failure as WorldModelError { throw error(name, failure.message) }
    }

    private func scalar(_ name: String) throws -> NumPyArray {
        let array = try require(name)
        guard array.shape == [] || array.shape == [1] else {
            throw error(name, "has shape \(shapeText(array.shape)), expected a scalar ()")
        }
        return array
    }

    func scalarInteger(_ name: String) throws -> Int64 {
        do { return try scalar(name).integers()[0] } catch let failure as WorldModelError where failure.file == nil {
            throw error(name, failure.message)
        }
    }

    /// A numeric scalar as Double; a float32 goes through its shortest decimal form, so 0.002 as float32 reads 0.002.
    func scalarDouble(_ name: String) throws -> Double {
        let array = try scalar(name)
        guard array.dtype.isNumeric else { throw error(name, "has dtype \(array.dtype.descr), expected a number") }
        if array.dtype == .float32 {
            let value = try array.floats()[0]
            guard value.isFinite else { throw error(name, "is \(value)") }
            return Double(value.description) ?? Double(value)
        }
        let value = try array.doubles()[0]
        guard value.isFinite else { throw error(name, "is \(value)") }
        return value
    }

    func string(_ name: String) throws -> String {
        do { return try scalar(name).strings()[0] } catch let failure as WorldModelError where failure.file == nil {
            throw error(name, failure.message)
        }
    }

    func optionalString(_ name: String) throws -> String? {
        has(name) ? try string(name) : nil
    }
}
