/// Turns ray hits into an RGB image the same way for every environment: the hit's colour, darker with
/// distance (a depth cue, since neither ray caster returns surface normals), a grey sky on a miss.
/// Both environments render through this, so their images differ only where the poses differ.
enum RayCastImage {
    /// Renders `camera` with `hit(origin, unitDirection)` returning (distance m, rgb in [0, 1]) or nil.
    static func render(camera: PinholeCamera, hit: (SIMD3<Float>, SIMD3<Float>) -> (Float, SIMD3<Float>)?) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: camera.width * camera.height * 3)
        let sky = SIMD3<Float>(0.55, 0.6, 0.68)
        // Depth is shaded relative to the camera's distance from the world origin (the table's centre).
        let referenceDistance = max((camera.position * camera.position).sum().squareRoot(), 0.1)
        for y in 0..<camera.height {
            for x in 0..<camera.width {
                let direction = camera.rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                var colour = sky
                if let (distance, rgb) = hit(camera.position, direction) {
                    let shade = min(max(1.25 - 0.45 * distance / referenceDistance, 0.35), 1)
                    colour = rgb * shade
                }
                let o = (y * camera.width + x) * 3
                for c in 0..<3 { pixels[o + c] = UInt8(min(max(colour[c] * 255 + 0.5, 0), 255)) }
            }
        }
        return RGBImage(width: camera.width, height: camera.height, channels: 3, pixels: pixels)
    }
}
