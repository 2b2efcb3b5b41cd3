#if canImport(Glibc)
import Glibc
#endif

/// The size and shape of a neural object field: its hash grid and its MLP's hidden layers.
public struct NeuralFieldConfiguration: Codable, Equatable, Sendable {
    public var hashGrid: HashGridConfiguration
    /// Widths of the MLP's hidden layers (ReLU).
    public var hiddenWidths: [Int]
    /// Samples per ray across the longest side of the field's bounds.
    public var samplesAcrossBounds: Int
    /// Occupancy cells per side.
    public var occupancyResolution: Int

    public init(hashGrid: HashGridConfiguration, hiddenWidths: [Int], samplesAcrossBounds: Int, occupancyResolution: Int) {
        self.hashGrid = hashGrid
        self.hiddenWidths = hiddenWidths
        self.samplesAcrossBounds = samplesAcrossBounds
        self.occupancyResolution = occupancyResolution
    }

    /// wm's default: 8 levels of 2 features, 2^11 rows per level, resolutions 4 to 64, MLP 32-32.
    public static let standard = NeuralFieldConfiguration(
        hashGrid: HashGridConfiguration(levels: 8, featuresPerLevel: 2, log2TableSize: 11, baseResolution: 4, finestResolution: 64),
        hiddenWidths: [32, 32], samplesAcrossBounds: 64, occupancyResolution: 16)
}

/// One object's shape and colour as a neural field in the object's own frame: a hash-grid encoding of the point
/// (normalised to the unit cube of `bounds`) and the light direction (object frame) feed a small MLP whose 4
/// outputs are density (`exp`, 1/m, capped at e^12) and RGB (`sigmoid`). The light direction is an input
/// because wm's views are shaded: the same face is brighter or darker as the object turns.
///
/// ```swift
/// let field = NeuralObjectField(name: "box", bounds: FieldBounds(halfExtents: [0.03, 0.03, 0.03]), configuration: .standard, seed: 1)
/// field.evaluate(points: p, count: n, towardsLight: [0, 0, 1], density: &sigma, rgb: &colour)
/// ```
/// Not thread-safe: evaluation uses the field's own workspace.
public final class NeuralObjectField: RadianceField {
    public let name: String
    public let bounds: FieldBounds
    public let configuration: NeuralFieldConfiguration
    public let encoding: HashGridEncoding
    /// The hash tables, `[levels * 2^log2TableSize, featuresPerLevel]`.
    public let table: Parameter
    public let mlp: MLP
    public let sampleSpacingMeters: Float
    public private(set) var occupancy: OccupancyGrid
    /// Seconds spent in the MLP (forward and backward) since the last reset: for profiling.
    public var mlpSeconds: Double = 0
    /// Rows (points) pushed through the MLP's forward pass since the last reset.
    public var mlpForwardRows = 0

    static let chunk = 4096
    static let maxLogDensity: Float = 12
    /// Evaluation buffers for one chunk of points, allocated on first use: a field that is only loaded (to
    /// count its bytes, or to be saved) holds its parameters and occupancy grid only.
    private lazy var workspace: MLPWorkspace = mlp.makeWorkspace(maxBatch: Self.chunk)
    private lazy var input = Matrix(rows: Self.chunk, cols: mlp.architecture.inputWidth)
    private lazy var outputGradient = Matrix(rows: Self.chunk, cols: 4)
    private lazy var inputGradient = Matrix(rows: Self.chunk, cols: mlp.architecture.inputWidth)
    private lazy var unitPoints = [Float](repeating: 0, count: 3 * Self.chunk)
    /// The encoding's derivatives along x, y and z of a chunk (the light columns stay 0): for `outputJacobians`.
    private lazy var tangents = (0..<3).map { _ in Matrix(rows: Self.chunk, cols: mlp.architecture.inputWidth) }

    public init(name: String, bounds: FieldBounds, configuration: NeuralFieldConfiguration, seed: UInt64) {
        self.name = name
        self.bounds = bounds
        self.configuration = configuration
        encoding = HashGridEncoding(configuration.hashGrid)
        var rng = SeededRandom(seed: seed)
        let values = Matrix(rows: encoding.tableRows, cols: configuration.hashGrid.featuresPerLevel)
        for i in 0..<values.count { values.base[i] = Float(rng.uniform(-1e-4, 1e-4)) }
        table = Parameter(name: "\(name).hash_table", value: values, decays: false)
        let widths = [encoding.outputWidth + 3] + configuration.hiddenWidths + [4]
        mlp = MLP(MLPDescription(widths: widths, activation: .relu), name: "\(name).mlp", using: &rng)
        let size = bounds.size
        sampleSpacingMeters = max(size.x, max(size.y, size.z)) / Float(configuration.samplesAcrossBounds)
        let r = Int32(configuration.occupancyResolution)
        occupancy = OccupancyGrid(bounds: bounds, resolution: SIMD3(r, r, r))
    }

