/// A small seeded random generator (SplitMix64) so every test sees the same data on every run.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// Uniform on the unit sphere.
    mutating func unitVector() -> Vec3 {
        while true {
            let v = Vec3(uniform(-1, 1), uniform(-1, 1), uniform(-1, 1))
            let n = v.norm
            if n > 0.1 && n <= 1 { return v / n }
        }
    }

    /// A uniformly random unit quaternion (w, x, y, z).
    mutating func unitQuaternion() -> Quat {
        while true {
            let q = Quat(uniform(-1, 1), uniform(-1, 1), uniform(-1, 1), uniform(-1, 1))
            let n = q.norm
            if n > 0.1 && n <= 1 { return q.scaled(1 / n) }
        }
    }
}
