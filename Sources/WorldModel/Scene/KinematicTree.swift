/// The kinematic tree of a scene, in MuJoCo's layout: bodies with their fixed offsets from their parents, the
/// joints that move them, and the size of the generalized state (`nq`, `nv`). Forward kinematics
/// (`ForwardKinematics`) maps a `qpos` to every body's world pose with it, so articulated bodies never come apart;
/// `JointSpaceIntegrator` steps `qpos` by `qvel`. Geoms, actuators and masses are not part of it (`SceneModel`).
///
/// Layout (the `mjModel` field each one copies in brackets; lengths, units and frames):
///
/// | field | shape | units, frame | meaning |
/// | --- | --- | --- | --- |
/// | `bodies` | nbody | | body 0 is the world; every body comes after its parent |
/// | `Body.name` | | | the MJCF name, empty when it has none [names] |
/// | `Body.parent` | 1 | index into `bodies` | the parent body; the world's is 0 [body_parentid] |
/// | `Body.positionInParent` | 3 | m, parent frame | the body origin before its joints move it [body_pos] |
/// | `Body.quaternionInParent` | 4 | (w, x, y, z), body -> parent | the body orientation before its joints [body_quat] |
/// | `Body.firstJoint`, `jointCount` | 1, 1 | indices into `joints` | its joints, in the order applied; `firstJoint` is -1 when it has none [body_jntadr, body_jntnum] |
/// | `joints` | njnt | | grouped by body, in body order |
/// | `Joint.name` | | | the MJCF name, empty when it has none [names] |
/// | `Joint.kind` | 1 | | free, ball, slide or hinge [jnt_type] |
/// | `Joint.body` | 1 | index into `bodies` | the body it moves [jnt_bodyid] |
/// | `Joint.axis` | 3 | unit, body frame | hinge rotation axis or slide direction [jnt_axis] |
/// | `Joint.anchor` | 3 | m, body frame | the point a hinge or ball rotates about [jnt_pos] |
/// | `Joint.qposAddress`, `dofAddress` | 1, 1 | indices into qpos, qvel | its first entries [jnt_qposadr, jnt_dofadr] |
/// | `Joint.referenceQpos` | qpos width | as qpos | its entries of the default pose; a hinge or slide is displaced by qpos - reference (MJCF `ref`) [qpos0] |
/// | `Joint.limited`, `range` | 1, 2 | rad (hinge, ball), m (slide) | whether it is limited, and (lower, upper); a ball's is (0, max angle) [jnt_limited, jnt_range] |
/// | `nq`, `nv` | 1, 1 | | qpos and qvel lengths |
///
/// qpos and qvel per joint kind (`JointKind.qposWidth`, `dofWidth`):
/// - free: qpos = position (m, world), quaternion (w, x, y, z; body -> world); qvel = linear velocity (m/s, world),
///   angular velocity (rad/s, body frame). Only a body's sole joint.
/// - ball: qpos = quaternion (body -> parent-composed frame); qvel = angular velocity (rad/s, body frame).
/// - hinge: qpos = angle (rad), qvel = rad/s; slide: qpos = displacement (m), qvel = m/s.
///
/// ```swift
/// let tree = try KinematicTree(bodies: bodies, joints: joints, nq: 7, nv: 6)   // validated
/// let fk = ForwardKinematics(tree: tree)
/// let poses = fk.bodyPoses(qpos: tree.referenceQpos)
/// ```
public struct KinematicTree: Codable, Equatable, Sendable {
    /// Joint kinds; raw values are MuJoCo's `mjtJoint` (and the shim's `wm_joint_kind`).
    public enum JointKind: Int32, Codable, Sendable {
        case free = 0
        case ball = 1
        case slide = 2
        case hinge = 3

        /// Entries in qpos: 7, 4, 1, 1.
        public var qposWidth: Int {
            switch self {
            case .free: 7
            case .ball: 4
            case .slide, .hinge: 1
            }
        }

        /// Entries in qvel (degrees of freedom): 6, 3, 1, 1.
        public var dofWidth: Int {
            switch self {
            case .free: 6
            case .ball: 3
            case .slide, .hinge: 1
            }
        }
    }

    /// A body: see the layout table of `KinematicTree`.
    public struct Body: Codable, Equatable, Sendable {
        public var name: String
        public var parent: Int
        public var positionInParent: SIMD3<Float>
        public var quaternionInParent: SIMD4<Float>
        public var firstJoint: Int
        public var jointCount: Int

        public init(name: String, parent: Int, positionInParent: SIMD3<Float>, quaternionInParent: SIMD4<Float>,
                    firstJoint: Int, jointCount: Int) {
            self.name = name
            self.parent = parent
            self.positionInParent = positionInParent
            self.quaternionInParent = quaternionInParent
            self.firstJoint = firstJoint
            self.jointCount = jointCount
        }

