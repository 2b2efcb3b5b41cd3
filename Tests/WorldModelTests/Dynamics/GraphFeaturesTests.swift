import CMallocCounter
import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

let testBox = ObjectDescription(name: "box", shape: .box, halfExtentsMeters: [0.025, 0.025, 0.025], massKg: 0.1, rgba: [1, 0, 0, 1])
let longBox = ObjectDescription(name: "long", shape: .box, halfExtentsMeters: [0.15, 0.02, 0.02], massKg: 0.2, rgba: [0, 1, 0, 1])
let testPusher = RobotDescription(name: "pusher", shape: .capsule, halfExtentsMeters: [0.015, 0.03, 0], shapeCentreHeightMeters: 0.05,
                                  actionDimension: 2, actionMeaning: "velocity", actionLow: [-0.3, -0.3], actionHigh: [0.3, 0.3])

/// A state with objects at `positions` (yaw `yaws`, rad), resting, and the robot far away unless given.
func restingState(_ positions: [SIMD3<Float>], yaws: [Float], robot: SIMD3<Float> = SIMD3(0.3, 0.3, 0), history: Int = 3) -> DynamicsState {
    var s = DynamicsState(objectCount: positions.count, historyLength: history)
    for (i, p) in positions.enumerated() {
        for k in 0..<3 { s.positions[i * 3 + k] = p[k] }
        let q = SIMD4<Float>(cosf(yaws[i] / 2), 0, 0, sinf(yaws[i] / 2))
        for k in 0..<4 { s.quaternions[i * 4 + k] = q[k] }
    }
    s.robotPosition = robot
    return s
}

func edges(_ builder: GraphBuilder) -> Set<[Int32]> {
    Set((0..<builder.edgeCount).map { [builder.senderIndices[$0], builder.receiverIndices[$0]] })
}

func build(_ builder: GraphBuilder, _ states: [DynamicsState], robotNext: [SIMD3<Float>]? = nil) {
    let next = robotNext ?? states.map(\.robotPosition)
    states.withUnsafeBufferPointer { s in next.withUnsafeBufferPointer { builder.build(states: s, robotNext: $0, dtSeconds: 0.02) } }
}

@Suite struct GraphFeaturesTests {
    @Test(arguments: [2, 3])
    func parallelAllPairsBuildEqualsSerialBuild(threads: Int) throws {
        let config = GraphFeatureConfiguration(historyLength: 3, allPairs: true)
        let objects = [longBox, testBox, testBox]
        let serial = GraphBuilder(configuration: config, objects: objects, robot: testPusher, maxEnvironments: 5)
        let parallel = GraphBuilder(configuration: config, objects: objects, robot: testPusher, maxEnvironments: 5, maxThreads: threads)
        let states = (0..<5).map { k in
            restingState([SIMD3(0.01 * Float(k), 0, 0.02), SIMD3(0.1, 0.02 * Float(k), 0.025), SIMD3(-0.1, 0.1, 0.025)],
                         yaws: [0.1 * Float(k), 0.3, -0.2], robot: SIMD3(0.05 * Float(k), -0.1, 0))
        }
        let next = states.map { $0.robotPosition + SIMD3(0.004, 0, 0) }
        build(serial, states, robotNext: next)
        let team = try ThreadTeam(threads: threads)
        states.withUnsafeBufferPointer { s in next.withUnsafeBufferPointer { parallel.build(states: s, robotNext: $0, dtSeconds: 0.02, team: team) } }
        #expect(parallel.nodeCount == serial.nodeCount && parallel.edgeCount == serial.edgeCount && parallel.objectRowCount == serial.objectRowCount)
        #expect(parallel.edgeCount == 5 * (3 * 2 + 3))
        #expect(parallel.nodeView.values == serial.nodeView.values)
        #expect(parallel.edgeView.values == serial.edgeView.values)
        #expect(Array(parallel.senderIndices) == Array(serial.senderIndices))
        #expect(Array(parallel.receiverIndices) == Array(serial.receiverIndices))
        #expect(Array(parallel.objectRowIndices) == Array(serial.objectRowIndices))
    }

    @Test func edgesFollowSurfaceDistanceNotCentreDistance() {
        let config = GraphFeatureConfiguration(historyLength: 3, connectivityRadiusMeters: 0.02, robotRadiusMeters: 0.05)
        let builder = GraphBuilder(configuration: config, objects: [longBox, testBox, testBox], robot: testPusher, maxEnvironments: 1)
        // The long box's end is 1 cm from box 1 although their centres are 0.185 m apart; box 2 is 10 cm from both.
        let state = restingState([SIMD3(0, 0, 0.02), SIMD3(0.185, 0, 0.025), SIMD3(0.19, 0.2, 0.025)], yaws: [0, 0, 0])
        build(builder, [state])
        #expect(edges(builder) == [[0, 1], [1, 0]])
        let e = builder.edgeView
        #expect(abs(e[0, 4] - 0.01) < 1e-4)   // surface distance
        #expect(abs(e[0, 3] - 0.185) < 1e-4)  // centre distance
        // The robot, 2 cm from box 2's surface, sends to it (and only to it).
        var near = state
        near.robotPosition = SIMD3(0.19, 0.2 + 0.025 + 0.015 + 0.02, 0)
        build(builder, [near])
        #expect(edges(builder) == [[0, 1], [1, 0], [3, 2]])
    }

