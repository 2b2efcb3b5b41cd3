#if canImport(Glibc)
import Glibc
#endif

/// The tasks `wm plan` knows, and how task `index` of a seed is drawn for a scene from where its episode starts.
///
/// - `push`: a free-object scene's pusher moves a random object 15-25 cm to a goal inside the table's
///   +-22 cm; every odd task puts the goal behind another object (that object within 4 cm of the straight path),
///   so the pusher has to go around it or push both. Success within 2 cm, planar.
/// - `bring`: an arm moves an object (the body named `ball` when there is one, else a random free-standing
///   passive body) 10-20 cm along x from where it starts, to rest on the floor there (dm_control's objects start
///   in the air and fall), kept within +-0.4 m of the arm's base. Success within 3 cm.
/// - `stack`: an arm puts one box on another (as dm_control's `stack_2`): a random free-standing passive body
///   on top of the nearest other one (its origin the two bodies' depths below their origins above the lower
///   one's, which may move). Success within 2 cm.
/// - `reach`: the hand moves 10-20 cm from where it starts (in the plane the robot moves in), to within 2 cm.
///
/// ```swift
/// let start = try teacher.reset(seed: 7, episode: 3)
/// let task = try TaskKind.bring.sample(scene: teacher.sceneModel, start: start, seed: 7, index: 3)
/// ```
public enum TaskKind: String, Sendable, CaseIterable {
    case push, bring, stack, reach

    /// The task a scene is made for: `push` where objects move on free joints (a pusher scene), else `bring`.
    public static func `default`(for scene: SceneModel) -> TaskKind {
        scene.tree.joints.contains { $0.kind == .free } ? .push : .bring
    }

    /// Task `index` of `seed` for `scene`, starting at `start`. Throws a line naming the scene when it lacks what
    /// the task needs (a robot, an object).
    public func sample(scene: SceneModel, start: Observation, seed: UInt64, index: Int) throws -> any PlanningTask {
        var rng = SeededRandom(seed: seed ^ 0x7A5C_0000_0000_0001, stream: UInt64(index))
        guard let hand = scene.handBodyIndex else { throw WorldModelError("scene '\(scene.name)' has no actuated body to act with") }
        let names = scene.tree.bodyNames
        let objects = scene.passiveBodyIndices.filter { scene.tree.bodies[$0].parent == 0 }
        let planarXY = scene.tree.joints.contains { $0.kind == .free }
        switch self {
        case .push:
            guard planarXY, !objects.isEmpty else {
                throw WorldModelError("scene '\(scene.name)': push tasks need free objects on a table and a pusher; use bring or reach")
            }
            let object = objects[rng.index(objects.count)]
            let p = start.bodyPositions[object]
            let others = objects.filter { $0 != object }.map { start.bodyPositions[$0] }
            let behind = index % 2 == 1 && !others.isEmpty
            var goal = SIMD2(p.x, p.y)
            for _ in 0..<1000 {
                let angle = Float(rng.uniform(-Double.pi, Double.pi)), distance = Float(rng.uniform(0.15, 0.25))
                let candidate = SIMD2(p.x, p.y) + distance * SIMD2(cosf(angle), sinf(angle))
                guard abs(candidate.x) <= 0.22 && abs(candidate.y) <= 0.22 else { continue }
                goal = candidate
                if !behind || others.contains(where: { Self.segmentDistance(SIMD2($0.x, $0.y), SIMD2(p.x, p.y), candidate) < 0.04 }) { break }
            }
            return MoveObjectTask(name: "push", object: object, objectName: names[object], target: SIMD3(goal.x, goal.y, p.z), pusher: hand,
                                  axes: SIMD3(1, 1, 0), standoffMeters: 0.045, toleranceMeters: 0.02)
        case .bring:
            guard !objects.isEmpty else {
                throw WorldModelError("scene '\(scene.name)' has no passive body to bring")
            }
            let object = objects.first { names[$0] == "ball" } ?? objects[rng.index(objects.count)]
            let p = start.bodyPositions[object]
            var dx = Float(rng.uniform(0.1, 0.2)) * (rng.uniform(0, 1) < 0.5 ? -1 : 1)
            if abs(p.x + dx) > 0.4 { dx = -dx }
            // On the floor: the object resting upright on the highest static plane below it (it may start in the air).
            let floor = scene.geoms.filter { $0.shape == .plane && scene.bodies[$0.body].isStatic && $0.isHorizontal }
                .map { $0.position[2] }.filter { $0 <= p.z }.max() ?? 0
            let rest = scene.geoms.filter { $0.body == object && $0.collides }.map(\.depthBelowBodyOrigin).max() ?? 0
            return MoveObjectTask(name: "bring", object: object, objectName: names[object], target: SIMD3(p.x + dx, p.y, floor + rest), pusher: hand,
                                  axes: SIMD3(1, 1, 1), standoffMeters: 0.05, toleranceMeters: 0.03)
        case .stack:
            guard objects.count >= 2 else {
                throw WorldModelError("scene '\(scene.name)' needs two passive bodies to stack, it has \(objects.count)")
            }
            let top = objects[rng.index(objects.count)], p = start.bodyPositions[top]
            let below = objects.filter { $0 != top }.min {
                let a = start.bodyPositions[$0] - p, b = start.bodyPositions[$1] - p
                return (a * a).sum() < (b * b).sum()
            }!
            let depth: (Int) -> Float = { body in scene.geoms.filter { $0.body == body && $0.collides }.map(\.depthBelowBodyOrigin).max() ?? 0 }
            return MoveObjectTask(name: "stack", object: top, objectName: names[top], target: SIMD3(0, 0, depth(top) + depth(below)), pusher: hand,
                                  axes: SIMD3(1, 1, 1), standoffMeters: 0.05, toleranceMeters: 0.02, relativeTo: below, relativeToName: names[below])
        case .reach:
            let r = start.bodyPositions[hand]
            let angle = Float(rng.uniform(-Double.pi, Double.pi)), distance = Float(rng.uniform(0.1, 0.2))
            var offset = planarXY ? SIMD3(cosf(angle), sinf(angle), 0) : SIMD3(cosf(angle), 0, sinf(angle))
            if !planarXY && r.z + distance * offset.z < 0.1 { offset.z = -offset.z }
            return ReachTask(body: hand, bodyName: names[hand], target: r + distance * offset, toleranceMeters: 0.02)
        }
    }

    /// The distance of `point` from the segment a-b.
    static func segmentDistance(_ point: SIMD2<Float>, _ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float {
        let ab = b - a, length2 = max((ab * ab).sum(), 1e-12)
        let t = min(max(((point - a) * ab).sum() / length2, 0), 1)
        let d = point - (a + t * ab)
        return (d * d).sum().squareRoot()
    }
}
