import Testing
@testable import WorldModel

@Suite struct BodyGraphBuilderTests {
    func build(_ episode: Episode, frame: Int, radius: Float = 0.02) throws -> BodyGraphBuilder {
        let layout = try BodyGraphLayout(scene: armData.scene)
        let builder = BodyGraphBuilder(layout: layout, historyLength: 2, contactRadiusMeters: radius, dtSeconds: Float(armData.scene.controlDtSeconds),
                                       maxEnvironments: 2)
        let state = BodyState(episode: episode, frame: frame, historyLength: 2, nq: armData.scene.nq)
        let ctrl = Array(episode.actions[(frame * 2)..<(frame * 2 + 2)])
        [state].withUnsafeBufferPointer { s in ctrl.withUnsafeBufferPointer { builder.build(states: s, ctrl: $0) } }
        return builder
    }

    @Test func restingBoxTouchesTheFloorThroughTheWorldNode() throws {
        let episode = armData.train[0]
        let builder = try build(episode, frame: 20)
        let layout = builder.layout
        #expect(builder.nodeCount == 4 && builder.decodedRowCount == 3)
        #expect(builder.nodeView.cols == BodyGraphFeatures.nodeWidth(historyLength: 2))
        #expect(builder.nodeView.values.allSatisfy(\.isFinite) && builder.edgeView.values.allSatisfy(\.isFinite))
        // The box (node 2) sits on the floor: one static contact edge from the world with a surface distance near 0.
        let floorEdges = (0..<builder.edgeCount).filter {
            builder.senderIndices[$0] == Int32(layout.worldNode) && builder.receiverIndices[$0] == 2 && builder.edgeView[$0, 2] == 1
        }
        #expect(floorEdges.count == 1)
        let edge = floorEdges[0]
        #expect(abs(builder.edgeView[edge, 7]) < 0.003, "the box rests on the floor: surface distance \(builder.edgeView[edge, 7]) m")
        // Joint edges come first, in the layout's order.
        for k in layout.jointEdges.indices {
            #expect(builder.edgeView[k, 0] == 1)
            #expect(builder.senderIndices[k] == Int32(layout.jointEdges[k].sender) && builder.receiverIndices[k] == Int32(layout.jointEdges[k].receiver))
        }
        // The world node carries only its flag.
        let world = builder.nodeView.row(layout.worldNode)
        #expect(world[builder.nodeView.cols - 1] == 1 && (0..<(builder.nodeView.cols - 1)).allSatisfy { world[$0] == 0 })
    }

    @Test func dofSlotsHoldVelocitiesAndTheActuatorDrive() throws {
        let episode = armData.train[1]
        let builder = try build(episode, frame: 10)
        let scene = armData.scene, h = 2, nq = scene.nq
        let velocity = JointSpaceIntegrator(tree: scene.tree).differentiate(from: Array(episode.qpos[(9 * nq)..<(10 * nq)]),
                                                                            to: Array(episode.qpos[(10 * nq)..<(11 * nq)]),
                                                                            dtSeconds: scene.controlDtSeconds)
        let slots = 6 * h, row = builder.nodeView.row(0)  // the upper arm: its one DOF, the shoulder
        #expect(abs(row[slots + 1] - velocity[0]) < 1e-4, "newest shoulder velocity")
        let ctrl = episode.actions[20]
        #expect(abs(row[slots + h + 4] - 3 * ctrl) < 1e-5, "drive = gear x ctrl")
        #expect(row[slots + h + 5] == 1 && row[slots + BodyGraphFeatures.slotWidth(historyLength: h) + h + 5] == 0, "one used slot")
    }

    @Test func farGeomsGetNoContactEdges() throws {
        let builder = try build(armData.train[0], frame: 20, radius: 0)
        for k in 0..<builder.edgeCount where builder.edgeView[k, 1] == 1 {
            #expect(builder.edgeView[k, 7] <= 0)
        }
    }
}
