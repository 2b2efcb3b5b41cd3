#if canImport(Glibc)
import Glibc
#endif

/// Sampling-based model-predictive control (CEM or MPPI) over any `BatchRolloutModel` and any `PlanningTask`,
/// for any number of actuators: each control step it samples action sequences around its plan, rolls them all
/// out in one batch, scores them with the task's cost, refines the plan, and returns the plan's first action.
/// The next call starts from the plan shifted by one step (warm start), from the newly observed state: a
/// receding horizon. Actions stay inside each actuator's `ctrlrange` (from the model's scene).
///
/// ```swift
/// let model = try LearnedRolloutModel(model: try .load(from: "models/push-bodies.safetensors"), maxSamples: 256)
/// let planner = Planner(model: model, configuration: PlannerConfiguration(method: .mppi))
/// var tracker = BodyStateTracker(scene: model.sceneModel, historyLength: model.model.historyLength)
/// tracker.start(at: try teacher.reset(seed: 1))
/// for _ in 0..<300 {
///     let action = try planner.plan(from: tracker.state, task: task)
///     tracker.advance(to: try teacher.step(action: action))
/// }
/// ```
///
/// Divergence: a sample the model flags as diverged costs +infinity, so it is never an elite (CEM) and has zero
/// weight (MPPI). When every sample of an iteration diverged, the plan becomes the last executed action held
/// over the horizon (`allSamplesDiverged` says so). Buffers are allocated once, at init. Not thread-safe.
public final class Planner<Model: BatchRolloutModel> {
    public let model: Model
    public let configuration: PlannerConfiguration
    /// Actuators (the width of an action).
    public let nu: Int
    /// Each actuator's `ctrlrange`.
    public let actionLow: [Float]
    public let actionHigh: [Float]
    /// The current plan (mean action sequence), `horizon x nu` values of `ctrl`, step-major.
    public private(set) var plan: [Float]
    /// The cost of the plan's first rollout in the last call (sample 0 is the plan before refinement).
    public private(set) var lastCost: Float = .infinity
    /// The lowest sample cost of the last call.
    public private(set) var bestCost: Float = .infinity
    /// Whether every sample of the last iteration diverged.
    public private(set) var allSamplesDiverged = false
    /// Seconds spent in the model's rollouts and in total, summed over calls since `resetTiming()`.
    public private(set) var rolloutSeconds: Double = 0
    public private(set) var totalSeconds: Double = 0
    /// Calls of `plan` since `resetTiming()`.
    public private(set) var planCalls = 0
    private let centre: [Float], halfRange: [Float]
    private var deviation: [Float]
    private let candidates: UnsafeMutableBufferPointer<Float>
    private var noise: [Float]
    private var costs: [Float]
    private var order: [Int]
    private var weights: [Float]
    public let trajectories: SampledTrajectories
    private var rng: SeededRandom
    private var previousAction: [Float]

    public init(model: Model, configuration: PlannerConfiguration) {
        precondition(configuration.horizon >= 1 && configuration.samples >= 2, "Planner: horizon >= 1 and samples >= 2")
        self.model = model
        self.configuration = configuration
        let scene = model.sceneModel, h = configuration.horizon, n = configuration.samples
        let low = scene.ctrlLow, high = scene.ctrlHigh, middle = zip(low, high).map { ($0 + $1) / 2 }
        nu = scene.nu
        actionLow = low
        actionHigh = high
        centre = middle
        halfRange = zip(low, high).map { max(($1 - $0) / 2, 1e-6) }
        plan = [Float]((0..<h).map { _ in middle }.joined())
        deviation = [Float](repeating: 0, count: h * nu)
        candidates = .allocate(capacity: max(1, n * h * nu))
        candidates.initialize(repeating: 0)
        noise = [Float](repeating: 0, count: nu)
        costs = [Float](repeating: 0, count: n)
        order = Array(0..<n)
        weights = [Float](repeating: 0, count: n)
        trajectories = SampledTrajectories(samples: n, horizon: h, scene: scene)
        rng = SeededRandom(seed: configuration.seed)
        previousAction = middle
    }

    deinit { candidates.deallocate() }

    /// Forgets the plan (every actuator at the centre of its range) and the last action, e.g. at the start of an episode.
    public func reset() {
        let h = configuration.horizon
        for t in 0..<h { for j in 0..<nu { plan[t * nu + j] = centre[j] } }
        previousAction = centre
    }

    public func resetTiming() {
        rolloutSeconds = 0
        totalSeconds = 0
        planCalls = 0
    }

    /// Milliseconds of planning per control step since `resetTiming()`.
    public var millisecondsPerCall: Double { planCalls == 0 ? 0 : 1000 * totalSeconds / Double(planCalls) }

