import CGeometry

/// Hard non-penetration of the static world for rollouts, as ``JointLimits`` is for joint ranges: after a step,
/// any moving geom that sinks deeper than a tolerance into a static geom (floor, table, wall, static obstacle) is
/// moved back out along the contact normal, in joint space, so articulated bodies stay attached.
///
/// The network predicts the motion; this keeps the one thing a rigid scene states exactly. Without it a learned
/// model's small errors at a contact can add up over thousands of steps until a link or an object is through the
/// floor (stacker's fingertips went 15 cm deep in 10,000 steps, a manipulator ball left through a wall).
///
/// Method (position-based, one constraint at a time): forward kinematics of `qpos`; over every (static shape,
/// moving geom) pair whose bounding spheres overlap, the exact surface distance `d` and closest points from the
/// geometry shim (``ShapeDistance``); the deepest pair with `d < -tolerance` is corrected by moving its point on
/// the moving geom by `-d - tolerance` along the normal: `Δq = j (δ / |j|²)` with `j_k = n · ∂p/∂q_k` over the
/// joints from the body up to its root (a hinge's `axis × (p - anchor)`, a slide's axis, a free joint's three
/// translations; free and ball rotations are left alone), shortened by an Illinois regula falsi where a hinge's arc
/// would lift the point clear of the tolerance. Repeated with fresh kinematics, deepest pair first, until no pair is
/// deeper than the tolerance or `maxCorrections` were tried. The rollout's velocity is the finite difference of its
/// configurations, so a corrected step also loses the velocity into the surface (an inelastic contact).
///
/// Left as they are: a pair that no joint of its chain can move apart (a slide-only pusher pressed into a table);
/// cores that cross (closest points within 1 µm, no normal: a finger that passed through a capsule in one step);
/// and overlaps the shim reports only as 0 (box or cylinder cores inside a static box). Every pair with a static
/// plane is corrected.
///
/// Preallocated: `project` allocates nothing. Not thread-safe (one per runner).
public final class StaticContactProjection {
    public let layout: BodyGraphLayout
    /// Allowed depth (m): geoms may sink this far into a static geom before they are moved (MuJoCo's soft
    /// contacts sink a few mm too).
    public let toleranceMeters: Float
    /// Corrections per call at most.
    public let maxCorrections: Int
    private let fk: ForwardKinematics
    private let positions: UnsafeMutableBufferPointer<Float>, quaternions: UnsafeMutableBufferPointer<Float>
    private let anchors: UnsafeMutableBufferPointer<Float>, axes: UnsafeMutableBufferPointer<Float>
    /// nq each: a correction's configuration before it, and its linear step.
    private let start: UnsafeMutableBufferPointer<Float>, step: UnsafeMutableBufferPointer<Float>
    /// (moving geom, static shape) pairs of this call that no joint can move apart (`maxCorrections` at most).
    private let blocked: UnsafeMutableBufferPointer<Int>
    private var shapes: [wm_shape]
    /// Per static shape: a point and the unit normal of a plane (nil for other shapes).
    private let planes: [(SIMD3<Float>, SIMD3<Float>)?]
    /// Per moving geom: the translational and hinge joints that move it, from its body up to the root.
    private let chains: [[Int]]

