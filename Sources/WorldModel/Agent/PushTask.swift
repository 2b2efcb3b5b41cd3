#if canImport(Glibc)
import Glibc
#endif

/// One pushing task: a start placement, the object to push, and its goal. Reproducible from (seed, index).
///
/// ```swift
/// let task = PushTask.sample(for: scene, seed: 7, index: 0)
/// try teacher.reset(to: task.placement)
/// ```
public struct PushTask: Sendable, Equatable {
    public var placement: InitialPlacement
    public var objectIndex: Int
    /// Goal of the object's centre (m, world x, y).
    public var goal: SIMD2<Float>

    public init(placement: InitialPlacement, objectIndex: Int, goal: SIMD2<Float>) {
        self.placement = placement
        self.objectIndex = objectIndex
        self.goal = goal
    }

    /// Task `index` of `seed`: a random placement (`InitialPlacement.sample`), a random object, and a goal at a
    /// random direction and a distance in `distanceMeters` from it, kept inside +-`workspaceMeters`.
    public static func sample(for scene: SceneDescription, seed: UInt64, index: Int, distanceMeters: ClosedRange<Double> = 0.08...0.15,
                              workspaceMeters: Double = 0.22) -> PushTask {
        var rng = SeededRandom(seed: seed, stream: UInt64(index))
        let placement = InitialPlacement.sample(for: scene, using: &rng)
        let object = rng.index(scene.objects.count)
        let start = SIMD2(placement.positions[object].x, placement.positions[object].y)
        var goal = start
        for _ in 0..<100 {
            let angle = rng.uniform(-Double.pi, Double.pi), distance = rng.uniform(distanceMeters.lowerBound, distanceMeters.upperBound)
            goal = start + distance * SIMD2(cos(angle), sin(angle))
            if abs(goal.x) <= workspaceMeters && abs(goal.y) <= workspaceMeters { break }
        }
        goal = goal.clamped(lowerBound: SIMD2(repeating: -workspaceMeters), upperBound: SIMD2(repeating: workspaceMeters))
        return PushTask(placement: placement, objectIndex: object, goal: SIMD2<Float>(goal))
    }
}
