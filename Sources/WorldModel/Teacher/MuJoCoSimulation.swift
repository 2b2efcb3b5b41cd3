@preconcurrency import CMuJoCo
import CMuJoCoGuard
#if canImport(Glibc)
import Glibc
#endif

/// A MuJoCo model and its simulation state, loaded from an MJCF file: wm's teacher.
///
/// Any scene wm can model loads (see ``SceneModel`` for what is refused): its generalized state is MuJoCo's
/// `qpos`, `qvel` and `ctrl` (``writeGeneralizedState(qpos:qvel:)``, ``setGeneralizedState(qpos:qvel:)``,
/// ``step(action:substeps:)``). Scenes that follow the free-object conventions of `scenes/` (free objects of one
/// primitive geom, one robot body on slide joints) also have ``scene``, the view the free-object models use.
/// Every MuJoCo error (a malformed file, an unstable simulation) comes back as a `WorldModelError` naming the
/// file; MuJoCo's own error handler (which would wait on stdin and exit) is replaced.
///
/// ```swift
/// let sim = try MuJoCoSimulation(path: "scenes/push.xml")
/// sim.reset()
/// try sim.step(action: [0.1, 0], substeps: sim.sceneModel.controlSubsteps)
/// let states = try sim.objectStates()   // N x 13, see `Episode.objectStates`
/// ```
/// Not thread-safe: one simulation per thread.
public final class MuJoCoSimulation {
    /// The MJCF file the model was loaded from.
    public let path: String
    /// Bodies, joints, geoms, actuators and timing of the scene.
    public let sceneModel: SceneModel
    /// The scene's MJCF text.
    public let mjcf: String
    let model: UnsafeMutablePointer<mjModel>
    let data: UnsafeMutablePointer<mjData>
    /// The free-object reading of the scene, or why the scene does not follow those conventions.
    private let freeObjectReading: Result<SceneReading, WorldModelError>
    private var errorBuffer = [CChar](repeating: 0, count: 1024)

