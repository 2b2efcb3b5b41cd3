import Testing
@testable import WorldModel

/// A point mass that the action moves directly (p += a dt); the robot is the mass itself. Optimum known: head
/// straight for the goal at full speed.
final class PointMassModel: BatchRolloutModel {
    typealias State = SIMD2<Float>
    let objectCount = 1
    let dtSeconds: Float = 0.02

    func rollout(from state: SIMD2<Float>, actions: UnsafeBufferPointer<SIMD2<Float>>, samples: Int, horizon: Int,
                 into trajectories: SampledTrajectories) throws {
        for s in 0..<samples {
            var p = state
            for t in 0..<horizon {
                p += actions[s * horizon + t] * dtSeconds
                trajectories.record(sample: s, step: t, object: 0, position: SIMD3(p.x, p.y, 0), yaw: 0)
                trajectories.robotPositions[s * horizon + t] = SIMD3(p.x, p.y, 0)
            }
        }
    }
}

@Suite struct PlannerTests {
    let goal = PushGoal(objectIndex: 0, position: SIMD2(0.12, -0.08), approachWeight: 0)

    @Test(arguments: PlannerMethod.allCases)
    func optimisationLowersTheCostTowardTheKnownOptimum(method: PlannerMethod) throws {
        let configuration = PlannerConfiguration(method: method, horizon: 20, samples: 64, iterations: 6, seed: 3)
        let planner = Planner(model: PointMassModel(), configuration: configuration)
        try planner.optimize(from: .zero, goal: goal)
        let first = planner.lastCost  // the all-zero plan
        for _ in 0..<4 { try planner.optimize(from: .zero, goal: goal) }
        #expect(planner.bestCost < 0.6 * first)
        // The optimum heads for the goal: the first action points along the goal direction.
        let a = planner.plan[0], g = goal.position
        let cosine = (a * g).sum() / ((a * a).sum().squareRoot() * (g * g).sum().squareRoot())
        #expect(cosine > 0.9)
    }

    @Test(arguments: PlannerMethod.allCases)
    func recedingHorizonReachesTheGoal(method: PlannerMethod) throws {
        let configuration = PlannerConfiguration(method: method, horizon: 15, samples: 64, iterations: method == .cem ? 3 : 1, seed: 5)
        let model = PointMassModel()
        let planner = Planner(model: model, configuration: configuration)
        var p = SIMD2<Float>.zero
        for _ in 0..<80 {
            let action = try planner.plan(from: p, goal: goal)
            #expect(action.x >= -0.3 && action.x <= 0.3 && action.y >= -0.3 && action.y <= 0.3)
            p += action * model.dtSeconds
        }
        let d = p - goal.position
        #expect((d * d).sum().squareRoot() < 0.01)
    }

    @Test func planShiftsByOneStepAfterActing() throws {
        let planner = Planner(model: PointMassModel(), configuration: PlannerConfiguration(horizon: 5, samples: 16, seed: 1))
        try planner.optimize(from: .zero, goal: goal)
        let before = planner.plan
        _ = try planner.plan(from: .zero, goal: goal)
        #expect(planner.plan.count == 5)
        #expect(planner.plan[4] == planner.plan[3])
        #expect(before.count == 5)
    }
}
