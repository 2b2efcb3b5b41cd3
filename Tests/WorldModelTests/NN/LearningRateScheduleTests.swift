import FoundationEssentials
import Testing
import WorldModel

@Suite struct LearningRateScheduleTests {
    @Test func warmupRisesLinearlyThenCosineDecays() {
        let schedule = LearningRateSchedule(.cosine(initial: 1, final: 0.1, steps: 100), warmupSteps: 10)
        #expect(abs(schedule.rate(at: 0) - 0.1) < 1e-6)
        #expect(abs(schedule.rate(at: 9) - 1) < 1e-6)
        #expect(abs(schedule.rate(at: 10) - 1) < 1e-6)
        #expect(abs(schedule.rate(at: 60) - 0.55) < 1e-5)
        #expect(abs(schedule.rate(at: 110) - 0.1) < 1e-6)
        #expect(abs(schedule.rate(at: 10_000) - 0.1) < 1e-6)
    }

    @Test func exponentialDecayReachesRateAfterDecaySteps() {
        let schedule = LearningRateSchedule(.exponentialDecay(initial: 1e-4, final: 1e-6, rate: 0.1, steps: 1000))
        #expect(abs(schedule.rate(at: 0) - 1e-4) < 1e-9)
        #expect(abs(schedule.rate(at: 1000) - (1e-6 + 0.99e-5)) < 1e-9)
        #expect(schedule.rate(at: 500) < schedule.rate(at: 499))
    }

    @Test func roundTripsThroughJSON() throws {
        let schedule = LearningRateSchedule(.constant(3e-4), warmupSteps: 5)
        let data = try JSONEncoder().encode(schedule)
        #expect(try JSONDecoder().decode(LearningRateSchedule.self, from: data) == schedule)
    }
}
