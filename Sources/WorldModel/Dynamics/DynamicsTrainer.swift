#if canImport(Glibc)
import Glibc
#endif

/// Where training stands, reported to a progress callback.
public struct DynamicsTrainingProgress: Sendable {
    public var step: Int
    public var elapsedSeconds: Double
    public var budgetSeconds: Double
    /// Running mean of the normalised one-step training loss.
    public var loss: Float
    /// The latest validation rollout position error (m) at `validationHorizon`, if measured yet.
    public var validationError: Double?
    public var bestValidationError: Double?
}

/// What a training run did.
public struct DynamicsTrainingSummary: Codable, Sendable {
    public var steps: Int
    public var seconds: Double
    public var finalLoss: Float
    public var bestValidationError: Double
    public var validationHorizon: Int
    /// (step, seconds, training loss, validation error) at each validation.
    public var curve: [[Double]]
    public var stoppedEarly: Bool
    /// Whether this run wrote a checkpoint (false only when it was stopped before its first step).
    public var wroteCheckpoint: Bool
    /// Processes that trained together (data-parallel ranks; 1 for a single process).
    public var ranks: Int
    /// Bytes each rank sent into the one gradient allreduce of every step (0 for a single process).
    public var allreduceBytesPerStep: Int
    /// The largest difference between any rank's weights and rank 0's at the end (0: identical, as they must be).
    public var maxRankWeightDifference: Double
}

/// Trains a `DynamicsModel` on teacher episodes: GNS-style noise on the velocity history, minibatches of
/// graphs, Adam with exponential decay and global-norm clipping, periodic validation by rollout on the valid
/// split, and the best model (lowest validation error) written atomically to the output after each improvement,
/// so an interrupted run always leaves the last good checkpoint.
public final class DynamicsTrainer {
    public let model: DynamicsModel
    public let train: TrainingSamples
    public let valid: [Episode]
    public var validationHorizon = 50
    public var validationEpisodes = 8
    private var rng: SeededRandom
    private let runner: DynamicsRunner
    private let targets: Matrix
    private let gradient: Matrix

    public init(model: DynamicsModel, trainEpisodes: [Episode], validEpisodes: [Episode], seed: UInt64) throws {
        guard !trainEpisodes.isEmpty else { throw WorldModelError("no training episodes") }
        self.model = model
        train = TrainingSamples(episodes: trainEpisodes, historyLength: model.historyLength, dtSeconds: model.dtSeconds)
        guard !train.frames.isEmpty else {
            throw WorldModelError("training episodes are too short: need at least \(model.historyLength + 2) frames")
        }
        valid = validEpisodes
        rng = SeededRandom(seed: seed)
        let batch = model.configuration.batchSize
        runner = try DynamicsRunner(model: model, objects: model.trainedObjects, maxEnvironments: batch)
        targets = Matrix(rows: batch * model.trainedObjects.count, cols: 6)
        gradient = Matrix(rows: batch * model.trainedObjects.count, cols: 6)
    }

    /// Computes the normalisation statistics of node and edge features and of targets from up to `frames`
    /// training frames (without noise), and stores them in the model.
    public func computeStatistics(frames: Int = 4000) {
        let builder = runner.builder
        var node = FeatureStatisticsAccumulator(width: model.configuration.features.nodeWidth)
        var edge = FeatureStatisticsAccumulator(width: GraphFeatureConfiguration.edgeWidth)
        var target = FeatureStatisticsAccumulator(width: 6)
        var local = SeededRandom(seed: 99)
        let batch = runner.maxEnvironments
        var remaining = min(frames, train.frames.count)
        while remaining > 0 {
            let count = min(batch, remaining)
            remaining -= count
            var states: [DynamicsState] = [], next: [SIMD3<Float>] = [], samples: [TrainingSamples.Sample] = []
            for _ in 0..<count {
                let s = train.sample(local.index(train.frames.count))
                samples.append(s)
                states.append(s.state)
                next.append(s.robotNext)
            }
            states.withUnsafeBufferPointer { st in
                next.withUnsafeBufferPointer { builder.build(states: st, robotNext: $0, dtSeconds: model.dtSeconds) }
            }
            node.add(builder.nodeView)
            if builder.edgeCount > 0 { edge.add(builder.edgeView) }
            let n = model.trainedObjects.count
            let t = Matrix(rows: count * n, cols: 6)
            for (b, s) in samples.enumerated() {
                let values = TrainingSamples.targets(state: s.state, sample: s, dtSeconds: model.dtSeconds) {
                    builder.heading(ofObjectRow: b * n + $0)
                }
                for k in 0..<values.count { t.base[b * n * 6 + k] = values[k] }
            }
            target.add(t.view)
        }
        model.nodeStatistics = node.statistics()
        model.edgeStatistics = edge.count > 0 ? edge.statistics() : FeatureStatistics(identityOfWidth: GraphFeatureConfiguration.edgeWidth)
        model.targetStatistics = target.statistics()
    }

    /// The normalised MSE of a new minibatch (drawn and noised as training draws them; the parameters' gradients
    /// are left set to its gradient, nothing is updated). Training steps are `run`'s.
    func minibatchLoss() -> Float {
        accumulateGradient(samples: 0..<model.configuration.batchSize).loss
    }

