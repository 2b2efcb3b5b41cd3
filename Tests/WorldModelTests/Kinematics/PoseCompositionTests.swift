@preconcurrency import CMuJoCo
import Testing
@testable import WorldModel

@Suite struct PoseCompositionTests {
    /// The rotation matrix (row-major) of a unit (w, x, y, z) quaternion, written out for the comparison.
    static func matrix(_ q: ArraySlice<Float>) -> [Double] {
        let (w, x, y, z) = (Double(q[q.startIndex]), Double(q[q.startIndex + 1]), Double(q[q.startIndex + 2]), Double(q[q.startIndex + 3]))
        return [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
                2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
                2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]
    }

    /// Every geom placed from forward kinematics and its pose in its body, against MuJoCo's geom_xpos / geom_xmat.
    @Test(arguments: projectScenes + ["every_joint_kind"])
    func geomPosesMatchMuJoCo(scene: String) throws {
        let mujoco = try fixture(scene: scene)
        let m = mujoco.model.pointee, ngeom = Int(m.ngeom)
        let fk = ForwardKinematics(tree: mujoco.tree)
        let body = (0..<ngeom).map { Int32(m.geom_bodyid[$0]) }
        let local = (0..<(3 * ngeom)).map { Float(m.geom_pos[$0]) }, localQuat = (0..<(4 * ngeom)).map { Float(m.geom_quat[$0]) }
        var rng = SeededRandom(seed: 31)
        var worst = (position: 0.0, rotation: 0.0)
        for _ in 0..<20 {
            let qpos = mujoco.randomQpos(&rng)
            let poses = fk.bodyPoses(qpos: qpos)
            var positions = [Float](repeating: 0, count: 3 * ngeom), quaternions = [Float](repeating: 0, count: 4 * ngeom)
            body.withUnsafeBufferPointer { parent in
                local.withUnsafeBufferPointer { lp in
                    localQuat.withUnsafeBufferPointer { lq in
                        poses.positions.withUnsafeBufferPointer { pp in
                            poses.quaternions.withUnsafeBufferPointer { pq in
                                positions.withUnsafeMutableBufferPointer { p in
                                    quaternions.withUnsafeMutableBufferPointer { q in
                                        PoseComposition.compose(parentPositions: pp, parentQuaternions: pq, parent: parent,
                                                                localPositions: lp, localQuaternions: lq, positions: p, quaternions: q)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            _ = mujoco.mujocoKinematics(qpos: qpos)
            let d = mujoco.data.pointee
            worst.position = max(worst.position, maxDifference(positions, Array(UnsafeBufferPointer(start: d.geom_xpos, count: 3 * ngeom))))
            for g in 0..<ngeom {
                let ours = Self.matrix(quaternions[(4 * g)..<(4 * g + 4)])
                let theirs = Array(UnsafeBufferPointer(start: d.geom_xmat + 9 * g, count: 9))
                worst.rotation = max(worst.rotation, zip(ours, theirs).map { abs($0 - $1) }.max()!)
            }
        }
        #expect(worst.position < 1e-5 && worst.rotation < 1e-5, "\(scene): \(worst)")
    }
}
