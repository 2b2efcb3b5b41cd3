/// Values that cannot describe a physical scene, found before an import writes anything: quaternions that are
/// zero or not finite (no orientation), negative or non-finite masses and sizes. Each check names
/// the first bad element by its index in the array's shape, e.g. `(0, 3, 1)` for episode 0, frame 3, object 1.
///
/// ```swift
/// if let bad = PhysicalValueCheck.firstDegenerateQuaternion(quat) {
///     throw WorldModelError(file: path, "box_quat: the quaternion at \(PhysicalValueCheck.index(bad.offset, shape: [e, f, n])) has norm \(bad.norm)")
/// }
/// ```
public enum PhysicalValueCheck {
    /// The norm below which a quaternion is zero: it names no orientation (readers normalise any other).
    public static let zeroQuaternionNorm: Float = 1e-3

    /// The first quaternion (4 consecutive values) that is zero or not finite: its number (flat index / 4)
    /// and norm; nil when every quaternion names an orientation.
    public static func firstDegenerateQuaternion(_ values: [Float]) -> (offset: Int, norm: Float)? {
        for q in 0..<(values.count / 4) {
            let o = 4 * q
            let norm = (values[o] * values[o] + values[o + 1] * values[o + 1] + values[o + 2] * values[o + 2] + values[o + 3] * values[o + 3]).squareRoot()
            if !(norm.isFinite && norm >= zeroQuaternionNorm) { return (q, norm) }
        }
        return nil
    }

    /// The flat index of the first value that is negative, not finite, or (with `positive`) zero; nil if none.
    public static func firstNegative(_ values: [Float], orZero positive: Bool = false) -> Int? {
        values.firstIndex { !$0.isFinite || $0 < 0 || (positive && $0 == 0) }
    }

    /// A flat row-major index as a tuple in `shape`: `index(7, shape: [2, 4])` is `(1, 3)`.
    public static func index(_ flat: Int, shape: [Int]) -> String {
        var rest = flat, parts: [Int] = []
        for d in shape.reversed() {
            let size = Swift.max(d, 1)
            parts.append(rest % size)
            rest /= size
        }
        return "(" + parts.reversed().map(String.init).joined(separator: ", ") + ")"
    }
}
