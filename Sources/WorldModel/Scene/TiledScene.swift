/// A larger free-object scene made from a small one's MJCF: its free bodies copied onto a square of tiles
/// (`tilesPerSide` x `tilesPerSide`, each holding every object once, around an empty centre), on a table
/// plane grown to fit, everything else (the robot, options, actuators) as it was. Each copy's body line is the
/// template's with a new name (`obj3` -> `obj3_t5`) and position, so shapes, masses and friction stay the
/// template's. Objects rest upright on the table (the plane z = 0) at rest; the empty centre of the middle tile
/// (`robotStart`) is where a rollout should start the robot. For `wm bench scaling`.
public struct TiledScene: Sendable {
    /// The MJCF text of the tiled scene.
    public let mjcf: String
    /// Each object's resting position (m, world), in body order.
    public let positions: [SIMD3<Float>]
    /// The centre of the middle tile (m, world; z = 0), clear of every object: the origin for an odd number of
    /// tiles per side, a tile's centre next to it for an even one.
    public let robotStart: SIMD3<Float>

    /// Tiles `template` (MJCF text whose free bodies are one per line, `<body name="..." pos="..."><freejoint/>...`)
    /// whose free objects are `objects` (in body order, as the scene reader gives them). `tileMeters` is a tile's
    /// side and `spacingMeters` the distance between neighbouring objects in a tile: by default 7.5 cm (clutter's
    /// widest objects, 7 cm, never overlap) and 3 x 7.5 cm, so the objects of all tiles form one lattice, with a
    /// hole at each tile's centre, and neighbours within clutter's connectivity radius (3 cm) of each other.
    public init(template: String, objects: [ObjectDescription], tilesPerSide: Int, tileMeters: Float = 0.225,
                spacingMeters: Float = 0.075) throws {
        guard tilesPerSide >= 1 else { throw WorldModelError("a tiled scene needs at least one tile per side, not \(tilesPerSide)") }
        let lines = template.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let bodyLines = lines.indices.filter { lines[$0].contains("<freejoint") && lines[$0].trimmingPrefixSpaces.hasPrefix("<body ") }
        guard bodyLines.count == objects.count, !objects.isEmpty else {
            throw WorldModelError("the template has \(bodyLines.count) free bodies on lines of their own, and \(objects.count) objects")
        }
        // Slots of a tile: a g x g grid around its (empty) centre cell, g odd.
        var side = 3
        while side * side - 1 < objects.count { side += 2 }
        let slots = (0..<(side * side)).map { (dx: $0 % side - side / 2, dy: $0 / side - side / 2) }.filter { $0.dx != 0 || $0.dy != 0 }
        var copies: [String] = [], positions: [SIMD3<Float>] = []
        for t in 0..<(tilesPerSide * tilesPerSide) {
            let centre = SIMD2(Float(t % tilesPerSide), Float(t / tilesPerSide)) - Float(tilesPerSide - 1) / 2
            for (k, object) in objects.enumerated() {
                let p = SIMD3(centre.x * tileMeters + Float(slots[k].dx) * spacingMeters, centre.y * tileMeters + Float(slots[k].dy) * spacingMeters,
                              Self.restingHeight(object))
                positions.append(p)
                var line = lines[bodyLines[k]]
                line = try Self.replacing(attribute: "name", in: line) { "\($0)_t\(t)" }
                line = try Self.replacing(attribute: "pos", in: line) { _ in "\(p.x) \(p.y) \(p.z)" }
                copies.append(line)
            }
        }
        let half = Float(tilesPerSide) * tileMeters / 2 + 0.2, count = positions.count
        var out: [String] = []
        for (i, line) in lines.enumerated() {
            if i == bodyLines[0] { out += copies }
            if bodyLines.contains(i) { continue }
            if line.contains("<size ") {
                out.append("  <size njmax=\"\(max(1000, 2 * count))\" nconmax=\"\(max(300, 8 * count))\"/>")
            } else if line.contains("name=\"table\"") {
                out.append(try Self.replacing(attribute: "size", in: line) { _ in "\(half) \(half) 0.01" })
            } else {
                out.append(line)
            }
        }
        mjcf = out.joined(separator: "\n")
        let middle = Float(tilesPerSide / 2) - Float(tilesPerSide - 1) / 2
        robotStart = SIMD3(middle * tileMeters, middle * tileMeters, 0)
        self.positions = positions
    }

    /// The height (m) of an upright object's centre resting on the plane z = 0.
    static func restingHeight(_ object: ObjectDescription) -> Float {
        let h = object.halfExtentsMeters + [0, 0, 0]
        switch object.shape {
        case .sphere: return h[0]
        case .box: return h[2]
        case .cylinder: return h[1]
        case .capsule: return h[0] + h[1]
        }
    }

    /// `line` with the value of its first `attribute="..."` replaced by `value(old)`.
    static func replacing(attribute: String, in line: String, _ value: (String) -> String) throws -> String {
        guard let start = line.firstRange(of: " \(attribute)=\""), let end = line[start.upperBound...].firstIndex(of: "\"") else {
            throw WorldModelError("no \(attribute)=\"...\" in the template line '\(line)'")
        }
        return line[..<start.upperBound] + value(String(line[start.upperBound..<end])) + line[end...]
    }
}

private extension String {
    var trimmingPrefixSpaces: Substring { drop { $0 == " " || $0 == "\t" } }
}
