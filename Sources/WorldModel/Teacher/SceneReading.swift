@preconcurrency import CMuJoCo
#if canImport(Glibc)
import Glibc
#endif

/// Reads a loaded MuJoCo model as a free-object scene (see `SceneDescription` for the conventions), with errors
/// that say which convention the file breaks. Any scene wm models is a ``SceneModel``; this is the narrower view
/// of the free-object models.
struct SceneReading {
    let scene: SceneDescription
    let objectQposAddress: [Int]
    let objectDofAddress: [Int]
    let objectBodyIDs: [Int32]
    let robotBodyID: Int32

    init(model: UnsafeMutablePointer<mjModel>, path: String, controlSubsteps substeps: Int, mjcf: String) throws {
        let m = model.pointee
        func name(_ type: mjtObj, _ id: Int32) -> String { SceneModel.name(model, type, Int(id)) ?? "\(id)" }
        func shape(geom g: Int, of what: String) throws -> (ShapeKind, [Float]) {
            let size = (0..<3).map { Float(m.geom_size[3 * g + $0]) }
            switch Int32(m.geom_type[g]) {
            case Int32(mjGEOM_SPHERE.rawValue): return (.sphere, [size[0], 0, 0])
            case Int32(mjGEOM_BOX.rawValue): return (.box, size)
            case Int32(mjGEOM_CAPSULE.rawValue): return (.capsule, [size[0], size[1], 0])
            case Int32(mjGEOM_CYLINDER.rawValue): return (.cylinder, [size[0], size[1], 0])
            default: throw WorldModelError(file: path, "\(what): geom type \(m.geom_type[g]) is not a sphere, box, capsule or cylinder")
            }
        }

        var objects: [ObjectDescription] = []
        var qposAddress: [Int] = [], dofAddress: [Int] = [], bodies: [Int32] = []
        for b in 1..<Int(m.nbody) {
            let jointCount = Int(m.body_jntnum[b]), firstJoint = Int(m.body_jntadr[b])
            guard jointCount == 1, m.jnt_type[firstJoint] == Int32(mjJNT_FREE.rawValue) else { continue }
            let bodyName = name(mjOBJ_BODY, Int32(b))
            guard m.body_geomnum[b] == 1 else {
                throw WorldModelError(file: path, "object body '\(bodyName)' has \(m.body_geomnum[b]) geoms; wm objects have exactly one")
            }
            let g = Int(m.body_geomadr[b])
            let offset = (0..<3).map { abs(m.geom_pos[3 * g + $0]) }.max() ?? 0
            let q = (0..<4).map { m.geom_quat[4 * g + $0] }
            guard offset < 1e-9, abs(abs(q[0]) - 1) < 1e-9 else {
                throw WorldModelError(file: path, "object body '\(bodyName)': its geom must sit at the body origin with no rotation")
            }
            let (kind, half) = try shape(geom: g, of: "object body '\(bodyName)'")
            let rgba = (0..<4).map { Float(m.geom_rgba[4 * g + $0]) }
            objects.append(ObjectDescription(name: bodyName, shape: kind, halfExtentsMeters: half,
                                             massKg: Float(m.body_mass[b]), rgba: rgba))
            qposAddress.append(Int(m.jnt_qposadr[firstJoint]))
            dofAddress.append(Int(m.jnt_dofadr[firstJoint]))
            bodies.append(Int32(b))
        }
        guard !objects.isEmpty else { throw WorldModelError(file: path, "no free bodies: a wm scene needs at least one object with a <freejoint/>") }
        guard m.nu >= 1 else { throw WorldModelError(file: path, "no actuators: a wm scene needs an actuated robot body") }
        guard m.actuator_trntype[0] == Int32(mjTRN_JOINT.rawValue) else {
            throw WorldModelError(file: path, "the first actuator must drive a joint of the robot")
        }
        let robotJoint = Int(m.actuator_trnid[0])
        let robotBody = Int(m.jnt_bodyid[robotJoint])
        let robotName = name(mjOBJ_BODY, Int32(robotBody))
        guard m.body_geomnum[robotBody] >= 1 else { throw WorldModelError(file: path, "robot body '\(robotName)' has no geom") }
        let robotGeom = Int(m.body_geomadr[robotBody])
        let (robotShape, robotHalf) = try shape(geom: robotGeom, of: "robot body '\(robotName)'")
        let jointCount = Int(m.body_jntnum[robotBody]), firstJoint = Int(m.body_jntadr[robotBody])
        var ranges: [ClosedRange<Float>] = []
        for j in firstJoint..<(firstJoint + jointCount) {
            guard m.jnt_type[j] == Int32(mjJNT_SLIDE.rawValue) else {
                throw WorldModelError(file: path, "robot body '\(robotName)': wm robots move on slide joints")
            }
            let lo = Float(m.jnt_range[2 * j]), hi = Float(m.jnt_range[2 * j + 1])
            ranges.append(m.jnt_limited[j] != 0 && lo < hi ? lo...hi : -1...1)
        }
        let nu = Int(m.nu)
        var low: [Float] = [], high: [Float] = []
        for a in 0..<nu {
            let limited = m.actuator_ctrllimited[a] != 0
            low.append(limited ? Float(m.actuator_ctrlrange[2 * a]) : -1)
            high.append(limited ? Float(m.actuator_ctrlrange[2 * a + 1]) : 1)
        }

        var drop: ClosedRange<Float>? = nil
        if let d = SceneModel.numeric(model, "wm_drop_height") {
            guard d.count == 2, d[0] <= d[1] else { throw WorldModelError(file: path, "wm_drop_height needs two values, min <= max") }
            drop = Float(d[0])...Float(d[1])
        }

        // The robot shape's centre height: the geom's world z at the initial state.
        var centreHeight = Float(m.geom_pos[3 * robotGeom + 2])
        centreHeight += Float(m.body_pos[3 * robotBody + 2])
        let robot = RobotDescription(
            name: robotName, shape: robotShape, halfExtentsMeters: robotHalf, shapeCentreHeightMeters: centreHeight,
            actionDimension: nu, actionMeaning: SceneModel.text(model, "wm_action") ?? "actuator controls (see the MJCF)",
            actionLow: low, actionHigh: high)
        let modelName = String(cString: m.names)  // MuJoCo stores the model name first
        scene = SceneDescription(
            name: modelName.isEmpty ? "scene" : modelName, objects: objects, robot: robot, robotJointCount: jointCount,
            robotJointRange: ranges, physicsDtSeconds: m.opt.timestep, controlSubsteps: substeps,
            tableHeightMeters: 0, dropHeightMeters: drop, mjcf: mjcf)
        objectQposAddress = qposAddress
        objectDofAddress = dofAddress
        objectBodyIDs = bodies
        robotBodyID = Int32(robotBody)
    }
}