    /// Draws a minibatch and sets every parameter's gradient to that of the normalised MSE over `samples` of it;
    /// returns that loss and the number of values it averages. Every sample's frame and noise seed come from the
    /// trainer's generator, drawn for the whole minibatch (so every rank's generator stays in step); only the
    /// samples of `part` are noised and computed.
    func accumulateGradient(samples part: Range<Int>) -> (loss: Float, count: Float) {
        let c = model.configuration, n = model.trainedObjects.count, batch = c.batchSize
        var states: [DynamicsState] = [], next: [SIMD3<Float>] = []
        var truth: [TrainingSamples.Sample] = []
        states.reserveCapacity(part.count)
        for b in 0..<batch {
            let frame = rng.index(train.frames.count), noiseSeed = rng.next()
            guard part.contains(b) else { continue }
            let s = train.sample(frame)
            var state = s.state, noise = SeededRandom(seed: noiseSeed)
            TrainingSamples.addNoise(to: &state, linear: c.linearVelocityNoise, angular: c.angularVelocityNoise, dtSeconds: model.dtSeconds, using: &noise)
            states.append(state)
            next.append(s.robotNext)
            truth.append(s)
        }
        let out = states.withUnsafeBufferPointer { st in next.withUnsafeBufferPointer { runner.forward(states: st, robotNext: $0) } }
        let stats = model.targetStatistics
        for b in 0..<states.count {
            let values = TrainingSamples.targets(state: states[b], sample: truth[b], dtSeconds: model.dtSeconds) {
                runner.outputHeading(row: b * n + $0)
            }
            for k in 0..<values.count {
                let column = k % 6
                targets.base[b * n * 6 + k] = (values[k] - stats.mean[column]) / stats.std[column]
            }
        }
        let rows = states.count * n
        let loss = MeanSquaredError.evaluate(prediction: out, target: targets.view.rows(0..<rows), gradient: gradient.view.rows(0..<rows))
        model.parameters.zeroGradients()
        runner.backward(outputGradient: gradient.view.rows(0..<rows))
        return (loss, Float(rows * 6))
    }

    /// Mean rollout position error (m) at `validationHorizon` (or the longest the episodes allow) on the first
    /// `validationEpisodes` valid episodes; infinity if a rollout diverges.
    public func validationError() throws -> Double {
        let episodes = Array(valid.prefix(validationEpisodes))
        guard !episodes.isEmpty else { return .nan }
        let longest = (episodes.map(\.frameCount).min() ?? 0) - model.historyLength - 1
        guard longest >= 1 else { return .nan }
        let horizon = min(validationHorizon, longest)
        let maxStarts = episodes.map { max(1, ($0.frameCount - model.historyLength) / 10 + 1) }.max() ?? 1
        let evaluator = try DynamicsRunner(model: model, objects: model.trainedObjects, maxEnvironments: maxStarts)
        do {
            let errors = try RolloutEvaluation.evaluate(evaluator, episodes: episodes, horizons: [horizon],
                                                        historyLength: model.historyLength, dtSeconds: model.dtSeconds)
            return errors.positionErrorMeters[0]
        } catch {
            return .infinity  // a diverging rollout is the worst validation score, not a failed run
        }
    }

    /// Trains for `budgetSeconds` (or `maxSteps`), validating every `validateEverySeconds` (or every `validateEverySteps` steps when given), writing the best
    /// model to `path`. `shouldStop` is polled every step (Ctrl-C): the run stops, and if it has trained but
    /// not yet written a checkpoint (stopped before its first validation) it validates and writes one, so the
    /// work is kept; stopped before its first step, it writes nothing and the file at `path` stays as it was.
    /// With a `reducer` of several ranks, each rank trains on its part of every minibatch (see ``TrainingLoop``)
    /// and only rank 0 validates and writes `path`.
    public func run(budgetSeconds: Double, maxSteps: Int? = nil, startStep: Int = 0, validateEverySeconds: Double = 20, validateEverySteps: Int? = nil,
                    path: String, extraMetadata: [String: String] = [:], reducer: any GradientReducer = SingleProcessReducer(),
                    shouldStop: () -> Bool = { false },
                    progress: (DynamicsTrainingProgress) -> Void = { _ in }) throws -> DynamicsTrainingSummary {
        let c = model.configuration
        let part = try reducer.share(of: c.batchSize)
        let loop = TrainingLoop(budgetSeconds: budgetSeconds, maxSteps: maxSteps, startStep: startStep, validateEverySeconds: validateEverySeconds,
                                validateEverySteps: validateEverySteps,
                                validationHorizon: validationHorizon, path: path, parameters: model.parameters, learningRate: c.learningRate,
                                decaySteps: c.learningRateDecaySteps, weightDecay: c.weightDecay, gradientClipNorm: c.gradientClipNorm,
                                reducer: reducer)
        return try loop.run(gradient: { accumulateGradient(samples: part) },
                            validate: { try validationError() },
                            save: { try model.save(to: path, extra: extraMetadata.merging($0) { _, new in new }) },
                            shouldStop: shouldStop, progress: progress)
    }

}
