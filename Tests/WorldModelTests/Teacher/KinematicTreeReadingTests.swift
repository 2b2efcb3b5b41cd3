import Testing
@testable import WorldModel

@Suite struct KinematicTreeReadingTests {
    @Test func readsBodiesJointsReferencesAndRanges() throws {
        let tree = try fixture(scene: "every_joint_kind").tree
        #expect(tree.bodyNames == ["world", "base", "upper", "wrist", "hand", "welded", "free"])
        #expect(tree.bodies.map(\.parent) == [0, 0, 1, 2, 3, 4, 0])
        #expect(tree.joints.map(\.name) == ["slide_ref", "hinge_ref", "ball", "h1", "s1", "h2", "free"])
        #expect(tree.joints.map(\.kind) == [.slide, .hinge, .ball, .hinge, .slide, .hinge, .free])
        #expect(tree.joints.map(\.body) == [1, 2, 3, 4, 4, 4, 6])
        #expect(tree.bodies[4].jointIndices == 3..<6)
        #expect(tree.bodies[5].jointCount == 0 && tree.bodies[5].jointIndices.isEmpty)
        #expect(tree.nq == 1 + 1 + 4 + 3 + 7 && tree.nv == 1 + 1 + 3 + 3 + 6)
        #expect(tree.joints.map(\.qposAddress) == [0, 1, 2, 6, 7, 8, 9])
        #expect(tree.joints.map(\.dofAddress) == [0, 1, 2, 5, 6, 7, 8])
        // References: MJCF `ref` for hinges and slides, identity for a ball, the body's own pose for a free joint.
        #expect(tree.joints[0].referenceQpos == [0.25] && tree.joints[1].referenceQpos == [0.7] && tree.joints[5].referenceQpos == [-0.3])
        #expect(tree.joints[2].referenceQpos == [1, 0, 0, 0])
        #expect(tree.joints[6].referenceQpos == [0.5, 0.5, 0.5, 0, 1, 0, 0])
        #expect(tree.joints[1].limited && tree.joints[1].range == SIMD2(-2, 2))
        #expect(tree.joints[2].limited && tree.joints[2].range == SIMD2(0, 1.5))
        #expect(!tree.joints[3].limited)
        // Anchors and axes in the body frame; MuJoCo normalises the axes.
        #expect(tree.joints[1].anchor == SIMD3(0.05, 0, -0.02))
        let axis = tree.joints[1].axis
        #expect(abs(axis.y - Float(0.5).squareRoot()) < 1e-6 && abs(axis.z - Float(0.5).squareRoot()) < 1e-6 && axis.x == 0)
        #expect(tree.bodies[1].positionInParent == SIMD3(0.1, -0.2, 0.3))
    }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (pip download dm-control, unzip)"))
    func readsStackersArmAndBoxes() throws {
        // FACTS.md: 15 bodies, 20 joints, nq = nv = 20 (8 arm and hand hinges, then x/z slides and a y hinge per box).
        let tree = try fixture(scene: "stacker.xml").tree
        #expect(tree.bodies.count == 15 && tree.joints.count == 20 && tree.nq == 20 && tree.nv == 20)
        #expect(tree.joints.prefix(8).allSatisfy { $0.kind == .hinge })
        #expect(tree.joints.dropFirst(8).map(\.kind) == Array(repeating: [.slide, .slide, .hinge], count: 4).flatMap { $0 })
    }
}
