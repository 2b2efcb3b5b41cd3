#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WorldModel

/// A point mass that the push scene's action moves directly (pusher p += a dt); every other body stays at the
/// origin. Optimum known: head straight for the goal at full speed. Samples whose first action has x above
/// `divergeAbove` are reported diverged (their poses would otherwise be the best).
final class PointMassModel: BatchRolloutModel {
    typealias State = SIMD3<Float>
    let sceneModel = AgentFixtures.pushScene
    let dtSeconds: Float = 0.02
    let pusher = AgentFixtures.pushScene.handBodyIndex!
    var divergeAbove: Float = .infinity

    func rollout(from state: SIMD3<Float>, actions: UnsafeBufferPointer<Float>, samples: Int, horizon: Int,
                 into trajectories: SampledTrajectories) throws {
        for s in 0..<samples {
            var p = state
            trajectories.diverged[s] = actions[s * horizon * 2] > divergeAbove
            for t in 0..<horizon {
                p += SIMD3(actions[(s * horizon + t) * 2], actions[(s * horizon + t) * 2 + 1], 0) * dtSeconds
                let o = ((s * horizon + t) * trajectories.bodyCount + pusher) * 3
                for c in 0..<3 { trajectories.bodyPositions[o + c] = p[c] }
            }
        }
    }
}

@Suite struct PlannerTests {
    let task = ReachTask(body: AgentFixtures.pushScene.handBodyIndex!, target: SIMD3(0.12, -0.08, 0))

    @Test(arguments: PlannerMethod.allCases)
    func optimisationLowersTheCostTowardTheKnownOptimum(method: PlannerMethod) throws {
        let configuration = PlannerConfiguration(method: method, horizon: 20, samples: 64, iterations: 6, seed: 3)
        let planner = Planner(model: PointMassModel(), configuration: configuration)
        try planner.optimize(from: .zero, task: task)
        let first = planner.lastCost  // the all-zero plan
        for _ in 0..<4 { try planner.optimize(from: .zero, task: task) }
        #expect(planner.bestCost < 0.6 * first)
        // The optimum heads for the goal: the first action points along the goal direction.
        let a = SIMD2(planner.plan[0], planner.plan[1]), g = SIMD2(task.target.x, task.target.y)
        let cosine = (a * g).sum() / ((a * a).sum().squareRoot() * (g * g).sum().squareRoot())
        #expect(cosine > 0.9)
    }

    @Test(arguments: PlannerMethod.allCases)
    func recedingHorizonReachesTheGoal(method: PlannerMethod) throws {
        let configuration = PlannerConfiguration(method: method, horizon: 15, samples: 64, iterations: method == .cem ? 3 : 1, seed: 5)
        let model = PointMassModel()
        let planner = Planner(model: model, configuration: configuration)
        var p = SIMD3<Float>.zero
        for _ in 0..<80 {
            let action = try planner.plan(from: p, task: task)
            #expect(action.count == 2 && action.allSatisfy { $0 >= -0.3 && $0 <= 0.3 })  // push.xml's ctrlrange
            p += SIMD3(action[0], action[1], 0) * model.dtSeconds
        }
        let d = p - task.target
        #expect((d * d).sum().squareRoot() < 0.01)
    }

    @Test func planShiftsByOneStepAfterActing() throws {
        let planner = Planner(model: PointMassModel(), configuration: PlannerConfiguration(horizon: 5, samples: 16, seed: 1))
        try planner.optimize(from: .zero, task: task)
        _ = try planner.plan(from: .zero, task: task)
        #expect(planner.plan.count == 5 * 2)
        #expect(Array(planner.plan[8..<10]) == Array(planner.plan[6..<8]))
    }

    /// The goal lies along +x, so the best sequences start with a large x action; those diverge. The plan never
    /// becomes a diverged sample: its first x action stays at or below the divergence threshold.
    @Test(arguments: PlannerMethod.allCases)
    func aDivergedSampleNeverBecomesThePlan(method: PlannerMethod) throws {
        let model = PointMassModel()
        model.divergeAbove = 0.05
        let planner = Planner(model: model, configuration: PlannerConfiguration(method: method, horizon: 10, samples: 64, iterations: 3, seed: 2))
        let far = ReachTask(body: model.pusher, target: SIMD3(0.5, 0, 0))
        for _ in 0..<10 {
            try planner.optimize(from: .zero, task: far)
            #expect(!planner.allSamplesDiverged)
            #expect(planner.plan[0] <= 0.05 + 1e-6, "the plan's first action \(planner.plan[0]) is a diverged sample's")
        }
    }

    /// When every sample diverges (a real learned model whose predictions overflow), the plan holds the last
    /// executed action and says so, instead of following garbage.
    @Test func everySampleDivergingHoldsTheLastAction() throws {
        let model = try LearnedRolloutModel(model: AgentFixtures.divergingPushModel(), maxSamples: 8)
        let planner = Planner(model: model, configuration: PlannerConfiguration(horizon: 4, samples: 8, seed: 1))
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        var tracker = BodyStateTracker(scene: model.sceneModel, historyLength: model.model.historyLength)
        tracker.start(at: try teacher.reset(seed: 3))
        let action = try planner.plan(from: tracker.state, task: task)
        #expect(planner.allSamplesDiverged)
        #expect(action == [0, 0])
        #expect(planner.plan.allSatisfy { $0 == 0 })
    }
}
