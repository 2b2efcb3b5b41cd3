import CGeometry
import Testing

/// `wm_sphere_pairs` against the loop over every pair it replaces, on scattered, clustered, touching and
/// degenerate spheres.
@Suite struct BroadPhaseTests {
    /// The shim's pairs of `centres` (n x 3) and `radii`, growing the output once when the first capacity is short.
    static func shimPairs(_ centres: [Float], _ radii: [Float], cutoff: Float, capacity: Int = 4) -> [[Int]] {
        let n = radii.count
        var workspace = [Int32](repeating: -7, count: Int(wm_sphere_pairs_workspace_size(Int32(n))))
        var pairs = [Int32](repeating: -1, count: 2 * capacity)
        var count = Int(wm_sphere_pairs(centres, radii, Int32(n), cutoff, &pairs, Int32(capacity), &workspace))
        if count > capacity {
            pairs = [Int32](repeating: -1, count: 2 * count)
            let again = Int(wm_sphere_pairs(centres, radii, Int32(n), cutoff, &pairs, Int32(count), &workspace))
            #expect(again == count)
            count = again
        }
        return (0..<count).map { [Int(pairs[2 * $0]), Int(pairs[2 * $0 + 1])] }
    }

    /// Every pair i < j whose gap is within the cutoff (in double), or with a non-finite sphere, in loop order.
    static func referencePairs(_ centres: [Float], _ radii: [Float], cutoff: Float) -> [[Int]] {
        let n = radii.count
        func finite(_ i: Int) -> Bool { (0..<3).allSatisfy { centres[3 * i + $0].isFinite } && radii[i].isFinite }
        var out: [[Int]] = []
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) {
                if !finite(i) || !finite(j) { out.append([i, j]); continue }
                var s = 0.0
                for k in 0..<3 { let d = Double(centres[3 * i + k]) - Double(centres[3 * j + k]); s += d * d }
                if s.squareRoot() - Double(radii[i]) - Double(radii[j]) <= Double(cutoff) { out.append([i, j]) }
            }
        }
        return out
    }

    @Test func matchesEveryPairOnRandomScenes() {
        var rng = SplitMix64(seed: 91)
        for trial in 0..<60 {
            let n = [0, 1, 2, 3, 17, 64, 200][trial % 7]
            let spread = [0.05, 0.3, 2.0, 40.0][trial % 4]
            var centres: [Float] = [], radii: [Float] = []
            for _ in 0..<n {
                for _ in 0..<3 { centres.append(Float(rng.uniform(-spread, spread))) }
                radii.append(Float(rng.uniform(0.005, trial % 3 == 0 ? 0.5 : 0.05)))
            }
            let cutoff = Float([0, 0.01, 0.03, 0.2][trial % 4])
            #expect(Self.shimPairs(centres, radii, cutoff: cutoff) == Self.referencePairs(centres, radii, cutoff: cutoff), "trial \(trial)")
        }
    }

    @Test func touchingOverlappingAndCoincidentSpheres() {
        // A row of unit spheres: touching (gap 0), overlapping, coincident, and one just beyond the cutoff.
        let xs: [Float] = [0, 2, 3.5, 3.5, 6.0, 8.2500005]
        let centres: [Float] = xs.flatMap { [$0, 0, 0] }, radii = [Float](repeating: 1, count: xs.count)
        let pairs = Self.shimPairs(centres, radii, cutoff: 0.25)
        #expect(pairs == Self.referencePairs(centres, radii, cutoff: 0.25))
        #expect(pairs.contains([0, 1]) && pairs.contains([2, 3]) && !pairs.contains([4, 5]))
    }

    @Test func cellBoundariesAndNegativeCoordinates() {
        // Spheres straddling cell edges on every axis, across zero.
        var centres: [Float] = [], radii: [Float] = []
        for x in stride(from: Float(-1.0), through: 1.0, by: 0.25) {
            for y in stride(from: Float(-1.0), through: 1.0, by: 0.5) {
                centres += [x, y, -x * 0.5]
                radii.append(0.1)
            }
        }
        for cutoff: Float in [0.05, 0.3, 0.6] {
            #expect(Self.shimPairs(centres, radii, cutoff: cutoff) == Self.referencePairs(centres, radii, cutoff: cutoff))
        }
    }

    @Test func nonFiniteSpheresPairWithEveryOther() {
        let centres: [Float] = [0, 0, 0, .nan, 0, 0, 5, 5, 5, 0.1, 0, 0, 9, 9, 9]
        let radii: [Float] = [0.1, 0.1, 0.1, .infinity, 0.1]
        let pairs = Self.shimPairs(centres, radii, cutoff: 0.01)
        #expect(pairs == [[0, 1], [0, 3], [1, 2], [1, 3], [1, 4], [2, 3], [3, 4]])
        #expect(pairs == Self.referencePairs(centres, radii, cutoff: 0.01))
    }

    @Test func reportsTheCountWhenThePairsDoNotFit() {
        let centres = [Float](repeating: 0, count: 30), radii = [Float](repeating: 1, count: 10)
        var workspace = [Int32](repeating: 0, count: Int(wm_sphere_pairs_workspace_size(10)))
        var pairs = [Int32](repeating: 0, count: 8)
        #expect(wm_sphere_pairs(centres, radii, 10, 0, &pairs, 4, &workspace) == 45)
        #expect(wm_sphere_pairs(centres, radii, 10, 0, &pairs, 0, &workspace) == 45)
        #expect(Self.shimPairs(centres, radii, cutoff: 0, capacity: 45).count == 45)
        #expect(wm_sphere_pairs_workspace_size(0) == 0)
        #expect(wm_sphere_pairs_workspace_size(10) == 32 + 1 + 50)
    }
}
