/// How a `Planner` searches for actions.
public enum PlannerMethod: String, Sendable, CaseIterable, Codable {
    /// Cross-entropy method: sample around the plan, refit mean and spread to the best `eliteCount` samples.
    case cem
    /// Model-predictive path integral: the plan moves to the average of all samples, weighted by exp(-cost / temperature).
    case mppi
}

/// The planner's settings: the search (method, horizon, samples, iterations), the action bounds and the
/// smoothness penalty. Defaults: MPPI, 25 steps (0.5 s at 50 Hz), 256 samples, 1 iteration per control step
/// (the warm start carries the search over from step to step).
///
/// ```swift
/// var configuration = PlannerConfiguration(method: .cem, horizon: 25, samples: 256, iterations: 3)
/// configuration.actionLow = SIMD2(-0.3, -0.3); configuration.actionHigh = SIMD2(0.3, 0.3)
/// ```
public struct PlannerConfiguration: Sendable, Equatable {
    public var method: PlannerMethod
    /// Control steps looked ahead.
    public var horizon: Int
    /// Action sequences rolled out per iteration (one batch); sample 0 is always the current plan itself.
    public var samples: Int
    /// Refinements per control step.
    public var iterations: Int
    /// CEM: samples the mean and spread are refit to.
    public var eliteCount: Int
    /// MPPI: temperature, relative to the spread of the iteration's costs (costs are rescaled to [0, 1]).
    public var temperature: Float
    /// Standard deviation (m/s) of the sampling noise at the start of each control step.
    public var initialStandardDeviation: Float
    /// Correlation in [0, 1) of the sampling noise from one step to the next (AR(1), unit variance): smooth
    /// samples explore far more than white noise does under the smoothness penalty.
    public var noiseCorrelation: Float
    /// CEM: the spread never shrinks below this (m/s).
    public var minimumStandardDeviation: Float
    /// Per-component action bounds (m/s); samples are clipped to them.
    public var actionLow: SIMD2<Float>
    public var actionHigh: SIMD2<Float>
    /// Cost per (m/s)² of change between consecutive actions (the first against the last executed action).
    public var smoothnessWeight: Float
    /// Seed of the sampling noise.
    public var seed: UInt64

    public init(method: PlannerMethod = .mppi, horizon: Int = 25, samples: Int = 256, iterations: Int = 1, eliteCount: Int = 24,
                temperature: Float = 0.05, initialStandardDeviation: Float = 0.12, noiseCorrelation: Float = 0.8, minimumStandardDeviation: Float = 0.02,
                actionLow: SIMD2<Float> = SIMD2(-0.3, -0.3), actionHigh: SIMD2<Float> = SIMD2(0.3, 0.3),
                smoothnessWeight: Float = 0.01, seed: UInt64 = 0) {
        self.method = method
        self.horizon = horizon
        self.samples = samples
        self.iterations = iterations
        self.eliteCount = eliteCount
        self.temperature = temperature
        self.initialStandardDeviation = initialStandardDeviation
        self.noiseCorrelation = noiseCorrelation
        self.minimumStandardDeviation = minimumStandardDeviation
        self.actionLow = actionLow
        self.actionHigh = actionHigh
        self.smoothnessWeight = smoothnessWeight
        self.seed = seed
    }

    /// The action bounds of `robot` (its first two components).
    public mutating func bound(by robot: RobotDescription) {
        actionLow = SIMD2(robot.actionLow[0], robot.actionLow.count > 1 ? robot.actionLow[1] : 0)
        actionHigh = SIMD2(robot.actionHigh[0], robot.actionHigh.count > 1 ? robot.actionHigh[1] : 0)
    }
}
