@testable import WorldModel

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
    static func freeSpaceActions(count: Int) -> [SIMD2<Float>] {
        (0..<count).map { t in
            let angle = Float(t) * 0.15
            return SIMD2(0.12 * cosf(angle), 0.12 * sinf(angle))
        }
    }

    /// A learned world model that is exact where nothing touches: the network's accelerations are zero (output
    /// statistics with zero spread and mean), and the robot kinematics are fitted on teacher episodes.
    static func exactInFreeSpace(scene: SceneDescription, scenePath: String) throws -> LearnedWorldModel {
        let recorder = try TeacherRecorder(scenePath: scenePath)
        let episodes = try (0..<2).map { try recorder.record(episode: $0, steps: 80, seed: 5, policy: .random).episode }
        let dt = Float(scene.controlDtSeconds)
        let kinematics = RobotKinematics.fit(episodes: episodes, dtSeconds: dt, lowerBound: SIMD2(-0.35, -0.35), upperBound: SIMD2(0.35, 0.35))
        let model = DynamicsModel(configuration: DynamicsConfiguration.preset(named: "small")!, objects: scene.objects, robot: scene.robot,
                                  dtSeconds: dt, robotKinematics: kinematics, seed: 1)
        model.targetStatistics = FeatureStatistics(mean: [Float](repeating: 0, count: 6), std: [Float](repeating: 0, count: 6))
        return LearnedWorldModel(dynamics: model)
    }
}

#if canImport(Glibc)
import Glibc
#endif
