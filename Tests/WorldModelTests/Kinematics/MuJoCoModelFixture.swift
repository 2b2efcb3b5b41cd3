@preconcurrency import CMuJoCo
import CMuJoCoGuard
import Foundation
@testable import WorldModel

/// dm_control's suite folder (unpacked from PyPI's dm-control wheel by tools/fetch-dm-control.sh, never copied here); tests that need it are
/// disabled when it is absent.
let dmControlSuite = "/tmp/dmc/dm_control/suite/"
let dmControlPresent = FileManager.default.fileExists(atPath: dmControlSuite + "stacker.xml")

/// A MuJoCo model and its data loaded straight from MJCF, for comparing wm's kinematics with MuJoCo on any scene:
/// `MuJoCoSimulation` refuses scenes without free bodies, such as dm_control's stacker.
final class MuJoCoModelFixture {
    let model: UnsafeMutablePointer<mjModel>
    let data: UnsafeMutablePointer<mjData>

    init(path: String) throws {
        wm_mj_install_handlers()
        var error = [CChar](repeating: 0, count: 1024)
        guard let model = mj_loadXML(path, nil, &error, Int32(error.count)) else {
            throw WorldModelError(file: path, "MuJoCo cannot load this MJCF: \(error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })")
        }
        self.model = model
        data = mj_makeData(model)
    }

    deinit {
        mj_deleteData(data)
        mj_deleteModel(model)
    }

    var tree: KinematicTree { KinematicTree(model: model) }

    /// A seeded random qpos: free joints anywhere in a 2 m cube with a random quaternion scaled by 0.8-1.2 (so the
    /// normalisation is exercised), balls likewise, hinges and slides uniform in their range when limited, else
    /// within +-pi rad and +-0.5 m.
    func randomQpos(_ rng: inout SeededRandom) -> [Float] {
        var q = [Float](repeating: 0, count: Int(model.pointee.nq))
        let m = model.pointee
        func quaternion(at a: Int) {
            let u = rng.unitQuaternion() * rng.uniform(0.8, 1.2)
            for k in 0..<4 { q[a + k] = Float(u[k]) }
        }
        for j in 0..<Int(m.njnt) {
            let a = Int(m.jnt_qposadr[j]), lo = m.jnt_range[2 * j], hi = m.jnt_range[2 * j + 1]
            let limited = m.jnt_limited[j] != 0 && lo < hi
            switch KinematicTree.JointKind(rawValue: m.jnt_type[j])! {
            case .free:
                for k in 0..<3 { q[a + k] = Float(rng.uniform(-1, 1)) }
                quaternion(at: a + 3)
            case .ball: quaternion(at: a)
            case .hinge: q[a] = Float(limited ? rng.uniform(lo, hi) : rng.uniform(-.pi, .pi))
            case .slide: q[a] = Float(limited ? rng.uniform(lo, hi) : rng.uniform(-0.5, 0.5))
            }
        }
        return q
    }

    /// A seeded random qvel, each entry in +-2 (m/s or rad/s).
    func randomQvel(_ rng: inout SeededRandom) -> [Float] {
        (0..<Int(model.pointee.nv)).map { _ in Float(rng.uniform(-2, 2)) }
    }

    /// MuJoCo's body poses and joint anchors and axes at `qpos`, after `mj_kinematics`.
    func mujocoKinematics(qpos: [Float]) -> (positions: [Double], quaternions: [Double], anchors: [Double], axes: [Double]) {
        for (k, v) in qpos.enumerated() { data.pointee.qpos[k] = Double(v) }
        mj_kinematics(model, data)
        let d = data.pointee, nbody = Int(model.pointee.nbody), njnt = Int(model.pointee.njnt)
        return (Array(UnsafeBufferPointer(start: d.xpos, count: 3 * nbody)), Array(UnsafeBufferPointer(start: d.xquat, count: 4 * nbody)),
                Array(UnsafeBufferPointer(start: d.xanchor, count: 3 * njnt)), Array(UnsafeBufferPointer(start: d.xaxis, count: 3 * njnt)))
    }