    /// Nil when the scene has no static geoms (nothing to project against), or when the tolerance is 1 m or more
    /// (turned off).
    public init?(layout: BodyGraphLayout, toleranceMeters: Float, maxCorrections: Int = 16) {
        guard !layout.staticShapes.isEmpty, !layout.movingGeoms.isEmpty, toleranceMeters < 1 else { return nil }
        self.layout = layout
        self.toleranceMeters = toleranceMeters
        self.maxCorrections = maxCorrections
        let tree = layout.scene.tree
        fk = ForwardKinematics(tree: tree)
        let nbody = tree.bodies.count
        positions = .allocate(capacity: 3 * nbody); quaternions = .allocate(capacity: 4 * nbody)
        anchors = .allocate(capacity: 3 * tree.joints.count); axes = .allocate(capacity: 3 * tree.joints.count)
        start = .allocate(capacity: tree.nq); step = .allocate(capacity: tree.nq)
        blocked = .allocate(capacity: max(1, maxCorrections))
        shapes = layout.movingGeoms.map { BodyGraphLayout.template(layout.scene.geoms[$0.geom]) }
        planes = layout.staticShapes.map { shape in
            guard shape.kind == Int32(WM_SHAPE_PLANE.rawValue) else { return nil }
            let q = SIMD4(shape.quat.0, shape.quat.1, shape.quat.2, shape.quat.3)
            return (SIMD3(shape.pos.0, shape.pos.1, shape.pos.2), RotationMath.rotate(q, SIMD3<Float>(0, 0, 1)))
        }
        chains = layout.movingGeoms.map { g in
            var joints: [Int] = [], b = layout.scene.geoms[g.geom].body
            while b != 0 {
                joints += tree.bodies[b].jointIndices.filter { tree.joints[$0].kind != .ball }
                b = tree.bodies[b].parent
            }
            return joints
        }
    }

    deinit { positions.deallocate(); quaternions.deallocate(); anchors.deallocate(); axes.deallocate(); start.deallocate(); step.deallocate(); blocked.deallocate() }

    /// Moves `qpos` (nq) out of the static geoms, in place; returns how many corrections it made.
    @discardableResult
    public func project(_ qpos: UnsafeMutableBufferPointer<Float>) -> Int {
        let tree = layout.scene.tree
        var corrections = 0, attempts = 0, blockedCount = 0
        while attempts < maxCorrections {
            attempts += 1
            kinematics(qpos)
            // Deeper than the tolerance by more than 10 micrometres (float rounding of a pair just corrected).
            var deepest: Float = toleranceMeters + 1e-5, pick = -1, pickStatic = -1
            var point = SIMD3<Float>.zero, normal = SIMD3<Float>.zero
            for i in layout.movingGeoms.indices where !chains[i].isEmpty {
                placeGeom(i)
                for (s, shape) in layout.staticShapes.enumerated() where gapLowerBound(s, i) < -toleranceMeters {
                    let (d, onStatic, onMoving) = ShapeDistance.closest(shape, shapes[i])
                    guard -d > deepest, !isBlocked(i * layout.staticShapes.count + s, count: blockedCount) else { continue }
                    // onMoving - onStatic = d n, n from the static geom towards the moving one. Closer than 1 µm the
                    // normal is undefined: the cores cross (a finger that passed through a capsule in one step), and
                    // the pair is left as it is.
                    let gap = onMoving - onStatic
                    guard (gap * gap).sum() > 1e-12 else { continue }
                    deepest = -d; pick = i; pickStatic = s; point = onMoving; normal = gap / d
                }
            }
            guard pick >= 0 else { break }
            // The linear step Δq = j δ / |j|², into `step`.
            let push = deepest - toleranceMeters
            var norm: Float = 0
            for k in 0..<layout.scene.nq { step[k] = 0 }
            for j in chains[pick] {
                let joint = tree.joints[j], a = joint.qposAddress
                switch joint.kind {
                case .free:
                    for k in 0..<3 { step[a + k] = normal[k]; norm += normal[k] * normal[k] }
                case .slide, .hinge:
                    let axis = vector3(axes, j)
                    let direction = joint.kind == .slide ? axis : RotationMath.cross(axis, point - vector3(anchors, j))
                    step[a] = dot(normal, direction); norm += step[a] * step[a]
                case .ball: break
                }
            }
            guard norm > 1e-12 else {
                // No joint of the chain moves this point along the normal (a slide-only pusher pressed into a table):
                // leave the pair and correct the others.
                blocked[blockedCount] = pick * layout.staticShapes.count + pickStatic
                blockedCount += 1
                continue
            }
            for k in 0..<layout.scene.nq { step[k] *= push / norm; start[k] = qpos[k] }
            // A rotation's linear step overshoots (the point moves on an arc): where it lifts the point clear of the
            // tolerance, regula falsi (Illinois) on the step's length s in (0, 1] brings the depth back to the tolerance.
            var low: Float = 0, high: Float = 1, excessLow = push, side = 0
            var excessHigh = excess(qpos, start: start, scale: 1, geom: pick, staticShape: pickStatic)
            if excessHigh < -1e-4 {
                for _ in 0..<12 {
                    let s = low + (high - low) * excessLow / (excessLow - excessHigh)
                    let e = excess(qpos, start: start, scale: s, geom: pick, staticShape: pickStatic)
                    if abs(e) < 1e-4 { break }
                    // Illinois: an end kept twice in a row has its value halved, so the bracket closes from both sides.
                    if e > 0 { low = s; excessLow = e; if side == 1 { excessHigh /= 2 }; side = 1 }
                    else { high = s; excessHigh = e; if side == -1 { excessLow /= 2 }; side = -1 }
                }
            }
            corrections += 1
        }
        return corrections
    }