    /// Loads an MJCF file. Throws with MuJoCo's message (and line) if the file is missing or malformed, or with
    /// the element wm cannot model (see ``SceneModel``).
    public init(path: String) throws {
        wm_mj_install_handlers()
        var error = [CChar](repeating: 0, count: 1024)
        guard access(path, R_OK) == 0 else {
            throw WorldModelError(file: path, "cannot read MJCF: \(String(cString: strerror(errno)))")
        }
        guard let model = mj_loadXML(path, nil, &error, Int32(error.count)) else {
            let text = String(cString: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            throw WorldModelError(file: path, "MuJoCo cannot load this MJCF: \(text)")
        }
        guard let data = mj_makeData(model) else {
            mj_deleteModel(model)
            throw WorldModelError(file: path, "MuJoCo could not allocate data for this model")
        }
        self.path = path
        self.model = model
        self.data = data
        mjcf = (try? FileBytes.read(path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        do {
            mj_forward(model, data)
            sceneModel = try SceneModel(model: model, data: data, path: path)
        } catch {
            mj_deleteData(data)
            mj_deleteModel(model)
            throw error
        }
        let substeps = sceneModel.controlSubsteps, text = mjcf
        freeObjectReading = Result { try SceneReading(model: model, path: path, controlSubsteps: substeps, mjcf: text) }
            .mapError { $0 as? WorldModelError ?? WorldModelError(file: path, "\($0)") }
        reset()
    }

    /// The scene as the free-object models read it (free objects, the robot, the table). Throws, naming the
    /// file, for a scene that does not follow those conventions (e.g. an articulated arm).
    public var scene: SceneDescription {
        get throws { try freeObjectReading.get().scene }
    }

    /// Where the free-object view's objects and robot are in `qpos`/`qvel`; throws like ``scene``.
    public var freeObjectLayout: FreeObjectLayout {
        get throws {
            let reading = try reading
            let m = model.pointee, robot = Int(reading.robotBodyID), first = Int(m.body_jntadr[robot])
            return FreeObjectLayout(objectJoints: reading.objectBodyIDs.map { Int(m.body_jntadr[Int($0)]) }, robotBody: robot,
                                    robotJoints: Array(first..<(first + reading.scene.robotJointCount)))
        }
    }

    /// The free-object reading (addresses of the objects and the robot), for the methods that need it.
    var reading: SceneReading {
        get throws { try freeObjectReading.get() }
    }

    deinit {
        mj_deleteData(data)
        mj_deleteModel(model)
    }

    /// Physics steps per second in model time (1 / timestep).
    public var physicsDtSeconds: Double { model.pointee.opt.timestep }

    /// Resets to the model's initial state (qpos0, zero velocity) and recomputes positions.
    public func reset() {
        mj_resetData(model, data)
        mj_forward(model, data)
    }

    /// Simulation time, seconds.
    public var timeSeconds: Double { data.pointee.time }

    // MARK: Generalized state (any scene)

    /// Copies `qpos` (nq) and `qvel` (nv) into the buffers (as `mjData` holds them, in float32).
    public func writeGeneralizedState(qpos: UnsafeMutablePointer<Float>, qvel: UnsafeMutablePointer<Float>) {
        let q = data.pointee.qpos!, v = data.pointee.qvel!
        for k in 0..<Int(model.pointee.nq) { qpos[k] = Float(q[k]) }
        for k in 0..<Int(model.pointee.nv) { qvel[k] = Float(v[k]) }
    }

    /// Sets `qpos` (nq) and `qvel` (nv), normalising the quaternions of free and ball joints, then recomputes
    /// positions (`mj_forward`). Throws on a wrong length or a non-finite value.
    public func setGeneralizedState(qpos: [Double], qvel: [Double]) throws {
        let nq = Int(model.pointee.nq), nv = Int(model.pointee.nv)
        guard qpos.count == nq, qvel.count == nv else {
            throw WorldModelError(file: path, "state has \(qpos.count) qpos and \(qvel.count) qvel values, the model has nq = \(nq), nv = \(nv)")
        }
        if let k = qpos.firstIndex(where: { !$0.isFinite }) { throw WorldModelError(file: path, "qpos[\(k)] is \(qpos[k])") }
        if let k = qvel.firstIndex(where: { !$0.isFinite }) { throw WorldModelError(file: path, "qvel[\(k)] is \(qvel[k])") }
        let q = data.pointee.qpos!, v = data.pointee.qvel!
        for k in 0..<nq { q[k] = qpos[k] }
        for k in 0..<nv { v[k] = qvel[k] }
        mj_normalizeQuat(model, q)
        mj_forward(model, data)
    }


    /// Writes the pose of every moving body (``SceneModel/movingBodyIndices``, in that order) into `out`: per body
    /// position (3, m, world) then quaternion (4, w x y z, body to world), for the current `qpos` (it runs
    /// `mj_kinematics` first: after `mj_step`, MuJoCo's `xpos` still holds the poses from before the last physics
    /// step's integration).
    public func writeBodyPoses(into out: UnsafeMutablePointer<Float>) {
        mj_kinematics(model, data)
        var o = 0
        for b in sceneModel.movingBodyIndices {
            for k in 0..<3 { out[o + k] = Float(data.pointee.xpos[3 * b + k]) }
            for k in 0..<4 { out[o + 3 + k] = Float(data.pointee.xquat[4 * b + k]) }
            o += 7
        }
    }

    /// The deepest penetration (m, >= 0) among the current contacts, 0 when nothing overlaps.
    public var deepestPenetrationMeters: Double {
        var deepest = 0.0
        for i in 0..<Int(data.pointee.ncon) { deepest = max(deepest, -data.pointee.contact[i].dist) }
        return deepest
    }

    // MARK: Free-object scenes

    /// Places object `index` at `position` (m, world) with `quaternion` (w, x, y, z) and the given velocities
    /// (world frame), then recomputes positions.
    public func setObject(_ index: Int, position: SIMD3<Double>, quaternion: SIMD4<Double>,
                          linearVelocity: SIMD3<Double> = .zero, angularVelocity: SIMD3<Double> = .zero) throws {
        let reading = try reading
        let q = data.pointee.qpos!, v = data.pointee.qvel!
        let a = reading.objectQposAddress[index], d = reading.objectDofAddress[index]
        let norm = (quaternion * quaternion).sum().squareRoot()
        let unit = quaternion / norm
        for k in 0..<3 { q[a + k] = position[k] }
        for k in 0..<4 { q[a + 3 + k] = unit[k] }
        for k in 0..<3 { v[d + k] = linearVelocity[k] }
        // MuJoCo's free-joint angular velocity is in the body frame: rotate world -> body.
        let local = RotationMath.rotateInverse(unit, angularVelocity)
        for k in 0..<3 { v[d + 3 + k] = local[k] }
        mj_forward(model, data)
    }

    /// Resets, puts the objects and the robot where `placement` says (at rest), then lets contacts settle for
    /// `settlePhysicsSteps` physics steps with zero action: how every teacher episode starts.
    public func start(from placement: InitialPlacement, settlePhysicsSteps: Int) throws {
        reset()
        for i in 0..<placement.positions.count {
            try setObject(i, position: placement.positions[i], quaternion: placement.quaternions[i])
        }
        try setRobotJoints(placement.robotJoints)
        if settlePhysicsSteps > 0 {
            try step(action: [Float](repeating: 0, count: sceneModel.nu), substeps: settlePhysicsSteps)
        }
    }

    /// Places the robot's joints at `position` (one value per robot joint, e.g. (x, y) for the pusher).
    public func setRobotJoints(_ position: [Double]) throws {
        let reading = try reading
        let q = data.pointee.qpos!
        let start = Int(model.pointee.body_jntadr[Int(reading.robotBodyID)])
        for (k, value) in position.enumerated() where k < reading.scene.robotJointCount {
            q[Int(model.pointee.jnt_qposadr[start + k])] = value
        }
        mj_forward(model, data)
    }

    /// Applies `action` (the `ctrl` vector, nu values, clamped by MuJoCo to the actuators' control ranges) and
    /// runs `substeps` physics steps. Throws on a wrong length, a non-finite action or a MuJoCo error; after an
    /// error the data is reset.
    public func step(action: [Float], substeps: Int) throws {
        guard action.count == Int(model.pointee.nu) else {
            throw WorldModelError(file: path, "action has \(action.count) values, the model has \(model.pointee.nu) actuators")
        }
        let ctrl = data.pointee.ctrl!
        for (k, value) in action.enumerated() {
            guard value.isFinite else { throw WorldModelError(file: path, "action component \(k) is \(value)") }
            ctrl[k] = Double(value)
        }
        let status = wm_mj_step_guarded(model, data, Int32(substeps), &errorBuffer, Int32(errorBuffer.count))
        if status != 0 {
            throw WorldModelError(file: path, "MuJoCo error during step: \(String(cString: errorBuffer))")
        }
        var warning = [CChar](repeating: 0, count: 512)
        if wm_mj_take_warning(&warning, Int32(warning.count)) > 0 {
            throw WorldModelError(file: path, "MuJoCo warning at t=\(timeSeconds) s: \(String(cString: warning))")
        }
    }

    /// Runs `substeps` physics steps and reports whether the robot touched an object at any of them (see
    /// ``robotTouchesObject()``).
    public func stepDetectingRobotContact(action: [Float], substeps: Int) throws -> Bool {
        var touched = false
        for _ in 0..<substeps {
            try step(action: action, substeps: 1)
            touched = touched || robotTouchesObject()
        }
        return touched
    }

    /// Whether a current contact pairs a geom of an actuated body (the robot: a body moved by an actuated joint
    /// on its way to the world) with a geom of a passive body (``SceneModel/passiveBodyIndices``).
    public func robotTouchesObject() -> Bool {
        for i in 0..<Int(data.pointee.ncon) {
            let c = data.pointee.contact[i]
            let a = geomRole[Int(c.geom1)], b = geomRole[Int(c.geom2)]
            if (a == .actuated && b == .passive) || (a == .passive && b == .actuated) { return true }
        }
        return false
    }

    /// What each geom's body is, for contact bookkeeping.
    private enum GeomRole { case world, actuated, passive }
    private lazy var geomRole: [GeomRole] = {
        let passive = Set(sceneModel.passiveBodyIndices)
        return sceneModel.geoms.map { geom in
            sceneModel.bodies[geom.body].isStatic ? .world : passive.contains(geom.body) ? .passive : .actuated
        }
    }()

    /// The number of contacts MuJoCo currently holds.
    public var contactCount: Int32 { data.pointee.ncon }

    /// Writes the objects' states (N x 13, the layout of `Episode.objectStates`) into `out` at `offset`.
    public func writeObjectStates(into out: inout [Float], at offset: Int) throws {
        let reading = try reading
        let q = data.pointee.qpos!, v = data.pointee.qvel!
        for i in 0..<reading.objectQposAddress.count {
            let a = reading.objectQposAddress[i], d = reading.objectDofAddress[i], o = offset + i * objectStateWidth
            for k in 0..<7 { out[o + k] = Float(q[a + k]) }
            for k in 0..<3 { out[o + 7 + k] = Float(v[d + k]) }
            let quat = SIMD4(q[a + 3], q[a + 4], q[a + 5], q[a + 6])
            let world = RotationMath.rotate(quat, SIMD3(v[d + 3], v[d + 4], v[d + 5]))
            for k in 0..<3 { out[o + 10 + k] = Float(world[k]) }
        }
    }

    /// The objects' states now, N x 13.
    public func objectStates() throws -> [Float] {
        var out = [Float](repeating: 0, count: try reading.objectQposAddress.count * objectStateWidth)
        try writeObjectStates(into: &out, at: 0)
        return out
    }

    /// Writes the robot's state (6 floats: body position (m, world), linear velocity (m/s, world)) at `offset`.
    public func writeRobotState(into out: inout [Float], at offset: Int) throws {
        let robotBodyID = try reading.robotBodyID
        let x = data.pointee.xpos! + 3 * Int(robotBodyID)
        var velocity = [Double](repeating: 0, count: 6)  // (angular, linear), world frame
        mj_objectVelocity(model, data, Int32(mjOBJ_BODY.rawValue), robotBodyID, &velocity, 0)
        for k in 0..<3 {
            out[offset + k] = Float(x[k])
            out[offset + 3 + k] = Float(velocity[3 + k])
        }
    }

    /// The robot's state now (6 floats).
    public func robotState() throws -> [Float] {
        var out = [Float](repeating: 0, count: robotStateWidth)
        try writeRobotState(into: &out, at: 0)
        return out
    }
}

