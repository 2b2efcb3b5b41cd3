import CMallocCounter
import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct BodyGraphBuilderTests {
    func build(_ episode: Episode, frame: Int, radius: Float = 0.02, staticRadius: Float? = nil, toWorld: Bool = false) throws -> BodyGraphBuilder {
        let layout = try BodyGraphLayout(scene: armData.scene)
        let builder = BodyGraphBuilder(layout: layout, historyLength: 2, contactRadiusMeters: radius, staticContactRadiusMeters: staticRadius,
                                       staticContactsToWorld: toWorld, dtSeconds: Float(armData.scene.controlDtSeconds), maxEnvironments: 2)
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

    @Test func theStaticContactRadiusReachesFurtherThanTheContactRadius() throws {
        let builder = try build(armData.train[0], frame: 20, radius: 0, staticRadius: 5)
        let layout = builder.layout
        let staticEdges = (0..<builder.edgeCount).filter { builder.edgeView[$0, 2] == 1 }
        // Within 5 m every moving geom sees every static geom; moving pairs still need to touch.
        #expect(staticEdges.count == layout.staticShapes.count * layout.movingGeoms.count)
        #expect(staticEdges.allSatisfy { builder.senderIndices[$0] == Int32(layout.worldNode) })
        for k in 0..<builder.edgeCount where builder.edgeView[k, 1] == 1 { #expect(builder.edgeView[k, 7] <= 0) }
        let near = try build(armData.train[0], frame: 20, radius: 0)
        #expect((0..<near.edgeCount).filter { near.edgeView[$0, 2] == 1 }.count < staticEdges.count)
    }

    @Test func staticContactsCanAlsoRunToTheWorldNode() throws {
        let one = try build(armData.train[0], frame: 20, staticRadius: 5), both = try build(armData.train[0], frame: 20, staticRadius: 5, toWorld: true)
        let world = Int32(one.layout.worldNode)
        let fromWorld = (0..<both.edgeCount).filter { both.edgeView[$0, 2] == 1 && both.senderIndices[$0] == world }
        let toWorld = (0..<both.edgeCount).filter { both.edgeView[$0, 2] == 1 && both.receiverIndices[$0] == world }
        #expect(fromWorld.count == (0..<one.edgeCount).filter { one.edgeView[$0, 2] == 1 }.count)
        #expect(toWorld.count == fromWorld.count)
        // Each edge to the world mirrors one from it: the same pair, the same surface distance.
        for (a, b) in zip(fromWorld, toWorld) {
            #expect(both.receiverIndices[a] == both.senderIndices[b] && both.edgeView[a, 7] == both.edgeView[b, 7])
        }
        let finite = both.edgeView.values.allSatisfy { $0.isFinite }
        #expect(finite)
    }

    @Test func farGeomsGetNoContactEdges() throws {
        let builder = try build(armData.train[0], frame: 20, radius: 0)
        for k in 0..<builder.edgeCount where builder.edgeView[k, 1] == 1 {
            #expect(builder.edgeView[k, 7] <= 0)
        }
    }

    /// A floor, a three-link hinge chain whose links overlap at their joints (the parent filter keeps them apart,
    /// not the grandparent), a free body of two geoms, and `free` free bodies of every shape.
    static func crowdScene(free: Int) -> String {
        let shapes = ["type=\"box\" size=\"0.02 0.03 0.025\"", "type=\"sphere\" size=\"0.022\"", "type=\"capsule\" size=\"0.015 0.02\"",
                      "type=\"cylinder\" size=\"0.02 0.025\"", "type=\"ellipsoid\" size=\"0.03 0.02 0.015\""]
        // Placed apart in the model (MuJoCo checks its contacts on loading); the states move them anywhere.
        let bodies = (0..<free).map {
            "<body name=\"o\($0)\" pos=\"\(0.5 + 0.1 * Double($0 % 6)) \(0.1 * Double($0 / 6)) 0.1\"><freejoint/><geom \(shapes[$0 % shapes.count]) mass=\"0.1\"/></body>"
        }
        return """
            <mujoco model="crowd">
              <worldbody>
                <geom name="floor" type="plane" size="2 2 0.01"/>
                <body name="l1" pos="0 0 0.1"><joint type="hinge" axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0.08 0 0" size="0.02" mass="0.1"/>
                  <body name="l2" pos="0.08 0 0"><joint type="hinge" axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0.08 0 0" size="0.02" mass="0.1"/>
                    <body name="l3" pos="0.08 0 0"><joint type="hinge" axis="0 1 0"/><geom type="capsule" fromto="0 0 0 0.08 0 0" size="0.02" mass="0.1"/></body>
                  </body>
                </body>
                <body name="pair" pos="0 -0.3 0.1"><freejoint/><geom type="box" size="0.02 0.02 0.02" mass="0.1"/><geom type="sphere" pos="0.04 0 0" size="0.02" mass="0.1"/></body>
                \(bodies.joined(separator: "\n    "))
              </worldbody>
            </mujoco>
            """
    }

    /// Environments of the crowd scene: free bodies scattered over a small patch of floor, far apart, and piled on
    /// one point; hinges at random angles; each history frame a little moved from the one before.
    static func crowdStates(_ scene: SceneModel, historyLength h: Int, seed: UInt64) -> [BodyState] {
        var rng = SeededRandom(seed: seed)
        let nq = scene.nq
        return (0..<3).map { env in
            var frame = scene.tree.referenceQpos
            var history: [Float] = []
            for t in 0...h {
                for joint in scene.tree.joints {
                    let a = joint.qposAddress
                    switch joint.kind {
                    case .free:
                        let spread = [0.15, 3.0, 0.002][env]
                        if t == 0 {
                            frame[a] = Float(rng.uniform(-spread, spread)); frame[a + 1] = Float(rng.uniform(-spread, spread))
                            frame[a + 2] = Float(env == 2 ? 0.05 : rng.uniform(0, 0.1))
                            let q = rng.unitQuaternion()
                            for k in 0..<4 { frame[a + 3 + k] = Float(q[k]) }
                        } else {
                            for k in 0..<3 { frame[a + k] += Float(rng.uniform(-0.002, 0.002)) }
                        }
                    case .hinge: frame[a] = t == 0 ? Float(rng.uniform(-2, 2)) : frame[a] + Float(rng.uniform(-0.02, 0.02))
                    case .slide, .ball: break
                    }
                }
                history += frame
            }
            return BodyState(nq: nq, historyLength: h, qposHistory: history)
        }
    }

    /// The broad phase's graph is the one a loop over every pair gives: a builder whose radius takes every pair
    /// (every allowed pair and every static one, features written by the same code), its contact rows kept where
    /// the surface distance is within the radius; the edge buffers grow to hold the pile.
    @Test(arguments: [(6, 1), (30, 2)] as [(Int, UInt64)])
    func broadPhaseEdgesAreEveryPairsWithinTheRadius(free: Int, seed: UInt64) throws {
        let path = try temporaryFile("crowd-\(free).xml", Self.crowdScene(free: free))
        defer { unlink(path) }
        let scene = try MuJoCoSimulation(path: path).sceneModel
        let layout = try BodyGraphLayout(scene: scene)
        let h = 2, radius: Float = 0.02, states = Self.crowdStates(scene, historyLength: h, seed: seed)
        let ctrl = [Float]()
        func builder(_ r: Float) -> BodyGraphBuilder {
            BodyGraphBuilder(layout: layout, historyLength: h, contactRadiusMeters: r, dtSeconds: 0.02, maxEnvironments: states.count)
        }
        let built = builder(radius), reference = builder(1e6)
        let initialEdges = built.maxEdges
        for b in [built, reference] { states.withUnsafeBufferPointer { s in ctrl.withUnsafeBufferPointer { b.build(states: s, ctrl: $0) } } }
        let perEnvironment = layout.nodesPerEnvironment
        #expect(reference.edgeCount == states.count * layout.maxEdgesPerEnvironment, "the reference connects every allowed pair")
        let kept = (0..<reference.edgeCount).filter { reference.edgeView[$0, 0] == 1 || reference.edgeView[$0, 7] <= radius }
        #expect(built.edgeCount == kept.count)
        #expect(Array(built.senderIndices) == kept.map { reference.senderIndices[$0] })
        #expect(Array(built.receiverIndices) == kept.map { reference.receiverIndices[$0] })
        #expect(built.edgeView.values == kept.flatMap { k in (0..<BodyGraphFeatures.edgeWidth).map { reference.edgeView[k, $0] } })
        #expect(built.nodeView.values == reference.nodeView.values)
        // The chain's links touch their neighbours but get no edge from them; the pile has contacts everywhere.
        let contacts = (0..<built.edgeCount).filter { built.edgeView[$0, 1] == 1 }.map { [Int(built.senderIndices[$0]), Int(built.receiverIndices[$0])] }
        #expect(!contacts.contains([0, 1]) && !contacts.contains([1, 2]))
        #expect(contacts.contains { $0[0] / perEnvironment == 2 })
        if free >= 30 {
            #expect(built.maxEdges > initialEdges, "the pile needs more edges than the initial buffers")
            // Building again: the contact search and its edges allocate nothing (as many allocations as a build
            // with no contacts at all, whose count comes from the kinematics, not from this search).
            let apart = builder(-1)
            func allocations(_ b: BodyGraphBuilder) -> Int {
                states.withUnsafeBufferPointer { s in ctrl.withUnsafeBufferPointer { b.build(states: s, ctrl: $0) } }
                let before = wm_malloc_counter_thread_count()
                states.withUnsafeBufferPointer { s in ctrl.withUnsafeBufferPointer { b.build(states: s, ctrl: $0) } }
                return Int(wm_malloc_counter_thread_count() - before)
            }
            let capacity = built.maxEdges
            #expect(allocations(built) == allocations(apart))
            #expect(built.maxEdges == capacity)
        }
    }
}