        /// Indices of its joints in `KinematicTree.joints`.
        public var jointIndices: Range<Int> { jointCount == 0 ? 0..<0 : firstJoint..<(firstJoint + jointCount) }
    }

    /// A joint: see the layout table of `KinematicTree`.
    public struct Joint: Codable, Equatable, Sendable {
        public var name: String
        public var kind: JointKind
        public var body: Int
        public var axis: SIMD3<Float>
        public var anchor: SIMD3<Float>
        public var qposAddress: Int
        public var dofAddress: Int
        public var referenceQpos: [Float]
        public var limited: Bool
        public var range: SIMD2<Float>

        public init(name: String, kind: JointKind, body: Int, axis: SIMD3<Float>, anchor: SIMD3<Float>, qposAddress: Int,
                    dofAddress: Int, referenceQpos: [Float], limited: Bool, range: SIMD2<Float>) {
            self.name = name
            self.kind = kind
            self.body = body
            self.axis = axis
            self.anchor = anchor
            self.qposAddress = qposAddress
            self.dofAddress = dofAddress
            self.referenceQpos = referenceQpos
            self.limited = limited
            self.range = range
        }
    }

    public private(set) var bodies: [Body]
    public private(set) var joints: [Joint]
    /// qpos length.
    public private(set) var nq: Int
    /// qvel length (degrees of freedom).
    public private(set) var nv: Int

    /// A tree from its parts; throws a `WorldModelError` saying which body or joint breaks MuJoCo's layout.
    public init(bodies: [Body], joints: [Joint], nq: Int, nv: Int) throws {
        self.bodies = bodies
        self.joints = joints
        self.nq = nq
        self.nv = nv
        try validate()
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(bodies: c.decode([Body].self, forKey: .bodies), joints: c.decode([Joint].self, forKey: .joints),
                      nq: c.decode(Int.self, forKey: .nq), nv: c.decode(Int.self, forKey: .nv))
    }

    /// The bodies' names, world first.
    public var bodyNames: [String] { bodies.map(\.name) }

    /// The default pose (MuJoCo's qpos0), nq values.
    public var referenceQpos: [Float] {
        var q = [Float](repeating: 0, count: nq)
        for j in joints { q.replaceSubrange(j.qposAddress..<(j.qposAddress + j.kind.qposWidth), with: j.referenceQpos) }
        return q
    }

    /// Checks what the shim relies on: parents before children, each body's joints a block of `joints` that names
    /// it, qpos and qvel addresses packed in joint order and summing to `nq` and `nv`, a free joint alone on its body.
    private func validate() throws {
        func fail(_ message: String) -> WorldModelError { WorldModelError("kinematic tree: \(message)") }
        guard let world = bodies.first else { throw fail("no bodies (body 0 must be the world)") }
        guard world.parent == 0, world.jointCount == 0 else { throw fail("body 0 (the world) must be its own parent and have no joints") }
        var nextJoint = 0
        for (b, body) in bodies.enumerated() {
            guard b == 0 || (0..<b).contains(body.parent) else {
                throw fail("body \(b) '\(body.name)' has parent \(body.parent); a parent must come before its child")
            }
            guard body.jointCount >= 0, body.jointCount == 0 || body.firstJoint == nextJoint else {
                throw fail("body \(b) '\(body.name)': its joints must be joints \(nextJoint)..<\(nextJoint + body.jointCount)")
            }
            nextJoint += body.jointCount
            guard nextJoint <= joints.count else { throw fail("body \(b) '\(body.name)' refers to joints past the \(joints.count) there are") }
            for j in body.jointIndices where joints[j].body != b {
                throw fail("joint \(j) '\(joints[j].name)' belongs to body \(joints[j].body), but body \(b) lists it")
            }
            if body.jointCount > 1, body.jointIndices.contains(where: { joints[$0].kind == .free }) {
                throw fail("body \(b) '\(body.name)': a free joint must be its body's only joint")
            }
        }
        guard nextJoint == joints.count else { throw fail("\(joints.count - nextJoint) joints belong to no body") }
        var qposAddress = 0, dofAddress = 0
        for (j, joint) in joints.enumerated() {
            guard joint.qposAddress == qposAddress, joint.dofAddress == dofAddress else {
                throw fail("joint \(j) '\(joint.name)' has qpos/qvel addresses \(joint.qposAddress)/\(joint.dofAddress), expected \(qposAddress)/\(dofAddress)")
            }
            guard joint.referenceQpos.count == joint.kind.qposWidth else {
                throw fail("joint \(j) '\(joint.name)' has \(joint.referenceQpos.count) reference qpos values, a \(joint.kind) joint has \(joint.kind.qposWidth)")
            }
            qposAddress += joint.kind.qposWidth
            dofAddress += joint.kind.dofWidth
        }
        guard nq == qposAddress, nv == dofAddress else {
            throw fail("nq = \(nq), nv = \(nv), but the joints have \(qposAddress) qpos and \(dofAddress) qvel entries")
        }
    }
}
