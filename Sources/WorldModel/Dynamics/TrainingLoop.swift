#if canImport(Glibc)
import Glibc
#endif

/// The loop every dynamics trainer runs: optimisation steps until the time budget (or a step count) is spent,
/// validation every `validateEverySeconds`, and the best model written whenever validation improves.
///
/// Stopping (`shouldStop`, polled every step, e.g. Ctrl-C): the run stops, and if it has trained but not yet
/// written a checkpoint (stopped before its first validation) it validates and writes one, so the work is kept;
/// stopped before its first step, it writes nothing and the file at `path` stays as it was.
///
/// Data-parallel (a `reducer` of several ranks): every rank runs this loop on its part of each minibatch; the
/// gradient is complete after ``DataParallelStep/combine(loss:count:vote:)``, the one place the ranks exchange it,
/// before clipping and Adam. The ranks stop after the same step (a stop vote of any rank, sent with the gradient,
/// ends the run before that step's update on all of them), and only rank 0 validates and writes checkpoints.
struct TrainingLoop {
    var budgetSeconds: Double
    var maxSteps: Int?
    var startStep: Int
    var validateEverySeconds: Double
    /// When set, validation runs every this many steps instead of by the clock, so which checkpoint is kept does
    /// not depend on the machine's speed or load (tests).
    var validateEverySteps: Int? = nil
    var validationHorizon: Int
    var path: String
    /// Adam over these, with the learning rate decaying exponentially by 10x every `decaySteps` after 200 warm-up steps.
    var parameters: [Parameter]
    var learningRate: Float
    var decaySteps: Int
    var weightDecay: Float = 0
    /// Global-norm clipping of each step's (complete) gradient; 0 for none.
    var gradientClipNorm: Float
    var reducer: any GradientReducer = SingleProcessReducer()

    /// `gradient()` sets every parameter's gradient to that of this rank's part of a new minibatch and returns its mean loss and the
    /// number of terms it averaged over; `validate` returns the validation error (m; NaN without a valid split, infinity for a diverged
    /// rollout); `save(metadata)` writes the checkpoint.
    func run(gradient: () -> (loss: Float, count: Float), validate: () throws -> Double, save: ([String: String]) throws -> Void,
             shouldStop: () -> Bool, progress: (DynamicsTrainingProgress) -> Void) throws -> DynamicsTrainingSummary {
        let exchange = DataParallelStep(reducer: reducer, parameters: parameters)
        let writes = exchange.rank == 0
        let optimizer = AdamOptimizer(parameters: parameters, configuration: AdamConfiguration(weightDecay: weightDecay))
        let schedule = LearningRateSchedule(.exponentialDecay(initial: learningRate, final: learningRate * 0.01, rate: 0.1, steps: decaySteps),
                                            warmupSteps: 200)
        exchange.broadcastWeights()
        let start = monotonicSeconds()
        var lastValidation = start
        var k = startStep, runningLoss: Float = 0, lossCount: Float = 0
        var best = Double.infinity, latest: Double? = nil, saved = false
        var curve: [[Double]] = []
        var stopped = false
        func validateAndSave() throws {
            guard writes else { return }
            let error = try validate()
            latest = error
            curve.append([Double(k), monotonicSeconds() - start, Double(lossCount > 0 ? runningLoss / lossCount : .nan), error])
            // Without a valid split (error NaN) there is nothing to select by: keep the latest model.
            if !saved || error < best || error.isNaN {
                saved = true
                best = error
                try save(["training_step": "\(k)", "validation_error_m": "\(error)"])
            }
        }
        while true {
            if let maxSteps, k - startStep >= maxSteps { break }
            var vote = DataParallelStep.StopVote(budgetSpent: monotonicSeconds() - start >= budgetSeconds)
            if !vote.budgetSpent { vote.interrupted = shouldStop() }
            // One process stops before the step; ranks first agree (the vote travels with the gradient).
            if exchange.ranks == 1 && vote.any { stopped = vote.interrupted; break }
            let local = gradient()
            let (loss, agreed) = exchange.combine(loss: local.loss, count: local.count, vote: vote)
            if agreed.any { stopped = !agreed.budgetSpent; break }
            if gradientClipNorm > 0 { _ = GradientClipping.clipGlobalNorm(parameters, maxNorm: gradientClipNorm) }
            optimizer.step(learningRate: schedule.rate(at: k))
            guard loss.isFinite else { throw WorldModelError(file: path, "training diverged at step \(k): loss is \(loss)") }
            runningLoss = lossCount < 100 ? runningLoss + loss : runningLoss * 0.99 + loss
            lossCount = min(lossCount + 1, 100)
            k += 1
            let due = validateEverySteps.map { k % max($0, 1) == 0 } ?? (monotonicSeconds() - lastValidation >= validateEverySeconds)
            if writes && due {
                try validateAndSave()
                lastValidation = monotonicSeconds()
            }
            if k % 10 == 0 {
                progress(DynamicsTrainingProgress(step: k, elapsedSeconds: monotonicSeconds() - start, budgetSeconds: budgetSeconds,
                                                  loss: runningLoss / max(lossCount, 1), validationError: latest,
                                                  bestValidationError: best.isFinite ? best : nil))
            }
        }
        let difference = exchange.maxWeightDifferenceFromRoot()
        if !stopped || (!saved && k > startStep) { try validateAndSave() }
        return DynamicsTrainingSummary(steps: k, seconds: monotonicSeconds() - start, finalLoss: runningLoss / max(lossCount, 1),
                                       bestValidationError: best, validationHorizon: validationHorizon, curve: curve, stoppedEarly: stopped,
                                       wroteCheckpoint: saved, ranks: exchange.ranks, allreduceBytesPerStep: exchange.ranks > 1 ? exchange.bytesPerStep : 0,
                                       maxRankWeightDifference: Double(difference))
    }
}
