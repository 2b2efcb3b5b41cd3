/// How a `Planner` searches for actions.
public enum PlannerMethod: String, Sendable, CaseIterable, Codable {
    /// Cross-entropy method: sample around the plan, refit mean and spread to the best `eliteCount` samples.
    case cem
    /// Model-predictive path integral: the plan moves to the average of all samples, weighted by exp(-cost / temperature).
    case mppi
}

/// The planner's settings: the search (method, horizon, samples, iterations), the sampling noise and the
/// smoothness penalty. Noise and smoothness are in **normalised action units**: each actuator's `ctrlrange`
/// mapped to [-1, 1], so one setting fits a pusher's velocities, an arm's torques and a gripper's positions.
/// Defaults: MPPI, 25 steps, 256 samples, 1 iteration per control step (the warm start carries the search
/// over from step to step).
///
/// ```swift
/// var configuration = PlannerConfiguration(method: .cem, horizon: 25, samples: 256, iterations: 3)
/// configuration.initialStandardDeviation = 0.3    // 30% of each actuator's half range
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
    /// Standard deviation of the sampling noise at the start of each control step, as a fraction of each
    /// actuator's half range.
    public var initialStandardDeviation: Float
    /// Correlation in [0, 1) of the sampling noise from one step to the next (AR(1), unit variance): smooth
    /// samples explore far more than white noise does under the smoothness penalty.
    public var noiseCorrelation: Float
    /// CEM: the spread never shrinks below this fraction of the half range.
    public var minimumStandardDeviation: Float
    /// Cost per squared normalised change between consecutive actions (the first against the last executed one).
    public var smoothnessWeight: Float
    /// Seed of the sampling noise.
    public var seed: UInt64

    public init(method: PlannerMethod = .mppi, horizon: Int = 25, samples: Int = 256, iterations: Int = 1, eliteCount: Int = 24,
                temperature: Float = 0.05, initialStandardDeviation: Float = 0.4, noiseCorrelation: Float = 0.8,
                minimumStandardDeviation: Float = 0.07, smoothnessWeight: Float = 0.001, seed: UInt64 = 0) {
        self.method = method
        self.horizon = horizon
        self.samples = samples
        self.iterations = iterations
        self.eliteCount = eliteCount
        self.temperature = temperature
        self.initialStandardDeviation = initialStandardDeviation
        self.noiseCorrelation = noiseCorrelation
        self.minimumStandardDeviation = minimumStandardDeviation
        self.smoothnessWeight = smoothnessWeight
        self.seed = seed
    }
}
