/// Per-feature mean and standard deviation, computed from training data and stored in checkpoints:
/// `normalised = (raw - mean) / std`. Features with (almost) no spread keep std = 1 so constants pass through.
public struct FeatureStatistics: Codable, Equatable, Sendable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// Identity statistics (mean 0, std 1) of `width` features.
    public init(identityOfWidth width: Int) {
        self.init(mean: [Float](repeating: 0, count: width), std: [Float](repeating: 1, count: width))
    }

    public var width: Int { mean.count }

    /// Normalises the rows of `view` in place.
    public func normalize(_ view: MatrixView) {
        precondition(view.cols == width, "FeatureStatistics: \(view.cols) columns, statistics for \(width)")
        mean.withUnsafeBufferPointer { m in
            std.withUnsafeBufferPointer { s in
                for r in 0..<view.rows {
                    let row = view.row(r)
                    for c in 0..<width { row[c] = (row[c] - m[c]) / s[c] }
                }
            }
        }
    }

    /// Maps a normalised value of feature `c` back to raw units.
    @inline(__always) public func denormalize(_ value: Float, feature c: Int) -> Float { value * std[c] + mean[c] }
}

/// Accumulates feature statistics over many rows, in double precision.
public struct FeatureStatisticsAccumulator {
    private var sum: [Double]
    private var sumOfSquares: [Double]
    /// Values added per feature.
    private var featureCounts: [Int]
    /// Rows added with `add(_:)`.
    public private(set) var count = 0

    public init(width: Int) {
        sum = [Double](repeating: 0, count: width)
        sumOfSquares = [Double](repeating: 0, count: width)
        featureCounts = [Int](repeating: 0, count: width)
    }

    /// Adds one value of feature `c` alone (features may then have different counts).
    public mutating func add(_ value: Float, feature c: Int) {
        let x = Double(value)
        sum[c] += x
        sumOfSquares[c] += x * x
        featureCounts[c] += 1
    }

    public mutating func add(_ view: MatrixView) {
        for r in 0..<view.rows {
            let row = view.row(r)
            for c in 0..<view.cols {
                let x = Double(row[c])
                sum[c] += x
                sumOfSquares[c] += x * x
            }
        }
        count += view.rows
        for c in 0..<view.cols { featureCounts[c] += view.rows }
    }

    /// The statistics so far; features with std below `minimumStd` get std 1 (and a feature never seen, mean 0).
    public func statistics(minimumStd: Double = 1e-6) -> FeatureStatistics {
        var mean = [Float](), std = [Float]()
        for c in sum.indices {
            let n = Double(max(featureCounts[c], 1))
            let m = sum[c] / n
            let variance = max(0, sumOfSquares[c] / n - m * m)
            mean.append(Float(m))
            std.append(variance.squareRoot() < minimumStd ? 1 : Float(variance.squareRoot()))
        }
        return FeatureStatistics(mean: mean, std: std)
    }
}
