import Testing
@testable import WorldModel

@Suite struct RobotKinematicsTests {
    @Test func fitRecoversTheLawThatMadeTheData() {
        let dt: Float = 0.02, (alpha, beta, gamma): (Float, Float, Float) = (0.2, 0.5, 0.3)
        var rng = SeededRandom(seed: 4)
        var robot: [Float] = [0, 0, 0, 0, 0, 0], actions: [Float] = []
        var p = SIMD2<Float>(0, 0), v = SIMD2<Float>(0, 0), previous = SIMD2<Float>(0, 0)
        let frames = 300
        for _ in 0..<(frames - 1) {
            let a = SIMD2(Float(rng.uniform(-0.3, 0.3)), Float(rng.uniform(-0.3, 0.3)))
            let next = p + dt * (alpha * v + beta * a + gamma * previous)
            v = (next - p) / dt
            p = next
            previous = a
            actions += [a.x, a.y]
            robot += [p.x, p.y, 0, v.x, v.y, 0]
        }
        let episode = Episode(frameCount: frames, objectCount: 0, actionDimension: 2, objectStates: [], robotStates: robot,
                              actions: actions, contactCounts: [Int32](repeating: 0, count: frames))
        let fit = RobotKinematics.fit(episodes: [episode], dtSeconds: dt, lowerBound: SIMD2(-10, -10), upperBound: SIMD2(10, 10))
        #expect(abs(fit.alpha - alpha) < 1e-3 && abs(fit.beta - beta) < 1e-3 && abs(fit.gamma - gamma) < 1e-3)
        #expect(fit.residualMeters < 1e-5)
        let clamped = fit.nextPosition(position: SIMD3(9.99, 0, 0), velocity: SIMD3(5, 0, 0), action: SIMD2(5, 0), lastAction: .zero, dtSeconds: 1)
        #expect(clamped.x == 10)
    }
}