    /// A lower bound of the surface distance of static shape `s` and placed moving geom `i` (m): for a plane, the
    /// geom centre's height above it less the geom's bounding radius; otherwise the bounding spheres' gap.
    @inline(__always)
    private func gapLowerBound(_ s: Int, _ i: Int) -> Float {
        let shape = layout.staticShapes[s], moving = shapes[i]
        if let (point, normal) = planes[s] {
            return dot(SIMD3(moving.pos.0, moving.pos.1, moving.pos.2) - point, normal) - layout.movingGeomRadius[i]
        }
        return ShapeDistance.centreGap(shape, moving, layout.staticRadius[s], layout.movingGeomRadius[i])
    }

    @inline(__always)
    private func isBlocked(_ pair: Int, count: Int) -> Bool {
        for k in 0..<count where blocked[k] == pair { return true }
        return false
    }

    /// Sets `qpos = start + scale * step` and returns how much deeper than the tolerance moving geom `geom` is in
    /// static shape `staticShape` there (m; negative when shallower).
    private func excess(_ qpos: UnsafeMutableBufferPointer<Float>, start: UnsafeMutableBufferPointer<Float>, scale: Float, geom: Int, staticShape: Int) -> Float {
        for k in 0..<layout.scene.nq { qpos[k] = start[k] + scale * step[k] }
        kinematics(qpos)
        placeGeom(geom)
        return -ShapeDistance.closest(layout.staticShapes[staticShape], shapes[geom]).0 - toleranceMeters
    }

    /// Places moving geom `i`'s shape at its body's pose from the last `kinematics`.
    @inline(__always)
    private func placeGeom(_ i: Int) {
        let geom = layout.scene.geoms[layout.movingGeoms[i].geom], b = geom.body
        BodyGraphLayout.place(&shapes[i], geom: geom, bodyPosition: vector3(positions, b), bodyQuaternion: vector4(quaternions, b))
    }

    private func kinematics(_ qpos: UnsafeMutableBufferPointer<Float>) {
        let njnt = layout.scene.tree.joints.count
        fk(qpos: UnsafeBufferPointer(qpos), bodyPositions: positions, bodyQuaternions: quaternions,
           jointAnchors: njnt > 0 ? anchors : nil, jointAxes: njnt > 0 ? axes : nil)
    }

    @inline(__always)
    private func vector3(_ buffer: UnsafeMutableBufferPointer<Float>, _ i: Int) -> SIMD3<Float> {
        SIMD3(buffer[3 * i], buffer[3 * i + 1], buffer[3 * i + 2])
    }

    @inline(__always)
    private func vector4(_ buffer: UnsafeMutableBufferPointer<Float>, _ i: Int) -> SIMD4<Float> {
        SIMD4(buffer[4 * i], buffer[4 * i + 1], buffer[4 * i + 2], buffer[4 * i + 3])
    }
}
