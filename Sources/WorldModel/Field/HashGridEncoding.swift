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
        let levelBase = l * tableRowsPerLevel
        for corner in 0..<8 {
            let dx = corner & 1, dy = (corner >> 1) & 1, dz = (corner >> 2) & 1
            let w = (dx == 0 ? 1 - a.x : a.x) * (dy == 0 ? 1 - a.y : a.y) * (dz == 0 ? 1 - a.z : a.z)
            body(levelBase + row(level: l, x0 + dx, y0 + dy, z0 + dz), w)
        }
    }

    /// The table row (within level `l`) of grid vertex (x, y, z).
    @inline(__always)
    private func row(level l: Int, _ x: Int, _ y: Int, _ z: Int) -> Int {
        if isDense[l] {
            let side = resolutions[l] + 1
            return x + side * (y + side * z)
        }
        let h = UInt32(truncatingIfNeeded: x) ^ (UInt32(truncatingIfNeeded: y) &* 2_654_435_761) ^ (UInt32(truncatingIfNeeded: z) &* 805_459_861)
        return Int(h) & (tableRowsPerLevel - 1)
    }

    /// Visits the 8 (table row, trilinear weight, d weight / d p) triples of point `p` (unit cube) at level `l`.
    /// The derivative is 0 along an axis where `p` is clamped to the cube.
    @inline(__always)
    private func corners(level l: Int, _ p: SIMD3<Float>, _ body: (Int, Float, SIMD3<Float>) -> Void) {
        let n = resolutions[l]
        let f = SIMD3<Float>(min(max(p.x, 0), 1), min(max(p.y, 0), 1), min(max(p.z, 0), 1)) * Float(n)
        let x0 = min(Int(f.x), n - 1), y0 = min(Int(f.y), n - 1), z0 = min(Int(f.z), n - 1)
        let a = f - SIMD3<Float>(Float(x0), Float(y0), Float(z0))
        let inside = SIMD3<Float>(p.x >= 0 && p.x <= 1 ? 1 : 0, p.y >= 0 && p.y <= 1 ? 1 : 0, p.z >= 0 && p.z <= 1 ? 1 : 0)
        let levelBase = l * tableRowsPerLevel
        for corner in 0..<8 {
            let dx = corner & 1, dy = (corner >> 1) & 1, dz = (corner >> 2) & 1
            let wx = dx == 0 ? 1 - a.x : a.x, wy = dy == 0 ? 1 - a.y : a.y, wz = dz == 0 ? 1 - a.z : a.z
            let sx: Float = dx == 0 ? -1 : 1, sy: Float = dy == 0 ? -1 : 1, sz: Float = dz == 0 ? -1 : 1
            let dw = Float(n) * SIMD3<Float>(inside.x * sx * wy * wz, inside.y * wx * sy * wz, inside.z * wx * wy * sz)
            body(levelBase + row(level: l, x0 + dx, y0 + dy, z0 + dz), wx * wy * wz, dw)
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
                if features == 2 {
                    // The common case, summed in registers: a store per corner would chain every corner's
                    // multiply-add through memory.
                    var sum = SIMD2<Float>.zero
                    corners(level: l, p) { index, w in
                        let t = table + 2 * index
                        sum += w * SIMD2(t[0], t[1])
                    }
                    out[0] = sum.x; out[1] = sum.y
                    continue
                }
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

    /// Encodes `count` points like `encode` and writes the encoding's derivative along each axis of the unit cube:
    /// `derivatives[k] + i * stride` gets `d encoding / d p_k` of point i (`outputWidth` floats), the derivative
    /// of each level's trilinear interpolation (0 along an axis where the point is clamped). One pass over the
    /// corners gives both: what forward-mode differentiation of a field needs.
    public func encodeWithDerivatives(points: UnsafePointer<Float>, count: Int, table: UnsafePointer<Float>,
                                      into output: UnsafeMutablePointer<Float>, derivatives: (UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>),
                                      stride: Int) {
        let features = configuration.featuresPerLevel
        for i in 0..<count {
            let p = SIMD3(points[3 * i], points[3 * i + 1], points[3 * i + 2])
            let row = output + i * stride, dx = derivatives.0 + i * stride, dy = derivatives.1 + i * stride, dz = derivatives.2 + i * stride
            for l in 0..<configuration.levels {
                let o = l * features
                if features == 2 {
                    var sum = SIMD2<Float>.zero, sx = SIMD2<Float>.zero, sy = SIMD2<Float>.zero, sz = SIMD2<Float>.zero
                    corners(level: l, p) { index, w, dw in
                        let t = SIMD2(table[2 * index], table[2 * index + 1])
                        sum += w * t; sx += dw.x * t; sy += dw.y * t; sz += dw.z * t
                    }
                    row[o] = sum.x; row[o + 1] = sum.y
                    dx[o] = sx.x; dx[o + 1] = sx.y; dy[o] = sy.x; dy[o + 1] = sy.y; dz[o] = sz.x; dz[o + 1] = sz.y
                    continue
                }
                for f in 0..<features { row[o + f] = 0; dx[o + f] = 0; dy[o + f] = 0; dz[o + f] = 0 }
                corners(level: l, p) { index, w, dw in
                    let t = table + index * features
                    for f in 0..<features {
                        row[o + f] += w * t[f]; dx[o + f] += dw.x * t[f]; dy[o + f] += dw.y * t[f]; dz[o + f] += dw.z * t[f]
                    }
                }
            }
        }
    }
}
