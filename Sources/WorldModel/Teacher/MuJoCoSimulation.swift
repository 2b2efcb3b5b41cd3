@preconcurrency import CMuJoCo
import CMuJoCoGuard
#if canImport(Glibc)
import Glibc
#endif

/// A MuJoCo model and its simulation state, loaded from an MJCF file: wm's teacher.
///
/// It reads the scene the way wm describes scenes (`SceneDescription`): free bodies are the objects, the
/// actuated body is the robot. Every MuJoCo error (a malformed file, an unstable simulation) comes back as a
/// `WorldModelError` naming the file; MuJoCo's own error handler (which would wait on stdin and exit) is replaced.
///
/// ```swift
/// let sim = try MuJoCoSimulation(path: "scenes/push.xml")
/// sim.reset()
/// try sim.step(action: [0.1, 0], substeps: sim.scene.controlSubsteps)
/// let states = sim.objectStates()   // N x 13, see `Episode.objectStates`
/// ```
/// Not thread-safe: one simulation per thread.
public final class MuJoCoSimulation {
    /// The MJCF file the model was loaded from.
    public let path: String
    /// Objects, robot and timing, read from the model.
    public let scene: SceneDescription
    let model: UnsafeMutablePointer<mjModel>
    let data: UnsafeMutablePointer<mjData>
    /// qpos / qvel addresses of each object's free joint.
    private let objectQposAddress: [Int]
    private let objectDofAddress: [Int]
    private let objectBodyIDs: [Int32]
    private let robotBodyID: Int32
    private let robotGeomID: Int32
    private let objectGeomIDs: Set<Int32>
    private var errorBuffer = [CChar](repeating: 0, count: 1024)

    /// Loads an MJCF file. Throws with MuJoCo's message (and line) if the file is missing or malformed, or if
    /// the scene lacks what wm needs (free objects with primitive geoms, one actuated robot body).
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
        do {
            let reading = try SceneReading(model: model, path: path)
            scene = reading.scene
            objectQposAddress = reading.objectQposAddress
            objectDofAddress = reading.objectDofAddress
            objectBodyIDs = reading.objectBodyIDs
            robotBodyID = reading.robotBodyID
            robotGeomID = reading.robotGeomID
            objectGeomIDs = Set(reading.objectGeomIDs)
        } catch {
            mj_deleteData(data)
            mj_deleteModel(model)
            throw error
        }
        reset()
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

    /// Places object `index` at `position` (m, world) with `quaternion` (w, x, y, z) and the given velocities
    /// (world frame), then recomputes positions.
    public func setObject(_ index: Int, position: SIMD3<Double>, quaternion: SIMD4<Double>,
                          linearVelocity: SIMD3<Double> = .zero, angularVelocity: SIMD3<Double> = .zero) {
        let q = data.pointee.qpos!, v = data.pointee.qvel!
        let a = objectQposAddress[index], d = objectDofAddress[index]
        let norm = (quaternion * quaternion).sum().squareRoot()
        let unit = quaternion / norm
        for k in 0..<3 { q[a + k] = position[k] }
        for k in 0..<4 { q[a + 3 + k] = unit[k] }
        for k in 0..<3 { v[d + k] = linearVelocity[k] }
        // MuJoCo's free-joint angular velocity is in the body frame: rotate world -> body.
        let local = rotate(conjugate(unit), angularVelocity)
        for k in 0..<3 { v[d + 3 + k] = local[k] }
        mj_forward(model, data)
    }

    /// Resets, puts the objects and the robot where `placement` says (at rest), then lets contacts settle for
    /// `settlePhysicsSteps` physics steps with zero action: how every teacher episode starts.
    public func start(from placement: InitialPlacement, settlePhysicsSteps: Int) throws {
        reset()
        for i in 0..<scene.objects.count {
            setObject(i, position: placement.positions[i], quaternion: placement.quaternions[i])
        }
        setRobotJoints(placement.robotJoints)
        if settlePhysicsSteps > 0 {
            try step(action: [Float](repeating: 0, count: scene.robot.actionDimension), substeps: settlePhysicsSteps)
        }
    }

