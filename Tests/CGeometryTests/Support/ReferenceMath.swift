import Glibc

/// Double-precision 3-vector for reference computations written independently of the C++ shim.
struct Vec3: Equatable {
    var x, y, z: Double
    init(_ x: Double, _ y: Double, _ z: Double) { (self.x, self.y, self.z) = (x, y, z) }
    init(floats p: [Float], at i: Int = 0) { self.init(Double(p[3 * i]), Double(p[3 * i + 1]), Double(p[3 * i + 2])) }

    static let zero = Vec3(0, 0, 0)
    static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    static func * (s: Double, a: Vec3) -> Vec3 { Vec3(s * a.x, s * a.y, s * a.z) }
    static func / (a: Vec3, s: Double) -> Vec3 { Vec3(a.x / s, a.y / s, a.z / s) }
    static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    func dot(_ b: Vec3) -> Double { x * b.x + y * b.y + z * b.z }
    func cross(_ b: Vec3) -> Vec3 { Vec3(y * b.z - z * b.y, z * b.x - x * b.z, x * b.y - y * b.x) }
    var norm: Double { sqrt(dot(self)) }
    var floats: [Float] { [Float(x), Float(y), Float(z)] }
    subscript(i: Int) -> Double { i == 0 ? x : (i == 1 ? y : z) }
}

/// Row-major 3x3 matrix.
struct Mat3 {
    var m: [Double]  // 9 entries

    static let identity = Mat3(m: [1, 0, 0, 0, 1, 0, 0, 0, 1])
    subscript(r: Int, c: Int) -> Double { m[3 * r + c] }
    static func * (a: Mat3, b: Mat3) -> Mat3 {
        var out = [Double](repeating: 0, count: 9)
        for r in 0..<3 { for c in 0..<3 { for k in 0..<3 { out[3 * r + c] += a[r, k] * b[k, c] } } }
        return Mat3(m: out)
    }
    static func * (a: Mat3, v: Vec3) -> Vec3 {
        Vec3(a[0, 0] * v.x + a[0, 1] * v.y + a[0, 2] * v.z,
             a[1, 0] * v.x + a[1, 1] * v.y + a[1, 2] * v.z,
             a[2, 0] * v.x + a[2, 1] * v.y + a[2, 2] * v.z)
    }
    /// transpose(self) * v, without building the transpose.
    func transposeTimes(_ v: Vec3) -> Vec3 {
        Vec3(m[0] * v.x + m[3] * v.y + m[6] * v.z, m[1] * v.x + m[4] * v.y + m[7] * v.z, m[2] * v.x + m[5] * v.y + m[8] * v.z)
    }
    static func + (a: Mat3, b: Mat3) -> Mat3 { Mat3(m: zip(a.m, b.m).map { $0 + $1 }) }
    static func * (s: Double, a: Mat3) -> Mat3 { Mat3(m: a.m.map { s * $0 }) }
    var transposed: Mat3 { Mat3(m: [m[0], m[3], m[6], m[1], m[4], m[7], m[2], m[5], m[8]]) }
    var column2: Vec3 { Vec3(m[2], m[5], m[8]) }
    /// Largest absolute entry difference.
    func distance(to b: Mat3) -> Double { zip(m, b.m).map { abs($0 - $1) }.max()! }
    /// The skew matrix [v]x with [v]x u = v x u.
    static func skew(_ v: Vec3) -> Mat3 { Mat3(m: [0, -v.z, v.y, v.z, 0, -v.x, -v.y, v.x, 0]) }
}

/// Quaternion (w, x, y, z) in double, only for building test data and rotation matrices.
struct Quat {
    var w, x, y, z: Double
    init(_ w: Double, _ x: Double, _ y: Double, _ z: Double) { (self.w, self.x, self.y, self.z) = (w, x, y, z) }
    init(floats q: [Float], at i: Int = 0) {
        self.init(Double(q[4 * i]), Double(q[4 * i + 1]), Double(q[4 * i + 2]), Double(q[4 * i + 3]))
    }
    /// Rotation by `angle` radians about the unit `axis`.
    init(axis: Vec3, angle: Double) {
        let s = sin(angle / 2)
        self.init(cos(angle / 2), s * axis.x, s * axis.y, s * axis.z)
    }

    var norm: Double { sqrt(w * w + x * x + y * y + z * z) }
    func scaled(_ s: Double) -> Quat { Quat(s * w, s * x, s * y, s * z) }
    var floats: [Float] { [Float(w), Float(x), Float(y), Float(z)] }

    /// The rotation matrix of the unit quaternion (textbook formula).
    var matrix: Mat3 {
        Mat3(m: [
            1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
            2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
            2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y),
        ])
    }
}

/// Rodrigues' formula: R = I + sin(t) K + (1 - cos(t)) K^2, K = [axis]x, t = |omega|.
func rodrigues(_ omega: Vec3) -> Mat3 {
    let t = omega.norm
    if t == 0 { return .identity }
    let k = Mat3.skew(omega / t)
    return Mat3.identity + sin(t) * k + (1 - cos(t)) * (k * k)
}
