#if canImport(Glibc)
import Glibc
#endif

/// A learning rate as a function of the optimiser step, with an optional linear warm-up.
///
/// During the first `warmupSteps` steps the rate rises linearly from `base(0) / warmupSteps` to `base(0)`;
/// after that the decay runs on the steps since warm-up ended.
///
/// ```swift
/// let schedule = LearningRateSchedule(.cosine(initial: 1e-3, final: 1e-5, steps: 10_000), warmupSteps: 500)
/// let lr = schedule.rate(at: step)
/// // GNS: LearningRateSchedule(.exponentialDecay(initial: 1e-4, final: 1e-6, rate: 0.1, steps: 5_000_000))
/// ```
public struct LearningRateSchedule: Codable, Equatable, Sendable {
    public enum Decay: Codable, Equatable, Sendable {
        /// The same rate at every step.
        case constant(Float)
        /// `final + (initial - final) * rate^(step / steps)`.
        case exponentialDecay(initial: Float, final: Float, rate: Float, steps: Int)
        /// `final + (initial - final) * (1 + cos(pi * min(step, steps) / steps)) / 2`.
        case cosine(initial: Float, final: Float, steps: Int)
    }

    public var decay: Decay
    public var warmupSteps: Int

    public init(_ decay: Decay, warmupSteps: Int = 0) {
        self.decay = decay
        self.warmupSteps = max(0, warmupSteps)
    }

    /// The learning rate at `step` (0-based).
    public func rate(at step: Int) -> Float {
        if step < warmupSteps {
            return decayed(0) * Float(step + 1) / Float(warmupSteps)
        }
        return decayed(step - warmupSteps)
    }

    private func decayed(_ step: Int) -> Float {
        switch decay {
        case .constant(let rate):
            return rate
        case let .exponentialDecay(initial, final, rate, steps):
            return final + (initial - final) * powf(rate, Float(step) / Float(max(1, steps)))
        case let .cosine(initial, final, steps):
            let progress = Float(min(step, steps)) / Float(max(1, steps))
            return final + (initial - final) * 0.5 * (1 + cosf(.pi * progress))
        }
    }
}