    /// Places the robot's joints at `position` (one value per robot joint, e.g. (x, y) for the pusher).
    public func setRobotJoints(_ position: [Double]) {
        let q = data.pointee.qpos!
        for (k, value) in position.enumerated() where k < scene.robotJointCount {
            q[Int(model.pointee.jnt_qposadr[Int(robotJointIDs[k])])] = value
        }
        mj_forward(model, data)
    }

    private var robotJointIDs: [Int32] {
        let start = Int(model.pointee.body_jntadr[Int(robotBodyID)])
        return (0..<scene.robotJointCount).map { Int32(start + $0) }
    }

    /// Applies `action` (clamped to the actuators' control range) and runs `substeps` physics steps.
    /// Throws on a non-finite action or a MuJoCo error; after an error the data is reset.
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

    /// Runs `substeps` physics steps and reports whether the robot touched any object at any of them.
    public func stepDetectingRobotContact(action: [Float], substeps: Int) throws -> Bool {
        var touched = false
        for _ in 0..<substeps {
            try step(action: action, substeps: 1)
            touched = touched || robotTouchesObject()
        }
        return touched
    }

    /// Whether a current contact pairs the robot's geom with an object's geom.
    public func robotTouchesObject() -> Bool {
        let n = Int(data.pointee.ncon)
        for i in 0..<n {
            let c = data.pointee.contact[i]
            if (c.geom1 == robotGeomID && objectGeomIDs.contains(c.geom2))
                || (c.geom2 == robotGeomID && objectGeomIDs.contains(c.geom1)) {
                return true
            }
        }
        return false
    }

    /// The number of contacts MuJoCo currently holds.
    public var contactCount: Int32 { data.pointee.ncon }

    /// Writes the objects' states (N x 13, the layout of `Episode.objectStates`) into `out` at `offset`.
    public func writeObjectStates(into out: inout [Float], at offset: Int) {
        let q = data.pointee.qpos!, v = data.pointee.qvel!
        for i in 0..<objectQposAddress.count {
            let a = objectQposAddress[i], d = objectDofAddress[i], o = offset + i * objectStateWidth
            for k in 0..<7 { out[o + k] = Float(q[a + k]) }
            for k in 0..<3 { out[o + 7 + k] = Float(v[d + k]) }
            let quat = SIMD4(q[a + 3], q[a + 4], q[a + 5], q[a + 6])
            let world = rotate(quat, SIMD3(v[d + 3], v[d + 4], v[d + 5]))
            for k in 0..<3 { out[o + 10 + k] = Float(world[k]) }
        }
    }

    /// The objects' states now, N x 13.
    public func objectStates() -> [Float] {
        var out = [Float](repeating: 0, count: objectQposAddress.count * objectStateWidth)
        writeObjectStates(into: &out, at: 0)
        return out
    }

    /// Writes the robot's state (6 floats: body position (m, world), linear velocity (m/s, world)) at `offset`.
    public func writeRobotState(into out: inout [Float], at offset: Int) {
        let x = data.pointee.xpos! + 3 * Int(robotBodyID)
        var velocity = [Double](repeating: 0, count: 6)  // (angular, linear), world frame
        mj_objectVelocity(model, data, Int32(mjOBJ_BODY.rawValue), robotBodyID, &velocity, 0)
        for k in 0..<3 {
            out[offset + k] = Float(x[k])
            out[offset + 3 + k] = Float(velocity[3 + k])
        }
    }

    /// The robot's state now (6 floats).
    public func robotState() -> [Float] {
        var out = [Float](repeating: 0, count: robotStateWidth)
        writeRobotState(into: &out, at: 0)
        return out
    }
}

/// Hamilton product helpers in double precision for MuJoCo's (w, x, y, z) quaternions.
@inline(__always) func conjugate(_ q: SIMD4<Double>) -> SIMD4<Double> { SIMD4(q[0], -q[1], -q[2], -q[3]) }

@inline(__always) func rotate(_ q: SIMD4<Double>, _ v: SIMD3<Double>) -> SIMD3<Double> {
    let u = SIMD3(q[1], q[2], q[3]), w = q[0]
    let t = 2 * cross(u, v)
    return v + w * t + cross(u, t)
}

@inline(__always) func cross(_ a: SIMD3<Double>, _ b: SIMD3<Double>) -> SIMD3<Double> {
    SIMD3(a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x)
}
