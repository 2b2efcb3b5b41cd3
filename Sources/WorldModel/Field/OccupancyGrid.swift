/// A coarse grid of flags over a field's bounds: a cell is occupied when the field may have density in it.
/// The volume renderer takes no samples in empty cells (empty-space skipping, as in instant-ngp).
///
/// Cells are indexed `(z * ny + y) * nx + x` over `bounds` split into `resolution` equal cells.
///
/// ```swift
/// let grid = OccupancyGrid(bounds: field.bounds, resolution: [16, 16, 16]) { p in densityAt(p) > 1 }
/// grid.isOccupied([0, 0, 0])
/// ```
public struct OccupancyGrid: Sendable {
    public let bounds: FieldBounds
    public let resolution: SIMD3<Int32>
    public private(set) var cells: [Bool]
    private let scale: SIMD3<Float>

    /// A grid where every cell is occupied.
    public init(bounds: FieldBounds, resolution: SIMD3<Int32>) {
        self.bounds = bounds
        self.resolution = resolution
        cells = [Bool](repeating: true, count: Int(resolution.x * resolution.y * resolution.z))
        scale = SIMD3<Float>(resolution) / bounds.size
    }

    /// A grid whose cell is occupied when `occupied` holds at any of `probes^3` points spread over the cell,
    /// then dilated by one cell so surfaces between probes are kept.
    public init(bounds: FieldBounds, resolution: SIMD3<Int32>, probes: Int = 3, occupied: (SIMD3<Float>) -> Bool) {
        self.init(bounds: bounds, resolution: resolution)
        let cell = bounds.size / SIMD3<Float>(resolution)
        var raw = [Bool](repeating: false, count: cells.count)
        for z in 0..<Int(resolution.z) {
            for y in 0..<Int(resolution.y) {
                for x in 0..<Int(resolution.x) {
                    var hit = false
                    for k in 0..<(probes * probes * probes) where !hit {
                        let f = SIMD3<Float>(Float(k % probes), Float((k / probes) % probes), Float(k / (probes * probes)))
                        let p = bounds.minimum + (SIMD3<Float>(Float(x), Float(y), Float(z)) + (f + 0.5) / Float(probes)) * cell
                        hit = occupied(p)
                    }
                    raw[index(x, y, z)] = hit
                }
            }
        }
        for z in 0..<Int(resolution.z) {
            for y in 0..<Int(resolution.y) {
                for x in 0..<Int(resolution.x) {
                    var any = false
                    for dz in -1...1 { for dy in -1...1 { for dx in -1...1 {
                        let a = x + dx, b = y + dy, c = z + dz
                        if a >= 0, b >= 0, c >= 0, a < Int(resolution.x), b < Int(resolution.y), c < Int(resolution.z), raw[index(a, b, c)] { any = true }
                    } } }
                    cells[index(x, y, z)] = any
                }
            }
        }
    }

    @inline(__always) private func index(_ x: Int, _ y: Int, _ z: Int) -> Int {
        (z * Int(resolution.y) + y) * Int(resolution.x) + x
    }

    /// Whether the cell holding `p` (field frame) is occupied; false outside the bounds.
    @inline(__always)
    public func isOccupied(_ p: SIMD3<Float>) -> Bool {
        let c = (p - bounds.minimum) * scale
        guard c.x >= 0, c.y >= 0, c.z >= 0 else { return false }
        let x = Int(c.x), y = Int(c.y), z = Int(c.z)
        guard x < Int(resolution.x), y < Int(resolution.y), z < Int(resolution.z) else { return false }
        return cells[(z * Int(resolution.y) + y) * Int(resolution.x) + x]
    }

    /// The fraction of occupied cells.
    public var occupiedFraction: Double { Double(cells.lazy.filter { $0 }.count) / Double(max(cells.count, 1)) }
}
