import Testing
@testable import WorldModel

@Suite struct DenseVoxelGridTests {
    /// Box 0 of push.xml at (0.1, 0, 0.025), turned 30 degrees about z; the other boxes hidden under the table.
    static let poses: [Float] = [0.1, 0, 0.025, 0.9659258, 0, 0, 0.2588190,
                                 0, 0, -0.5, 1, 0, 0, 0,
                                 0, 0, -0.5, 1, 0, 0, 0,
                                 0, 0, -0.5, 1, 0, 0, 0]

    @Test func signedDistancesOfPrimitives() {
        #expect(abs(signedDistance(.box, halfExtents: [0.02, 0.03, 0.04], [0.05, 0, 0]) - 0.03) < 1e-6)
        #expect(abs(signedDistance(.box, halfExtents: [0.02, 0.03, 0.04], [0, 0, 0]) + 0.02) < 1e-6)
        #expect(abs(signedDistance(.sphere, halfExtents: [0.02, 0, 0], [0, 0.05, 0]) - 0.03) < 1e-6)
        #expect(abs(signedDistance(.cylinder, halfExtents: [0.02, 0.03, 0], [0, 0, 0.05]) - 0.02) < 1e-6)
        #expect(abs(signedDistance(.capsule, halfExtents: [0.01, 0.03, 0], [0, 0, 0.05]) - 0.01) < 1e-6)
    }

    @Test func volumeRenderedDepthMatchesRayCastDepth() throws {
        let renderer = try RayCastRenderer(simulation: try MuJoCoSimulation(path: "scenes/push.xml"))
        try renderer.place(poses: Self.poses)
        let camera = PinholeCamera(lookFrom: [0.35, 0.15, 0.2], at: [0.1, 0, 0.02], fieldOfViewDegrees: 30, width: 32, height: 32)
        let truth = renderer.render(camera: camera)
        let bounds = FieldBounds(minimum: [0.04, -0.06, 0], maximum: [0.16, 0.06, 0.06])
        let grid = DenseVoxelGrid.filled(objects: renderer.scene.objects, poses: Self.poses, bounds: bounds,
                                         resolution: DenseVoxelGrid.resolution(48, bounds: bounds), lighting: .standard)
        let voxel = bounds.size.x / 48
        let volume = VolumeRenderer(table: renderer.table).render(camera: camera, fields: [grid.placed])
        var errors: [Float] = []
        for y in 1..<31 {
            for x in 1..<31 {
                let p = y * 32 + x
                // Interior object pixels: the box, not the table, and not at an edge.
                let onBox = [p, p - 1, p + 1, p - 32, p + 32].allSatisfy { truth.depth[$0] > 0 && truth.depth[$0] < truth.depth[p] + 0.01 }
                    && truth.depth[p] < 0.33
                if onBox { errors.append(abs(volume.depth[p] - truth.depth[p])) }
            }
        }
        #expect(errors.count > 30)
        errors.sort()
        #expect(errors[errors.count / 2] < voxel)
        #expect(errors[errors.count * 9 / 10] < 2 * voxel)
        #expect(FieldEvaluation.psnr(volume, truth) > 20)
    }

    @Test func occupancySkipsEmptySpace() {
        let bounds = FieldBounds(minimum: [0, 0, 0], maximum: [1, 1, 1])
        let grid = OccupancyGrid(bounds: bounds, resolution: [8, 8, 8]) { p in p.x < 0.1 }
        #expect(grid.isOccupied([0.05, 0.5, 0.5]))
        #expect(grid.isOccupied([0.2, 0.5, 0.5]))   // dilated by one cell
        #expect(!grid.isOccupied([0.6, 0.5, 0.5]))
        #expect(!grid.isOccupied([-0.1, 0.5, 0.5]))
    }
}
