import CMallocCounter
import Testing
@testable import WorldModel

@Suite(.serialized) struct RolloutEngineTests {
    @Test func stepsAllocateNothingAfterWarmUp() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 5)
        let episode = oneBoxData.test[0]
        let engine = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: 8)
        var states = (0..<8).map { DynamicsState(episode: episode, frame: 3 + $0, historyLength: 3, dtSeconds: 0.02) }
        let policy: (Int, Int, DynamicsState) -> SIMD2<Float> = { t, k, _ in SIMD2(0.1 * Float(k % 3) - 0.1, t % 2 == 0 ? 0.05 : -0.05) }
        var failures = 0
        for t in 0..<3 { try engine.advance(&states, step: t, action: policy) { _ in failures += 1 } }
        let before = wm_malloc_counter_thread_count()
        for t in 3..<23 { try engine.advance(&states, step: t, action: policy) { _ in failures += 1 } }
        let after = wm_malloc_counter_thread_count()
        #expect(after - before == 0, "\(after - before) allocations in 20 steps of 8 environments")
        #expect(failures == 0)
    }

    @Test func batchedAndOneByOneRolloutsGiveTheSameTrajectories() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 20)
        let episode = oneBoxData.test[1]
        let starts = [3, 7, 11]
        var batch = starts.map { DynamicsState(episode: episode, frame: $0, historyLength: 3, dtSeconds: 0.02) }
        let action: (Int, Int, DynamicsState) -> SIMD2<Float> = { t, k, _ in SIMD2(0.2 * Float(k) - 0.2, 0.01 * Float(t)) }
        let batched = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: 3).rollout(&batch, steps: 15, action: action)
        let single = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: 1)
        for (k, frame) in starts.enumerated() {
            var one = [DynamicsState(episode: episode, frame: frame, historyLength: 3, dtSeconds: 0.02)]
            let alone = try single.rollout(&one, steps: 15) { t, _, s in action(t, k, s) }
            for t in 0...15 {
                let d = batched.trajectories!.position(frame: t, environment: k, object: 0) - alone.trajectories!.position(frame: t, environment: 0, object: 0)
                #expect((d * d).sum() < 1e-12, "environment \(k), frame \(t)")
            }
        }
    }

    @Test func aTeamOfThreadsGivesTheSameTrajectories() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 20)
        let episode = oneBoxData.test[1]
        let start = [3, 7, 11].map { DynamicsState(episode: episode, frame: $0, historyLength: 3, dtSeconds: 0.02) }
        let action: (Int, Int, DynamicsState) -> SIMD2<Float> = { t, k, _ in SIMD2(0.2 * Float(k) - 0.2, 0.01 * Float(t)) }
        var one = start, two = start
        let alone = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: 3).rollout(&one, steps: 15, action: action)
        let team = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: 3, threads: 2).rollout(&two, steps: 15, action: action)
        for k in 0..<3 {
            for t in 0...15 {
                let d = team.trajectories!.position(frame: t, environment: k, object: 0) - alone.trajectories!.position(frame: t, environment: k, object: 0)
                #expect((d * d).sum() < 1e-10, "environment \(k), frame \(t)")
            }
        }
    }

    @Test func aDivergingEnvironmentStopsAndTheOthersGoOn() throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 5)
        let episode = oneBoxData.test[0]
        var states = (0..<3).map { DynamicsState(episode: episode, frame: 3 + $0, historyLength: 3, dtSeconds: 0.02) }
        let before = states
        // Environment 1's state has gone bad (as a broken input would make it): its outputs are not finite.
        states[1].linearVelocities[0] = .nan
        let engine = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: 3)
        var stopped: [Int] = []
        try engine.advance(&states, step: 0, action: { _, _, _ in SIMD2(0.05, 0) }) { stopped.append($0) }
        #expect(stopped == [1])
        #expect(states[1].positions == before[1].positions)
        #expect(states[0].positions != before[0].positions || states[0].robotPosition != before[0].robotPosition)
        #expect(states[0].isFinite && states[2].isFinite)
        #expect(throws: WorldModelError.self) {
            var s = [DynamicsState(episode: episode, frame: 3, historyLength: 3, dtSeconds: 0.02)]
            _ = try engine.rollout(&s, steps: 2) { _, _, _ in SIMD2(.nan, 0) }
        }
        #expect(throws: WorldModelError.self) {
            var s = [states[1]]
            _ = try engine.rollout(&s, steps: 2) { _, _, _ in .zero }
        }
    }
}
