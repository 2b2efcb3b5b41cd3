import CGeometry

/// The fixed structure of a scene's body graph, derived once from its ``SceneModel``: which bodies are nodes,
/// which degrees of freedom each node decodes, the joint edges of the kinematic tree, and the geom pairs that
/// can touch. No MuJoCo needed.
///
/// Layout per environment (V = `nodesPerEnvironment`):
///
/// | rows | what |
/// | --- | --- |
/// | nodes 0 ..< V - 1 | the moving bodies (`body_weldid != 0`), in MuJoCo order (`nodeBodies`) |
/// | node V - 1 | the world: every static body and geom (floor planes, walls, static obstacles) |
///
/// Each moving body with degrees of freedom decodes its DOFs (its joints' `qvel` entries, in order, at most 6) from
/// its node; a body without joints (welded to a moving parent) is a node that decodes nothing. Edges:
/// - **joint** edges both ways between a body and its moving parent; a jointed body whose parent is static gets
///   one from the world node;
/// - **contact** edges both ways between geoms of different moving nodes whose surfaces are closer than the
///   contact radius (MuJoCo's parent-child filter applies: a body never touches its parent);
/// - **static contact** edges from the world node to a moving node, one per (static geom, moving geom) pair closer
///   than the radius.
///
/// Ellipsoids are approximated by their bounding spheres (the geometry shim has no ellipsoid).
public struct BodyGraphLayout: Sendable {
    public let scene: SceneModel
    /// Body index (into `scene.tree.bodies`) of each moving node.
    public let nodeBodies: [Int]
    /// Per body: its node, or the world node for a static body.
    public let nodeOfBody: [Int]
    /// Per node: the DOF indices (into qvel) it decodes, at most 6.
    public let nodeDofs: [[Int]]
    /// Per DOF: its joint kind's class (``BodyGraphLayout/DofClass``).
    public let dofClass: [DofClass]
    /// Per DOF: the index of the normalisation statistics its acceleration shares with DOFs of the same class on
    /// the same side (the robot's: `dofClass`; a passive body's: `dofClass + 5`), so the robot's large
    /// accelerations do not drown the objects' small ones, and a scene with more objects reuses the statistics.
    public let targetClass: [Int]
    /// Statistics groups of `targetClass`.
    public static let targetClassCount = 2 * DofClass.allCases.count
    /// Per DOF: its joint.
    public let dofJoint: [Int]
    /// The 3-DOF angular groups (a free joint's rotation, a ball): their first DOF and body. MuJoCo's qvel holds
    /// them in the body frame; the model reads and predicts them in the world frame (``BodyGraphBuilder/prepare(_:)``).
    public let angularGroups: [(dof: Int, body: Int)]
    /// Nodes that decode DOFs, in node order: the decoder's rows within an environment.
    public let decodedNodes: [Int]
    /// Joint edges (sender, receiver, and which of the two is the child), both directions where the parent moves.
    public let jointEdges: [(sender: Int, receiver: Int, child: Int)]
    /// Colliding geoms of moving bodies: (node, geom index).
    public let movingGeoms: [(node: Int, geom: Int)]
    /// Colliding geoms of static bodies, placed in the world once.
    public let staticShapes: [wm_shape]
    /// Per node: the node of its body's parent (the world node when the parent is static), for `mayTouch`.
    private let parentNode: [Int]
    /// How many pairs of moving geoms `mayTouch` allows (the bound of the contact edges).
    public let movingPairCount: Int
    /// A bounding radius (m) per moving geom (infinite for planes).
    public let movingGeomRadius: [Float]
    /// Per static shape: a bounding radius (infinite for planes).
    public let staticRadius: [Float]

    /// Target classes: accelerations of one class share normalisation statistics.
    public enum DofClass: Int, Sendable, CaseIterable {
        case slide = 0, hinge, freeLinear, freeAngular, ball
        public var isAngular: Bool { self == .hinge || self == .freeAngular || self == .ball }
    }

