import CMallocCounter
import Testing
@testable import WorldModel

@Suite(.serialized) struct RolloutEngineTests {
    /// One thread; a team splitting one graph (8 environments); a team splitting environments (40).
    @Test(arguments: [(1, 8), (2, 8), (2, 40)])
    func stepsAllocateNothingAfterWarmUp(threads: Int, batch: Int) throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 5)
        let episode = oneBoxData.test[0]
        let engine = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: batch, threads: threads)
        var states = (0..<batch).map { DynamicsState(episode: episode, frame: 3 + $0 % 12, historyLength: 3, dtSeconds: 0.02) }
        let policy: (Int, Int, DynamicsState) -> SIMD2<Float> = { t, k, _ in SIMD2(0.1 * Float(k % 3) - 0.1, t % 2 == 0 ? 0.05 : -0.05) }
        var failures = 0
        for t in 0..<3 { try engine.advance(&states, step: t, action: policy) { _ in failures += 1 } }
        let before = wm_malloc_counter_thread_count()
        for t in 3..<23 { try engine.advance(&states, step: t, action: policy) { _ in failures += 1 } }
        let after = wm_malloc_counter_thread_count()
        #expect(after - before == 0, "\(after - before) allocations in 20 steps of \(batch) environments on \(threads) thread(s)")
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

    /// 3 environments: one graph split over the team; 40: slices of environments, one per thread.
    @Test(arguments: [3, 40])
    func aTeamOfThreadsGivesTheSameTrajectories(batch: Int) throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 20)
        let episode = oneBoxData.test[1]
        let start = (0..<batch).map { DynamicsState(episode: episode, frame: 3 + $0 % 12, historyLength: 3, dtSeconds: 0.02) }
        let action: (Int, Int, DynamicsState) -> SIMD2<Float> = { t, k, _ in SIMD2(0.02 * Float(k % 20) - 0.2, 0.01 * Float(t)) }
        var one = start, two = start
        let alone = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: batch).rollout(&one, steps: 15, action: action)
        let team = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: batch, threads: 2).rollout(&two, steps: 15, action: action)
        for k in 0..<batch {
            for t in 0...15 {
                let d = team.trajectories!.position(frame: t, environment: k, object: 0) - alone.trajectories!.position(frame: t, environment: k, object: 0)
                #expect((d * d).sum() < 1e-10, "environment \(k), frame \(t)")
            }
        }
    }

    /// One thread on 3 environments; a team splitting 40 environments (the bad one in the second slice).
    @Test(arguments: [(1, 3, 1), (2, 40, 33)])
    func aDivergingEnvironmentStopsAndTheOthersGoOn(threads: Int, batch: Int, bad: Int) throws {
        let (model, _, _) = try trainedOneBoxModel(steps: 5)
        let episode = oneBoxData.test[0]
        var states = (0..<batch).map { DynamicsState(episode: episode, frame: 3 + $0 % 12, historyLength: 3, dtSeconds: 0.02) }
        let before = states
        // Environment `bad`'s state has gone bad (as a broken input would make it): its outputs are not finite.
        states[bad].linearVelocities[0] = .nan
        let engine = try RolloutEngine(model: model, objects: oneBoxData.scene.objects, batchSize: batch, threads: threads)
        var stopped: [Int] = []
        try engine.advance(&states, step: 0, action: { _, _, _ in SIMD2(0.05, 0) }) { stopped.append($0) }
        #expect(stopped == [bad])
        #expect(states[bad].positions == before[bad].positions)
        #expect(states[0].positions != before[0].positions || states[0].robotPosition != before[0].robotPosition)
        #expect(states.indices.allSatisfy { $0 == bad || states[$0].isFinite })
        #expect(throws: WorldModelError.self) {
            var s = [DynamicsState(episode: episode, frame: 3, historyLength: 3, dtSeconds: 0.02)]
            _ = try engine.rollout(&s, steps: 2) { _, _, _ in SIMD2(.nan, 0) }
        }
        #expect(throws: WorldModelError.self) {
            var s = [states[bad]]
            _ = try engine.rollout(&s, steps: 2) { _, _, _ in .zero }
        }
    }
}