    /// Every trainable parameter: the hash table first, then the MLP's.
    public var parameters: [Parameter] { [table] + mlp.parameters }

    /// Multiply-add FLOPs of one point's MLP forward pass (2 per weight).
    public var mlpFlopsPerPoint: Double { mlp.architecture.forwardProductFlops(batch: 1) }

    /// GFLOP/s of raw `sgemm` on the MLP's layer shapes at a full chunk, for comparison with the MLP's own rate.
    public func rawGEMMGigaflops(repeats: Int = 20) -> Double {
        let widths = mlp.architecture.widths
        let inputs = widths.dropLast().map { Matrix(rows: Self.chunk, cols: $0) }
        let weights = (0..<(widths.count - 1)).map { Matrix(rows: widths[$0], cols: widths[$0 + 1]) }
        let outputs = widths.dropFirst().map { Matrix(rows: Self.chunk, cols: $0) }
        let start = monotonicSeconds()
        for _ in 0..<repeats {
            for l in 0..<weights.count { matrixMultiply(inputs[l].view, weights[l].view, into: outputs[l].view) }
        }
        let seconds = monotonicSeconds() - start
        return Double(repeats) * mlp.architecture.forwardProductFlops(batch: Self.chunk) / max(seconds, 1e-9) / 1e9
    }

    /// Bytes of the parameters as stored (float32).
    public var parameterBytes: Int { parameters.reduce(0) { $0 + $1.value.count } * MemoryLayout<Float>.stride }

    /// Writes points `0..<n` (field frame) into `unitPoints`, normalised to the unit cube of `bounds`.
    private func writeUnitPoints(_ points: UnsafePointer<Float>, _ n: Int) {
        let lo = bounds.minimum, inverse = 1 / bounds.size
        // One pointer for the whole chunk: element writes to a lazy array property go through its getter and
        // setter, copying the whole array each time.
        unitPoints.withUnsafeMutableBufferPointer { unit in
            for i in 0..<n {
                for k in 0..<3 { unit[3 * i + k] = (points[3 * i + k] - lo[k]) * inverse[k] }
            }
        }
    }

    /// Fills the MLP input for points `0..<n` (field frame), returning the MLP output view.
    private func forwardChunk(_ points: UnsafePointer<Float>, _ n: Int, _ towardsLight: SIMD3<Float>) -> MatrixView {
        writeUnitPoints(points, n)
        let width = input.cols, features = encoding.outputWidth
        unitPoints.withUnsafeBufferPointer { p in
            encoding.encode(points: p.baseAddress!, count: n, table: table.value.base, into: input.base, stride: width)
        }
        for i in 0..<n {
            let row = input.base + i * width + features
            row[0] = towardsLight.x; row[1] = towardsLight.y; row[2] = towardsLight.z
        }
        let start = monotonicSeconds()
        let out = mlp.forward(input.view.rows(0..<n), workspace: workspace)
        mlpSeconds += monotonicSeconds() - start
        mlpForwardRows += n
        return out
    }

    public func evaluate(points: UnsafePointer<Float>, count: Int, towardsLight: SIMD3<Float>,
                         density: UnsafeMutablePointer<Float>, rgb: UnsafeMutablePointer<Float>) {
        var start = 0
        while start < count {
            let n = min(Self.chunk, count - start)
            let out = forwardChunk(points + 3 * start, n, towardsLight)
            for i in 0..<n {
                let row = out.row(i)
                density[start + i] = expf(min(row[0], Self.maxLogDensity))
                for k in 0..<3 { rgb[3 * (start + i) + k] = 1 / (1 + expf(-row[1 + k])) }
            }
            start += n
        }
    }

    /// Accumulates parameter gradients from per-point `dL/d density` and `dL/d rgb` (as the volume renderer's
    /// `backward` gives them), recomputing the forward pass chunk by chunk.
    public func accumulateGradients(points: UnsafePointer<Float>, count: Int, towardsLight: SIMD3<Float>,
                                    densityGradient: UnsafePointer<Float>, rgbGradient: UnsafePointer<Float>) {
        var start = 0
        let width = input.cols
        while start < count {
            let n = min(Self.chunk, count - start)
            let out = forwardChunk(points + 3 * start, n, towardsLight)
            writeOutputGradient(out, n, densityGradient + start, rgbGradient + 3 * start)
            let t0 = monotonicSeconds()
            mlp.backward(input: input.view.rows(0..<n), outputGradient: outputGradient.view.rows(0..<n), workspace: workspace,
                         inputGradient: inputGradient.view.rows(0..<n))
            mlpSeconds += monotonicSeconds() - t0
            unitPoints.withUnsafeBufferPointer { p in
                encoding.backward(points: p.baseAddress!, count: n, outputGradient: inputGradient.base, stride: width,
                                  tableGradient: table.gradient.base)
            }
            start += n
        }
    }