    /// Refines the plan from `state` for `task`, returns its first action (nu values), and shifts the plan by
    /// one step for the next call (call it once per executed control step).
    public func plan(from state: Model.State, task: some PlanningTask) throws -> [Float] {
        try optimize(from: state, task: task)
        let action = Array(plan[0..<nu])
        let h = configuration.horizon
        for t in 0..<(h - 1) { for j in 0..<nu { plan[t * nu + j] = plan[(t + 1) * nu + j] } }
        previousAction = action
        return action
    }

    /// Runs `configuration.iterations` refinements of the plan from `state` without executing anything;
    /// returns the lowest sample cost seen.
    @discardableResult
    public func optimize(from state: Model.State, task: some PlanningTask) throws -> Float {
        let start = monotonicSeconds()
        let c = configuration, h = c.horizon, n = c.samples
        for k in 0..<(h * nu) { deviation[k] = c.initialStandardDeviation }
        bestCost = .infinity
        for iteration in 0..<max(1, c.iterations) {
            sample()
            let rolloutStart = monotonicSeconds()
            try model.rollout(from: state, actions: UnsafeBufferPointer(candidates), samples: n, horizon: h, into: trajectories)
            rolloutSeconds += monotonicSeconds() - rolloutStart
            var finite = 0
            for s in 0..<n {
                let cost = trajectories.diverged[s] ? Float.infinity : task.cost(of: trajectories, sample: s) + smoothness(sample: s)
                costs[s] = cost.isFinite ? cost : .infinity
                if costs[s].isFinite { finite += 1 }
            }
            if iteration == 0 { lastCost = costs[0] }
            for s in 0..<n { bestCost = min(bestCost, costs[s]) }
            allSamplesDiverged = finite == 0
            if allSamplesDiverged {
                for t in 0..<h { for j in 0..<nu { plan[t * nu + j] = previousAction[j] } }
                break
            }
            switch c.method {
            case .cem: refitToElites(finite: finite)
            case .mppi: averageByExponentialWeights()
            }
        }
        totalSeconds += monotonicSeconds() - start
        planCalls += 1
        return bestCost
    }

    /// Fills the candidates: sample 0 the plan itself, the others the plan plus correlated Gaussian noise
    /// (scaled by each actuator's half range), clipped into `ctrlrange`.
    private func sample() {
        let c = configuration, h = c.horizon
        for k in 0..<(h * nu) { candidates[k] = clip(plan[k], k % nu) }
        let beta = min(max(c.noiseCorrelation, 0), 0.999), fresh = (1 - beta * beta).squareRoot()
        for s in 1..<c.samples {
            for t in 0..<h {
                for j in 0..<nu {
                    let e = Float(rng.gaussian())
                    noise[j] = t == 0 ? e : beta * noise[j] + fresh * e
                    let k = t * nu + j
                    candidates[s * h * nu + k] = clip(plan[k] + deviation[k] * halfRange[j] * noise[j], j)
                }
            }
        }
    }

    private func smoothness(sample s: Int) -> Float {
        let h = configuration.horizon, base = s * h * nu
        var total: Float = 0
        for t in 0..<h {
            for j in 0..<nu {
                let previous = t == 0 ? previousAction[j] : candidates[base + (t - 1) * nu + j]
                let d = (candidates[base + t * nu + j] - previous) / halfRange[j]
                total += d * d
            }
        }
        return configuration.smoothnessWeight * total
    }

    private func refitToElites(finite: Int) {
        let c = configuration, h = c.horizon, k = min(max(c.eliteCount, 1), finite)
        for s in 0..<c.samples { order[s] = s }
        order.withUnsafeMutableBufferPointer { buffer in
            let costs = self.costs
            buffer.sort { costs[$0] < costs[$1] }
        }
        for i in 0..<(h * nu) {
            var mean: Float = 0
            for e in 0..<k { mean += candidates[order[e] * h * nu + i] }
            mean /= Float(k)
            var variance: Float = 0
            for e in 0..<k { let d = candidates[order[e] * h * nu + i] - mean; variance += d * d }
            plan[i] = mean
            deviation[i] = max((variance / Float(k)).squareRoot() / halfRange[i % nu], c.minimumStandardDeviation)
        }
    }

    private func averageByExponentialWeights() {
        let c = configuration, h = c.horizon
        var low = Float.infinity, high = -Float.infinity
        for s in 0..<c.samples where costs[s].isFinite { low = min(low, costs[s]); high = max(high, costs[s]) }
        let scale = max(high - low, 1e-9) * max(c.temperature, 1e-6)
        var total: Float = 0
        for s in 0..<c.samples {
            weights[s] = costs[s].isFinite ? expf(-(costs[s] - low) / scale) : 0
            total += weights[s]
        }
        for i in 0..<(h * nu) {
            var mean: Float = 0
            for s in 0..<c.samples where weights[s] > 0 { mean += weights[s] * candidates[s * h * nu + i] }
            plan[i] = clip(mean / total, i % nu)
        }
    }

    @inline(__always) private func clip(_ a: Float, _ j: Int) -> Float { min(max(a, actionLow[j]), actionHigh[j]) }
}
