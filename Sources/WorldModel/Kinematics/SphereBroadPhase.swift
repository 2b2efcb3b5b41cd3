import CGeometry

/// Candidate pairs of up to `maxSpheres` bounding spheres from the geometry shim's uniform grid
/// (`wm_sphere_pairs`): expected time linear in the spheres and the pairs found, pairs in (i, j) order as a loop
/// over i < j visits them. The caller writes the spheres (`setSphere`), then calls `find`. Its buffers are made
/// once; the pair buffer grows (geometrically, outside the steady state) when a call finds more pairs than it
/// holds. Not thread-safe.
final class SphereBroadPhase {
    let maxSpheres: Int
    private let centres: UnsafeMutableBufferPointer<Float>
    private let radii: UnsafeMutableBufferPointer<Float>
    private let workspace: UnsafeMutableBufferPointer<Int32>
    private var pairs: UnsafeMutableBufferPointer<Int32>
    /// Pairs the pair buffer holds.
    private(set) var pairCapacity: Int
    /// Pairs of the last `find`.
    private(set) var pairCount = 0
    /// The largest |coordinate| + radius (m) of the finite spheres written since the last `find`.
    private var magnitude: Float = 0

    init(maxSpheres: Int, initialPairCapacity: Int) {
        self.maxSpheres = maxSpheres
        centres = .allocate(capacity: max(1, 3 * maxSpheres))
        radii = .allocate(capacity: max(1, maxSpheres))
        workspace = .allocate(capacity: max(1, Int(wm_sphere_pairs_workspace_size(Int32(maxSpheres)))))
        pairCapacity = max(1, initialPairCapacity)
        pairs = .allocate(capacity: 2 * pairCapacity)
    }

    deinit { centres.deallocate(); radii.deallocate(); workspace.deallocate(); pairs.deallocate() }

    /// Bytes of its buffers.
    var byteCount: Int { (centres.count + radii.count) * MemoryLayout<Float>.stride + (workspace.count + pairs.count) * MemoryLayout<Int32>.stride }

    /// Sphere `i`: centre (m, world) and radius (m; infinite for a plane, which then pairs with every sphere).
    @inline(__always)
    func setSphere(_ i: Int, centre: (Float, Float, Float), radius: Float) {
        centres[3 * i] = centre.0; centres[3 * i + 1] = centre.1; centres[3 * i + 2] = centre.2
        radii[i] = radius
        let reach = max(abs(centre.0), abs(centre.1), abs(centre.2)) + radius
        if reach.isFinite { magnitude = max(magnitude, reach) }
    }

    /// Finds the pairs of spheres 0 ..< n whose gap (centre distance minus both radii) is at most `cutoffMeters`,
    /// and possibly a few more within float rounding of it: the cutoff is widened by a few ulp of the scene's
    /// extent, so a caller that tests `gap <= cutoff` in float again keeps exactly the pairs a loop over every
    /// pair keeps. Returns the count (`pair(_:)` reads them).
    @discardableResult
    func find(count n: Int, cutoffMeters: Float) -> Int {
        precondition(n <= maxSpheres, "SphereBroadPhase: \(n) spheres, built for \(maxSpheres)")
        let cutoff = cutoffMeters + 16 * magnitude.ulp + 16 * cutoffMeters.magnitude.ulp
        magnitude = 0
        var count = Int(wm_sphere_pairs(centres.baseAddress, radii.baseAddress, Int32(n), cutoff, pairs.baseAddress, Int32(pairCapacity), workspace.baseAddress))
        if count > pairCapacity {
            pairs.deallocate()
            pairCapacity = max(count, 2 * pairCapacity)
            pairs = .allocate(capacity: 2 * pairCapacity)
            count = Int(wm_sphere_pairs(centres.baseAddress, radii.baseAddress, Int32(n), cutoff, pairs.baseAddress, Int32(pairCapacity), workspace.baseAddress))
        }
        pairCount = count
        return count
    }

    /// Pair `k` (i < j) of the last `find`.
    @inline(__always)
    func pair(_ k: Int) -> (Int, Int) { (Int(pairs[2 * k]), Int(pairs[2 * k + 1])) }
}
