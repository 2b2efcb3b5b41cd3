/// A rollout's start and its actions on disk, so one model can run it again alone, in a process of its own
/// that loads no teacher (MuJoCo): that is how `wm rollout` measures each model's peak RSS.
///
/// Arrays (B environments, N objects, H history, T steps): `positions` (B, N, 3), `quaternions` (B, N, 4),
/// `linear_velocities` and `angular_velocities` (B, N, H, 3), `robot_positions` (B, 3), `robot_velocities`
/// (B, H, 3), `robot_last_actions` (B, 2), `actions` (T, B, 2), `objects` (the scene's objects as JSON text).
public enum RolloutReplay {
    public static func write(states: [DynamicsState], actions: [[SIMD2<Float>]], objectsJSON: String, to path: String) throws {
        let b = states.count, n = states.first?.objectCount ?? 0, h = states.first?.historyLength ?? 0
        var robotPositions: [Float] = [], robotVelocities: [Float] = [], lastActions: [Float] = [], flatActions: [Float] = []
        for s in states {
            robotPositions += [s.robotPosition.x, s.robotPosition.y, s.robotPosition.z]
            robotVelocities += s.robotVelocities
            lastActions += [s.robotLastAction.x, s.robotLastAction.y]
        }
        for step in actions { for a in step { flatActions += [a.x, a.y] } }
        try NumPyArchive.write([
            ("positions", NumPyArray(floats: states.flatMap(\.positions), shape: [b, n, 3])),
            ("quaternions", NumPyArray(floats: states.flatMap(\.quaternions), shape: [b, n, 4])),
            ("linear_velocities", NumPyArray(floats: states.flatMap(\.linearVelocities), shape: [b, n, h, 3])),
            ("angular_velocities", NumPyArray(floats: states.flatMap(\.angularVelocities), shape: [b, n, h, 3])),
            ("robot_positions", NumPyArray(floats: robotPositions, shape: [b, 3])),
            ("robot_velocities", NumPyArray(floats: robotVelocities, shape: [b, h, 3])),
            ("robot_last_actions", NumPyArray(floats: lastActions, shape: [b, 2])),
            ("actions", NumPyArray(floats: flatActions, shape: [actions.count, b, 2])),
            ("objects", NumPyArray(string: objectsJSON)),
        ], to: path, compress: false)
    }

    public static func read(_ path: String) throws -> (states: [DynamicsState], actions: [[SIMD2<Float>]], objectsJSON: String) {
        let arrays = try NumPyArchive.read(path: path)
        func array(_ name: String) throws -> NumPyArray {
            guard let a = arrays[name] else { throw WorldModelError(file: path, "replay file lacks '\(name)'") }
            return a
        }
        let positions = try array("linear_velocities")
        guard positions.shape.count == 4 else { throw WorldModelError(file: path, "linear_velocities must be (B, N, H, 3)") }
        let b = positions.shape[0], n = positions.shape[1], h = positions.shape[2]
        let p = try array("positions").floats(), q = try array("quaternions").floats()
        let v = try array("linear_velocities").floats(), w = try array("angular_velocities").floats()
        let rp = try array("robot_positions").floats(), rv = try array("robot_velocities").floats(), ra = try array("robot_last_actions").floats()
        let a = try array("actions")
        guard p.count == b * n * 3, q.count == b * n * 4, w.count == v.count, rp.count == b * 3, rv.count == b * h * 3,
              ra.count == b * 2, a.shape.count == 3, a.shape[1] == b else {
            throw WorldModelError(file: path, "replay arrays disagree on environments, objects or history")
        }
        var states: [DynamicsState] = []
        for k in 0..<b {
            var s = DynamicsState(objectCount: n, historyLength: h)
            s.positions = Array(p[(k * n * 3)..<((k + 1) * n * 3)])
            s.quaternions = Array(q[(k * n * 4)..<((k + 1) * n * 4)])
            s.linearVelocities = Array(v[(k * n * h * 3)..<((k + 1) * n * h * 3)])
            s.angularVelocities = Array(w[(k * n * h * 3)..<((k + 1) * n * h * 3)])
            s.robotPosition = SIMD3(rp[k * 3], rp[k * 3 + 1], rp[k * 3 + 2])
            s.robotVelocities = Array(rv[(k * h * 3)..<((k + 1) * h * 3)])
            s.robotLastAction = SIMD2(ra[k * 2], ra[k * 2 + 1])
            states.append(s)
        }
        let flat = try a.floats()
        let actions = (0..<a.shape[0]).map { t in (0..<b).map { k in SIMD2(flat[(t * b + k) * 2], flat[(t * b + k) * 2 + 1]) } }
        return (states, actions, try array("objects").strings().first ?? "")
    }

    /// Runs one model alone on a replay: `compact` loads the graph network and holds the field's parameters (as
    /// read from its checkpoint, validated; the renderer's buffers are not built, as nothing is drawn); `dense`
    /// loads the flat-state MLP and fills its dense voxel grid. Returns the model's footprint.
    public static func runAlone(compact: Bool, modelPath: String, fieldPath: String?, denseResolution: Int, replayPath: String,
                                objects: [ObjectDescription], threads: Int = 1) throws -> MemoryFootprint {
        let (initial, actions, _) = try read(replayPath)
        let model = try DynamicsModel.load(from: modelPath)
        let engine = try RolloutEngine(model: model, objects: objects, batchSize: initial.count, threads: compact ? threads : 1)
        var sceneBytes = 0
        var grid: DenseVoxelGrid?
        var field: SafetensorsFile?
        if compact {
            if let fieldPath {
                field = try SafetensorsFile.read(fieldPath)
                sceneBytes = field!.tensors.reduce(0) { $0 + $1.bytes.count }
            }
        } else {
            var poses: [Float] = []
            let s = initial[0]
            for i in 0..<s.objectCount { poses += Array(s.positions[(i * 3)..<(i * 3 + 3)]) + Array(s.quaternions[(i * 4)..<(i * 4 + 4)]) }
            grid = DenseVoxelGrid.filled(objects: objects, poses: poses, bounds: FieldEvaluation.denseBounds,
                                         resolution: DenseVoxelGrid.resolution(denseResolution, bounds: FieldEvaluation.denseBounds), lighting: .standard)
            sceneBytes = grid!.byteCount
        }
        var states = initial
        _ = try engine.rollout(&states, steps: actions.count) { t, k, _ in actions[t][k] }
        withExtendedLifetime((field, grid)) {}
        return MemoryFootprint.of(engine, states: states, sceneBytes: sceneBytes)
    }
}
