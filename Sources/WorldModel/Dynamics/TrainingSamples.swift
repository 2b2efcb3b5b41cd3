/// Training data for dynamics: every usable (episode, frame) of a split, with finite-difference velocities
/// precomputed once per episode, and the noisy inputs and targets of a minibatch.
public final class TrainingSamples {
    public let episodes: [Episode]
    public let historyLength: Int
    public let dtSeconds: Float
    /// (episode, frame) pairs with a full history before and one frame after.
    public let frames: [(episode: Int, frame: Int)]

    public init(episodes: [Episode], historyLength: Int, dtSeconds: Float) {
        self.episodes = episodes
        self.historyLength = historyLength
        self.dtSeconds = dtSeconds
        var frames: [(Int, Int)] = []
        for (e, episode) in episodes.enumerated() where episode.frameCount >= historyLength + 2 {
            for t in historyLength...(episode.frameCount - 2) { frames.append((e, t)) }
        }
        self.frames = frames
    }

    /// A sample: the (noise-free) state, the true object poses one step later, and where the robot went.
    public struct Sample {
        public var state: DynamicsState
        /// N x 3, m, world.
        public var nextPositions: [SIMD3<Float>]
        /// N x 4, (w, x, y, z).
        public var nextQuaternions: [SIMD4<Float>]
        public var robotNext: SIMD3<Float>
    }

    public func sample(_ k: Int) -> Sample {
        let (e, t) = frames[k]
        let episode = episodes[e]
        let state = DynamicsState(episode: episode, frame: t, historyLength: historyLength, dtSeconds: dtSeconds)
        var positions: [SIMD3<Float>] = [], quaternions: [SIMD4<Float>] = []
        let s = episode.objectStates
        for i in 0..<episode.objectCount {
            let o = ((t + 1) * episode.objectCount + i) * objectStateWidth
            positions.append(SIMD3(s[o], s[o + 1], s[o + 2]))
            quaternions.append(SIMD4(s[o + 3], s[o + 4], s[o + 5], s[o + 6]))
        }
        let r = (t + 1) * robotStateWidth
        let robotNext = SIMD3(episode.robotStates[r], episode.robotStates[r + 1], episode.robotStates[r + 2])
        return Sample(state: state, nextPositions: positions, nextQuaternions: quaternions, robotNext: robotNext)
    }

    /// Adds GNS-style random-walk noise to an object's recent motion: each velocity of the history gets the
    /// running sum of independent steps, so the newest velocity's noise has standard deviation `linear` (m/s)
    /// and `angular` (rad/s); the current pose moves by the integral of that noise, so history and pose stay
    /// consistent (as noise on a position sequence does in GNS).
    public static func addNoise(to state: inout DynamicsState, linear: Float, angular: Float, dtSeconds dt: Float,
                                using rng: inout SeededRandom) {
        let h = state.historyLength
        let scale = 1 / Float(h).squareRoot()
        for i in 0..<state.objectCount {
            var walkV = SIMD3<Float>(), walkW = SIMD3<Float>(), drift = SIMD3<Float>(), turn = SIMD3<Float>()
            for j in 0..<h {
                for k in 0..<3 {
                    walkV[k] += linear * scale * Float(rng.gaussian())
                    walkW[k] += angular * scale * Float(rng.gaussian())
                    state.linearVelocities[(i * h + j) * 3 + k] += walkV[k]
                    state.angularVelocities[(i * h + j) * 3 + k] += walkW[k]
                }
                drift += walkV * dt
                turn += walkW * dt
            }
            for k in 0..<3 { state.positions[i * 3 + k] += drift[k] }
            let q = RotationMath.normalized(RotationMath.multiply(RotationMath.exp(turn), state.quaternion(i)))
            for k in 0..<4 { state.quaternions[i * 4 + k] = q[k] }
        }
    }

    /// The accelerations (6 per object: linear, angular) that take `state` to the true next poses in one step,
    /// rotated into each object's output frame (heading, 0 in the world frame). With a noisy state they both
    /// correct the velocity and pull the pose back to the recorded one (GNS's noise targets).
    public static func targets(state: DynamicsState, sample: Sample, dtSeconds dt: Float, heading: (Int) -> Float) -> [Float] {
        var out = [Float](repeating: 0, count: state.objectCount * 6)
        for i in 0..<state.objectCount {
            let v = (sample.nextPositions[i] - state.position(i)) / dt
            let w = FiniteDifference.angularVelocity(from: state.quaternion(i), to: sample.nextQuaternions[i], dtSeconds: dt)
            let a = RotationMath.rotateZ((v - state.linearVelocity(i)) / dt, by: -heading(i))
            let alpha = RotationMath.rotateZ((w - state.angularVelocity(i)) / dt, by: -heading(i))
            for k in 0..<3 { out[i * 6 + k] = a[k]; out[i * 6 + 3 + k] = alpha[k] }
        }
        return out
    }
}
