@preconcurrency import CMuJoCo
#if canImport(Glibc)
import Glibc
#endif

extension SceneModel {
    /// Reads a loaded MuJoCo model (and its data after `mj_forward`, for the actuator moments) as a ``SceneModel``.
    ///
    /// What wm cannot model is refused with one line naming the element and `path`: mesh and height-field geoms,
    /// spatial tendons (wrapping around sites or geoms), actuators on sites, bodies or slider-cranks, actuators
    /// with activation dynamics (state outside qpos/qvel), and mocap bodies.
    init(model: UnsafeMutablePointer<mjModel>, data: UnsafeMutablePointer<mjData>, path: String) throws {
        let m = model.pointee
        func name(_ type: mjtObj, _ id: Int, fallback: String) -> String { Self.name(model, type, id) ?? fallback }
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: path, message) }

        let tree = KinematicTree(model: model)
        var bodies: [Body] = []
        for b in 0..<Int(m.nbody) {
            let bodyName = b == 0 ? "world" : name(mjOBJ_BODY, b, fallback: "body \(b)")
            guard m.body_mocapid[b] < 0 else { throw fail("body '\(bodyName)' is a mocap body: wm models bodies that move by their joints") }
            bodies.append(Body(
                massKg: Float(m.body_mass[b]), inertia: (0..<3).map { Float(m.body_inertia[3 * b + $0]) },
                firstGeom: Int(m.body_geomadr[b]) < 0 ? 0 : Int(m.body_geomadr[b]), geomCount: Int(m.body_geomnum[b]),
                isStatic: m.body_weldid[b] == 0))
        }
        let joints = tree.joints
        func bodyName(_ b: Int) -> String { b == 0 ? "world" : tree.bodies[b].name.isEmpty ? "body \(b)" : tree.bodies[b].name }

        var geoms: [Geom] = []
        for g in 0..<Int(m.ngeom) {
            let geomName = name(mjOBJ_GEOM, g, fallback: "geom \(g)")
            let body = Int(m.geom_bodyid[g])
            guard let shape = GeomShape(rawValue: Int(m.geom_type[g])) else {
                let kind = m.geom_type[g] == Int32(mjGEOM_MESH.rawValue) ? "a mesh"
                    : m.geom_type[g] == Int32(mjGEOM_HFIELD.rawValue) ? "a height field" : "of type \(m.geom_type[g])"
                throw fail("geom '\(geomName)' of body '\(bodyName(body))' is \(kind): wm models primitive geoms only (plane, sphere, capsule, ellipsoid, cylinder, box)")
            }
            geoms.append(Geom(
                name: geomName, body: body, shape: shape, size: (0..<3).map { Float(m.geom_size[3 * g + $0]) },
                position: (0..<3).map { Float(m.geom_pos[3 * g + $0]) }, quaternion: (0..<4).map { Float(m.geom_quat[4 * g + $0]) },
                rgba: (0..<4).map { Float(m.geom_rgba[4 * g + $0]) },
                collides: m.geom_contype[g] != 0 || m.geom_conaffinity[g] != 0))
        }

        var tendons: [FixedTendon] = []
        for t in 0..<Int(m.ntendon) {
            let tendonName = name(mjOBJ_TENDON, t, fallback: "tendon \(t)")
            let first = Int(m.tendon_adr[t]), count = Int(m.tendon_num[t])
            var tendonJoints: [Int] = [], coefficients: [Float] = []
            for w in first..<(first + count) {
                guard m.wrap_type[w] == Int32(mjWRAP_JOINT.rawValue) else {
                    throw fail("tendon '\(tendonName)' is a spatial tendon: wm models fixed tendons (joint coefficients) only")
                }
                tendonJoints.append(Int(m.wrap_objid[w]))
                coefficients.append(Float(m.wrap_prm[w]))
            }
            tendons.append(FixedTendon(name: tendonName, joints: tendonJoints, coefficients: coefficients))
        }

        guard m.na == 0 else { throw fail("\(m.na) actuator activation states: wm models actuators without activation dynamics (no integrator, filter or muscle)") }
        var actuators: [Actuator] = []
        for a in 0..<Int(m.nu) {
            let actuatorName = name(mjOBJ_ACTUATOR, a, fallback: "actuator \(a)")
            let transmission: Actuator.Transmission
            switch Int32(m.actuator_trntype[a]) {
            case Int32(mjTRN_JOINT.rawValue), Int32(mjTRN_JOINTINPARENT.rawValue):
                let j = Int(m.actuator_trnid[2 * a])
                guard joints[j].kind == .slide || joints[j].kind == .hinge else {
                    throw fail("actuator '\(actuatorName)' drives \(joints[j].kind == .free ? "free" : "ball") joint '\(joints[j].name)': wm models actuators on hinge and slide joints and fixed tendons")
                }
                transmission = .joint
            case Int32(mjTRN_TENDON.rawValue): transmission = .tendon
            default:
                throw fail("actuator '\(actuatorName)' has a site, body or slider-crank transmission: wm models actuators on joints and fixed tendons only")
            }
            let gain = (0..<3).map { Float(m.actuator_gainprm[Int(mjNGAIN) * a + $0]) }
            let bias = (0..<3).map { Float(m.actuator_biasprm[Int(mjNBIAS) * a + $0]) }
            let kind: Actuator.Kind
            if m.actuator_gaintype[a] != Int32(mjGAIN_FIXED.rawValue) {
                kind = .general
            } else if m.actuator_biastype[a] == Int32(mjBIAS_NONE.rawValue) {
                kind = .motor
            } else if bias[0] == 0, bias[2] == 0, bias[1] == -gain[0] {
                kind = .position
            } else if bias[0] == 0, bias[1] == 0, bias[2] == -gain[0] {
                kind = .velocity
            } else {
                kind = .general
            }
            let limited = m.actuator_ctrllimited[a] != 0
            let lo = Float(m.actuator_ctrlrange[2 * a]), hi = Float(m.actuator_ctrlrange[2 * a + 1])
            actuators.append(Actuator(
                name: actuatorName, kind: kind, transmission: transmission, target: Int(m.actuator_trnid[2 * a]),
                gear: Float(m.actuator_gear[6 * a]), ctrlRange: limited && lo <= hi ? lo...hi : -1...1, ctrlLimited: limited,
                gain: gain, bias: bias))
        }

        let nu = Int(m.nu), nv = Int(m.nv)
        guard nv > 0 else { throw fail("no joints: nothing in this scene moves, so there is nothing to learn") }
        var moment = [Float](repeating: 0, count: nu * nv)
        for k in 0..<(nu * nv) { moment[k] = Float(data.pointee.actuator_moment[k]) }

        var equalities: [Equality] = []
        for e in 0..<Int(m.neq) {
            let kinds: [Equality.Kind] = [.connect, .weld, .joint, .tendon]
            let type = Int(m.eq_type[e])
            guard type < kinds.count else { throw fail("equality \(e) has type \(type), which MuJoCo does not support either") }
            equalities.append(Equality(name: name(mjOBJ_EQUALITY, e, fallback: "equality \(e)"), kind: kinds[type]))
        }

        guard m.opt.timestep.isFinite, m.opt.timestep >= 1e-6, m.opt.timestep <= 1 else {
            throw fail("option timestep is \(m.opt.timestep) s: a physics step must be positive, from 1 µs to 1 s")
        }
        let substeps: Int
        if let value = Self.numeric(model, "wm_control_substeps")?.first {
            guard value >= 1, value <= 1_000_000, value == value.rounded() else {
                throw fail("wm_control_substeps is \(value), must be a whole number from 1 to 1000000")
            }
            substeps = Int(value)
        } else {
            substeps = Self.defaultControlSubsteps(physicsDtSeconds: m.opt.timestep)
        }
        let meaning = Self.text(model, "wm_action")
            ?? "ctrl of the actuators " + actuators.map { "\($0.name) (\($0.kind.rawValue), \($0.ctrlRange.lowerBound)...\($0.ctrlRange.upperBound))" }.joined(separator: ", ")
        let modelName = String(cString: m.names)  // MuJoCo stores the model name first
        self.init(
            name: modelName.isEmpty ? "scene" : modelName, physicsDtSeconds: m.opt.timestep, controlSubsteps: substeps,
            nq: Int(m.nq), nv: nv, nu: nu, qpos0: (0..<Int(m.nq)).map { Float(m.qpos0[$0]) }, tree: tree, bodies: bodies,
            geoms: geoms, actuators: actuators, actuatorMoment: moment, tendons: tendons, equalities: equalities,
            actionMeaning: meaning)
    }

    /// The MJCF name of object `id` of `type`, nil when it has none.
    static func name(_ model: UnsafePointer<mjModel>, _ type: mjtObj, _ id: Int) -> String? {
        mj_id2name(model, Int32(type.rawValue), Int32(id)).map { String(cString: $0) }
    }

    /// The values of the `<numeric name="key">` custom field, if the model has one.
    static func numeric(_ model: UnsafeMutablePointer<mjModel>, _ key: String) -> [Double]? {
        let m = model.pointee
        let id = mj_name2id(model, Int32(mjOBJ_NUMERIC.rawValue), key)
        guard id >= 0 else { return nil }
        let adr = Int(m.numeric_adr[Int(id)]), n = Int(m.numeric_size[Int(id)])
        return (0..<n).map { m.numeric_data[adr + $0] }
    }

    /// The `<text name="key">` custom field, if the model has one.
    static func text(_ model: UnsafeMutablePointer<mjModel>, _ key: String) -> String? {
        let id = mj_name2id(model, Int32(mjOBJ_TEXT.rawValue), key)
        guard id >= 0 else { return nil }
        return String(cString: model.pointee.text_data + Int(model.pointee.text_adr[Int(id)]))
    }
}
