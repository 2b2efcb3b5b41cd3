/// Turns ray hits into an image the same way for every environment: the hit's colour, darker with
/// distance (a depth cue, since neither ray caster returns surface normals), a grey sky on a miss.
/// Both environments render through this, so their images differ only where the poses differ.
enum RayCastImage {
    /// Renders `camera` with `hit(origin, unitDirection)` returning (distance m, rgb in [0, 1]) or nil.
    static func render(camera: PinholeCamera, hit: (SIMD3<Float>, SIMD3<Float>) -> (Float, SIMD3<Float>)?) -> RGBImage {
        renderRGBD(camera: camera, hit: hit).image
    }

    /// The same picture with its depth: metres along each pixel's unit ray, 0 on a miss (as `RGBDImage`).
    static func renderRGBD(camera: PinholeCamera, hit: (SIMD3<Float>, SIMD3<Float>) -> (Float, SIMD3<Float>)?) -> RGBDImage {
        var out = RGBDImage(width: camera.width, height: camera.height)
        let sky = SIMD3<Float>(0.55, 0.6, 0.68)
        // Depth is shaded relative to the camera's distance from the world origin (the table's centre).
        let referenceDistance = max((camera.position * camera.position).sum().squareRoot(), 0.1)
        for y in 0..<camera.height {
            for x in 0..<camera.width {
                let direction = camera.rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                var colour = sky
                let p = y * camera.width + x
                if let (distance, rgb) = hit(camera.position, direction) {
                    let shade = min(max(1.25 - 0.45 * distance / referenceDistance, 0.35), 1)
                    colour = rgb * shade
                    out.depth[p] = distance
                }
                for c in 0..<3 { out.rgb[3 * p + c] = colour[c] }
            }
        }
        return out
    }
}
