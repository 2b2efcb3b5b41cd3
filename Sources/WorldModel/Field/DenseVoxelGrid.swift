#if canImport(Glibc)
import Glibc
#endif

/// The dense baseline: a world-frame voxel grid of density and shaded RGB (float32), trilinearly interpolated
/// between voxel centres, rendered by the same `VolumeRenderer` as the neural field.
///
/// Layout: `values[((z * ny + y) * nx + x) * 4 + c]`, c = (density 1/m, r, g, b); voxel (x, y, z) is centred
/// at `bounds.minimum + (x + 0.5, y + 0.5, z + 0.5) * voxelSize`.
///
/// It is **filled from the exact geometry** (`filled(...)`), not trained: each voxel's density is
/// `densityScale * clamp(0.5 - d / voxel, 0, 1)` for the signed distance d to the nearest object, and its
/// colour is that object's shaded colour at its nearest surface point. That makes it an upper bound for a
/// trained grid of the same size, and it must be refilled for every set of poses (it stores one scene, not objects).
///
/// ```swift
/// let grid = DenseVoxelGrid.filled(objects: scene.objects, poses: poses, bounds: bounds, resolution: 128, lighting: .standard)
/// let image = renderer.render(camera: camera, fields: [grid.placed])
/// ```
public final class DenseVoxelGrid: RadianceField {
    public let bounds: FieldBounds
    /// Voxels along x, y, z.
    public let resolution: SIMD3<Int32>
    public private(set) var values: [Float]
    public let sampleSpacingMeters: Float
    public private(set) var occupancy: OccupancyGrid

    /// An empty grid (density 0).
    public init(bounds: FieldBounds, resolution: SIMD3<Int32>) {
        self.bounds = bounds
        self.resolution = resolution
        values = [Float](repeating: 0, count: Int(resolution.x * resolution.y * resolution.z) * 4)
        let voxel = bounds.size / SIMD3<Float>(resolution)
        sampleSpacingMeters = 0.5 * min(voxel.x, min(voxel.y, voxel.z))
        occupancy = OccupancyGrid(bounds: bounds, resolution: SIMD3(repeating: 1))
    }

    /// Bytes of the grid's values (float32): the baseline's size.
    public var byteCount: Int { values.count * MemoryLayout<Float>.stride }

    /// The grid at the identity pose (it lives in the world frame).
    public var placed: PlacedField { PlacedField(field: self, position: .zero, quaternion: [1, 0, 0, 0]) }

    /// The resolution for `n` voxels along x with cubic voxels where the bounds allow (z gets fewer).
    public static func resolution(_ n: Int, bounds: FieldBounds) -> SIMD3<Int32> {
        let voxel = bounds.size.x / Float(n)
        return SIMD3(Int32(n), Int32(max(1, Int((bounds.size.y / voxel).rounded()))), Int32(max(2, Int((bounds.size.z / voxel).rounded()))))
    }

