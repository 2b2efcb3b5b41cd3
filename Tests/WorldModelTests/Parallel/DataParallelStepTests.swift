import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// The largest absolute difference between two models' parameters.
func maxDifference(_ a: [Parameter], _ b: [Parameter]) -> Float {
    var largest: Float = 0
    for (p, q) in zip(a, b) {
        for i in 0..<p.value.count { largest = max(largest, abs(p.value.base[i] - q.value.base[i])) }
    }
    return largest
}

@Suite struct DataParallelStepTests {
    func bodyTrainer() throws -> BodyDynamicsTrainer {
        let model = try BodyDynamicsModel(configuration: BodyDynamicsConfiguration.preset(named: "small")!, scene: armData.scene, seed: 3)
        let trainer = try BodyDynamicsTrainer(model: model, trainEpisodes: armData.train, validEpisodes: armData.valid, seed: 4)
        trainer.computeStatistics(frames: 200)
        trainer.validationEpisodes = 1
        return trainer
    }

    func path(_ name: String) -> String { "/tmp/wm-dp-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-\(name).safetensors" }

    /// A trainer's parameters and its `run(reducer, path)` for `steps` steps.
    typealias Training = (parameters: [Parameter], run: (any GradientReducer, String) throws -> DynamicsTrainingSummary)

    /// Trains a fresh trainer of `make` as one process and two of them as two ranks; checks that the ranks agree
    /// bit for bit and rank 0 with the single process within float tolerance.
    func oneProcessAgainstTwoRanks(_ what: String, steps: Int, _ make: (Int) throws -> Training) throws {
        let singlePath = path("single"), rankPath = path("rank0")
        defer { unlink(singlePath); unlink(rankPath) }
        let single = try make(steps)
        _ = try single.run(SingleProcessReducer(), singlePath)
        let trainers = try (0..<2).map { _ in try make(steps) }
        let summaries = try ThreadRanks(threads: 2).run { t, rank in try trainers[t].run(rank, rankPath) }
        let difference = maxDifference(single.parameters, trainers[0].parameters)
        print("\(what), 2 ranks against 1 process after \(steps) steps: max weight difference \(difference)")
        #expect(difference < 1e-5, "max weight difference \(difference)")
        #expect(maxDifference(trainers[0].parameters, trainers[1].parameters) == 0)
        #expect(summaries.map(\.maxRankWeightDifference) == [0, 0])
        #expect(summaries.map(\.steps) == [steps, steps])
        #expect(summaries[0].wroteCheckpoint && !summaries[1].wroteCheckpoint)
        #expect(summaries[0].allreduceBytesPerStep == (single.parameters.scalarCount + 4) * 4)
        #expect(summaries[0].finalLoss == summaries[1].finalLoss)
    }

    @Test func twoRanksOfTheBodyTrainerEqualOneProcess() throws {
        try oneProcessAgainstTwoRanks("body graph", steps: 30) { steps in
            let trainer = try bodyTrainer()
            return (trainer.model.parameters, { try trainer.run(budgetSeconds: 600, maxSteps: steps, validateEverySeconds: 1e9, path: $1, reducer: $0) })
        }
    }

    func objectTrainer() throws -> DynamicsTrainer {
        let data = oneBoxData
        var configuration = DynamicsConfiguration.preset(named: "small")!
        configuration.features.historyLength = 3
        let kinematics = RobotKinematics.fit(episodes: data.train, dtSeconds: 0.02, lowerBound: SIMD2(-0.35, -0.35), upperBound: SIMD2(0.35, 0.35))
        let model = DynamicsModel(configuration: configuration, objects: data.scene.objects, robot: data.scene.robot, dtSeconds: 0.02,
                                  robotKinematics: kinematics, seed: 5)
        let trainer = try DynamicsTrainer(model: model, trainEpisodes: data.train, validEpisodes: data.valid, seed: 6)
        trainer.computeStatistics(frames: 200)
        trainer.validationEpisodes = 1
        return trainer
    }

    @Test func twoRanksOfTheObjectTrainerEqualOneProcess() throws {
        try oneProcessAgainstTwoRanks("free-object graph", steps: 30) { steps in
            let trainer = try objectTrainer()
            return (trainer.model.parameters, { try trainer.run(budgetSeconds: 600, maxSteps: steps, validateEverySeconds: 1e9, path: $1, reducer: $0) })
        }
    }

    @Test func aStopOnOneRankStopsEveryRankAfterTheSameStep() throws {
        let trainers = try (0..<2).map { _ in try bodyTrainer() }, rankPath = path("stopped")
        defer { unlink(rankPath) }
        let summaries = try ThreadRanks(threads: 2).run { t, rank in
            var polls = 0
            return try trainers[t].run(budgetSeconds: 600, validateEverySeconds: 1e9, path: rankPath, reducer: rank,
                                       shouldStop: { polls += 1; return rank.rank == 1 && polls > 5 })
        }
        #expect(summaries.map(\.steps) == [5, 5])
        #expect(summaries.map(\.stoppedEarly) == [true, true])
        #expect(summaries[0].wroteCheckpoint)
        #expect(try BodyDynamicsModel.isBodyModel(path: rankPath))
        #expect(maxDifference(trainers[0].model.parameters, trainers[1].model.parameters) == 0)
    }

    /// A replica (a training thread's model) starts with the same statistics and weights, in storage of its own.
    @Test func aReplicaCopiesStatisticsAndWeightsIntoItsOwnStorage() throws {
        let body = try bodyTrainer().model, bodyCopy = try body.replica()
        #expect(maxDifference(body.parameters, bodyCopy.parameters) == 0)
        #expect(bodyCopy.inputStatistics == body.inputStatistics && bodyCopy.targetStatistics == body.targetStatistics)
        let objects = try objectTrainer().model, objectsCopy = objects.replica()
        #expect(maxDifference(objects.parameters, objectsCopy.parameters) == 0)
        #expect(objectsCopy.nodeStatistics == objects.nodeStatistics && objectsCopy.targetStatistics == objects.targetStatistics)
        body.parameters[0].value.base[0] += 1
        objects.parameters[0].value.base[0] += 1
        #expect(maxDifference(body.parameters, bodyCopy.parameters) > 0.99 && maxDifference(objects.parameters, objectsCopy.parameters) > 0.99)
    }

    @Test func aBatchSmallerThanTheRanksIsRefused() throws {
        final class Ranks: GradientReducer {
            var rank: Int { 0 }
            var ranks: Int { 9 }
            func sum(_ values: UnsafeMutableBufferPointer<Float>) {}
            func broadcastFromRoot(_ values: UnsafeMutableBufferPointer<Float>) {}
        }
        #expect(throws: WorldModelError.self) { try Ranks().share(of: 8) }
        #expect(try SingleProcessReducer().share(of: 8) == 0..<8)
    }
}
