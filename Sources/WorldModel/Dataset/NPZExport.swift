/// Writes a dataset as a NumPy `.npz` with the array names of ``NPZArrayNames``: the documented ones first
/// (so tools written for `sample_push_n4.npz` read it), then wm's extras, so ``NPZImport`` gets every value back.
///
/// ```swift
/// try NPZExport.write(dataset: "/tmp/push.wmds", to: "/tmp/push.npz", compress: true)
/// // python: z = numpy.load("/tmp/push.npz"); z["box_pos"].shape == (E, T+1, N, 3)
/// ```
/// The whole dataset is held in memory while the archive is built.
public enum NPZExport {
    /// Reads every episode of the dataset at `path` and writes the archive atomically.
    public static func write(dataset path: String, to output: String, compress: Bool) throws {
        let reader = try DatasetReader(path: path)
        let episodes = try (0..<reader.header.episodeCount).map { try reader.episode($0) }
        try NumPyArchive.write(arrays(header: reader.header, episodes: episodes), to: output, compress: compress)
    }

    /// The named arrays for a header and its episodes, in the order they are written.
    public static func arrays(header: DatasetHeader, episodes: [Episode]) -> [(name: String, array: NumPyArray)] {
        typealias K = NPZArrayNames
        let e = episodes.count, f = header.framesPerEpisode, n = header.objects.count, a = header.actionDimension, d = header.dimensions
        var pos = [Float](), quat = [Float](), linvel = [Float](), angvel = [Float]()
        var robotPos = [Float](), robotVel = [Float](), actions = [Float](), contacts = [Int32]()
        pos.reserveCapacity(e * f * n * 3)
        quat.reserveCapacity(e * f * n * 4)
        linvel.reserveCapacity(e * f * n * 3)
        angvel.reserveCapacity(e * f * n * 3)
        for episode in episodes {
            for row in 0..<(f * n) {
                let s = row * objectStateWidth
                pos += episode.objectStates[s..<(s + 3)]
                quat += episode.objectStates[(s + 3)..<(s + 7)]
                linvel += episode.objectStates[(s + 7)..<(s + 10)]
                angvel += episode.objectStates[(s + 10)..<(s + 13)]
            }
            for frame in 0..<(header.robot == nil ? 0 : f) {
                let s = frame * robotStateWidth
                robotPos += episode.robotStates[s..<(s + 3)]
                robotVel += episode.robotStates[(s + 3)..<(s + 6)]
            }
            actions += episode.actions
            contacts += episode.contactCounts
        }
        let contactArray = contacts.allSatisfy { Int16(exactly: $0) != nil }
            ? NumPyArray(int16s: contacts.map { Int16($0) }, shape: [e, f])
            : NumPyArray(int32s: contacts, shape: [e, f])

        // The documented scalars when every object is the same cube; per-object arrays otherwise.
        let first = header.objects.first
        let sameCubes = first.map { cube in
            let extents = cube.halfExtentsMeters
            return extents[0] == extents[1] && extents[1] == extents[2] && header.objects.allSatisfy { object in
                object.shape == .box && object.massKg == cube.massKg && object.halfExtentsMeters == extents
            }
        } ?? false
        let halfSize = sameCubes
            ? NumPyArray(floats: [first!.halfExtentsMeters[0]], shape: [])
            : NumPyArray(floats: header.objects.flatMap(\.halfExtentsMeters), shape: [n, 3])
        let mass = sameCubes
            ? NumPyArray(floats: [first!.massKg], shape: [])
            : NumPyArray(floats: header.objects.map(\.massKg), shape: [n])
        let substeps = Int32((header.controlDtSeconds / header.physicsDtSeconds).rounded())

        var out: [(name: String, array: NumPyArray)] = [
            (K.objectPositions, NumPyArray(floats: pos, shape: [e, f, n, 3])),
            (K.objectQuaternions, NumPyArray(floats: quat, shape: [e, f, n, 4])),
            (K.objectLinearVelocities, NumPyArray(floats: linvel, shape: [e, f, n, 3])),
            (K.objectAngularVelocities, NumPyArray(floats: angvel, shape: [e, f, n, 3])),
            (K.actions, NumPyArray(floats: actions, shape: [e, f - 1, a])),
            (K.contactCounts, contactArray),
            (K.boxHalfSize, halfSize),
            (K.boxMass, mass),
            (K.physicsDt, NumPyArray(doubles: [header.physicsDtSeconds], shape: [])),
            (K.controlDt, NumPyArray(doubles: [header.controlDtSeconds], shape: [])),
            (K.substeps, NumPyArray(int32s: [substeps], shape: [])),
            (K.seed, NumPyArray(uint64s: [header.seed], shape: [])),
            (K.mjcf, NumPyArray(string: header.mjcf)),
            (K.sceneName, NumPyArray(string: header.sceneName)),
            (K.source, NumPyArray(string: header.source)),
            (K.policy, NumPyArray(string: header.policy)),
            (K.tableHeight, NumPyArray(floats: [header.tableHeightMeters], shape: [])),
            (K.objectShapes, NumPyArray(int32s: header.objects.map(\.shape.rawValue), shape: [n])),
            (K.objectHalfExtents, NumPyArray(floats: header.objects.flatMap(\.halfExtentsMeters), shape: [n, 3])),
            (K.objectMasses, NumPyArray(floats: header.objects.map(\.massKg), shape: [n])),
            (K.objectColours, NumPyArray(floats: header.objects.flatMap(\.rgba), shape: [n, 4])),
            (K.objectNames, NumPyArray(strings: header.objects.map(\.name), shape: [n])),
            (K.splits, NumPyArray(int32s: header.splits.map(NPZArrayNames.code), shape: [e])),
        ]
        if let robot = header.robot {
            out.insert(contentsOf: [(K.robotPositions, NumPyArray(floats: robotPos, shape: [e, f, 3])),
                                    (K.robotVelocities, NumPyArray(floats: robotVel, shape: [e, f, 3]))], at: 4)
            out += [
                (K.robotName, NumPyArray(string: robot.name)),
                (K.robotShape, NumPyArray(int32s: [robot.shape.rawValue], shape: [])),
                (K.robotHalfExtents, NumPyArray(floats: robot.halfExtentsMeters, shape: [3])),
                (K.robotShapeCentreHeight, NumPyArray(floats: [robot.shapeCentreHeightMeters], shape: [])),
                (K.robotActionMeaning, NumPyArray(string: robot.actionMeaning)),
                (K.robotActionLow, NumPyArray(floats: robot.actionLow, shape: [a])),
                (K.robotActionHigh, NumPyArray(floats: robot.actionHigh, shape: [a])),
            ]
        }
        if let model = header.sceneModel, let json = try? DatasetFormat.encodeJSON(model) {
            out += [
                (K.qpos, NumPyArray(floats: episodes.flatMap(\.qpos), shape: [e, f, d.nq])),
                (K.qvel, NumPyArray(floats: episodes.flatMap(\.qvel), shape: [e, f, d.nv])),
                (K.bodyPoses, NumPyArray(floats: episodes.flatMap(\.bodyPoses), shape: [e, f, d.bodyCount, bodyPoseWidth])),
                (K.sceneModel, NumPyArray(string: String(decoding: json, as: UTF8.self))),
            ]
        }
        if let fraction = header.contactFraction {
            out.append((K.contactFraction, NumPyArray(doubles: [fraction], shape: [])))
        }
        return out
    }
}