    public var nodesPerEnvironment: Int { nodeBodies.count + 1 }
    public var worldNode: Int { nodeBodies.count }
    /// The most edges one environment can have (every pair `mayTouch` allows in contact).
    public var maxEdgesPerEnvironment: Int { maxEdgesPerEnvironment(staticContactsToWorld: false) }
    /// The most edges one environment can have, with static-contact edges run both ways when `staticContactsToWorld`.
    public func maxEdgesPerEnvironment(staticContactsToWorld: Bool) -> Int {
        jointEdges.count + 2 * movingPairCount + staticEdgesPerEnvironment(staticContactsToWorld: staticContactsToWorld)
    }
    /// Static-contact edges one environment can have: one per static and moving geom, two with `staticContactsToWorld`.
    public func staticEdgesPerEnvironment(staticContactsToWorld: Bool) -> Int {
        (staticContactsToWorld ? 2 : 1) * staticShapes.count * movingGeoms.count
    }

    /// Whether moving geoms `a` and `b` (indices into `movingGeoms`) may touch: they are on different nodes, neither
    /// body the other's parent (MuJoCo's parent filter: a body does not collide with its parent, nor with bodies
    /// welded to it).
    @inline(__always)
    public func mayTouch(_ a: Int, _ b: Int) -> Bool {
        let na = movingGeoms[a].node, nb = movingGeoms[b].node
        return na != nb && parentNode[na] != nb && parentNode[nb] != na
    }

    /// The layout of `scene`; throws when a body has more than 6 degrees of freedom or there is nothing to move.
    public init(scene: SceneModel) throws {
        self.scene = scene
        let tree = scene.tree
        let moving = scene.movingBodyIndices.filter { $0 != 0 }
        guard !moving.isEmpty else { throw WorldModelError("scene '\(scene.name)' has no moving bodies") }
        nodeBodies = moving
        let world = moving.count
        var nodeOf = [Int](repeating: world, count: tree.bodies.count)
        for (n, b) in moving.enumerated() { nodeOf[b] = n }
        nodeOfBody = nodeOf
        var dofs: [[Int]] = [], classes = [DofClass](repeating: .hinge, count: scene.nv), dofJoint = [Int](repeating: 0, count: scene.nv)
        for b in moving {
            var list: [Int] = []
            for j in tree.bodies[b].jointIndices {
                let joint = tree.joints[j]
                for k in 0..<joint.kind.dofWidth {
                    let d = joint.dofAddress + k
                    list.append(d)
                    dofJoint[d] = j
                    switch joint.kind {
                    case .slide: classes[d] = .slide
                    case .hinge: classes[d] = .hinge
                    case .ball: classes[d] = .ball
                    case .free: classes[d] = k < 3 ? .freeLinear : .freeAngular
                    }
                }
            }
            guard list.count <= 6 else {
                throw WorldModelError("body '\(tree.bodies[b].name)' has \(list.count) degrees of freedom; wm's body graph decodes at most 6 per body")
            }
            dofs.append(list)
        }
        nodeDofs = dofs
        angularGroups = tree.joints.compactMap { j in
            switch j.kind {
            case .free: (j.dofAddress + 3, j.body)
            case .ball: (j.dofAddress, j.body)
            case .hinge, .slide: nil
            }
        }
        dofClass = classes
        let passive = Set(scene.passiveBodyIndices)
        targetClass = (0..<scene.nv).map { classes[$0].rawValue + (passive.contains(tree.joints[dofJoint[$0]].body) ? DofClass.allCases.count : 0) }
        self.dofJoint = dofJoint
        decodedNodes = (0..<moving.count).filter { !dofs[$0].isEmpty }
        var joints: [(Int, Int, Int)] = []
        for (n, b) in moving.enumerated() {
            let parent = nodeOf[tree.bodies[b].parent]
            joints.append((parent, n, n))
            if parent != world { joints.append((n, parent, n)) }
        }
        jointEdges = joints
        // Geoms: moving ones keep their body; static ones are placed once from the reference configuration.
        let reference = ForwardKinematics(tree: tree).bodyPoses(qpos: tree.referenceQpos)
        var movingGeoms: [(node: Int, geom: Int)] = [], movingRadius: [Float] = [], staticShapes: [wm_shape] = [], staticRadius: [Float] = []
        for (g, geom) in scene.geoms.enumerated() where geom.collides {
            if nodeOf[geom.body] != world {
                movingGeoms.append((nodeOf[geom.body], g))
                movingRadius.append(Self.boundingRadius(geom))
            } else {
                let p = SIMD3(reference.positions[3 * geom.body], reference.positions[3 * geom.body + 1], reference.positions[3 * geom.body + 2])
                let q = SIMD4(reference.quaternions[4 * geom.body], reference.quaternions[4 * geom.body + 1],
                              reference.quaternions[4 * geom.body + 2], reference.quaternions[4 * geom.body + 3])
                var shape = Self.template(geom)
                Self.place(&shape, geom: geom, bodyPosition: p, bodyQuaternion: q)
                staticShapes.append(shape)
                staticRadius.append(Self.boundingRadius(geom))
            }
        }
        self.movingGeoms = movingGeoms
        movingGeomRadius = movingRadius
        self.staticShapes = staticShapes
        self.staticRadius = staticRadius
        parentNode = moving.map { nodeOf[tree.bodies[$0].parent] }
        // Geoms per node, to count the pairs without visiting every one: all pairs on different nodes, less
        // those of a node and its moving parent.
        var geomsOfNode = [Int](repeating: 0, count: moving.count)
        for g in movingGeoms { geomsOfNode[g.node] += 1 }
        let total = movingGeoms.count
        var pairCount = total * (total - 1) / 2 - geomsOfNode.reduce(0) { $0 + $1 * ($1 - 1) / 2 }
        for (n, parent) in parentNode.enumerated() where parent != world { pairCount -= geomsOfNode[n] * geomsOfNode[parent] }
        movingPairCount = pairCount
    }

