/// Where a free-object scene's objects and robot live in MuJoCo's generalized state: the free joint of each object
/// (in ``SceneDescription/objects`` order) and the robot body with its slide joints. It maps the free-object view
/// (poses and velocities in the world frame) onto `qpos`/`qvel`, e.g. for `.npz` data recorded elsewhere.
public struct FreeObjectLayout: Codable, Equatable, Sendable {
    /// Per object: the index of its free joint in ``SceneModel/tree``'s joints.
    public var objectJoints: [Int]
    /// The robot body (an index into the scene's bodies) and its slide joints, in order.
    public var robotBody: Int
    public var robotJoints: [Int]

    public init(objectJoints: [Int], robotBody: Int, robotJoints: [Int]) {
        self.objectJoints = objectJoints
        self.robotBody = robotBody
        self.robotJoints = robotJoints
    }

    /// MuJoCo's `qpos`, `qvel` (one frame) and the moving bodies' poses for a frame of the free-object view:
    /// `objectStates` (N x 13: position, quaternion, linear and angular velocity, world) and `robotState` (6: body
    /// origin and velocity, world). Joints outside the layout stay at `qpos0` and rest. The robot's slide
    /// displacements are the robot's offset from its rest position along each joint's world axis. The objects map
    /// exactly; the robot state that `MuJoCoSimulation.writeRobotState` records (and that MuJoCo's Python users read
    /// from `xpos` after `mj_step`) lags `qpos` by one physics step, so its mapped slides are off by up to that step's
    /// travel (0.6 mm at 0.3 m/s and 2 ms). `robotRest` is ``robotRestPose(model:kinematics:)``, computed once per scene.
    public func generalizedState(objectStates: ArraySlice<Float>, robotState: ArraySlice<Float>, model: SceneModel,
                                 kinematics: ForwardKinematics, robotRest: (position: SIMD3<Float>, quaternion: SIMD4<Float>))
        -> (qpos: [Float], qvel: [Float], bodyPoses: [Float]) {
        var qpos = model.qpos0, qvel = [Float](repeating: 0, count: model.nv)
        let joints = model.tree.joints, s = objectStates.startIndex
        for (i, j) in objectJoints.enumerated() {
            let o = s + i * objectStateWidth, a = joints[j].qposAddress, d = joints[j].dofAddress
            for k in 0..<7 { qpos[a + k] = objectStates[o + k] }
            for k in 0..<3 { qvel[d + k] = objectStates[o + 7 + k] }
            let q = SIMD4(objectStates[o + 3], objectStates[o + 4], objectStates[o + 5], objectStates[o + 6])
            let local = RotationMath.rotateInverse(q, SIMD3(objectStates[o + 10], objectStates[o + 11], objectStates[o + 12]))
            for k in 0..<3 { qvel[d + 3 + k] = local[k] }
        }
        let r = robotState.startIndex
        let offset = SIMD3(robotState[r], robotState[r + 1], robotState[r + 2]) - robotRest.position
        let velocity = SIMD3(robotState[r + 3], robotState[r + 4], robotState[r + 5])
        for j in robotJoints {
            let axis = RotationMath.rotate(robotRest.quaternion, joints[j].axis)
            qpos[joints[j].qposAddress] += (axis * offset).sum()
            qvel[joints[j].dofAddress] = (axis * velocity).sum()
        }
        let poses = kinematics.bodyPoses(qpos: qpos)
        var bodyPoses: [Float] = []
        bodyPoses.reserveCapacity(model.movingBodyIndices.count * bodyPoseWidth)
        for m in model.movingBodyIndices {
            bodyPoses += poses.positions[(3 * m)..<(3 * m + 3)]
            bodyPoses += poses.quaternions[(4 * m)..<(4 * m + 4)]
        }
        return (qpos, qvel, bodyPoses)
    }

    /// The robot body's world pose at the scene's reference configuration (`qpos0`), where its slides read zero
    /// displacement.
    public func robotRestPose(model: SceneModel, kinematics: ForwardKinematics) -> (position: SIMD3<Float>, quaternion: SIMD4<Float>) {
        let rest = kinematics.bodyPoses(qpos: model.qpos0), b = robotBody
        return (SIMD3(rest.positions[3 * b], rest.positions[3 * b + 1], rest.positions[3 * b + 2]),
                SIMD4(rest.quaternions[4 * b], rest.quaternions[4 * b + 1], rest.quaternions[4 * b + 2], rest.quaternions[4 * b + 3]))
    }
}
