import CGeometry
import Testing
@testable import WorldModel

@Suite struct BodyGraphLayoutTests {
    @Test func armAndBoxNodesDofsAndEdges() throws {
        let layout = try BodyGraphLayout(scene: armData.scene)
        let names = layout.nodeBodies.map { armData.scene.tree.bodies[$0].name }
        #expect(names == ["upper", "hand", "box"])
        #expect(layout.worldNode == 3 && layout.nodesPerEnvironment == 4)
        #expect(layout.nodeDofs == [[0], [1], [2, 3, 4]])
        #expect(layout.decodedNodes == [0, 1, 2])
        #expect(layout.dofClass == [.hinge, .hinge, .slide, .slide, .hinge])
        // The box is passive: its statistics are kept apart from the arm's.
        #expect(layout.targetClass == [1, 1, 5, 5, 6])
        // world -> upper (its parent is the world), upper <-> hand, world -> box (its slides and hinge hold it in the plane).
        #expect(layout.jointEdges.map { [$0.sender, $0.receiver, $0.child] } == [[3, 0, 0], [0, 1, 1], [1, 0, 1], [3, 2, 2]])
        #expect(layout.staticShapes.count == 1 && layout.staticShapes[0].kind == Int32(WM_SHAPE_PLANE.rawValue))
        // The hand does not collide with its parent (MuJoCo's parent filter): pairs upper-box and hand-box only.
        #expect(layout.movingPairCount == 2)
    }

    @Test func tumbleHasFreeObjectsAndAStaticSlope() throws {
        let scene = try MuJoCoSimulation(path: scenePath("tumble.xml")).sceneModel
        let layout = try BodyGraphLayout(scene: scene)
        #expect(layout.nodeBodies.count == 7)
        #expect(layout.nodeDofs[0].count == 2 && layout.nodeDofs[1...].allSatisfy { $0.count == 6 })
        #expect(layout.dofClass[2...7] == [.freeLinear, .freeLinear, .freeLinear, .freeAngular, .freeAngular, .freeAngular])
        #expect(layout.staticShapes.count == 2)
        #expect(layout.maxEdgesPerEnvironment == layout.jointEdges.count + 2 * layout.movingPairCount + 2 * layout.movingGeoms.count)
    }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (tools/fetch-dm-control.sh)"),
          arguments: ["stacker.xml", "manipulator.xml"])
    func dmControlScenesHaveABodyGraph(_ file: String) throws {
        let scene = try MuJoCoSimulation(path: dmControlSuite + file).sceneModel
        let layout = try BodyGraphLayout(scene: scene)
        #expect(layout.nodeDofs.flatMap { $0 }.sorted() == Array(0..<scene.nv), "every DOF is decoded exactly once")
        #expect(!layout.staticShapes.isEmpty && layout.movingPairCount > 0)
    }
}
