#if canImport(Glibc)
import Glibc
#endif

/// Where objects and the robot start an episode: random, non-overlapping, reproducible from the seed.
public struct InitialPlacement: Sendable, Equatable {
    /// Per object: centre position (m, world).
    public var positions: [SIMD3<Double>]
    /// Per object: orientation (w, x, y, z), body -> world.
    public var quaternions: [SIMD4<Double>]
    /// The robot's joint positions (m), e.g. the pusher's (x, y).
    public var robotJoints: [Double]

    /// Samples a placement for `scene`:
    /// - objects on the table inside +-`halfWidthMeters`, resting upright with a random yaw, their bounding
    ///   circles at least `gapMeters` apart; or, when the scene sets `dropHeightMeters`, at random heights in that
    ///   range (stacked above each other where they overlap in plan) with uniformly random orientations;
    /// - the robot on the border of its workspace, away from every object.
    public static func sample(for scene: SceneDescription, halfWidthMeters: Double = 0.2, gapMeters: Double = 0.01,
                              using rng: inout SeededRandom) -> InitialPlacement {
        var positions: [SIMD3<Double>] = []
        var quaternions: [SIMD4<Double>] = []
        let table = Double(scene.tableHeightMeters)
        for object in scene.objects {
            let radius = Double(object.boundingRadiusMeters)
            var xy = SIMD2<Double>(0, 0)
            var clear = false
            for _ in 0..<200 {
                xy = SIMD2(rng.uniform(-halfWidthMeters, halfWidthMeters), rng.uniform(-halfWidthMeters, halfWidthMeters))
                clear = zip(positions, scene.objects).allSatisfy { p, other in
                    let d = ((SIMD2(p.x, p.y) - xy) * (SIMD2(p.x, p.y) - xy)).sum().squareRoot()
                    return d >= radius + Double(other.boundingRadiusMeters) + gapMeters
                }
                if clear || scene.dropHeightMeters != nil { break }
            }
            if let drop = scene.dropHeightMeters {
                // Falling objects may overlap in plan: stack them by height so they never start interpenetrating.
                var z = rng.uniform(Double(drop.lowerBound), Double(drop.upperBound))
                for (p, other) in zip(positions, scene.objects) {
                    let planar = ((SIMD2(p.x, p.y) - xy) * (SIMD2(p.x, p.y) - xy)).sum().squareRoot()
                    let reach = radius + Double(other.boundingRadiusMeters) + gapMeters
                    if planar < reach, abs(p.z - z) < reach { z = p.z + reach }
                }
                positions.append(SIMD3(xy.x, xy.y, table + z))
                quaternions.append(rng.unitQuaternion())
            } else {
                positions.append(SIMD3(xy.x, xy.y, table + Double(object.restingHalfHeightMeters)))
                let yaw = rng.uniform(-Double.pi, Double.pi)
                quaternions.append(SIMD4(cos(yaw / 2), 0, 0, sin(yaw / 2)))
            }
        }
        var robotJoints = [Double](repeating: 0, count: scene.robotJointCount)
        if scene.robotJointCount >= 2 {
            let lo = Double(max(scene.robotJointRange[0].lowerBound, scene.robotJointRange[1].lowerBound))
            let hi = Double(min(scene.robotJointRange[0].upperBound, scene.robotJointRange[1].upperBound))
            let border = min(abs(lo), abs(hi)) * 0.9
            var best = SIMD2<Double>(border, 0), bestClearance = -Double.infinity
            for _ in 0..<20 {
                let side = rng.index(4), t = rng.uniform(-border, border)
                let p: SIMD2<Double> = [SIMD2(border, t), SIMD2(-border, t), SIMD2(t, border), SIMD2(t, -border)][side]
                let clearance = positions.map { ((SIMD2($0.x, $0.y) - p) * (SIMD2($0.x, $0.y) - p)).sum().squareRoot() }.min() ?? 1
                if clearance > bestClearance { best = p; bestClearance = clearance }
                if clearance > 0.1 { break }
            }
            robotJoints[0] = best.x
            robotJoints[1] = best.y
        }
        return InitialPlacement(positions: positions, quaternions: quaternions, robotJoints: robotJoints)
    }
}
