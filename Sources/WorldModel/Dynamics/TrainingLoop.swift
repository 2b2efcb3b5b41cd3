#if canImport(Glibc)
import Glibc
#endif

/// The loop every dynamics trainer runs: optimisation steps until the time budget (or a step count) is spent,
/// validation every `validateEverySeconds`, and the best model written whenever validation improves.
///
/// Stopping (`shouldStop`, polled every step, e.g. Ctrl-C): the run stops, and if it has trained but not yet
/// written a checkpoint (stopped before its first validation) it validates and writes one, so the work is kept;
/// stopped before its first step, it writes nothing and the file at `path` stays as it was.
struct TrainingLoop {
    var budgetSeconds: Double
    var maxSteps: Int?
    var startStep: Int
    var validateEverySeconds: Double
    var validationHorizon: Int
    var path: String
    /// Adam over these, with the learning rate decaying exponentially by 10x every `decaySteps` after 200 warm-up steps.
    var parameters: [Parameter]
    var learningRate: Float
    var decaySteps: Int
    var weightDecay: Float = 0

    /// `step(rate, optimizer)` runs one optimisation step at that learning rate and returns its loss; `validate` returns the validation error (m; NaN
    /// without a valid split, infinity for a diverged rollout); `save(metadata)` writes the checkpoint.
    func run(step: (Float, AdamOptimizer) -> Float, validate: () throws -> Double, save: ([String: String]) throws -> Void,
             shouldStop: () -> Bool, progress: (DynamicsTrainingProgress) -> Void) throws -> DynamicsTrainingSummary {
        let optimizer = AdamOptimizer(parameters: parameters, configuration: AdamConfiguration(weightDecay: weightDecay))
        let schedule = LearningRateSchedule(.exponentialDecay(initial: learningRate, final: learningRate * 0.01, rate: 0.1, steps: decaySteps),
                                            warmupSteps: 200)
        let start = monotonicSeconds()
        var lastValidation = start
        var k = startStep, runningLoss: Float = 0, lossCount: Float = 0
        var best = Double.infinity, latest: Double? = nil, saved = false
        var curve: [[Double]] = []
        var stopped = false
        func validateAndSave() throws {
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
            let elapsed = monotonicSeconds() - start
            if elapsed >= budgetSeconds || (maxSteps.map { k - startStep >= $0 } ?? false) { break }
            if shouldStop() { stopped = true; break }
            let loss = step(schedule.rate(at: k), optimizer)
            guard loss.isFinite else { throw WorldModelError(file: path, "training diverged at step \(k): loss is \(loss)") }
            runningLoss = lossCount < 100 ? runningLoss + loss : runningLoss * 0.99 + loss
            lossCount = min(lossCount + 1, 100)
            k += 1
            if monotonicSeconds() - lastValidation >= validateEverySeconds {
                try validateAndSave()
                lastValidation = monotonicSeconds()
            }
            if k % 10 == 0 {
                progress(DynamicsTrainingProgress(step: k, elapsedSeconds: monotonicSeconds() - start, budgetSeconds: budgetSeconds,
                                                  loss: runningLoss / max(lossCount, 1), validationError: latest,
                                                  bestValidationError: best.isFinite ? best : nil))
            }
        }
        if !stopped || (!saved && k > startStep) { try validateAndSave() }
        return DynamicsTrainingSummary(steps: k, seconds: monotonicSeconds() - start, finalLoss: runningLoss / max(lossCount, 1),
                                       bestValidationError: best, validationHorizon: validationHorizon, curve: curve, stoppedEarly: stopped,
                                       wroteCheckpoint: saved)
    }
}