    /// Writes each point's Jacobian of the field's outputs with respect to the point (field frame):
    /// `jacobian[12 i ..< 12 i + 12]` holds `d density / d p` (1/m per m), then `d r / d p`, `d g / d p`, `d b / d p`
    /// (per m), through the output activations, the MLP (input gradients only: the parameters' gradients are
    /// untouched) and the hash grid's trilinear interpolation, in forward mode (one pass over the hash grid for
    /// the encoding and its derivatives, then one tangent pass through the MLP per axis). The light direction is
    /// held fixed. This is what moves a pose tracker's bodies.
    public func outputJacobians(points: UnsafePointer<Float>, count: Int, towardsLight: SIMD3<Float>,
                                jacobian: UnsafeMutablePointer<Float>) {
        var start = 0
        let width = input.cols, inverse = 1 / bounds.size
        while start < count {
            let n = min(Self.chunk, count - start)
            writeUnitPoints(points + 3 * start, n)
            // The encoding and its derivatives along x, y, z in one pass; the light columns are 0 in the tangents.
            unitPoints.withUnsafeBufferPointer { p in
                encoding.encodeWithDerivatives(points: p.baseAddress!, count: n, table: table.value.base, into: input.base,
                                               derivatives: (tangents[0].base, tangents[1].base, tangents[2].base), stride: width)
            }
            for i in 0..<n {
                let row = input.base + i * width + encoding.outputWidth
                row[0] = towardsLight.x; row[1] = towardsLight.y; row[2] = towardsLight.z
            }
            let t0 = monotonicSeconds()
            let out = mlp.forward(input.view.rows(0..<n), workspace: workspace)
            mlpForwardRows += n
            for k in 0..<3 {
                let d = mlp.jacobianVectorProduct(tangent: tangents[k].view.rows(0..<n), workspace: workspace)
                for i in 0..<n {
                    let raw = out.row(i), dr = d.row(i), j = jacobian + 12 * (start + i)
                    j[k] = raw[0] < Self.maxLogDensity ? expf(raw[0]) * dr[0] * inverse[k] : 0
                    for c in 1...3 {
                        let s = 1 / (1 + expf(-raw[c]))
                        j[3 * c + k] = s * (1 - s) * dr[c] * inverse[k]
                    }
                }
            }
            mlpSeconds += monotonicSeconds() - t0
            start += n
        }
    }

    /// `dL/d raw output` of a chunk from `dL/d density` and `dL/d rgb`, through `exp` (capped) and `sigmoid`.
    private func writeOutputGradient(_ out: MatrixView, _ n: Int, _ densityGradient: UnsafePointer<Float>, _ rgbGradient: UnsafePointer<Float>) {
        for i in 0..<n {
            let row = out.row(i), g = outputGradient.base + 4 * i
            let raw = row[0]
            g[0] = raw < Self.maxLogDensity ? densityGradient[i] * expf(raw) : 0
            for k in 0..<3 {
                let s = 1 / (1 + expf(-row[1 + k]))
                g[1 + k] = rgbGradient[3 * i + k] * s * (1 - s)
            }
        }
    }

    /// Rebuilds the occupancy grid: a cell is occupied when the density at any of its probe points (for an
    /// overhead light) makes a sample at least 1% opaque.
    public func updateOccupancy() {
        let r = Int32(configuration.occupancyResolution)
        let all = OccupancyGrid(bounds: bounds, resolution: SIMD3(r, r, r))
        occupancy = all
        let cell = bounds.size / Float(r)
        let probes = 3
        let perCell = probes * probes * probes
        var points = [Float](repeating: 0, count: 3 * perCell * Int(r * r * r))
        var i = 0
        for z in 0..<Int(r) { for y in 0..<Int(r) { for x in 0..<Int(r) {
            for k in 0..<perCell {
                let f = SIMD3<Float>(Float(k % probes), Float((k / probes) % probes), Float(k / (probes * probes)))
                let p = bounds.minimum + (SIMD3<Float>(Float(x), Float(y), Float(z)) + (f + 0.5) / Float(probes)) * cell
                points[3 * i] = p.x; points[3 * i + 1] = p.y; points[3 * i + 2] = p.z
                i += 1
            }
        } } }
        var density = [Float](repeating: 0, count: i), rgb = [Float](repeating: 0, count: 3 * i)
        evaluate(points: points, count: i, towardsLight: [0, 0, 1], density: &density, rgb: &rgb)
        let threshold = 0.01 / sampleSpacingMeters
        occupancy = OccupancyGrid(bounds: bounds, resolution: SIMD3(r, r, r), probes: 1) { p in
            let c = (p - self.bounds.minimum) / cell
            let cellIndex = (Int(c.z) * Int(r) + Int(c.y)) * Int(r) + Int(c.x)
            for k in 0..<perCell where density[cellIndex * perCell + k] > threshold { return true }
            return false
        }
    }
}

