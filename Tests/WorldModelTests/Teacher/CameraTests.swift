import Testing
@testable import WorldModel

@Suite struct CameraTests {
    let camera = PinholeCamera(lookFrom: [0.8, 0.1, 0.5], at: [0, 0, 0.02], fieldOfViewDegrees: 45, width: 96, height: 64)

    @Test func targetProjectsToImageCentre() throws {
        let pixel = try #require(camera.project([0, 0, 0.02]))
        #expect(abs(pixel.x - 48) < 1e-3 && abs(pixel.y - 32) < 1e-3)
    }

    @Test func pixelRayPassesThroughProjectedPoint() throws {
        let point: SIMD3<Float> = [0.05, -0.07, 0.03]
        let pixel = try #require(camera.project(point))
        let d = camera.rayDirection(x: pixel.x, y: pixel.y)
        let toPoint = point - camera.position
        let distance = (toPoint * toPoint).sum().squareRoot()
        let along = camera.position + distance * d
        #expect(((along - point) * (along - point)).sum().squareRoot() < 1e-5)
    }

    @Test func upInTheWorldIsUpInTheImage() throws {
        let low = try #require(camera.project([0, 0, 0])), high = try #require(camera.project([0, 0, 0.1]))
        #expect(high.y < low.y)
        #expect(camera.project(camera.position - camera.forward) == nil)
    }

    @Test func ringCamerasAllLookAtTarget() throws {
        for c in PinholeCamera.ring(count: 5, radius: 0.7, height: 0.4, fieldOfViewDegrees: 40, width: 32, pixelHeight: 32) {
            let p = try #require(c.project(.zero))
            #expect(abs(p.x - 16) < 1e-3 && abs(p.y - 16) < 1e-3)
        }
    }
}
