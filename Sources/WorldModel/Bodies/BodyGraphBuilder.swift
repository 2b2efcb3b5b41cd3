import CGeometry
#if canImport(Glibc)
import Glibc
#endif

/// Feature layouts of the body graph (H = history length). Vectors in the world frame; DOF velocities as
/// ``BodyGraphBuilder/prepare(_:)`` gives them (free and ball rotations in the world frame).
public enum BodyGraphFeatures {
    /// Features per DOF slot: the DOF's velocity history (H, oldest first; m/s or rad/s), its position (2: a hinge's
    /// sin and cos of qpos - ref, a slide's qpos - ref and 0, zeros for free and ball joints), the distances to its
    /// lower and upper limit (2, clipped to 0.5; 0.5 when unlimited), the actuators' drive on it (Σ moment · ctrl),
    /// and a used flag.
    public static func slotWidth(historyLength h: Int) -> Int { h + 6 }

    /// Node layout: [0, 6H) the body's linear and angular velocity per history step (3 + 3, world; oldest first);
    /// then 6 DOF slots (`slotWidth` each; unused slots zero); then mass (kg), principal inertia (3), world up in
    /// the body frame (3), height of the body origin (m, world z), and a world-node flag. The world node has only
    /// the flag set.
    public static func nodeWidth(historyLength h: Int) -> Int { 6 * h + 6 * slotWidth(historyLength: h) + 9 }

    /// Edge layout (sender s -> receiver r): type one-hot (joint, contact, static contact); p_s - p_r (3, body
    /// origins; for the world node the closest point of the static geom); |p_s - p_r|; surface distance (m, 0 for
    /// joint edges); closest point on s minus closest point on r (3); closest point on r minus p_r (3; joint edges:
    /// the child's origin); linear and angular velocity of s minus those of r (3 + 3, newest step).
    public static let edgeWidth = 20
}

/// Builds the body graphs of a batch of environments for one step: node and edge features (raw, un-normalised),
/// senders, receivers and the decoded rows, into buffers preallocated for `maxEnvironments`. Forward kinematics
/// and the joint-space finite differences run in the shim; surface distances come from `wm_shape_distance`, for
/// the pairs of moving geoms a broad phase over bounding spheres (``SphereBroadPhase``, linear in the geoms)
/// finds, in the order of a loop over every pair, so the edges are the same as that loop's. The edge buffers
/// start with the joint and static-contact edges and ``initialContactEdgesPerGeom`` contact edges per moving
/// geom, and grow geometrically when a build finds more contacts (``maxEdges`` says how many they hold now; a
/// runner sizes its network workspace from it); building allocates nothing once they hold what the scenes need.
/// Not thread-safe.
public final class BodyGraphBuilder {
    public let layout: BodyGraphLayout
    public let historyLength: Int
    public let contactRadius: Float
    /// Static-contact edges join a static and a moving geom closer than this (m).
    public let staticContactRadius: Float
    /// Whether static-contact edges also run from the moving body to the world node.
    public let staticContactsToWorld: Bool
    public let dtSeconds: Float
    public let maxEnvironments: Int
    public let nodeFeatures: Matrix
    public var edgeFeatures: Matrix { edgeRows.features }
    private let edgeRows: GraphEdgeBuffers
    public private(set) var nodeCount = 0
    public private(set) var edgeCount = 0
    public private(set) var decodedRowCount = 0
    var senders: UnsafeMutableBufferPointer<Int32> { edgeRows.senders }
    var receivers: UnsafeMutableBufferPointer<Int32> { edgeRows.receivers }
    let decodedRows: UnsafeMutableBufferPointer<Int32>
    private let kinematics: ForwardKinematics
    private let joints: JointSpaceIntegrator
    /// Per environment being built: (H + 1) x nbody poses, H x nv velocities, body velocities, placed moving geoms.
    private let positions: UnsafeMutableBufferPointer<Float>
    private let quaternions: UnsafeMutableBufferPointer<Float>
    private let velocities: UnsafeMutableBufferPointer<Float>
    private let bodyLinear: UnsafeMutableBufferPointer<SIMD3<Float>>
    private let bodyAngular: UnsafeMutableBufferPointer<SIMD3<Float>>
    private let shapes: UnsafeMutableBufferPointer<wm_shape>
    /// Per environment prepared (`prepare(_:environment:)`): its newest model-frame velocity (nv) and the newest
    /// orientation of each angular group's body, what a step needs after the network ran.
    private let newestVelocities: UnsafeMutableBufferPointer<Float>
    private let newestGroupRotations: UnsafeMutableBufferPointer<SIMD4<Float>>
    /// The pairs of moving geoms worth an exact distance test.
    private let broadPhase: SphereBroadPhase
    /// Contact edges (both directions of a pair counted) per moving geom and environment the edge buffers start with.
    public static let initialContactEdgesPerGeom = 4

