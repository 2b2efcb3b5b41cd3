/// Draws the robot into a view that left it out: the ray-cast teacher skips the robot's body by default, and a
/// field set without a robot link (`ObjectFieldSet.robotLinks`) renders only the objects.
///
/// Each pixel's ray is cast at the robot's primitive shape (upright, its centre at `shapeCentreHeightMeters`
/// above the recorded body position) with `PrimitiveRayCaster`; where the robot is nearer than the view's
/// depth (or the view saw nothing), the pixel takes the robot's albedo shaded with the view's lighting and
/// the depth becomes the robot's.
///
/// ```swift
/// var view = renderer.render(camera: camera, fields: placed)
/// RobotOverlay.draw(scene.robot, bodyPosition: robotXYZ, albedo: teacher.robotAlbedo, lighting: .standard,
///                   camera: camera, into: &view)
/// ```
public enum RobotOverlay {
    /// Composites the robot at `bodyPosition` (m, world; its z is replaced by the shape's centre height) into `image`.
    public static func draw(_ robot: RobotDescription, bodyPosition: SIMD3<Float>, albedo: SIMD3<Float>, lighting: ViewLighting,
                            camera: PinholeCamera, into image: inout RGBDImage) {
        guard robot.halfExtentsMeters.count >= 3 else { return }
        let half = SIMD3(robot.halfExtentsMeters[0], robot.halfExtentsMeters[1], robot.halfExtentsMeters[2])
        let centre = SIMD3(bodyPosition.x, bodyPosition.y, robot.shapeCentreHeightMeters)
        for y in 0..<image.height {
            for x in 0..<image.width {
                let direction = camera.rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                guard let t = PrimitiveRayCaster.distance(origin: camera.position, direction: direction, shape: robot.shape, halfExtents: half,
                                                          position: centre, quaternion: SIMD4(1, 0, 0, 0)) else { continue }
                let p = y * image.width + x
                guard image.depth[p] == 0 || t < image.depth[p] else { continue }
                let normal = surfaceNormal(robot.shape, halfExtents: half, camera.position + t * direction - centre)
                let colour = lighting.shade(albedo: albedo, normal: normal)
                for k in 0..<3 { image.rgb[3 * p + k] = colour[k] }
                image.depth[p] = t
            }
        }
    }
}
