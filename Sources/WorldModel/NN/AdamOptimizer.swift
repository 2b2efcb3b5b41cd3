import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Settings of ``AdamOptimizer``. `weightDecay > 0` gives AdamW (decoupled decay, applied to parameters
/// whose ``Parameter/decays`` is true).
public struct AdamConfiguration: Codable, Equatable, Sendable {
    public var beta1: Float
    public var beta2: Float
    public var epsilon: Float
    public var weightDecay: Float

    public init(beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8, weightDecay: Float = 0) {
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
    }
}

/// Adam (Kingma & Ba) with bias correction, or AdamW with decoupled weight decay.
///
/// For each parameter `p` with gradient `g`, at step `t` (from 1):
/// `m = b1 m + (1 - b1) g`, `v = b2 v + (1 - b2) g^2`,
/// `p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps) + lr * weightDecay * p`.
/// The moment buffers are allocated once in `init`; ``step(learningRate:)`` allocates nothing.
///
/// ```swift
/// let optimizer = AdamOptimizer(parameters: mlp.parameters, configuration: AdamConfiguration(weightDecay: 1e-4))
/// GradientClipping.clipGlobalNorm(mlp.parameters, maxNorm: 1)
/// optimizer.step(learningRate: schedule.rate(at: optimizer.stepCount))
/// ```
public final class AdamOptimizer {
    public let parameters: [Parameter]
    public let configuration: AdamConfiguration
    /// Steps taken so far.
    public private(set) var stepCount = 0
    private let firstMoments: [Matrix]
    private let secondMoments: [Matrix]

    public init(parameters: [Parameter], configuration: AdamConfiguration = AdamConfiguration()) {
        self.parameters = parameters
        self.configuration = configuration
        firstMoments = parameters.map { Matrix(rows: $0.value.rows, cols: $0.value.cols) }
        secondMoments = parameters.map { Matrix(rows: $0.value.rows, cols: $0.value.cols) }
    }

    /// Updates every parameter from its accumulated gradient (gradients are left as they are).
    public func step(learningRate: Float) {
        stepCount += 1
        let b1 = configuration.beta1, b2 = configuration.beta2, eps = configuration.epsilon
        let correction1 = 1 - powf(b1, Float(stepCount))
        let correction2 = 1 - powf(b2, Float(stepCount))
        let stepSize = learningRate / correction1
        let inverseSqrtCorrection2 = 1 / sqrtf(correction2)
        for index in 0..<parameters.count {
            let parameter = parameters[index]
            let decay = parameter.decays ? learningRate * configuration.weightDecay : 0
            wm_adam_update(parameter.value.base, parameter.gradient.base, firstMoments[index].base, secondMoments[index].base,
                           parameter.value.count, b1, b2, stepSize, inverseSqrtCorrection2, eps, decay)
        }
    }
}

/// Gradient clipping by the global norm over all parameters, as in `torch.nn.utils.clip_grad_norm_`.
public enum GradientClipping {
    /// The L2 norm of all gradients together.
    public static func globalNorm(_ parameters: [Parameter]) -> Float {
        var sum: Double = 0
        for index in 0..<parameters.count {
            let parameter = parameters[index]
            sum += wm_sum_of_squares(parameter.gradient.base, parameter.gradient.count)
        }
        return Float(sum.squareRoot())
    }

    /// Scales all gradients by `maxNorm / norm` when their global norm exceeds `maxNorm`; returns the norm before clipping.
    @discardableResult
    public static func clipGlobalNorm(_ parameters: [Parameter], maxNorm: Float) -> Float {
        let norm = globalNorm(parameters)
        if norm > maxNorm && norm.isFinite {
            let factor = maxNorm / norm
            for index in 0..<parameters.count { scale(parameters[index].gradient.view, by: factor) }
        }
        return norm
    }
}