    /// `staticContactsToWorld`: each static-contact edge also runs the other way, from the moving body to the world
    /// node (``BodyDynamicsConfiguration/staticContactEdgesToWorld``).
    public init(layout: BodyGraphLayout, historyLength: Int, contactRadiusMeters: Float, staticContactRadiusMeters: Float? = nil,
                staticContactsToWorld: Bool = false, dtSeconds: Float, maxEnvironments: Int) {
        self.layout = layout
        self.historyLength = historyLength
        contactRadius = contactRadiusMeters
        staticContactRadius = staticContactRadiusMeters ?? contactRadiusMeters
        self.staticContactsToWorld = staticContactsToWorld
        self.dtSeconds = dtSeconds
        self.maxEnvironments = maxEnvironments
        let v = layout.nodesPerEnvironment, geoms = layout.movingGeoms.count
        let contacts = min(2 * layout.movingPairCount, Self.initialContactEdgesPerGeom * geoms)
        let e = max(1, layout.jointEdges.count + layout.staticEdgesPerEnvironment(staticContactsToWorld: staticContactsToWorld) + contacts)
        nodeFeatures = Matrix(rows: maxEnvironments * v, cols: BodyGraphFeatures.nodeWidth(historyLength: historyLength))
        edgeRows = GraphEdgeBuffers(rows: maxEnvironments * e, width: BodyGraphFeatures.edgeWidth,
                                    limit: maxEnvironments * layout.maxEdgesPerEnvironment(staticContactsToWorld: staticContactsToWorld),
                                    owner: "BodyGraphBuilder")
        broadPhase = SphereBroadPhase(maxSpheres: geoms, initialPairCapacity: contacts)
        decodedRows = .allocate(capacity: max(1, maxEnvironments * layout.decodedNodes.count))
        let tree = layout.scene.tree, nbody = tree.bodies.count
        kinematics = ForwardKinematics(tree: tree)
        joints = JointSpaceIntegrator(tree: tree)
        positions = .allocate(capacity: (historyLength + 1) * nbody * 3)
        quaternions = .allocate(capacity: (historyLength + 1) * nbody * 4)
        velocities = .allocate(capacity: max(1, historyLength * tree.nv))
        bodyLinear = .allocate(capacity: historyLength * nbody)
        bodyAngular = .allocate(capacity: historyLength * nbody)
        shapes = .allocate(capacity: max(1, layout.movingGeoms.count))
        newestVelocities = .allocate(capacity: max(1, maxEnvironments * tree.nv))
        newestGroupRotations = .allocate(capacity: max(1, maxEnvironments * layout.angularGroups.count))
        for (i, g) in layout.movingGeoms.enumerated() { shapes[i] = BodyGraphLayout.template(layout.scene.geoms[g.geom]) }
    }

    deinit {
        decodedRows.deallocate()
        positions.deallocate(); quaternions.deallocate(); velocities.deallocate()
        bodyLinear.deallocate(); bodyAngular.deallocate(); shapes.deallocate()
        newestVelocities.deallocate(); newestGroupRotations.deallocate()
    }

