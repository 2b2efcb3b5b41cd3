#if canImport(Glibc)
import Glibc
#endif

/// A small, fast, seeded random number generator (xoshiro256**, seeded through SplitMix64).
///
/// Same seed, same sequence, on every machine: wm's datasets, initial placements, policies, weight
/// initialisation and minibatches all draw from it, which makes every run reproducible.
///
/// ```swift
/// var rng = SeededRandom(seed: 7)
/// let x = rng.uniform(-1, 1)      // Double in [-1, 1)
/// let n = rng.gaussian()          // standard normal
/// ```
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    /// The generator whose xoshiro256** state is the first four SplitMix64 outputs of `seed`.
    public init(seed: UInt64) {
        var x = seed
        s0 = Self.splitMix64(&x); s1 = Self.splitMix64(&x); s2 = Self.splitMix64(&x); s3 = Self.splitMix64(&x)
    }

    /// One step of SplitMix64 (Steele, Lea and Flood 2014): advances `state` and returns the next output. It
    /// seeds the xoshiro256** state, and `DatasetSplit` shuffles episodes with it directly (a sequence pinned
    /// by the splits of existing datasets: never change it).
    @inline(__always) public static func splitMix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for stream `index` of `seed` (e.g. one per episode), independent of the others.
    public init(seed: UInt64, stream index: UInt64) {
        self.init(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ index &* 0xD1B5_4A32_D192_ED03 &+ 1)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = (s3 << 45) | (s3 >> 19)
        return result
    }

    /// Uniform in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * unit() }

    /// Uniform integer in 0..<count.
    public mutating func index(_ count: Int) -> Int { Int(next() % UInt64(count)) }

    /// Standard normal (Box-Muller).
    public mutating func gaussian() -> Double {
        let u = max(unit(), 1e-300), v = unit()
        return (-2 * log(u)).squareRoot() * cos(2 * Double.pi * v)
    }

    /// A uniformly random unit quaternion (w, x, y, z) (Shoemake's method).
    public mutating func unitQuaternion() -> SIMD4<Double> {
        let u1 = unit(), u2 = unit() * 2 * .pi, u3 = unit() * 2 * .pi
        let a = (1 - u1).squareRoot(), b = u1.squareRoot()
        return SIMD4(b * cos(u3), a * sin(u2), a * cos(u2), b * sin(u3))
    }
}
