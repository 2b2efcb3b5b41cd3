import Testing
import WorldModel

@Suite struct RobotOverlayTests {
    static let pusher = RobotDescription(name: "pusher", shape: .capsule, halfExtentsMeters: [0.015, 0.03, 0], shapeCentreHeightMeters: 0.05,
                                         actionDimension: 2, actionMeaning: "velocity", actionLow: [-1, -1], actionHigh: [1, 1])
    static let camera = PinholeCamera(lookFrom: [0.3, 0, 0.05], at: [0, 0, 0.05], fieldOfViewDegrees: 40, width: 9, height: 9)
    static let red = SIMD3<Float>(0.85, 0.2, 0.15)

    @Test func drawsTheRobotWhereTheViewSawNothingOrSomethingFarther() {
        var view = RGBDImage(width: 9, height: 9)
        let centre = 4 * 9 + 4
        RobotOverlay.draw(Self.pusher, bodyPosition: [0, 0, 0], albedo: Self.red, lighting: .standard, camera: Self.camera, into: &view)
        // The ray through the centre meets the capsule's side facing the camera, 0.3 - 0.015 m away.
        #expect(abs(view.depth[centre] - 0.285) < 1e-4)
        let expected = ViewLighting.standard.shade(albedo: Self.red, normal: [1, 0, 0])
        #expect((0..<3).allSatisfy { abs(view.rgb[3 * centre + $0] - expected[$0]) < 1e-3 })
        #expect(view.depth[0] == 0, "a corner ray misses the robot")
    }

    @Test func leavesWhatIsNearerThanTheRobot() {
        var view = RGBDImage(width: 9, height: 9)
        for p in 0..<81 { view.depth[p] = 0.1; view.rgb[3 * p] = 0.5 }
        let before = view
        RobotOverlay.draw(Self.pusher, bodyPosition: [0, 0, 0], albedo: Self.red, lighting: .standard, camera: Self.camera, into: &view)
        #expect(view == before)
    }
}
