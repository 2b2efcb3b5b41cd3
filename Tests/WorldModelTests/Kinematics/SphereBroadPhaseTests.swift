import CGeometry
import Testing
@testable import WorldModel

@Suite struct SphereBroadPhaseTests {
    /// Every pair a float test `centreGap <= cutoff` keeps is among the candidates, at the boundary too, far from
    /// the origin as near it.
    @Test func keepsEveryPairTheFloatTestKeeps() {
        var rng = SeededRandom(seed: 17)
        let phase = SphereBroadPhase(maxSpheres: 2, initialPairCapacity: 1)
        var found = 0
        for trial in 0..<2000 {
            let offset = Float([0, 0.5, 30, 400][trial % 4])
            let a = (offset + Float(rng.uniform(-0.1, 0.1)), Float(rng.uniform(-0.1, 0.1)), Float(0.02))
            let ra = Float(rng.uniform(0.01, 0.05)), rb = Float(rng.uniform(0.01, 0.05)), cutoff: Float = 0.03
            // b straight along x at a float distance whose gap rounds to the cutoff, give or take an ulp or two.
            let b = (a.0 + ra + rb + cutoff + Float(trial % 5 - 2) * a.0.magnitude.ulp, a.1, a.2)
            var sa = wm_shape(), sb = wm_shape()
            sa.pos = a; sb.pos = b
            phase.setSphere(0, centre: a, radius: ra)
            phase.setSphere(1, centre: b, radius: rb)
            let count = phase.find(count: 2, cutoffMeters: cutoff)
            if ShapeDistance.centreGap(sa, sb, ra, rb) <= cutoff {
                found += 1
                #expect(count == 1 && phase.pair(0) == (0, 1), "trial \(trial)")
            }
        }
        #expect(found > 100, "the boundary was reached")
    }

    @Test func growsItsPairBufferWhenAFindNeedsMore() {
        let phase = SphereBroadPhase(maxSpheres: 20, initialPairCapacity: 2)
        for i in 0..<20 { phase.setSphere(i, centre: (Float(i) * 0.01, 0, 0), radius: 0.1) }
        #expect(phase.find(count: 20, cutoffMeters: 0) == 190)
        #expect(phase.pairCapacity >= 190)
        #expect(phase.pair(0) == (0, 1) && phase.pair(189) == (18, 19))
        #expect(phase.find(count: 3, cutoffMeters: 0) == 3)
    }
}
