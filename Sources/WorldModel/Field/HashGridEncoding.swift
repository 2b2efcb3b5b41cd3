#if canImport(Glibc)
import Glibc
#endif

/// A multiresolution hash-grid encoding (instant-ngp, Mueller et al. 2022) of points in the unit cube.
///
/// Level l (of `levels`) is a grid of resolution `N_l = floor(baseResolution * b^l)`, with b chosen so the last
/// level has `finestResolution`. Each grid vertex owns `featuresPerLevel` trainable floats in the level's table of
/// `2^log2TableSize` rows: indexed densely when the level's (N_l + 1)^3 vertices fit, else by the spatial hash
/// `(x * 1 xor y * 2654435761 xor z * 805459861) mod 2^log2TableSize`. A point's features at a level are the
/// trilinear interpolation of its cell's 8 vertices; the encoding concatenates the levels.
///
/// Layouts: the table is `[levels * 2^log2TableSize, featuresPerLevel]` row-major (level l's rows start at
/// `l * 2^log2TableSize`); an encoded point is `levels * featuresPerLevel` floats, level-major.
///
/// ```swift
/// let encoding = HashGridEncoding(HashGridConfiguration(levels: 8, featuresPerLevel: 2, log2TableSize: 11,
///                                                      baseResolution: 4, finestResolution: 64))
/// encoding.encode(points: p, count: n, table: table, into: features, stride: encoding.outputWidth)
/// ```
public struct HashGridConfiguration: Codable, Equatable, Sendable {
    public var levels: Int
    public var featuresPerLevel: Int
    public var log2TableSize: Int
    public var baseResolution: Int
    public var finestResolution: Int

    public init(levels: Int, featuresPerLevel: Int, log2TableSize: Int, baseResolution: Int, finestResolution: Int) {
        self.levels = levels
        self.featuresPerLevel = featuresPerLevel
        self.log2TableSize = log2TableSize
        self.baseResolution = baseResolution
        self.finestResolution = finestResolution
    }
}

public struct HashGridEncoding: Sendable {
    public let configuration: HashGridConfiguration
    /// Grid resolution per level.
    public let resolutions: [Int]
    /// Whether each level is indexed densely (no hash collisions).
    public let isDense: [Bool]

    public init(_ configuration: HashGridConfiguration) {
        self.configuration = configuration
        let c = configuration
        let growth = c.levels > 1 ? exp((log(Double(c.finestResolution)) - log(Double(c.baseResolution))) / Double(c.levels - 1)) : 1
        resolutions = (0..<c.levels).map { Int((Double(c.baseResolution) * pow(growth, Double($0))).rounded(.down) + 1e-9) }
        isDense = resolutions.map { ($0 + 1) * ($0 + 1) * ($0 + 1) <= (1 << c.log2TableSize) }
    }

    public var tableRowsPerLevel: Int { 1 << configuration.log2TableSize }
    /// Rows of the whole table (`levels * 2^log2TableSize`).
    public var tableRows: Int { configuration.levels * tableRowsPerLevel }
    /// Floats per encoded point.
    public var outputWidth: Int { configuration.levels * configuration.featuresPerLevel }

    /// Visits the 8 (table row, trilinear weight) pairs of point `p` (unit cube) at level `l`.
    @inline(__always)
    private func corners(level l: Int, _ p: SIMD3<Float>, _ body: (Int, Float) -> Void) {
        let n = resolutions[l]
        let f = SIMD3<Float>(min(max(p.x, 0), 1), min(max(p.y, 0), 1), min(max(p.z, 0), 1)) * Float(n)
        let x0 = min(Int(f.x), n - 1), y0 = min(Int(f.y), n - 1), z0 = min(Int(f.z), n - 1)
        let a = f - SIMD3<Float>(Float(x0), Float(y0), Float(z0))
        let mask = tableRowsPerLevel - 1, levelBase = l * tableRowsPerLevel, side = n + 1
        let dense = isDense[l]
        for corner in 0..<8 {
            let dx = corner & 1, dy = (corner >> 1) & 1, dz = (corner >> 2) & 1
            let x = x0 + dx, y = y0 + dy, z = z0 + dz
            let w = (dx == 0 ? 1 - a.x : a.x) * (dy == 0 ? 1 - a.y : a.y) * (dz == 0 ? 1 - a.z : a.z)
            let index: Int
            if dense {
                index = x + side * (y + side * z)
            } else {
                let h = UInt32(truncatingIfNeeded: x) ^ (UInt32(truncatingIfNeeded: y) &* 2_654_435_761) ^ (UInt32(truncatingIfNeeded: z) &* 805_459_861)
                index = Int(h) & mask
            }
            body(levelBase + index, w)
        }
    }

    /// Encodes `count` points (`points[3i..<3i+3]`, unit cube; clamped) into `output` rows of `stride` floats
    /// (the first `outputWidth` of each row are written).
    public func encode(points: UnsafePointer<Float>, count: Int, table: UnsafePointer<Float>,
                       into output: UnsafeMutablePointer<Float>, stride: Int) {
        let features = configuration.featuresPerLevel
        for i in 0..<count {
            let p = SIMD3(points[3 * i], points[3 * i + 1], points[3 * i + 2])
            let row = output + i * stride
            for l in 0..<configuration.levels {
                let out = row + l * features
                for f in 0..<features { out[f] = 0 }
                corners(level: l, p) { index, w in
                    let t = table + index * features
                    for f in 0..<features { out[f] += w * t[f] }
                }
            }
        }
    }

    /// Accumulates `dL/d table` into `tableGradient` from `dL/d encoding` (`outputGradient` rows of `stride`).
    public func backward(points: UnsafePointer<Float>, count: Int, outputGradient: UnsafePointer<Float>, stride: Int,
                         tableGradient: UnsafeMutablePointer<Float>) {
        let features = configuration.featuresPerLevel
        for i in 0..<count {
            let p = SIMD3(points[3 * i], points[3 * i + 1], points[3 * i + 2])
            let row = outputGradient + i * stride
            for l in 0..<configuration.levels {
                let g = row + l * features
                corners(level: l, p) { index, w in
                    let t = tableGradient + index * features
                    for f in 0..<features { t[f] += w * g[f] }
                }
            }
        }
    }
}
