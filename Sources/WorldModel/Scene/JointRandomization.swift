#if canImport(Glibc)
import Glibc
#endif

extension SceneModel {
    /// A random configuration for the start of an episode, as dm_control's joint randomizer draws one: a limited
    /// hinge or slide joint uniform in its range, an unlimited hinge uniform in [-π, π), a ball joint a uniform
    /// random orientation, a free joint its reference position moved by up to `slideSpreadMeters` horizontally
    /// with a random yaw, an unlimited slide its reference plus up to ±`slideSpreadMeters`. Returns qpos (nq).
    /// The caller rejects configurations that overlap (see `TeacherRecorder`).
    public func randomConfiguration(slideSpreadMeters spread: Double = 0.1, using rng: inout SeededRandom) -> [Double] {
        var qpos = qpos0.map(Double.init)
        for joint in tree.joints {
            let a = joint.qposAddress
            switch joint.kind {
            case .hinge:
                qpos[a] = joint.limited ? rng.uniform(Double(joint.range.x), Double(joint.range.y)) : rng.uniform(-.pi, .pi)
            case .slide:
                qpos[a] = joint.limited ? rng.uniform(Double(joint.range.x), Double(joint.range.y))
                    : qpos[a] + rng.uniform(-spread, spread)
            case .ball:
                let q = rng.unitQuaternion()
                for k in 0..<4 { qpos[a + k] = q[k] }
            case .free:
                qpos[a] += rng.uniform(-spread, spread)
                qpos[a + 1] += rng.uniform(-spread, spread)
                let yaw = rng.uniform(-.pi, .pi)
                let q = SIMD4(cos(yaw / 2), 0, 0, sin(yaw / 2))
                for k in 0..<4 { qpos[a + 3 + k] = q[k] }
            }
        }
        return qpos
    }
}
