import Testing
@testable import WorldModel

@Suite struct RolloutEvaluationTests {
    /// Object 0 accelerates along x (the truth p = a t² / 2), object 1 rests: constant velocity errs on object 0
    /// only, so the moving-object mean is the error of object 0 and the mean over all objects half of it.
    @Test func movingObjectErrorsLeaveOutTheObjectsAtRest() throws {
        let frames = 40, n = 2, dt: Float = 0.02, acceleration: Float = 0.5
        var states = [Float](repeating: 0, count: frames * n * objectStateWidth)
        for t in 0..<frames {
            let time = Float(t) * dt
            for i in 0..<n {
                let o = (t * n + i) * objectStateWidth
                states[o] = i == 0 ? 0.5 * acceleration * time * time : 0.2
                states[o + 1] = i == 0 ? 0 : 0.1
                states[o + 2] = 0.025
                states[o + 3] = 1
            }
        }
        var robot = [Float](repeating: 0, count: frames * robotStateWidth)
        for t in 0..<frames { robot[t * robotStateWidth] = -0.3 }
        let episode = Episode(frameCount: frames, objectCount: n, actionDimension: 2, objectStates: states, robotStates: robot,
                              actions: [Float](repeating: 0, count: (frames - 1) * 2), contactCounts: [Int32](repeating: 0, count: frames))
        let kinematics = RobotKinematics(alpha: 1, beta: 0, gamma: 0, lowerBound: SIMD2(-1, -1), upperBound: SIMD2(1, 1))
        let errors = try RolloutEvaluation.evaluate(ConstantVelocityStepper(robotKinematics: kinematics, dtSeconds: dt), episodes: [episode],
                                                    horizons: [5, 20], historyLength: 3, dtSeconds: dt, startStride: 5)
        #expect(errors.samples == errors.rollouts * n && errors.movingSamples == errors.rollouts)
        for k in 0..<2 {
            #expect(errors.positionErrorMeters[k] > 0)
            #expect(abs(errors.movingPositionErrorMeters[k] - 2 * errors.positionErrorMeters[k]) < 1e-9)
        }
    }
}
