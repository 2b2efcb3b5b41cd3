import CGeometry
import Testing

@Suite struct TransformTests {
    static func randomPoints(_ n: Int, rng: inout SplitMix64) -> [Float] {
        (0..<(3 * n)).map { _ in Float(rng.uniform(-1, 1)) }
    }

    @Test func transformIsRotationPlusTranslation() {
        var rng = SplitMix64(seed: 21)
        let q = rng.unitQuaternion(), t = Vec3(0.3, -1.2, 0.7)
        let points = Self.randomPoints(100, rng: &rng)
        var out = [Float](repeating: 0, count: points.count)
        wm_transform_points(t.floats, q.floats, points, &out, 100)
        for i in 0..<100 {
            let expected = q.matrix * Vec3(floats: points, at: i) + t
            #expect((Vec3(floats: out, at: i) - expected).norm < 1e-6)
        }
    }

    @Test func inverseTransformUndoesTransform() {
        var rng = SplitMix64(seed: 22)
        for _ in 0..<20 {
            let q = rng.unitQuaternion(), t = Vec3(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2))
            let points = Self.randomPoints(50, rng: &rng)
            var out = points
            out.withUnsafeMutableBufferPointer { wm_transform_points(t.floats, q.floats, $0.baseAddress, $0.baseAddress, 50) }
            out.withUnsafeMutableBufferPointer {
                wm_inverse_transform_points(t.floats, q.floats, $0.baseAddress, $0.baseAddress, 50)
            }
            for i in 0..<50 { #expect((Vec3(floats: out, at: i) - Vec3(floats: points, at: i)).norm < 2e-6) }
        }
    }

    @Test func inverseTransformIsTransposedRotationOfOffset() {
        var rng = SplitMix64(seed: 23)
        let q = rng.unitQuaternion(), t = Vec3(-0.5, 0.1, 2)
        let points = Self.randomPoints(40, rng: &rng)
        var out = [Float](repeating: 0, count: points.count)
        wm_inverse_transform_points(t.floats, q.floats, points, &out, 40)
        for i in 0..<40 {
            let expected = q.matrix.transposed * (Vec3(floats: points, at: i) - t)
            #expect((Vec3(floats: out, at: i) - expected).norm < 1e-6)
        }
    }

    @Test func raysMoveIntoTheBodyFrame() {
        var rng = SplitMix64(seed: 24)
        let q = rng.unitQuaternion(), t = Vec3(1, 2, 3)
        let origins = Self.randomPoints(30, rng: &rng), directions = Self.randomPoints(30, rng: &rng)
        var bodyOrigins = [Float](repeating: 0, count: 90), bodyDirections = bodyOrigins
        wm_inverse_transform_rays(t.floats, q.floats, origins, directions, &bodyOrigins, &bodyDirections, 30)
        let r = q.matrix
        for i in 0..<30 {
            let o = Vec3(floats: origins, at: i), d = Vec3(floats: directions, at: i)
            let bo = Vec3(floats: bodyOrigins, at: i), bd = Vec3(floats: bodyDirections, at: i)
            // Every point of the world ray maps onto the body ray with the same parameter.
            for s in [0.0, 0.5, 3.0] {
                #expect((r.transposed * (o + s * d - t) - (bo + s * bd)).norm < 1e-5)
            }
            #expect(abs(bd.norm - d.norm) < 1e-6)
        }
    }

    @Test func rayOutputsMayAliasInputs() {
        var rng = SplitMix64(seed: 25)
        let q = rng.unitQuaternion(), t = Vec3(0, 1, 0)
        let origins = Self.randomPoints(10, rng: &rng), directions = Self.randomPoints(10, rng: &rng)
        var o2 = [Float](repeating: 0, count: 30), d2 = o2
        wm_inverse_transform_rays(t.floats, q.floats, origins, directions, &o2, &d2, 10)
        var o = origins, d = directions
        o.withUnsafeMutableBufferPointer { ob in
            d.withUnsafeMutableBufferPointer { db in
                wm_inverse_transform_rays(t.floats, q.floats, ob.baseAddress, db.baseAddress, ob.baseAddress, db.baseAddress, 10)
            }
        }
        #expect(o == o2)
        #expect(d == d2)
    }
}
