@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Shared set-ups of the Agent tests.
enum AgentFixtures {
    /// The push scene's four boxes in the corners, the robot in the middle: the robot can move within
    /// |x|, |y| < 0.12 m without touching anything.
    static func cornerPlacement() -> InitialPlacement {
        let corners: [SIMD2<Double>] = [SIMD2(0.25, 0.25), SIMD2(-0.25, 0.25), SIMD2(0.25, -0.25), SIMD2(-0.25, -0.25)]
        return InitialPlacement(positions: corners.map { SIMD3($0.x, $0.y, 0.025) },
                                quaternions: [SIMD4(1, 0, 0, 0), SIMD4(0.9238795, 0, 0, 0.3826834), SIMD4(1, 0, 0, 0), SIMD4(1, 0, 0, 0)],
                                robotJoints: [0, -0.05])
    }

    /// Actions that keep the robot near the middle: a slow circle.
    static func freeSpaceActions(count: Int) -> [[Float]] {
        (0..<count).map { t in
            let angle = Float(t) * 0.15
            return [0.12 * cosf(angle), 0.12 * sinf(angle)]
        }
    }

    /// The push scene as wm reads it.
    static let pushScene: SceneModel = try! MuJoCoSimulation(path: scenePath("push.xml")).sceneModel

    /// An untrained (seeded) body model of the push scene: deterministic, cheap, not accurate.
    static func untrainedPushModel() throws -> BodyDynamicsModel {
        try BodyDynamicsModel(configuration: BodyDynamicsConfiguration.preset(named: "small")!, scene: pushScene, seed: 1)
    }

    /// A push model whose every prediction overflows: its output statistics scale by 1e38, so any step diverges.
    static func divergingPushModel() throws -> BodyDynamicsModel {
        let model = try untrainedPushModel()
        let width = BodyGraphLayout.targetClassCount
        model.targetStatistics = FeatureStatistics(mean: [Float](repeating: 1e38, count: width), std: [Float](repeating: 1e38, count: width))
        return model
    }

    /// The shipped push body model (loaded per test: models are classes with mutable statistics).
    static func shippedPushModel() throws -> BodyDynamicsModel { try BodyDynamicsModel.load(from: packageRoot + "/models/push-bodies.safetensors") }
}
