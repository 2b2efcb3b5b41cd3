@preconcurrency import CMuJoCo

extension KinematicTree {
    /// Copies the kinematic tree of a loaded MuJoCo model (`body_*`, `jnt_*`, `qpos0`, names) into wm's layout.
    /// Mocap bodies keep their model pose (`body_pos`, `body_quat`), which is where MuJoCo puts them at reset.
    init(model: UnsafePointer<mjModel>) {
        let m = model.pointee
        func name(_ type: mjtObj, _ id: Int) -> String { SceneModel.name(model, type, id) ?? "" }
        let bodies = (0..<Int(m.nbody)).map { b in
            Body(name: name(mjOBJ_BODY, b), parent: Int(m.body_parentid[b]),
                 positionInParent: SIMD3((0..<3).map { Float(m.body_pos[3 * b + $0]) }),
                 quaternionInParent: SIMD4((0..<4).map { Float(m.body_quat[4 * b + $0]) }),
                 firstJoint: Int(m.body_jntadr[b]), jointCount: Int(m.body_jntnum[b]))
        }
        let joints = (0..<Int(m.njnt)).map { j in
            let kind = JointKind(rawValue: m.jnt_type[j])!  // MuJoCo 2.2.2 has exactly these four
            let a = Int(m.jnt_qposadr[j])
            return Joint(name: name(mjOBJ_JOINT, j), kind: kind, body: Int(m.jnt_bodyid[j]),
                         axis: SIMD3((0..<3).map { Float(m.jnt_axis[3 * j + $0]) }),
                         anchor: SIMD3((0..<3).map { Float(m.jnt_pos[3 * j + $0]) }),
                         qposAddress: a, dofAddress: Int(m.jnt_dofadr[j]),
                         referenceQpos: (a..<(a + kind.qposWidth)).map { Float(m.qpos0[$0]) },
                         limited: m.jnt_limited[j] != 0, range: SIMD2(Float(m.jnt_range[2 * j]), Float(m.jnt_range[2 * j + 1])))
        }
        // A compiled MuJoCo model always has this layout.
        try! self.init(bodies: bodies, joints: joints, nq: Int(m.nq), nv: Int(m.nv))
    }
}
