import CGeometry
#if canImport(Glibc)
import Glibc
#endif

/// The frame vector features are expressed in.
public enum FeatureFrame: String, Codable, Sendable, CaseIterable {
    /// World axes for every vector.
    case world
    /// Each vector in the heading frame (yaw about world z) of the node that receives it: node features in
    /// the node's own heading, edge features in the receiver's, accelerations decoded in the object's own.
    /// Invariant to rotating the whole scene about the vertical.
    case receiver
}

/// How object graphs are built and featurised. Stored in checkpoints.
public struct GraphFeatureConfiguration: Codable, Equatable, Sendable {
    /// Velocities of the last `historyLength` control steps in each node's features (GNS uses 5).
    public var historyLength: Int
    /// Objects whose surfaces are closer than this (m) are connected both ways.
    public var connectivityRadiusMeters: Float
    /// The robot sends to objects whose surfaces are closer than this (m).
    public var robotRadiusMeters: Float
    /// Connect every pair of objects and the robot to every object, whatever the distance.
    public var allPairs: Bool
    public var frame: FeatureFrame
    /// The table plane height (m).
    public var tableHeightMeters: Float

    public init(historyLength: Int = 5, connectivityRadiusMeters: Float = 0.03, robotRadiusMeters: Float = 0.06,
                allPairs: Bool = false, frame: FeatureFrame = .world, tableHeightMeters: Float = 0) {
        self.historyLength = historyLength
        self.connectivityRadiusMeters = connectivityRadiusMeters
        self.robotRadiusMeters = robotRadiusMeters
        self.allPairs = allPairs
        self.frame = frame
        self.tableHeightMeters = tableHeightMeters
    }

    /// Node feature layout (width 6H + 17), in the node's frame (see `FeatureFrame`):
    /// [0, 3H) linear velocity history (m/s, oldest first); [3H, 6H) angular velocity history (rad/s);
    /// then one-hot shape kind (4: sphere, box, capsule, cylinder); half-extents (3, m); mass (kg, 0 for the
    /// robot); is-robot flag; the robot's velocity over the coming step (3, m/s; zero for objects); height of
    /// the centre above the table (m); height of the lowest point above the table (m); world up in the body
    /// frame (3).
    public var nodeWidth: Int { 6 * historyLength + 17 }

    /// Edge feature layout (sender s -> receiver r), vectors in the receiver's frame: p_s - p_r (3, m);
    /// |p_s - p_r| (m); surface distance (m, <= 0 in contact); closest point on s minus closest point on r (3);
    /// closest point on r minus p_r (3, where on the receiver the contact is); driving velocity of s minus
    /// velocity of r (3, m/s; the robot's driving velocity is its velocity over the coming step).
    public static let edgeWidth = 14
}

