/// Recorded poses of a batched rollout. Layout, with F = steps + 1 frames, B environments, N objects:
/// - `positions`: F x B x N x 3 (m, world); `quaternions`: F x B x N x 4 ((w, x, y, z), body -> world);
/// - `robotPositions`: F x B x 3 (m, world);
/// - `failures`: per environment, nil or why it stopped (it then keeps its last finite state).
public struct RolloutTrajectories: Sendable {
    public let frames: Int
    public let environments: Int
    public let objects: Int
    public var positions: [Float]
    public var quaternions: [Float]
    public var robotPositions: [Float]
    public var failures: [String?]

    public init(frames: Int, environments: Int, objects: Int) {
        self.frames = frames
        self.environments = environments
        self.objects = objects
        positions = [Float](repeating: 0, count: frames * environments * objects * 3)
        quaternions = [Float](repeating: 0, count: frames * environments * objects * 4)
        robotPositions = [Float](repeating: 0, count: frames * environments * 3)
        failures = [String?](repeating: nil, count: environments)
    }

    /// Bytes of the recorded arrays.
    public var byteCount: Int { (positions.count + quaternions.count + robotPositions.count) * MemoryLayout<Float>.stride }

    /// Copies the poses of `states` into frame `t`.
    mutating func record(_ states: [DynamicsState], frame t: Int) {
        let n = objects
        for b in 0..<environments {
            let s = states[b]
            let p = (t * environments + b) * n
            for k in 0..<(n * 3) { positions[p * 3 + k] = s.positions[k] }
            for k in 0..<(n * 4) { quaternions[p * 4 + k] = s.quaternions[k] }
            let r = (t * environments + b) * 3
            robotPositions[r] = s.robotPosition.x
            robotPositions[r + 1] = s.robotPosition.y
            robotPositions[r + 2] = s.robotPosition.z
        }
    }

    /// Object `i`'s position in environment `b` at frame `t`.
    public func position(frame t: Int, environment b: Int, object i: Int) -> SIMD3<Float> {
        let o = ((t * environments + b) * objects + i) * 3
        return SIMD3(positions[o], positions[o + 1], positions[o + 2])
    }

    /// The robot's body position in environment `b` at frame `t`.
    public func robotPosition(frame t: Int, environment b: Int) -> SIMD3<Float> {
        let r = (t * environments + b) * 3
        return SIMD3(robotPositions[r], robotPositions[r + 1], robotPositions[r + 2])
    }

    /// Object `i`'s orientation in environment `b` at frame `t`.
    public func quaternion(frame t: Int, environment b: Int, object i: Int) -> SIMD4<Float> {
        let o = ((t * environments + b) * objects + i) * 4
        return SIMD4(quaternions[o], quaternions[o + 1], quaternions[o + 2], quaternions[o + 3])
    }
}