    /// A grid filled from the exact geometry of `objects` at `poses` (`N x 7`: position, quaternion w x y z).
    /// `densityPerVoxel` is the optical depth of one voxel fully inside an object.
    public static func filled(objects: [ObjectDescription], poses: [Float], bounds: FieldBounds, resolution: SIMD3<Int32>,
                              lighting: ViewLighting, densityPerVoxel: Float = 4) -> DenseVoxelGrid {
        let grid = DenseVoxelGrid(bounds: bounds, resolution: resolution)
        let voxel = bounds.size / SIMD3<Float>(resolution)
        let voxelSize = min(voxel.x, min(voxel.y, voxel.z))
        let scale = densityPerVoxel / voxelSize
        let positions = (0..<objects.count).map { SIMD3(poses[7 * $0], poses[7 * $0 + 1], poses[7 * $0 + 2]) }
        let rotations = (0..<objects.count).map { SIMD4(poses[7 * $0 + 3], poses[7 * $0 + 4], poses[7 * $0 + 5], poses[7 * $0 + 6]) }
        let reach = objects.map { boundingHalfExtents($0.shape, halfExtents: $0.halfExtents) }
        let nx = Int(resolution.x), ny = Int(resolution.y), nz = Int(resolution.z)
        var occupied = [Bool](repeating: false, count: nx * ny * nz)
        grid.values.withUnsafeMutableBufferPointer { v in
            for z in 0..<nz {
                for y in 0..<ny {
                    for x in 0..<nx {
                        let p = bounds.minimum + (SIMD3<Float>(Float(x), Float(y), Float(z)) + 0.5) * voxel
                        var best = Float.infinity, bestObject = -1, bestLocal = SIMD3<Float>.zero
                        for i in objects.indices {
                            let local = RotationMath.rotateInverse(rotations[i], p - positions[i])
                            let r = reach[i]
                            // Far outside the bounding box: distance at least the box distance; skip exact work.
                            let q = SIMD3(abs(local.x), abs(local.y), abs(local.z)) - r
                            if max(q.x, max(q.y, q.z)) > best { continue }
                            let d = signedDistance(objects[i].shape, halfExtents: objects[i].halfExtents, local)
                            if d < best { best = d; bestObject = i; bestLocal = local }
                        }
                        let o = ((z * ny + y) * nx + x) * 4
                        guard bestObject >= 0 else { continue }
                        let object = objects[bestObject]
                        let coverage = min(max(0.5 - best / voxelSize, 0), 1)
                        v[o] = scale * coverage
                        occupied[(z * ny + y) * nx + x] = coverage > 0
                        let localNormal = surfaceNormal(object.shape, halfExtents: object.halfExtents, bestLocal)
                        let world = RotationMath.rotate(rotations[bestObject], localNormal)
                        let colour = lighting.shade(albedo: object.albedo, normal: world)
                        for k in 0..<3 { v[o + 1 + k] = colour[k] }
                    }
                }
            }
        }
        // Occupancy cells of 4 voxels; a sample needs the 8 voxel centres around it, hence the dilation.
        let cells = SIMD3<Int32>(max(1, resolution.x / 4), max(1, resolution.y / 4), max(1, resolution.z / 4))
        grid.occupancy = OccupancyGrid(bounds: bounds, resolution: cells, probes: 4) { p in
            let f = (p - bounds.minimum) / voxel
            let x = min(max(Int(f.x), 0), nx - 1), y = min(max(Int(f.y), 0), ny - 1), z = min(max(Int(f.z), 0), nz - 1)
            return occupied[(z * ny + y) * nx + x]
        }
        return grid
    }

    public func evaluate(points: UnsafePointer<Float>, count: Int, towardsLight: SIMD3<Float>,
                         density: UnsafeMutablePointer<Float>, rgb: UnsafeMutablePointer<Float>) {
        let voxel = bounds.size / SIMD3<Float>(resolution)
        let nx = Int(resolution.x), ny = Int(resolution.y), nz = Int(resolution.z)
        values.withUnsafeBufferPointer { v in
            for i in 0..<count {
                let p = SIMD3(points[3 * i], points[3 * i + 1], points[3 * i + 2])
                let f = (p - bounds.minimum) / voxel - 0.5
                let fx = min(max(f.x, 0), Float(nx - 1)), fy = min(max(f.y, 0), Float(ny - 1)), fz = min(max(f.z, 0), Float(nz - 1))
                let x0 = min(Int(fx), nx - 2 < 0 ? 0 : nx - 2), y0 = min(Int(fy), max(ny - 2, 0)), z0 = min(Int(fz), max(nz - 2, 0))
                let x1 = min(x0 + 1, nx - 1), y1 = min(y0 + 1, ny - 1), z1 = min(z0 + 1, nz - 1)
                let ax = fx - Float(x0), ay = fy - Float(y0), az = fz - Float(z0)
                var acc = SIMD4<Float>.zero
                for corner in 0..<8 {
                    let cx = corner & 1 == 0 ? x0 : x1, cy = corner & 2 == 0 ? y0 : y1, cz = corner & 4 == 0 ? z0 : z1
                    let w = (corner & 1 == 0 ? 1 - ax : ax) * (corner & 2 == 0 ? 1 - ay : ay) * (corner & 4 == 0 ? 1 - az : az)
                    let o = ((cz * ny + cy) * nx + cx) * 4
                    acc += w * SIMD4(v[o], v[o + 1], v[o + 2], v[o + 3])
                }
                density[i] = acc.x
                rgb[3 * i] = acc.y; rgb[3 * i + 1] = acc.z; rgb[3 * i + 2] = acc.w
            }
        }
    }
}