    /// The node and edge rows the buffers hold now (for sizing network workspaces): nodes for `maxEnvironments`,
    /// edges as many as the largest batch built so far needed (or the initial capacity).
    public var maxNodes: Int { nodeFeatures.rows }
    public var maxEdges: Int { edgeFeatures.rows }
    public var nodeView: MatrixView { nodeFeatures.view.rows(0..<nodeCount) }
    public var edgeView: MatrixView { edgeFeatures.view.rows(0..<edgeCount) }
    public var senderIndices: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(rebasing: senders[0..<edgeCount]) }
    public var receiverIndices: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(rebasing: receivers[0..<edgeCount]) }
    public var decodedRowIndices: UnsafeBufferPointer<Int32> { UnsafeBufferPointer(rebasing: decodedRows[0..<decodedRowCount]) }

    /// Builds the graphs of `states` with actions `ctrl` (states.count x nu).
    public func build(states: UnsafeBufferPointer<BodyState>, ctrl: UnsafeBufferPointer<Float>) {
        precondition(states.count <= maxEnvironments, "BodyGraphBuilder: \(states.count) environments, built for \(maxEnvironments)")
        let nu = layout.scene.nu
        precondition(ctrl.count == states.count * nu, "BodyGraphBuilder: \(ctrl.count) ctrl values for \(states.count) environments of nu = \(nu)")
        var edges = 0
        for env in 0..<states.count {
            edges += buildEnvironment(env, state: states[env], ctrl: UnsafeBufferPointer(rebasing: ctrl[(env * nu)..<((env + 1) * nu)]), edgeStart: edges)
        }
        nodeCount = states.count * layout.nodesPerEnvironment
        decodedRowCount = states.count * layout.decodedNodes.count
        edgeCount = edges
    }

    /// Prepares `state`: forward kinematics of its H + 1 configurations, and the **model's velocities** (H x nv,
    /// oldest first, into this builder's buffer, returned): joint-space finite differences (MuJoCo's qvel
    /// convention) with every free or ball joint's angular velocity turned from its body frame into the world
    /// frame, where contacts and gravity act. The model reads and predicts those DOFs in the world frame.
    /// Keeps what a step needs as environment `env`'s (`newestVelocity(environment:)`, `toJointFrames`): `build`
    /// prepares every environment, so a step after it prepares nothing again.
    @discardableResult
    public func prepare(_ state: BodyState, environment env: Int = 0) -> UnsafeBufferPointer<Float> {
        let h = historyLength, nv = layout.scene.nv, nbody = layout.scene.tree.bodies.count, groups = layout.angularGroups
        precondition(state.historyLength == h && state.nq == layout.scene.nq, "BodyGraphBuilder: state of another scene or history")
        precondition(env < maxEnvironments, "BodyGraphBuilder: environment \(env), built for \(maxEnvironments)")
        state.qposHistory.withUnsafeBufferPointer { q in
            kinematics(qpos: q, bodyPositions: positions, bodyQuaternions: quaternions)
        }
        let v = differentiate(state)
        for j in 0..<h {
            for g in layout.angularGroups {
                RotationMath.rotate(bodyQuaternion(frame: j, body: g.body, nbody: nbody), inPlace: velocities.baseAddress! + j * nv + g.dof)
            }
        }
        for d in 0..<nv { newestVelocities[env * nv + d] = v[(h - 1) * nv + d] }
        for (i, g) in groups.enumerated() { newestGroupRotations[env * groups.count + i] = bodyQuaternion(frame: h, body: g.body, nbody: nbody) }
        return v
    }

    /// The newest model-frame velocity (nv) of environment `env` as last prepared.
    public func newestVelocity(environment env: Int) -> UnsafeBufferPointer<Float> {
        let nv = layout.scene.nv
        return UnsafeBufferPointer(rebasing: newestVelocities[(env * nv)..<((env + 1) * nv)])
    }

    /// Turns a model-frame velocity or acceleration (nv) at the newest configuration of environment `env` (as
    /// last prepared) into MuJoCo's joint frames, in place.
    public func toJointFrames(_ v: UnsafeMutablePointer<Float>, environment env: Int = 0) {
        let groups = layout.angularGroups
        for (i, g) in groups.enumerated() { RotationMath.rotate(RotationMath.conjugate(newestGroupRotations[env * groups.count + i]), inPlace: v + g.dof) }
    }

    /// The inverse of `toJointFrames`: MuJoCo's joint frames at the newest configuration into the model's.
    public func toModelFrames(_ v: UnsafeMutablePointer<Float>, environment env: Int = 0) {
        let groups = layout.angularGroups
        for (i, g) in groups.enumerated() { RotationMath.rotate(newestGroupRotations[env * groups.count + i], inPlace: v + g.dof) }
    }

    @inline(__always) private func bodyQuaternion(frame j: Int, body b: Int, nbody: Int) -> SIMD4<Float> {
        let o = (j * nbody + b) * 4
        return SIMD4(quaternions[o], quaternions[o + 1], quaternions[o + 2], quaternions[o + 3])
    }

    /// The joint-space velocities (H x nv, oldest first) of `state` in MuJoCo's qvel convention, into this
    /// builder's buffer; returns it.
    @discardableResult
    public func differentiate(_ state: BodyState) -> UnsafeBufferPointer<Float> {
        let h = historyLength, nq = layout.scene.nq, nv = layout.scene.nv
        state.qposHistory.withUnsafeBufferPointer { q in
            joints.differentiate(from: UnsafeBufferPointer(rebasing: q[0..<(h * nq)]), to: UnsafeBufferPointer(rebasing: q[nq..<((h + 1) * nq)]),
                                 dtSeconds: Double(dtSeconds), into: UnsafeMutableBufferPointer(rebasing: velocities[0..<(h * nv)]))
        }
        return UnsafeBufferPointer(rebasing: velocities[0..<(h * nv)])
    }

    private func buildEnvironment(_ env: Int, state: BodyState, ctrl: UnsafeBufferPointer<Float>, edgeStart: Int) -> Int {
        let scene = layout.scene, tree = scene.tree, h = historyLength, nv = scene.nv, nbody = tree.bodies.count
        precondition(state.historyLength == h && state.nq == scene.nq, "BodyGraphBuilder: state of another scene or history")
        let dt = dtSeconds
        prepare(state, environment: env)
        func p(_ j: Int, _ b: Int) -> SIMD3<Float> { let o = (j * nbody + b) * 3; return SIMD3(positions[o], positions[o + 1], positions[o + 2]) }
        func r(_ j: Int, _ b: Int) -> SIMD4<Float> {
            let o = (j * nbody + b) * 4; return SIMD4(quaternions[o], quaternions[o + 1], quaternions[o + 2], quaternions[o + 3])
        }
        for j in 0..<h {
            for b in 0..<nbody {
                bodyLinear[j * nbody + b] = (p(j + 1, b) - p(j, b)) / dt
                bodyAngular[j * nbody + b] = FiniteDifference.angularVelocity(from: r(j, b), to: r(j + 1, b), dtSeconds: dt)
            }
        }
        let v = layout.nodesPerEnvironment, base = env * v, slot = BodyGraphFeatures.slotWidth(historyLength: h)
        let qpos = state.qposHistory, current = h * scene.nq
        for (n, b) in layout.nodeBodies.enumerated() {
            let row = nodeFeatures.view.row(base + n)
            for j in 0..<h {
                let lin = bodyLinear[j * nbody + b], ang = bodyAngular[j * nbody + b]
                for k in 0..<3 { row[6 * j + k] = lin[k]; row[6 * j + 3 + k] = ang[k] }
            }
            let slots = row + 6 * h
            for k in 0..<(6 * slot) { slots[k] = 0 }
            for (s, d) in layout.nodeDofs[n].enumerated() {
                let out = slots + s * slot
                for j in 0..<h { out[j] = velocities[j * nv + d] }
                let joint = tree.joints[layout.dofJoint[d]]
                var lower: Float = 0.5, upper: Float = 0.5
                if joint.kind == .hinge || joint.kind == .slide {
                    let x = qpos[current + joint.qposAddress]
                    let displaced = x - joint.referenceQpos[0]
                    if joint.kind == .hinge { out[h] = sin(displaced); out[h + 1] = cos(displaced) } else { out[h] = displaced }
                    if joint.limited { lower = min(0.5, x - joint.range.x); upper = min(0.5, joint.range.y - x) }
                }
                out[h + 2] = lower
                out[h + 3] = upper
                var drive: Float = 0
                for a in 0..<scene.nu { drive += scene.actuatorMoment[a * nv + d] * ctrl[a] }
                out[h + 4] = drive
                out[h + 5] = 1
            }
            let tail = slots + 6 * slot, body = scene.bodies[b]
            tail[0] = body.massKg
            for k in 0..<3 { tail[1 + k] = k < body.inertia.count ? body.inertia[k] : 0 }
            let up = RotationMath.rotateInverse(r(h, b), SIMD3(0, 0, 1))
            for k in 0..<3 { tail[4 + k] = up[k] }
            tail[7] = p(h, b).z
            tail[8] = 0
        }
        let worldRow = nodeFeatures.view.row(base + layout.worldNode)
        for k in 0..<nodeFeatures.cols { worldRow[k] = 0 }
        worldRow[nodeFeatures.cols - 1] = 1
        for (i, n) in layout.decodedNodes.enumerated() { decodedRows[env * layout.decodedNodes.count + i] = Int32(base + n) }

        // Place the moving geoms at the current configuration and find the pairs that may be in contact, then make
        // room for every edge this environment can have.
        for (i, g) in layout.movingGeoms.enumerated() {
            let b = layout.nodeBodies[g.node]
            BodyGraphLayout.place(&shapes[i], geom: scene.geoms[g.geom], bodyPosition: p(h, b), bodyQuaternion: r(h, b))
            broadPhase.setSphere(i, centre: shapes[i].pos, radius: layout.movingGeomRadius[i])
        }
        let radius = contactRadius
        let candidates = broadPhase.find(count: layout.movingGeoms.count, cutoffMeters: radius)
        let contacts = 2 * min(candidates, layout.movingPairCount)  // candidates include pairs `mayTouch` refuses
        edgeRows.reserve(edgeStart + layout.jointEdges.count + contacts + layout.staticEdgesPerEnvironment(staticContactsToWorld: staticContactsToWorld),
                         keeping: edgeStart)

        // Edges.
        var e = edgeStart
        func body(ofNode n: Int) -> Int { n == layout.worldNode ? 0 : layout.nodeBodies[n] }  // the world node: body 0
        func write(sender s: Int, receiver rc: Int, type: Int, ps: SIMD3<Float>, distance: Float, cs: SIMD3<Float>, cr: SIMD3<Float>,
                   vs: SIMD3<Float>, ws: SIMD3<Float>) {
            let rb = body(ofNode: rc), pr = p(h, rb)
            senders[e] = Int32(base + s)
            receivers[e] = Int32(base + rc)
            let row = edgeFeatures.view.row(e)
            row[0] = type == 0 ? 1 : 0; row[1] = type == 1 ? 1 : 0; row[2] = type == 2 ? 1 : 0
            let d = ps - pr
            for k in 0..<3 { row[3 + k] = d[k] }
            row[6] = (d * d).sum().squareRoot()
            row[7] = distance
            let c = cs - cr, lever = cr - pr
            let dv = vs - bodyLinear[(h - 1) * nbody + rb], dw = ws - bodyAngular[(h - 1) * nbody + rb]
            for k in 0..<3 { row[8 + k] = c[k]; row[11 + k] = lever[k]; row[14 + k] = dv[k]; row[17 + k] = dw[k] }
            e += 1
        }
        let world = layout.worldNode
        for edge in layout.jointEdges {
            let childBody = body(ofNode: edge.child), anchor = p(h, childBody)
            if edge.sender == world {
                write(sender: world, receiver: edge.receiver, type: 0, ps: p(h, tree.bodies[childBody].parent),
                      distance: 0, cs: anchor, cr: anchor, vs: .zero, ws: .zero)
            } else {
                let sb = body(ofNode: edge.sender)
                write(sender: edge.sender, receiver: edge.receiver, type: 0, ps: p(h, sb), distance: 0, cs: anchor, cr: anchor,
                      vs: bodyLinear[(h - 1) * nbody + sb], ws: bodyAngular[(h - 1) * nbody + sb])
            }
        }
        for k in 0..<candidates {
            let (a, b) = broadPhase.pair(k)
            guard layout.mayTouch(a, b) else { continue }
            let sa = shapes[a], sb = shapes[b]
            let gap = ShapeDistance.centreGap(sa, sb, layout.movingGeomRadius[a], layout.movingGeomRadius[b])
            if gap > radius { continue }
            let (d, ca, cb) = ShapeDistance.closest(sa, sb)
            if d > radius { continue }
            let na = layout.movingGeoms[a].node, nb = layout.movingGeoms[b].node
            let ba = body(ofNode: na), bb = body(ofNode: nb)
            let va = bodyLinear[(h - 1) * nbody + ba], wa = bodyAngular[(h - 1) * nbody + ba]
            let vb = bodyLinear[(h - 1) * nbody + bb], wb = bodyAngular[(h - 1) * nbody + bb]
            write(sender: nb, receiver: na, type: 1, ps: p(h, bb), distance: d, cs: cb, cr: ca, vs: vb, ws: wb)
            write(sender: na, receiver: nb, type: 1, ps: p(h, ba), distance: d, cs: ca, cr: cb, vs: va, ws: wa)
        }
        for (s, staticShape) in layout.staticShapes.enumerated() {
            for (g, moving) in layout.movingGeoms.enumerated() {
                if layout.staticRadius[s].isFinite {
                    let gap = ShapeDistance.centreGap(staticShape, shapes[g], layout.staticRadius[s], layout.movingGeomRadius[g])
                    if gap > staticContactRadius { continue }
                }
                let (d, cs, cm) = ShapeDistance.closest(staticShape, shapes[g])
                if d > staticContactRadius { continue }
                write(sender: world, receiver: moving.node, type: 2, ps: cs, distance: d, cs: cs, cr: cm, vs: .zero, ws: .zero)
                if staticContactsToWorld {
                    let mb = body(ofNode: moving.node)
                    write(sender: moving.node, receiver: world, type: 2, ps: p(h, mb), distance: d, cs: cm, cr: cs,
                          vs: bodyLinear[(h - 1) * nbody + mb], ws: bodyAngular[(h - 1) * nbody + mb])
                }
            }
        }
        return e - edgeStart
    }
}