    @Test func receiverFrameFeaturesAreInvariantToRotatingTheScene() {
        let config = GraphFeatureConfiguration(historyLength: 3, connectivityRadiusMeters: 0.05, frame: .receiver)
        let builder = GraphBuilder(configuration: config, objects: [testBox, testBox], robot: testPusher, maxEnvironments: 1)
        var a = restingState([SIMD3(0, 0, 0.025), SIMD3(0.06, 0.01, 0.025)], yaws: [0.3, -0.2], robot: SIMD3(-0.06, 0, 0))
        for j in 0..<3 { a.linearVelocities[j * 3] = 0.1 * Float(j + 1); a.linearVelocities[(3 + j) * 3 + 1] = -0.05 }
        let angle: Float = 1.1
        var b = a
        for i in 0..<2 {
            let p = RotationMath.rotateZ(a.position(i), by: angle)
            for k in 0..<3 { b.positions[i * 3 + k] = p[k] }
            let q = RotationMath.multiply(SIMD4(cosf(angle / 2), 0, 0, sinf(angle / 2)), a.quaternion(i))
            for k in 0..<4 { b.quaternions[i * 4 + k] = q[k] }
            for j in 0..<3 {
                let o = (i * 3 + j) * 3
                let v = RotationMath.rotateZ(SIMD3(a.linearVelocities[o], a.linearVelocities[o + 1], a.linearVelocities[o + 2]), by: angle)
                for k in 0..<3 { b.linearVelocities[o + k] = v[k] }
            }
        }
        b.robotPosition = RotationMath.rotateZ(a.robotPosition, by: angle)
        build(builder, [a], robotNext: [a.robotPosition + SIMD3(0.002, 0, 0)])
        let nodesA = builder.nodeView.values, edgesA = builder.edgeView.values, edgeSetA = edges(builder)
        build(builder, [b], robotNext: [b.robotPosition + RotationMath.rotateZ(SIMD3(0.002, 0, 0), by: angle)])
        #expect(edges(builder) == edgeSetA)
        let nodesB = builder.nodeView.values, edgesB = builder.edgeView.values
        // Object nodes (rows 0, 1) and every edge are identical; the robot node keeps world axes.
        for k in 0..<(2 * config.nodeWidth) { #expect(abs(nodesA[k] - nodesB[k]) < 1e-4, "node feature \(k)") }
        for k in 0..<edgesA.count { #expect(abs(edgesA[k] - edgesB[k]) < 1e-4, "edge feature \(k)") }
    }

    /// Objects of every shape, for the broad-phase tests.
    static let mixedObjects = [
        testBox, longBox,
        ObjectDescription(name: "ball", shape: .sphere, halfExtentsMeters: [0.022, 0, 0], massKg: 0.06, rgba: [0, 0, 1, 1]),
        ObjectDescription(name: "can", shape: .cylinder, halfExtentsMeters: [0.02, 0.025, 0], massKg: 0.08, rgba: [1, 1, 0, 1]),
        ObjectDescription(name: "pill", shape: .capsule, halfExtentsMeters: [0.015, 0.02, 0], massKg: 0.05, rgba: [0, 1, 1, 1]),
    ]

    /// Four environments of `n` objects: scattered on a crowded table, far apart, boxes face to face in a row
    /// (touching exactly), and all piled on one point (every pair overlapping, more edges than the initial buffers).
    static func crowdedStates(objects: [ObjectDescription], seed: UInt64) -> [DynamicsState] {
        var rng = SeededRandom(seed: seed)
        let n = objects.count
        return (0..<4).map { env in
            var s = DynamicsState(objectCount: n, historyLength: 3)
            for i in 0..<n {
                let p: SIMD3<Float>
                switch env {
                case 0: p = SIMD3(Float(rng.uniform(-0.15, 0.15)), Float(rng.uniform(-0.15, 0.15)), Float(rng.uniform(0.02, 0.04)))
                case 1: p = SIMD3(Float(rng.uniform(-3, 3)), Float(rng.uniform(-3, 3)), 0.025)
                case 2: p = SIMD3(0.05 * Float(i % 8) - 0.2, 0.05 * Float(i / 8), 0.025)
                default: p = SIMD3(Float(rng.uniform(-0.002, 0.002)), Float(rng.uniform(-0.002, 0.002)), 0.03)
                }
                let q = env == 2 ? SIMD4<Double>(1, 0, 0, 0) : rng.unitQuaternion()
                for k in 0..<3 { s.positions[i * 3 + k] = p[k] }
                for k in 0..<4 { s.quaternions[i * 4 + k] = Float(q[k]) }
                for k in 0..<9 { s.linearVelocities[i * 9 + k] = Float(rng.uniform(-0.1, 0.1)); s.angularVelocities[i * 9 + k] = Float(rng.uniform(-1, 1)) }
            }
            s.robotPosition = SIMD3(Float(rng.uniform(-0.2, 0.2)), Float(rng.uniform(-0.2, 0.2)), 0)
            return s
        }
    }

    /// The broad phase's graph is the one a loop over every pair gives: the all-pairs builder's rows (every pair
    /// tested, in loop order, features written by the same code) kept where the surface distance is within the
    /// radius, on scattered, far-apart, touching and piled-up objects; the edge buffers grow to hold the pile.
    @Test(arguments: [(3, 1), (12, 2), (40, 3), (64, 4)] as [(Int, UInt64)])
    func broadPhaseEdgesAreEveryPairsWithinTheRadius(count: Int, seed: UInt64) {
        let objects = (0..<count).map { Self.mixedObjects[(Int(seed) + $0) % (count > 3 ? 5 : 1)] }
        let config = GraphFeatureConfiguration(historyLength: 3, connectivityRadiusMeters: 0.03, robotRadiusMeters: 0.06)
        var every = config
        every.allPairs = true
        let states = Self.crowdedStates(objects: objects, seed: seed)
        let builder = GraphBuilder(configuration: config, objects: objects, robot: testPusher, maxEnvironments: states.count)
        let reference = GraphBuilder(configuration: every, objects: objects, robot: testPusher, maxEnvironments: states.count)
        let initialEdges = builder.maxEdges
        #expect(initialEdges == states.count * min(count * (count - 1) + count, GraphBuilder.initialEdgesPerObject * count))
        let next = states.map { $0.robotPosition + SIMD3(0.003, -0.001, 0) }
        build(builder, states, robotNext: next)
        build(reference, states, robotNext: next)
        let kept = (0..<reference.edgeCount).filter { k in
            let robot = Int(reference.senderIndices[k]) % (count + 1) == count
            return reference.edgeView[k, 4] <= (robot ? config.robotRadiusMeters : config.connectivityRadiusMeters)
        }
        #expect(builder.edgeCount == kept.count)
        #expect(Array(builder.senderIndices) == kept.map { reference.senderIndices[$0] })
        #expect(Array(builder.receiverIndices) == kept.map { reference.receiverIndices[$0] })
        #expect(builder.edgeView.values == kept.flatMap { k in (0..<GraphFeatureConfiguration.edgeWidth).map { reference.edgeView[k, $0] } })
        #expect(builder.nodeView.values == reference.nodeView.values)
        #expect(Array(builder.objectRowIndices) == Array(reference.objectRowIndices))
        if count >= 12 {
            if count >= 40 { #expect(builder.maxEdges > initialEdges, "the pile needs more edges than the initial buffers") }
            // The buffers now hold the batch: building it again allocates nothing and gives the same graph.
            let values = builder.edgeView.values
            let before = wm_malloc_counter_thread_count()
            build(builder, states, robotNext: next)
            let after = wm_malloc_counter_thread_count()
            #expect(after - before == 0)
            #expect(builder.edgeView.values == values)
        }
    }

    @Test func allPairsBuffersHoldEveryPair() {
        let config = GraphFeatureConfiguration(historyLength: 3, allPairs: true)
        let builder = GraphBuilder(configuration: config, objects: [testBox, testBox, testBox, longBox], robot: testPusher, maxEnvironments: 7)
        #expect(builder.maxEdges == 7 * (4 * 3 + 4))
    }

    @Test func tableFeaturesSeeTiltedShapes() {
        let config = GraphFeatureConfiguration(historyLength: 3)
        let builder = GraphBuilder(configuration: config, objects: [testBox], robot: testPusher, maxEnvironments: 1)
        var s = restingState([SIMD3(0, 0, 0.1)], yaws: [0])
        // Tilt 45 degrees about x: the lowest point drops to z - 0.025 * sqrt(2).
        let q = SIMD4<Float>(cosf(.pi / 8), sinf(.pi / 8), 0, 0)
        for k in 0..<4 { s.quaternions[k] = q[k] }
        build(builder, [s])
        let row = builder.nodeView.row(0) + 6 * 3
        #expect(abs(row[12] - 0.1) < 1e-6)
        #expect(abs(row[13] - (0.1 - 0.025 * 2.0.squareRoot().float)) < 1e-5)
        #expect(row[0] == 0 && row[1] == 1)  // one-hot: box
    }
}

extension Double { var float: Float { Float(self) } }