    /// A geom's shim shape at the origin (pose set by `place`).
    static func template(_ geom: SceneModel.Geom) -> wm_shape {
        var s = wm_shape()
        let size = geom.size + [0, 0, 0]
        switch geom.shape {
        case .sphere: s.kind = Int32(WM_SHAPE_SPHERE.rawValue); s.half_extents = (size[0], 0, 0)
        case .ellipsoid: s.kind = Int32(WM_SHAPE_SPHERE.rawValue); s.half_extents = (max(size[0], size[1], size[2]), 0, 0)
        case .capsule: s.kind = Int32(WM_SHAPE_CAPSULE.rawValue); s.half_extents = (size[0], size[1], 0)
        case .cylinder: s.kind = Int32(WM_SHAPE_CYLINDER.rawValue); s.half_extents = (size[0], size[1], 0)
        case .box: s.kind = Int32(WM_SHAPE_BOX.rawValue); s.half_extents = (size[0], size[1], size[2])
        case .plane: s.kind = Int32(WM_SHAPE_PLANE.rawValue); s.half_extents = (0, 0, 0)
        }
        s.quat = (1, 0, 0, 0)
        return s
    }

    /// Sets `shape`'s world pose: the geom's pose in its body composed with the body's world pose.
    @inline(__always)
    static func place(_ shape: inout wm_shape, geom: SceneModel.Geom, bodyPosition p: SIMD3<Float>, bodyQuaternion q: SIMD4<Float>) {
        let (c, r) = geom.worldPose(bodyPosition: p, bodyQuaternion: q)
        shape.pos = (c.x, c.y, c.z)
        shape.quat = (r.x, r.y, r.z, r.w)
    }

    static func boundingRadius(_ geom: SceneModel.Geom) -> Float {
        let s = geom.size + [0, 0, 0]
        switch geom.shape {
        case .sphere: return s[0]
        case .ellipsoid: return max(s[0], s[1], s[2])
        case .capsule: return s[0] + s[1]
        case .cylinder: return (s[0] * s[0] + s[1] * s[1]).squareRoot()
        case .box: return (s[0] * s[0] + s[1] * s[1] + s[2] * s[2]).squareRoot()
        case .plane: return .infinity
        }
    }
}
