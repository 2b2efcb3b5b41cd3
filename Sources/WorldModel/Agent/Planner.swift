#if canImport(Glibc)
import Glibc
#endif

/// Sampling-based model-predictive control (CEM or MPPI) over any `BatchRolloutModel`: each control step it
/// samples action sequences around its plan, rolls them all out in one batch, scores them against a
/// `PushGoal`, refines the plan, and returns the plan's first action. The next call starts from the plan
/// shifted by one step (warm start), from the newly observed state: a receding horizon.
///
/// ```swift
/// let model = try LearnedRolloutModel(world: world, scene: scene, maxSamples: 256)
/// let planner = Planner(model: model, configuration: PlannerConfiguration(method: .mppi))
/// var tracker = DynamicsStateTracker(objectCount: 4, historyLength: world.dynamics.historyLength, dtSeconds: world.dynamics.dtSeconds)
/// tracker.start(at: try teacher.reset(seed: 1))
/// for _ in 0..<300 {
///     let action = try planner.plan(from: tracker.state, goal: goal)
///     tracker.advance(to: try teacher.step(action: action))
/// }
/// ```
/// Buffers (candidates, costs, trajectories) are allocated once, at init. Not thread-safe.
public final class Planner<Model: BatchRolloutModel> {
    public let model: Model
    public let configuration: PlannerConfiguration
    /// The current plan (mean action sequence), `horizon` actions (m/s).
    public private(set) var plan: [SIMD2<Float>]
    /// The cost of the plan's first rollout in the last call (sample 0 is the plan before refinement).
    public private(set) var lastCost: Float = .infinity
    /// The lowest sample cost of the last call.
    public private(set) var bestCost: Float = .infinity
    /// Seconds spent in the model's rollouts and in total, summed over calls since `resetTiming()`.
    public private(set) var rolloutSeconds: Double = 0
    public private(set) var totalSeconds: Double = 0
    /// Calls of `plan` since `resetTiming()`.
    public private(set) var planCalls = 0
    private var deviation: [SIMD2<Float>]
    private let candidates: UnsafeMutableBufferPointer<SIMD2<Float>>
    private var costs: [Float]
    private var order: [Int]
    private var weights: [Float]
    private let trajectories: SampledTrajectories
    private var rng: SeededRandom
    private var previousAction = SIMD2<Float>.zero

    public init(model: Model, configuration: PlannerConfiguration) {
        precondition(configuration.horizon >= 1 && configuration.samples >= 2, "Planner: horizon >= 1 and samples >= 2")
        self.model = model
        self.configuration = configuration
        let h = configuration.horizon, n = configuration.samples
        plan = [SIMD2<Float>](repeating: .zero, count: h)
        deviation = [SIMD2<Float>](repeating: SIMD2(repeating: configuration.initialStandardDeviation), count: h)
        candidates = .allocate(capacity: n * h)
        candidates.initialize(repeating: .zero)
        costs = [Float](repeating: 0, count: n)
        order = Array(0..<n)
        weights = [Float](repeating: 0, count: n)
        trajectories = SampledTrajectories(samples: n, horizon: h, objectCount: model.objectCount)
        rng = SeededRandom(seed: configuration.seed)
    }

    deinit { candidates.deallocate() }

    /// Forgets the plan (all zero) and the last action, e.g. at the start of an episode.
    public func reset() {
        for t in plan.indices { plan[t] = .zero }
        previousAction = .zero
    }

    public func resetTiming() {
        rolloutSeconds = 0
        totalSeconds = 0
        planCalls = 0
    }

    /// Refines the plan from `state` toward `goal`, returns its first action, and shifts the plan by one step
    /// for the next call (call it once per executed control step).
    public func plan(from state: Model.State, goal: PushGoal) throws -> SIMD2<Float> {
        try optimize(from: state, goal: goal)
        let action = plan[0]
        for t in 0..<(plan.count - 1) { plan[t] = plan[t + 1] }
        previousAction = action
        return action
    }

