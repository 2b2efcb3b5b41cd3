#if Viewer
import Testing
@testable import WMViewer
#if canImport(Glibc)
import Glibc
#endif

@Suite struct OrbitCameraTests {
    @Test func theTargetProjectsToTheImageCentre() throws {
        let camera = OrbitCamera(target: [0.1, -0.2, 0.05], distanceMeters: 0.7, yawRadians: 0.4, pitchRadians: 0.9)
        let p = try #require(camera.project([0.1, -0.2, 0.05], width: 640, height: 480))
        #expect(abs(p.x - 320) < 1e-3 && abs(p.y - 240) < 1e-3)
    }

    @Test func worldAxesLandWhereTheEyeSeesThem() throws {
        // Eye on the -y side looking along +y, z up: +x is to the right, +z is up on screen.
        let camera = OrbitCamera(target: .zero, distanceMeters: 1, yawRadians: -.pi / 2, pitchRadians: 0)
        let right = try #require(camera.project([0.1, 0, 0], width: 100, height: 100))
        let up = try #require(camera.project([0, 0, 0.1], width: 100, height: 100))
        #expect(right.x > 55 && abs(right.y - 50) < 1e-3)
        #expect(up.y < 45 && abs(up.x - 50) < 1e-3)
        #expect(camera.project([0, -2, 0], width: 100, height: 100) == nil)
    }

    @Test func zoomAndOrbitStayInRange() {
        var camera = OrbitCamera()
        camera.zoom(steps: 200)
        #expect(camera.distanceMeters >= 0.05)
        camera.orbit(dx: 0, dy: 10_000)
        #expect(camera.pitchRadians <= 1.55)
        let before = camera.target
        camera.pan(dx: 10, dy: 0)
        #expect(camera.target != before && abs(camera.target.z - before.z) < 1e-6)
    }

    @Test func poseMatrixRotatesLikeTheQuaternion() {
        // 90 degrees about z: x goes to y.
        let half = Float.pi / 4
        let m = Matrix4.pose(position: [1, 2, 3], quaternion: [cosf(half), 0, 0, sinf(half)])
        let p = m * SIMD4(1, 0, 0, 1)
        #expect(abs(p.x - 1) < 1e-6 && abs(p.y - 3) < 1e-6 && abs(p.z - 3) < 1e-6)
    }
}
#endif
