/// Mean squared error `L = mean over rows and features of w_f * (p - t)^2`, with optional per-feature weights `w`.
///
/// The gradient `dL/dp = 2 w_f (p - t) / (rows * features)` is written into a preallocated buffer.
///
/// ```swift
/// let loss = MeanSquaredError.evaluate(prediction: y, target: t, gradient: dy.view)
/// ```
public enum MeanSquaredError {
    /// Returns the loss and writes its gradient with respect to `prediction` into `gradient`.
    /// `featureWeights`, when given, is `[1, features]` (or any buffer of `features` floats).
    public static func evaluate(prediction: MatrixView, target: MatrixView, featureWeights: UnsafeBufferPointer<Float>? = nil, gradient: MatrixView) -> Float {
        checkShapes(prediction, target, gradient, featureWeights)
        let n = Float(prediction.rows * prediction.cols)
        var total: Double = 0
        for r in 0..<prediction.rows {
            let p = prediction.row(r), t = target.row(r), g = gradient.row(r)
            var rowSum: Float = 0
            for c in 0..<prediction.cols {
                let w = featureWeights?[c] ?? 1
                let d = p[c] - t[c]
                rowSum += w * d * d
                g[c] = 2 * w * d / n
            }
            total += Double(rowSum)
        }
        return Float(total / Double(n))
    }
}

/// Huber loss, quadratic within `delta` of the target and linear beyond, averaged over rows and features:
/// `h(d) = d^2 / 2` for `|d| <= delta`, else `delta (|d| - delta / 2)`.
///
/// ```swift
/// let loss = HuberLoss.evaluate(prediction: y, target: t, delta: 1, gradient: dy.view)
/// ```
public enum HuberLoss {
    /// Returns the loss and writes its gradient with respect to `prediction` into `gradient`.
    public static func evaluate(prediction: MatrixView, target: MatrixView, delta: Float = 1, gradient: MatrixView) -> Float {
        precondition(delta > 0, "HuberLoss: delta must be positive")
        checkShapes(prediction, target, gradient, nil)
        let n = Float(prediction.rows * prediction.cols)
        var total: Double = 0
        for r in 0..<prediction.rows {
            let p = prediction.row(r), t = target.row(r), g = gradient.row(r)
            var rowSum: Float = 0
            for c in 0..<prediction.cols {
                let d = p[c] - t[c]
                if abs(d) <= delta {
                    rowSum += 0.5 * d * d
                    g[c] = d / n
                } else {
                    rowSum += delta * (abs(d) - 0.5 * delta)
                    g[c] = (d > 0 ? delta : -delta) / n
                }
            }
            total += Double(rowSum)
        }
        return Float(total / Double(n))
    }
}

private func checkShapes(_ p: MatrixView, _ t: MatrixView, _ g: MatrixView, _ w: UnsafeBufferPointer<Float>?) {
    precondition(p.rows == t.rows && p.cols == t.cols && g.rows == p.rows && g.cols == p.cols, "loss: shape mismatch")
    precondition(w == nil || w!.count == p.cols, "loss: feature weights must have one entry per feature")
}
