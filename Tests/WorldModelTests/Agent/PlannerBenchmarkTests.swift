import Testing
@testable import WorldModel

@Suite(.serialized) struct PlannerBenchmarkTests {
    @Test func reportsEveryRoundOfThePlannerAndBothEnvironments() throws {
        let model = try AgentFixtures.untrainedPushModel()
        let configuration = PlannerConfiguration(method: .mppi, horizon: 3, samples: 8, iterations: 1, seed: 2)
        var seen: [Int] = []
        let report = try PlannerBenchmark.run(model: model, modelName: "untrained", scenePath: scenePath("push.xml"), configuration: configuration,
                                              threads: 2, rounds: 3, stepsPerRound: 2, warmupSteps: 1) { done, _ in seen.append(done) }
        #expect(seen == [1, 2, 3])
        #expect(report.task == "push" && report.samples == 8 && report.horizon == 3 && report.threads == 2)
        for s in [report.planMillisecondsPerStep, report.rolloutMillisecondsPerStep, report.rolloutGraphStepsPerSecond,
                  report.learnedEnvironmentStepMilliseconds, report.mujocoEnvironmentStepMilliseconds] {
            #expect(s.rounds == 3 && s.min > 0 && s.min <= s.median && s.median <= s.max && s.max.isFinite)
        }
        // The rollouts are a part of each planning call, timed inside it.
        #expect(report.rolloutMillisecondsPerStep.median <= report.planMillisecondsPerStep.median)
    }

    @Test func aModelOfAnotherSceneIsRefusedBeforeAnyTiming() throws {
        let model = try AgentFixtures.untrainedPushModel()
        #expect(throws: WorldModelError.self) {
            try PlannerBenchmark.run(model: model, modelName: "push-model.safetensors", scenePath: scenePath("clutter.xml"),
                                     configuration: PlannerConfiguration(horizon: 2, samples: 4), threads: 1, rounds: 1, stepsPerRound: 1)
        }
    }

    @Test func roundStatisticsAreTheMedianAndRange() {
        let s = RoundStatistics([5, 1, 3, 2])
        #expect(s.median == 2.5 && s.min == 1 && s.max == 5 && s.rounds == 4)
        #expect(RoundStatistics([7, 1, 4]).median == 4)
    }
}