    /// `mj_integratePos` on a double copy of `qpos`.
    func mujocoIntegrate(qpos: [Float], qvel: [Float], dtSeconds: Double) -> [Double] {
        var q = qpos.map(Double.init)
        let v = qvel.map(Double.init)
        mj_integratePos(model, &q, v, dtSeconds)
        return q
    }

    /// `mj_differentiatePos` from `qpos1` to `qpos2`.
    func mujocoDifferentiate(from qpos1: [Float], to qpos2: [Float], dtSeconds: Double) -> [Double] {
        var v = [Double](repeating: 0, count: Int(model.pointee.nv))
        mj_differentiatePos(model, &v, dtSeconds, qpos1.map(Double.init), qpos2.map(Double.init))
        return v
    }
}

/// The largest absolute difference between two equally long arrays.
func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).map { abs(Double($0) - $1) }.max() ?? 0
}

/// A scene with every joint kind: a slide and a hinge with `ref`, a ball and a hinge off their body origins, a body
/// with three joints, nested bodies with pos / quat / euler / axisangle offsets, a welded body and a free body.
let everyJointKindMJCF = """
<mujoco model="every_joint_kind">
  <compiler angle="radian"/>
  <worldbody>
    <body name="base" pos="0.1 -0.2 0.3" euler="0.3 -0.2 0.5">
      <joint name="slide_ref" type="slide" axis="1 1 0" ref="0.25" pos="0 0 0.1" limited="true" range="-0.3 0.4"/>
      <geom type="box" size="0.05 0.05 0.05"/>
      <body name="upper" pos="0 0.1 0.2" quat="0.9 0.1 -0.3 0.2">
        <joint name="hinge_ref" type="hinge" axis="0 1 1" ref="0.7" pos="0.05 0 -0.02" limited="true" range="-2 2"/>
        <geom type="capsule" size="0.02" fromto="0 0 0 0 0 0.2"/>
        <body name="wrist" pos="0 0 0.2" euler="0 1.2 0">
          <joint name="ball" type="ball" pos="0.01 0.02 0.03" limited="true" range="0 1.5"/>
          <geom type="sphere" size="0.03"/>
          <body name="hand" pos="0.1 0 0" axisangle="0 0 1 0.4">
            <joint name="h1" type="hinge" axis="1 0 0" pos="0 0.03 0"/>
            <joint name="s1" type="slide" axis="0 0 1"/>
            <joint name="h2" type="hinge" axis="0 1 0" ref="-0.3" pos="0.02 0 0"/>
            <geom type="box" size="0.02 0.03 0.04" pos="0.03 0 0" euler="0.1 0.2 0.3"/>
            <body name="welded" pos="0.05 0.05 0" euler="0.5 0 0"><geom type="sphere" size="0.01" pos="0 0 0.02"/></body>
          </body>
        </body>
      </body>
    </body>
    <body name="free" pos="0.5 0.5 0.5" quat="0 1 0 0"><freejoint name="free"/><geom type="box" size="0.1 0.1 0.1"/></body>
  </worldbody>
</mujoco>
"""

/// The scenes every kinematics test compares with MuJoCo on: the project's own, and the inline one above.
let projectScenes = ["push.xml", "clutter.xml", "tumble.xml"]

/// `everyJointKindMJCF` on disk, written once per process (tests running in parallel share it).
let everyJointKindPath: String = try! temporaryFile("every_joint_kind.xml", everyJointKindMJCF)

/// The model of a project scene, "every_joint_kind", or a dm_control suite file.
func fixture(scene: String) throws -> MuJoCoModelFixture {
    let path = scene == "every_joint_kind" ? everyJointKindPath : projectScenes.contains(scene) ? scenePath(scene) : dmControlSuite + scene
    return try MuJoCoModelFixture(path: path)
}
