import Testing
@testable import WorldModel

/// Drives the push scene's pusher at a constant velocity (m/s, within its ctrlrange).
final class ConstantVelocityController: Controller {
    let name = "constant"
    let velocity: [Float]
    init(velocity: [Float]) { self.velocity = velocity }
    func begin(environment: MuJoCoEnvironment) {}
    func action(environment: MuJoCoEnvironment, task: any PlanningTask) throws -> [Float] { velocity }
    func observe(_ observation: Observation) {}
    var planningMillisecondsPerStep: Double { 0 }
}

@Suite struct TaskEvaluationTests {
    /// A pusher that sweeps through its target at 0.3 m/s (6 mm per control step) is inside a 2 cm tolerance for
    /// about 7 control steps: passing through succeeds when one step is enough, not when the task must hold for 10.
    @Test func passingThroughTheTargetIsNotHoldingIt() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let hand = try #require(teacher.sceneModel.handBodyIndex)
        func outcome(hold: Int) throws -> TaskEvaluation.Outcome {
            let start = try teacher.reset(to: AgentFixtures.cornerPlacement())
            let task = ReachTask(body: hand, bodyName: "pusher", target: start.bodyPositions[hand] + SIMD3(0.06, 0, 0), toleranceMeters: 0.02)
            let evaluation = TaskEvaluation(kind: .reach, seed: 1, count: 1, timeLimitSteps: 40, holdSteps: hold)
            return try evaluation.run(task: task, controller: ConstantVelocityController(velocity: [0.3, 0]), environment: teacher)
        }
        let once = try outcome(hold: 1)
        #expect(once.success && once.steps >= 5 && once.steps <= 10, "reached after \(once.steps) steps")
        let ten = try outcome(hold: 10)
        #expect(!ten.success && ten.steps == 40 && ten.finalDistanceMeters > 0.1, "\(ten)")
        // Holding still at the target succeeds after exactly `hold` steps inside it.
        let start = try teacher.reset(to: AgentFixtures.cornerPlacement())
        let here = ReachTask(body: hand, bodyName: "pusher", target: start.bodyPositions[hand], toleranceMeters: 0.02)
        let still = try TaskEvaluation(kind: .reach, seed: 1, count: 1, timeLimitSteps: 40, holdSteps: 10)
            .run(task: here, controller: ConstantVelocityController(velocity: [0, 0]), environment: teacher)
        #expect(still.success && still.steps == 9)
    }
}
