/// A lower bound on the memory a batched rollout holds, checked against the machine before it starts (see
/// `ResourceBudget`): per environment, every recorded frame (object poses, the robot, the action), the state with
/// its velocity history, and the network's node and edge rows. Saturating: absurd sizes give `Int.max`, never a trap.
///
/// ```swift
/// let bytes = RolloutMemoryEstimate.bytes(environments: 256, steps: 25, objects: 4, historyLength: 5, latentWidth: 64)
/// try ResourceBudget.checkMemory(bytes: bytes, for: "a rollout of 256 environments x 25 steps")
/// ```
public enum RolloutMemoryEstimate {
    public static func bytes(environments: Int, steps: Int, objects: Int, historyLength: Int, latentWidth: Int) -> Int {
        typealias B = ResourceBudget
        let nodes = B.sum(objects, 1)
        let perFrame = B.product(B.sum(B.product(objects, 7), 3, 2), 4)
        let state = B.product(B.sum(B.product(nodes, historyLength, 6), B.product(objects, 7)), 4)
        let workspace = B.product(nodes, nodes, Swift.max(1, latentWidth), 4)
        return B.product(environments, B.sum(B.product(B.sum(steps, 1), perFrame), state, workspace))
    }

    /// Bytes of the values of a dense voxel grid of `resolution` voxels (density and RGB, float32).
    public static func denseGridBytes(_ resolution: SIMD3<Int32>) -> Int {
        ResourceBudget.product(Int(resolution.x), Int(resolution.y), Int(resolution.z), 4, MemoryLayout<Float>.stride)
    }
}
