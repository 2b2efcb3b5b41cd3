import Testing
@testable import WorldModel

@Suite struct TrainingViewsTests {
    static let scenePath = "scenes/push.xml"

    /// Box 0 of push.xml (a 5 cm cube) at (0.1, 0, 0.025) and the other boxes far away on the table.
    static let poses: [Float] = [0.1, 0, 0.025, 1, 0, 0, 0,
                                 0.3, 0.3, 0.025, 1, 0, 0, 0,
                                 -0.3, 0.3, 0.025, 1, 0, 0, 0,
                                 0.3, -0.3, 0.025, 1, 0, 0, 0]

    @Test func depthOfBoxFaceIsAnalyticDistance() throws {
        let renderer = try RayCastRenderer(simulation: try MuJoCoSimulation(path: Self.scenePath))
        try renderer.place(poses: Self.poses)
        // Looking along -x at the box's +x face (x = 0.125) from x = 0.6, height 0.03.
        let camera = PinholeCamera(lookFrom: [0.6, 0, 0.03], at: [0, 0, 0.03], fieldOfViewDegrees: 30, width: 33, height: 33)
        let view = renderer.render(camera: camera)
        let centre = 16 * 33 + 16
        #expect(abs(view.depth[centre] - (0.6 - 0.125)) < 1e-4)
        // That face points at the camera: its colour is the box albedo lit by n . l with n = +x.
        let lighting = ViewLighting.standard
        let expected = lighting.shade(albedo: [0.20, 0.50, 0.80], normal: [1, 0, 0])
        for k in 0..<3 { #expect(abs(view.rgb[3 * centre + k] - expected[k]) < 1e-5) }
    }

    @Test func tableDepthAndBackground() throws {
        let renderer = try RayCastRenderer(simulation: try MuJoCoSimulation(path: Self.scenePath))
        try renderer.place(poses: Self.poses)
        #expect(renderer.table.halfExtentsMeters == SIMD2(0.5, 0.5))
        let camera = PinholeCamera(lookFrom: [0, -0.2, 0.5], at: [0, -0.2, 0], up: [0, 1, 0], fieldOfViewDegrees: 30, width: 9, height: 9)
        let view = renderer.render(camera: camera)
        #expect(abs(view.depth[4 * 9 + 4] - 0.5) < 1e-4)
        let t = renderer.table.intersect(origin: camera.position, direction: camera.rayDirection(x: 4.5, y: 4.5))
        #expect(abs((t ?? 0) - 0.5) < 1e-5)
        // A camera looking up sees only the background.
        let sky = renderer.render(camera: PinholeCamera(lookFrom: [0, 0, 1], at: [0, 0, 2], up: [0, 1, 0], fieldOfViewDegrees: 30, width: 4, height: 4))
        #expect(sky.depth.allSatisfy { $0 == 0 })
        #expect(abs(sky.rgb[0] - ViewLighting.standard.background.x) < 1e-6)
    }

    @Test func robotIsLeftOut() throws {
        let simulation = try MuJoCoSimulation(path: Self.scenePath)
        try simulation.setRobotJoints([0, 0])
        let renderer = try RayCastRenderer(simulation: simulation)
        try renderer.place(poses: Self.poses)
        // Straight down onto the pusher at the origin: the table is seen, not the capsule.
        let camera = PinholeCamera(lookFrom: [0, 0, 0.5], at: [0, 0, 0], up: [0, 1, 0], fieldOfViewDegrees: 10, width: 3, height: 3)
        #expect(abs(renderer.render(camera: camera).depth[4] - 0.5) < 1e-4)
    }
}
