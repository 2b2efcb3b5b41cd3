#if Viewer
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Triangles with per-vertex normals, in a body's own frame: three consecutive vertices make one triangle.
///
/// Built once per shape from its half-extents (the `ShapeKind` conventions: capsules and cylinders along
/// local z), then drawn every frame under the body's pose.
///
/// ```swift
/// let cube = TriangleMesh(shape: .box, halfExtentsMeters: [0.025, 0.025, 0.025])
/// print(cube.vertexCount)   // 36
/// ```
public struct TriangleMesh: Sendable {
    /// Vertex positions (m, body frame), x y z per vertex.
    public private(set) var positions: [Float] = []
    /// Unit normals, x y z per vertex.
    public private(set) var normals: [Float] = []

    public var vertexCount: Int { positions.count / 3 }

    /// A mesh of a primitive; `segments` sets how finely round shapes are cut around their axis.
    public init(shape: ShapeKind, halfExtentsMeters h: [Float], segments: Int = 24) {
        switch shape {
        case .box:
            addBox(SIMD3(h[0], h[1], h[2]))
        case .sphere:
            revolve(Self.arc(radius: h[0], centreZ: 0, from: -.pi / 2, to: .pi / 2, steps: segments / 2), segments: segments)
        case .capsule:
            revolve(Self.arc(radius: h[0], centreZ: -h[1], from: -.pi / 2, to: 0, steps: segments / 4)
                    + Self.arc(radius: h[0], centreZ: h[1], from: 0, to: .pi / 2, steps: segments / 4), segments: segments)
        case .cylinder:
            let (r, z) = (h[0], h[1])
            revolve([ProfilePoint(r: 0, z: -z, nr: 0, nz: -1), ProfilePoint(r: r, z: -z, nr: 0, nz: -1),
                      ProfilePoint(r: r, z: -z, nr: 1, nz: 0), ProfilePoint(r: r, z: z, nr: 1, nz: 0),
                      ProfilePoint(r: r, z: z, nr: 0, nz: 1), ProfilePoint(r: 0, z: z, nr: 0, nz: 1)], segments: segments)
        }
    }

    /// A point of a profile curve in the (radius, z) half-plane with its outward normal.
    struct ProfilePoint {
        var r: Float, z: Float, nr: Float, nz: Float
    }

    static func arc(radius: Float, centreZ: Float, from: Float, to: Float, steps: Int) -> [ProfilePoint] {
        (0...max(steps, 1)).map { k in
            let t = from + (to - from) * Float(k) / Float(max(steps, 1))
            return ProfilePoint(r: radius * cosf(t), z: centreZ + radius * sinf(t), nr: cosf(t), nz: sinf(t))
        }
    }

    /// Sweeps a profile around local z; bands between coincident profile points (normal changes) are skipped.
    private mutating func revolve(_ profile: [ProfilePoint], segments: Int) {
        func vertex(_ p: ProfilePoint, _ angle: Float) {
            let (c, s) = (cosf(angle), sinf(angle))
            positions += [p.r * c, p.r * s, p.z]
            normals += [p.nr * c, p.nr * s, p.nz]
        }
        for (a, b) in zip(profile, profile.dropFirst()) where a.r != b.r || a.z != b.z {
            for k in 0..<segments {
                let t0 = 2 * Float.pi * Float(k) / Float(segments), t1 = 2 * Float.pi * Float(k + 1) / Float(segments)
                vertex(a, t0); vertex(a, t1); vertex(b, t1)
                vertex(a, t0); vertex(b, t1); vertex(b, t0)
            }
        }
    }

    private mutating func addBox(_ h: SIMD3<Float>) {
        for axis in 0..<3 {
            for sign: Float in [-1, 1] {
                let u = (axis + 1) % 3, v = (axis + 2) % 3
                var n = SIMD3<Float>(0, 0, 0)
                n[axis] = sign
                var corners: [SIMD3<Float>] = []
                for (su, sv): (Float, Float) in [(-1, -1), (1, -1), (1, 1), (-1, 1)] {
                    var c = n * h
                    c[u] = su * h[u]
                    c[v] = sv * h[v]
                    corners.append(c)
                }
                for index in [0, 1, 2, 0, 2, 3] {
                    positions += [corners[index].x, corners[index].y, corners[index].z]
                    normals += [n.x, n.y, n.z]
                }
            }
        }
    }
}
#endif