/// Builds the graph of a batch of environments for one step: nodes (objects, then the robot, per environment),
/// edges by true surface distance (the geometry shim), and raw features.
///
/// Which object pairs are tested: with every pair connected (`allPairs`), all of them, into buffers sized for
/// `maxEnvironments` environments of every pair, so each environment's rows are known in advance and a
/// ``ThreadTeam`` can build environments in parallel. Otherwise the candidates of a broad phase over bounding
/// spheres (``SphereBroadPhase``, linear in the objects), in the order of a loop over every pair, so the edges are
/// the same as that loop's; the edge buffers start at ``initialEdgesPerObject`` per object and grow
/// geometrically when a build needs more (``maxEdges`` says how many they hold now; a runner sizes its network
/// workspace from it). Building allocates nothing once the buffers hold what the scenes need. Not thread-safe itself.
public final class GraphBuilder: ThreadTeamTask {
    public let configuration: GraphFeatureConfiguration
    public let objects: [ObjectDescription]
    public let robot: RobotDescription
    public let maxEnvironments: Int
    public let nodeFeatures: Matrix
    public var edgeFeatures: Matrix { edgeRows.features }
    private let edgeRows: GraphEdgeBuffers
    public private(set) var nodeCount = 0
    public private(set) var edgeCount = 0
    /// Rows of object nodes (the decoder's rows), environment-major.
    public private(set) var objectRowCount = 0
    var senders: UnsafeMutableBufferPointer<Int32> { edgeRows.senders }
    var receivers: UnsafeMutableBufferPointer<Int32> { edgeRows.receivers }
    let objectRows: UnsafeMutableBufferPointer<Int32>
    /// Per object row: the heading (rad) its outputs are expressed in (0 in the world frame).
    let objectHeading: UnsafeMutableBufferPointer<Float>
    /// Each object's shape placed at its current pose (rewritten per environment while building), one set per
    /// thread of the team building in parallel.
    private let objectShapes: UnsafeMutableBufferPointer<wm_shape>
    private let robotTemplate: wm_shape
    private var nodeHeading: UnsafeMutableBufferPointer<Float>
    /// The object pairs worth an exact distance test (not with `allPairs`).
    private let broadPhase: SphereBroadPhase?
    /// At most this many threads may build in parallel (the sets of `objectShapes`).
    public let maxThreads: Int
    /// Edge rows the buffers start with per object and environment without `allPairs`: the robot's edge and
    /// seven contact edges into each object (fewer when every pair is fewer).
    public static let initialEdgesPerObject = 8
    /// What a parallel `build` works on (bound for the duration of the call).
    private var bound: (states: UnsafeBufferPointer<DynamicsState>, robotNext: UnsafeBufferPointer<SIMD3<Float>>, dt: Float, team: ThreadTeam)?

    public init(configuration: GraphFeatureConfiguration, objects: [ObjectDescription], robot: RobotDescription, maxEnvironments: Int,
                maxThreads: Int = 1) {
        self.configuration = configuration
        self.maxThreads = max(1, maxThreads)
        self.objects = objects
        self.robot = robot
        self.maxEnvironments = maxEnvironments
        let n = objects.count
        let everyPair = n * max(n - 1, 0) + n
        let maxNodes = maxEnvironments * (n + 1)
        nodeFeatures = Matrix(rows: maxNodes, cols: configuration.nodeWidth)
        edgeRows = GraphEdgeBuffers(rows: maxEnvironments * (configuration.allPairs ? everyPair : min(everyPair, Self.initialEdgesPerObject * n)),
                                    width: GraphFeatureConfiguration.edgeWidth, limit: maxEnvironments * everyPair, owner: "GraphBuilder")
        broadPhase = configuration.allPairs ? nil : SphereBroadPhase(maxSpheres: n, initialPairCapacity: Self.initialEdgesPerObject * n / 2)
        objectRows = .allocate(capacity: max(maxEnvironments * n, 1))
        objectHeading = .allocate(capacity: max(maxEnvironments * n, 1))
        nodeHeading = .allocate(capacity: max(maxNodes, 1))
        func template(_ kind: ShapeKind, _ half: [Float]) -> wm_shape {
            var s = wm_shape()
            s.kind = kind.rawValue
            s.half_extents = (half[0], half[1], half[2])
            s.quat = (1, 0, 0, 0)
            return s
        }
        objectShapes = .allocate(capacity: max(n, 1) * self.maxThreads)
        for t in 0..<self.maxThreads {
            for (i, object) in objects.enumerated() { objectShapes[t * n + i] = template(object.shape, object.halfExtentsMeters) }
        }
        robotTemplate = template(robot.shape, robot.halfExtentsMeters)
    }

    deinit {
        objectRows.deallocate(); objectHeading.deallocate(); nodeHeading.deallocate()
        objectShapes.deallocate()
    }

    /// The node and edge rows the buffers hold now (for sizing network workspaces): nodes for `maxEnvironments`;
    /// edges for every pair with `allPairs`, else as many as the largest batch built so far needed (or the
    /// initial capacity).
    public var maxNodes: Int { nodeFeatures.rows }
    public var maxEdges: Int { edgeFeatures.rows }

