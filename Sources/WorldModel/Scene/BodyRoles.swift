/// Which bodies of a scene are the robot and which are the objects it acts on, read from the actuators alone
/// (no naming convention needed): what tasks, evaluations and the teacher's contact report agree on.
///
/// ```swift
/// let scene = try MuJoCoSimulation(path: "stacker.xml").sceneModel
/// print(scene.passiveBodyIndices.map { scene.tree.bodies[$0].name })   // the boxes
/// print(scene.tree.bodies[scene.handBodyIndex!].name)                  // "hand"
/// ```
extension SceneModel {
    /// The passive bodies: moving bodies that no actuator drives, neither through their own joints nor through
    /// an ancestor's (the boxes of dm_control's stacker, the free objects of a push scene). Indices into `bodies`.
    public var passiveBodyIndices: [Int] {
        var actuatedJoint = [Bool](repeating: false, count: tree.joints.count)
        for actuator in actuators {
            switch actuator.transmission {
            case .joint: actuatedJoint[actuator.target] = true
            case .tendon: for j in tendons[actuator.target].joints { actuatedJoint[j] = true }
            }
        }
        var driven = [Bool](repeating: false, count: bodies.count)
        for b in 1..<max(bodies.count, 1) {
            let own = tree.bodies[b].jointIndices.contains { actuatedJoint[$0] }
            driven[b] = own || driven[tree.bodies[b].parent]  // parents come before children in MuJoCo's order
        }
        return movingBodyIndices.filter { !driven[$0] }
    }

    /// The robot: moving bodies that an actuator drives (the complement of ``passiveBodyIndices``, world excluded).
    public var robotBodyIndices: [Int] {
        let passive = Set(passiveBodyIndices)
        return movingBodyIndices.filter { $0 != 0 && !passive.contains($0) }
    }

    /// The robot body that touches things: the robot body named `hand` (dm_control's arms), else the deepest
    /// (highest-index) robot body, e.g. push's pusher; nil for a scene without a robot.
    public var handBodyIndex: Int? {
        let robot = robotBodyIndices
        if let named = tree.bodies.firstIndex(where: { $0.name == "hand" }), robot.contains(named) { return named }
        return robot.max()
    }
}
