import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct DynamicsStateTests {
    /// An episode of one box spinning about a tilted axis at a constant rate while drifting.
    func spinningEpisode(frames: Int, omega: SIMD3<Float>, velocity: SIMD3<Float>, dt: Float) -> Episode {
        var states = [Float](), robot = [Float](), actions = [Float]()
        var q = SIMD4<Float>(1, 0, 0, 0), p = SIMD3<Float>(0, 0, 0.1)
        for t in 0..<frames {
            states += [p.x, p.y, p.z, q.x, q.y, q.z, q.w] + [velocity.x, velocity.y, velocity.z, omega.x, omega.y, omega.z]
            robot += [0.3, 0.3, 0, 0, 0, 0]
            if t < frames - 1 { actions += [0, 0] }
            q = RotationMath.normalized(RotationMath.multiply(RotationMath.exp(omega * dt), q))
            p += velocity * dt
        }
        return Episode(frameCount: frames, objectCount: 1, actionDimension: 2, objectStates: states, robotStates: robot,
                       actions: actions, contactCounts: [Int32](repeating: 0, count: frames))
    }

    @Test func spinningBoxVelocitiesAndIntegrationAreExact() {
        let dt: Float = 0.02, omega = SIMD3<Float>(2.0, -1.0, 6.0), v = SIMD3<Float>(0.1, 0.05, 0)
        let episode = spinningEpisode(frames: 40, omega: omega, velocity: v, dt: dt)
        var state = DynamicsState(episode: episode, frame: 5, historyLength: 4, dtSeconds: dt)
        for j in 0..<4 {
            for k in 0..<3 {
                #expect(abs(state.angularVelocities[j * 3 + k] - omega[k]) < 2e-3)
                #expect(abs(state.linearVelocities[j * 3 + k] - v[k]) < 1e-4)
            }
        }
        // With zero acceleration the state follows the recording for 30 steps (a full turn and more).
        let zero = [Float](repeating: 0, count: 6)
        for t in 6..<36 {
            zero.withUnsafeBufferPointer { state.integrate(accelerations: $0.baseAddress!, dtSeconds: dt) }
            let o = t * objectStateWidth
            let truth = SIMD4(episode.objectStates[o + 3], episode.objectStates[o + 4], episode.objectStates[o + 5], episode.objectStates[o + 6])
            #expect(RotationMath.angleBetween(state.quaternion(0), truth) < 1e-3, "frame \(t)")
            let p = SIMD3(episode.objectStates[o], episode.objectStates[o + 1], episode.objectStates[o + 2])
            #expect(((state.position(0) - p) * (state.position(0) - p)).sum().squareRoot() < 1e-4)
        }
    }

    @Test func accelerationChangesVelocityThenPosition() {
        var state = DynamicsState(objectCount: 1, historyLength: 2)
        let a: [Float] = [1, 0, 0, 0, 0, 3]
        a.withUnsafeBufferPointer { state.integrate(accelerations: $0.baseAddress!, dtSeconds: 0.1) }
        #expect(abs(state.linearVelocity(0).x - 0.1) < 1e-6)
        #expect(abs(state.position(0).x - 0.01) < 1e-6)   // semi-implicit: the new velocity moves the body
        #expect(abs(state.angularVelocity(0).z - 0.3) < 1e-6)
        #expect(abs(RotationMath.yaw(state.quaternion(0)) - 0.03) < 1e-5)
    }

    @Test func anObjectSunkIntoTheTableIsLiftedToTheToleranceAndLosesItsFall() {
        let cube = ObjectDescription(name: "c", shape: .box, halfExtentsMeters: [0.025, 0.025, 0.025], massKg: 0.1, rgba: [1, 1, 1, 1])
        var state = DynamicsState(objectCount: 2, historyLength: 2)
        // Object 0 falls at 1 m/s from 5 mm above the table to 15 mm into it; object 1 rests 1 mm deep.
        state.positions = [0, 0, 0.025 - 0.015, 0.2, 0, 0.024]
        state.linearVelocities = [0, 0, -1, 0, 0, -1, 0, 0, 0, 0, 0, 0]
        let resting = state.positions[3...]
        state.keepAboveTable(objects: [cube, cube], tableHeightMeters: 0, toleranceMeters: 0.002, dtSeconds: 0.02)
        #expect(abs(state.positions[2] - (0.025 - 0.002)) < 1e-6)
        // The step moved it from 5 mm above to 2 mm below: -7 mm in 20 ms.
        #expect(abs(state.linearVelocity(0).z - (-0.35)) < 1e-4)
        #expect(state.positions[3...] == resting && state.linearVelocity(1) == .zero)
    }
}
