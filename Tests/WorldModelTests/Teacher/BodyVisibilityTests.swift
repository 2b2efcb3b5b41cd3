import Testing
import WorldModel

@Suite struct BodyVisibilityTests {
    /// A cube nothing hides is seen whole, a cube outside the view not at all, and a cube behind another one (on
    /// the camera's line of sight) in part.
    @Test func fractionsOfWholePartlyHiddenAndUnseenBodies() throws {
        let fixture = try PushCameraFixture()
        let simulation = fixture.renderer.simulation
        let camera = PushCameraFixture.camera
        var poses = PushCameraFixture.truth
        // Body 3 far off the table, out of the camera's view.
        poses[21] = 3; poses[22] = 3
        // Body 1 on the ray from the camera to body 0, 6 cm nearer to the camera, on the table.
        let target = SIMD3<Float>(poses[0], poses[1], poses[2])
        let towards = camera.position - target
        let horizontal = SIMD2(towards.x, towards.y) / (SIMD2(towards.x, towards.y) * SIMD2(towards.x, towards.y)).sum().squareRoot()
        poses[7] = target.x + 0.06 * horizontal.x; poses[8] = target.y + 0.06 * horizontal.y
        try fixture.renderer.place(poses: poses)
        let ids = simulation.sceneModel.tree.joints.filter { $0.kind == .free }.map(\.body)
        let seen = simulation.visibleFractions(of: ids, camera: camera)
        #expect(seen.count == 4)
        #expect(seen[2] == 1)
        #expect(seen[3] == 0)
        #expect(seen[1] == 1)
        #expect(seen[0] > 0.05 && seen[0] < 0.9)
    }
}