    /// Runs `configuration.iterations` refinements of the plan from `state` without executing anything;
    /// returns the lowest sample cost seen.
    @discardableResult
    public func optimize(from state: Model.State, goal: PushGoal) throws -> Float {
        let start = monotonicSeconds()
        let c = configuration, h = c.horizon, n = c.samples
        for t in 0..<h { deviation[t] = SIMD2(repeating: c.initialStandardDeviation) }
        bestCost = .infinity
        for iteration in 0..<max(1, c.iterations) {
            sample()
            let rolloutStart = monotonicSeconds()
            try model.rollout(from: state, actions: UnsafeBufferPointer(candidates), samples: n, horizon: h, into: trajectories)
            rolloutSeconds += monotonicSeconds() - rolloutStart
            for s in 0..<n { costs[s] = goal.cost(of: trajectories, sample: s) + smoothness(sample: s) }
            if iteration == 0 { lastCost = costs[0] }
            for s in 0..<n { bestCost = min(bestCost, costs[s]) }
            switch c.method {
            case .cem: refitToElites()
            case .mppi: averageByExponentialWeights()
            }
        }
        totalSeconds += monotonicSeconds() - start
        planCalls += 1
        return bestCost
    }

    /// Fills the candidates: sample 0 the plan itself, the others the plan plus correlated Gaussian noise, clipped.
    private func sample() {
        let c = configuration, h = c.horizon
        for t in 0..<h { candidates[t] = clip(plan[t]) }
        let beta = min(max(c.noiseCorrelation, 0), 0.999), fresh = (1 - beta * beta).squareRoot()
        for s in 1..<c.samples {
            var noise = SIMD2<Float>.zero
            for t in 0..<h {
                let e = SIMD2(Float(rng.gaussian()), Float(rng.gaussian()))
                noise = t == 0 ? e : beta * noise + fresh * e
                candidates[s * h + t] = clip(plan[t] + deviation[t] * noise)
            }
        }
    }

    private func smoothness(sample s: Int) -> Float {
        let h = configuration.horizon
        var previous = previousAction, total: Float = 0
        for t in 0..<h {
            let a = candidates[s * h + t], d = a - previous
            total += (d * d).sum()
            previous = a
        }
        return configuration.smoothnessWeight * total
    }

    private func refitToElites() {
        let c = configuration, h = c.horizon, k = min(max(c.eliteCount, 1), c.samples)
        for s in 0..<c.samples { order[s] = s }
        order.withUnsafeMutableBufferPointer { buffer in
            let costs = self.costs
            buffer.sort { costs[$0] < costs[$1] }
        }
        for t in 0..<h {
            var mean = SIMD2<Float>.zero
            for e in 0..<k { mean += candidates[order[e] * h + t] }
            mean /= Float(k)
            var variance = SIMD2<Float>.zero
            for e in 0..<k { let d = candidates[order[e] * h + t] - mean; variance += d * d }
            plan[t] = mean
            let spread = (variance / Float(k)).squareRoot()
            deviation[t] = SIMD2(max(spread.x, c.minimumStandardDeviation), max(spread.y, c.minimumStandardDeviation))
        }
    }

    private func averageByExponentialWeights() {
        let c = configuration, h = c.horizon
        var low = Float.infinity, high = -Float.infinity
        for s in 0..<c.samples where costs[s].isFinite { low = min(low, costs[s]); high = max(high, costs[s]) }
        guard low.isFinite else { return }
        let scale = max(high - low, 1e-9) * max(c.temperature, 1e-6)
        var total: Float = 0
        for s in 0..<c.samples {
            weights[s] = costs[s].isFinite ? expf(-(costs[s] - low) / scale) : 0
            total += weights[s]
        }
        for t in 0..<h {
            var mean = SIMD2<Float>.zero
            for s in 0..<c.samples where weights[s] > 0 { mean += weights[s] * candidates[s * h + t] }
            plan[t] = clip(mean / total)
        }
    }

    @inline(__always) private func clip(_ a: SIMD2<Float>) -> SIMD2<Float> {
        a.clamped(lowerBound: configuration.actionLow, upperBound: configuration.actionHigh)
    }

}
