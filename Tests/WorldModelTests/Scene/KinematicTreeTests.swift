import Foundation
import Testing
import WorldModel

@Suite struct KinematicTreeTests {
    typealias Body = KinematicTree.Body
    typealias Joint = KinematicTree.Joint

    static let world = Body(name: "world", parent: 0, positionInParent: .zero, quaternionInParent: SIMD4(1, 0, 0, 0), firstJoint: -1, jointCount: 0)

    static func body(_ name: String, parent: Int, firstJoint: Int, jointCount: Int) -> Body {
        Body(name: name, parent: parent, positionInParent: SIMD3(0, 0, 0.1), quaternionInParent: SIMD4(1, 0, 0, 0),
             firstJoint: firstJoint, jointCount: jointCount)
    }

    static func joint(_ name: String, _ kind: KinematicTree.JointKind, body: Int, qpos: Int, dof: Int) -> Joint {
        let reference: [Float] = switch kind {
        case .free: [0, 0, 0, 1, 0, 0, 0]
        case .ball: [1, 0, 0, 0]
        case .hinge, .slide: [0]
        }
        return Joint(name: name, kind: kind, body: body, axis: SIMD3(0, 0, 1), anchor: .zero, qposAddress: qpos, dofAddress: dof,
                     referenceQpos: reference, limited: false, range: .zero)
    }

    /// world -> arm (hinge, ball) -> hand (no joints); world -> box (free).
    static func valid() throws -> KinematicTree {
        try KinematicTree(
            bodies: [world, body("arm", parent: 0, firstJoint: 0, jointCount: 2), body("hand", parent: 1, firstJoint: -1, jointCount: 0),
                     body("box", parent: 0, firstJoint: 2, jointCount: 1)],
            joints: [joint("shoulder", .hinge, body: 1, qpos: 0, dof: 0), joint("wrist", .ball, body: 1, qpos: 1, dof: 1),
                     joint("box", .free, body: 3, qpos: 5, dof: 4)],
            nq: 12, nv: 10)
    }

    @Test func encodesAndDecodesToTheSameTree() throws {
        let tree = try Self.valid()
        let decoded = try JSONDecoder().decode(KinematicTree.self, from: JSONEncoder().encode(tree))
        #expect(decoded == tree)
        #expect(tree.referenceQpos == [0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0])
        let kinds: [KinematicTree.JointKind] = [.free, .ball, .slide, .hinge]
        #expect(kinds.map(\.rawValue) == [0, 1, 2, 3])  // MuJoCo's mjtJoint
        #expect(kinds.map(\.qposWidth) == [7, 4, 1, 1] && kinds.map(\.dofWidth) == [6, 3, 1, 1])
    }

    @Test func rejectsWhatBreaksMuJoCosLayout() throws {
        let tree = try Self.valid()
        func rejects(_ bodies: [Body], _ joints: [Joint], nq: Int = 12, nv: Int = 10, saying text: String) {
            #expect {
                try KinematicTree(bodies: bodies, joints: joints, nq: nq, nv: nv)
            } throws: { ($0 as? WorldModelError)?.message.contains(text) == true }
        }
        var bodies = tree.bodies
        bodies[2].parent = 3
        rejects(bodies, tree.joints, saying: "a parent must come before its child")
        rejects([], [], nq: 0, nv: 0, saying: "no bodies")
        rejects(tree.bodies, tree.joints, nq: 13, saying: "nq = 13")
        var joints = tree.joints
        joints[2].qposAddress = 6
        rejects(tree.bodies, joints, saying: "expected 5/4")
        joints = tree.joints
        joints[1].referenceQpos = [1]
        rejects(tree.bodies, joints, saying: "1 reference qpos values")
        joints = tree.joints
        joints[1] = Self.joint("wrist", .free, body: 1, qpos: 1, dof: 1)
        rejects(tree.bodies, joints, saying: "a free joint must be its body's only joint")
        joints = tree.joints
        joints[0].body = 2
        rejects(tree.bodies, joints, saying: "belongs to body 2")
    }

    @Test func decodingChecksTheLayoutToo() throws {
        var json = String(decoding: try JSONEncoder().encode(Self.valid()), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"nq\":12", with: "\"nq\":11")
        #expect(throws: WorldModelError.self) { try JSONDecoder().decode(KinematicTree.self, from: Data(json.utf8)) }
    }
}
