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

    /// The (noise-free) state at a sample and the true velocities one step later.
    public func sample(_ k: Int) -> (state: DynamicsState, nextLinear: [SIMD3<Float>], nextAngular: [SIMD3<Float>], robotNext: SIMD3<Float>) {
        let (e, t) = frames[k]
        let episode = episodes[e]
        let state = DynamicsState(episode: episode, frame: t, historyLength: historyLength, dtSeconds: dtSeconds)
        var linear: [SIMD3<Float>] = [], angular: [SIMD3<Float>] = []
        for i in 0..<episode.objectCount {
            let (v, w) = FiniteDifference.velocities(episode: episode, object: i, frame: t + 1, dtSeconds: dtSeconds)
            linear.append(v)
            angular.append(w)
        }
        let r = (t + 1) * robotStateWidth
        let robotNext = SIMD3(episode.robotStates[r], episode.robotStates[r + 1], episode.robotStates[r + 2])
        return (state, linear, angular, robotNext)
    }

    /// Adds GNS-style random-walk noise to the velocity histories: the newest velocity gets noise of standard
    /// deviation `linear` (m/s) / `angular` (rad/s), built up over the history.
    public static func addNoise(to state: inout DynamicsState, linear: Float, angular: Float, using rng: inout SeededRandom) {
        let h = state.historyLength
        let scale = 1 / Float(h).squareRoot()
        for i in 0..<state.objectCount {
            var walkV = SIMD3<Float>(), walkW = SIMD3<Float>()
            for j in 0..<h {
                for k in 0..<3 {
                    walkV[k] += linear * scale * Float(rng.gaussian())
                    walkW[k] += angular * scale * Float(rng.gaussian())
                    state.linearVelocities[(i * h + j) * 3 + k] += walkV[k]
                    state.angularVelocities[(i * h + j) * 3 + k] += walkW[k]
                }
            }
        }
    }

    /// The accelerations (6 per object: linear, angular) that take `state`'s newest velocities to the true next
    /// ones, rotated into each object's output frame (heading, 0 in the world frame).
    public static func targets(state: DynamicsState, nextLinear: [SIMD3<Float>], nextAngular: [SIMD3<Float>], dtSeconds dt: Float,
                               heading: (Int) -> Float) -> [Float] {
        var out = [Float](repeating: 0, count: state.objectCount * 6)
        for i in 0..<state.objectCount {
            let a = RotationMath.rotateZ((nextLinear[i] - state.linearVelocity(i)) / dt, by: -heading(i))
            let alpha = RotationMath.rotateZ((nextAngular[i] - state.angularVelocity(i)) / dt, by: -heading(i))
            for k in 0..<3 { out[i * 6 + k] = a[k]; out[i * 6 + 3 + k] = alpha[k] }
        }
        return out
    }
}