    /// Bytes of the graph buffers: features, indices, per-node and per-row values, the broad phase's.
    public var byteCount: Int {
        let f = MemoryLayout<Float>.stride, i = MemoryLayout<Int32>.stride
        return nodeFeatures.count * f + edgeRows.byteCount + objectRows.count * i
            + (objectHeading.count + nodeHeading.count) * f + objectShapes.count * MemoryLayout<wm_shape>.stride + (broadPhase?.byteCount ?? 0)
    }

    public var nodeView: MatrixView { nodeFeatures.view.rows(0..<nodeCount) }
    public var edgeView: MatrixView { edgeFeatures.view.rows(0..<edgeCount) }
    public var senderIndices: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(rebasing: senders[0..<edgeCount]) }
    public var receiverIndices: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(rebasing: receivers[0..<edgeCount]) }
    public var objectRowIndices: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(rebasing: objectRows[0..<objectRowCount]) }
    /// The heading (rad) of object row `k`'s output frame.
    public func heading(ofObjectRow k: Int) -> Float { objectHeading[k] }

    /// Edges of one environment when every pair is connected: object pairs both ways, robot to every object.
    private var edgesPerEnvironment: Int { objects.count * max(objects.count - 1, 0) + objects.count }

    /// Builds the graph of `states`; `robotNext[k]` is where environment k's robot will be after the step.
    public func build(states: UnsafeBufferPointer<DynamicsState>, robotNext: UnsafeBufferPointer<SIMD3<Float>>, dtSeconds dt: Float) {
        precondition(states.count <= maxEnvironments, "GraphBuilder: \(states.count) environments, built for \(maxEnvironments)")
        var edges = 0
        for env in 0..<states.count {
            edges += buildEnvironment(env, state: states[env], robotNext: robotNext[env], dtSeconds: dt, edgeStart: edges, shapes: objectShapes.baseAddress!)
        }
        setCounts(environments: states.count, edges: edges)
    }

    /// `build`, split over the environments by `team` when every pair is connected (else on the caller alone).
    public func build(states: UnsafeBufferPointer<DynamicsState>, robotNext: UnsafeBufferPointer<SIMD3<Float>>, dtSeconds dt: Float, team: ThreadTeam) {
        guard configuration.allPairs, team.size > 1, states.count > 1 else { return build(states: states, robotNext: robotNext, dtSeconds: dt) }
        precondition(states.count <= maxEnvironments, "GraphBuilder: \(states.count) environments, built for \(maxEnvironments)")
        precondition(team.size <= maxThreads, "GraphBuilder: a team of \(team.size) threads, built for \(maxThreads)")
        bound = (states, robotNext, dt, team)
        team.run(self)
        bound = nil
        setCounts(environments: states.count, edges: states.count * edgesPerEnvironment)
    }

    /// Thread `t`'s environments of the bound parallel `build`. Called by the team inside `build`; not for direct use.
    public func run(thread t: Int) {
        let b = bound!, perEnvironment = edgesPerEnvironment
        let shapes = objectShapes.baseAddress! + t * objects.count
        for env in b.team.share(of: b.states.count, thread: t) {
            let written = buildEnvironment(env, state: b.states[env], robotNext: b.robotNext[env], dtSeconds: b.dt, edgeStart: env * perEnvironment, shapes: shapes)
            precondition(written == perEnvironment, "GraphBuilder: an all-pairs environment wrote \(written) edges, not \(perEnvironment)")
        }
    }

    private func setCounts(environments: Int, edges: Int) {
        nodeCount = environments * (objects.count + 1)
        objectRowCount = environments * objects.count
        edgeCount = edges
    }

    /// Writes environment `env`'s nodes (rows env * (n + 1) ...), object rows, and its edges from row `edgeStart`,
    /// placing shapes in `shapes` (n of them, the calling thread's); returns the number of edges written.
    private func buildEnvironment(_ env: Int, state: DynamicsState, robotNext: SIMD3<Float>, dtSeconds dt: Float, edgeStart: Int,
                                  shapes objectShapes: UnsafeMutablePointer<wm_shape>) -> Int {
        let n = objects.count, h = configuration.historyLength
        precondition(state.objectCount == n && state.historyLength == h, "GraphBuilder: state has \(state.objectCount) objects, model scene has \(n)")
        let useHeading = configuration.frame == .receiver
        let base = env * (n + 1)
        let robotNode = base + n
        let robotDriving = (robotNext - state.robotPosition) / dt
        var edge = edgeStart
        // Object nodes.
        for i in 0..<n {
            let q = state.quaternion(i)
            let heading = useHeading ? RotationMath.yaw(q) : 0
            nodeHeading[base + i] = heading
            objectRows[env * n + i] = Int32(base + i)
            objectHeading[env * n + i] = heading
            let row = nodeFeatures.view.row(base + i)
            for j in 0..<h {
                let o = (i * h + j) * 3
                let v = RotationMath.rotateZ(SIMD3(state.linearVelocities[o], state.linearVelocities[o + 1], state.linearVelocities[o + 2]), by: -heading)
                let w = RotationMath.rotateZ(SIMD3(state.angularVelocities[o], state.angularVelocities[o + 1], state.angularVelocities[o + 2]), by: -heading)
                for k in 0..<3 { row[j * 3 + k] = v[k]; row[3 * h + j * 3 + k] = w[k] }
            }
            let up = RotationMath.rotateInverse(q, SIMD3(0, 0, 1))
            let p = state.position(i)
            writeStatic(row + 6 * h, shape: objects[i].shape, half: objects[i].halfExtentsMeters, mass: objects[i].massKg,
                        isRobot: false, driving: .zero, centreZ: p.z, up: up)
            objectShapes[i].pos = (p.x, p.y, p.z)
            objectShapes[i].quat = (q.x, q.y, q.z, q.w)
        }
        // The robot node (world heading).
        nodeHeading[robotNode] = 0
        let robotRow = nodeFeatures.view.row(robotNode)
        for j in 0..<h {
            for k in 0..<3 { robotRow[j * 3 + k] = state.robotVelocities[j * 3 + k]; robotRow[3 * h + j * 3 + k] = 0 }
        }
        let robotCentre = SIMD3(state.robotPosition.x, state.robotPosition.y, robot.shapeCentreHeightMeters)
        writeStatic(robotRow + 6 * h, shape: robot.shape, half: robot.halfExtentsMeters, mass: 0, isRobot: true,
                    driving: robotDriving, centreZ: robotCentre.z, up: SIMD3(0, 0, 1))
        var robotShape = robotTemplate
        robotShape.pos = (robotCentre.x, robotCentre.y, robotCentre.z)

        // Edges: object pairs in loop order (i < j), then the robot's.
        let radius = configuration.connectivityRadiusMeters
        if let broadPhase {
            for i in 0..<n { broadPhase.setSphere(i, centre: objectShapes[i].pos, radius: objects[i].boundingRadiusMeters) }
            let candidates = broadPhase.find(count: n, cutoffMeters: radius)
            edgeRows.reserve(edge + 2 * candidates + n, keeping: edge)
            for k in 0..<candidates {
                let (i, j) = broadPhase.pair(k)
                connect(i, j, base: base, state: state, shapes: objectShapes, edge: &edge)
            }
        } else {
            for i in 0..<n {
                for j in (i + 1)..<max(i + 1, n) where j < n { connect(i, j, base: base, state: state, shapes: objectShapes, edge: &edge) }
            }
        }
        for i in 0..<n {
            let gap = ShapeDistance.centreGap(robotShape, objectShapes[i], robot.halfExtentsMeters[0] + robot.halfExtentsMeters[1], objects[i].boundingRadiusMeters)
            if !configuration.allPairs && gap > configuration.robotRadiusMeters { continue }
            let (d, ca, cb) = ShapeDistance.closest(robotShape, objectShapes[i])
            if !configuration.allPairs && d > configuration.robotRadiusMeters { continue }
            writeEdge(edge, sender: robotNode, receiver: base + i, state: state, senderObject: -1, receiverObject: i, distance: d,
                      senderPoint: ca, receiverPoint: cb, driving: robotDriving)
            edge += 1
        }
        return edge - edgeStart
    }

    /// Tests objects `i` < `j` of the environment whose nodes start at `base` (shapes placed in `shapes`) and, when
    /// connected, writes their two edges at rows `edge` and `edge + 1` and advances `edge`.
    @inline(__always)
    private func connect(_ i: Int, _ j: Int, base: Int, state: DynamicsState, shapes objectShapes: UnsafeMutablePointer<wm_shape>, edge: inout Int) {
        let radius = configuration.connectivityRadiusMeters
        let gap = ShapeDistance.centreGap(objectShapes[i], objectShapes[j], objects[i].boundingRadiusMeters, objects[j].boundingRadiusMeters)
        if !configuration.allPairs && gap > radius { return }
        let (d, ca, cb) = ShapeDistance.closest(objectShapes[i], objectShapes[j])
        if !configuration.allPairs && d > radius { return }
        writeEdge(edge, sender: base + j, receiver: base + i, state: state, senderObject: j, receiverObject: i,
                  distance: d, senderPoint: cb, receiverPoint: ca, driving: state.linearVelocity(j))
        writeEdge(edge + 1, sender: base + i, receiver: base + j, state: state, senderObject: i, receiverObject: j,
                  distance: d, senderPoint: ca, receiverPoint: cb, driving: state.linearVelocity(i))
        edge += 2
    }

    private func writeStatic(_ row: UnsafeMutablePointer<Float>, shape: ShapeKind, half: [Float], mass: Float, isRobot: Bool,
                             driving: SIMD3<Float>, centreZ: Float, up: SIMD3<Float>) {
        for k in 0..<4 { row[k] = k == Int(shape.rawValue) ? 1 : 0 }
        for k in 0..<3 { row[4 + k] = half[k] }
        row[7] = mass
        row[8] = isRobot ? 1 : 0
        for k in 0..<3 { row[9 + k] = driving[k] }
        let table = configuration.tableHeightMeters
        row[12] = centreZ - table
        row[13] = centreZ - shape.reachBelowCentre(halfExtents: half, up: up) - table
        for k in 0..<3 { row[14 + k] = up[k] }
    }

    private func writeEdge(_ e: Int, sender: Int, receiver: Int, state: DynamicsState, senderObject: Int, receiverObject: Int, distance: Float,
                           senderPoint: SIMD3<Float>, receiverPoint: SIMD3<Float>, driving: SIMD3<Float>) {
        senders[e] = Int32(sender)
        receivers[e] = Int32(receiver)
        let heading = -nodeHeading[receiver]
        let pr = state.position(receiverObject)
        let ps = senderObject >= 0 ? state.position(senderObject)
            : SIMD3(state.robotPosition.x, state.robotPosition.y, robot.shapeCentreHeightMeters)
        let row = edgeFeatures.view.row(e)
        let d = RotationMath.rotateZ(ps - pr, by: heading)
        row[0] = d.x; row[1] = d.y; row[2] = d.z
        row[3] = ((ps - pr) * (ps - pr)).sum().squareRoot()
        row[4] = distance
        let c = RotationMath.rotateZ(senderPoint - receiverPoint, by: heading)
        row[5] = c.x; row[6] = c.y; row[7] = c.z
        let lever = RotationMath.rotateZ(receiverPoint - pr, by: heading)
        row[8] = lever.x; row[9] = lever.y; row[10] = lever.z
        let rv = RotationMath.rotateZ(driving - state.linearVelocity(receiverObject), by: heading)
        row[11] = rv.x; row[12] = rv.y; row[13] = rv.z
    }
}
