#if Viewer
import Testing
import WorldModel
@testable import WMViewer

@Suite struct TriangleMeshTests {
    /// The largest |coordinate| per axis over the mesh's vertices.
    func extents(_ mesh: TriangleMesh) -> SIMD3<Float> {
        var e = SIMD3<Float>(0, 0, 0)
        for v in 0..<mesh.vertexCount {
            for k in 0..<3 { e[k] = max(e[k], abs(mesh.positions[3 * v + k])) }
        }
        return e
    }

    /// Shapes, their half-extents, and the largest |x|, |y|, |z| their meshes must reach.
    static let cases: [(ShapeKind, [Float], SIMD3<Float>)] = [
        (.box, [0.03, 0.02, 0.01], SIMD3(0.03, 0.02, 0.01)),
        (.sphere, [0.04, 0, 0], SIMD3(0.04, 0.04, 0.04)),
        (.capsule, [0.015, 0.03, 0], SIMD3(0.015, 0.015, 0.045)),
        (.cylinder, [0.02, 0.05, 0], SIMD3(0.02, 0.02, 0.05)),
    ]

    @Test(arguments: cases)
    func meshesSpanTheirHalfExtents(shape: ShapeKind, halfExtents: [Float], expected: SIMD3<Float>) {
        let mesh = TriangleMesh(shape: shape, halfExtentsMeters: halfExtents)
        #expect(mesh.vertexCount % 3 == 0 && mesh.vertexCount > 0)
        #expect(mesh.normals.count == mesh.positions.count)
        let e = extents(mesh)
        #expect(abs(e.x - expected.x) < 1e-5 && abs(e.y - expected.y) < 1e-5 && abs(e.z - expected.z) < 1e-5, "\(shape): \(e)")
        for v in 0..<mesh.vertexCount {
            let n = SIMD3(mesh.normals[3 * v], mesh.normals[3 * v + 1], mesh.normals[3 * v + 2])
            #expect(abs((n * n).sum() - 1) < 1e-4)
        }
    }

    @Test func normalsPointOutOfTheSphere() {
        let mesh = TriangleMesh(shape: .sphere, halfExtentsMeters: [0.05, 0, 0])
        for v in 0..<mesh.vertexCount {
            let p = SIMD3(mesh.positions[3 * v], mesh.positions[3 * v + 1], mesh.positions[3 * v + 2])
            let n = SIMD3(mesh.normals[3 * v], mesh.normals[3 * v + 1], mesh.normals[3 * v + 2])
            #expect((p * n).sum() > 0.049)
        }
    }
}
#endif
