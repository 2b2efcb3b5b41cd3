/// A volume that answers density and colour at points in its own frame: what `VolumeRenderer` draws.
///
/// Frames and units: points are in the field's frame (an object's body frame, or the world for a world-frame
/// grid), metres. Density is extinction per metre (1/m); colour is RGB in [0, 1], already shaded for the light
/// direction given (a unit vector towards the light, in the field's frame). Outside `bounds` the density is 0.
///
/// ```swift
/// final class Fog: RadianceField { ... }
/// let placed = PlacedField(field: fog, position: [0, 0, 0.05], quaternion: [1, 0, 0, 0])
/// let image = renderer.render(camera: camera, fields: [placed])
/// ```
public protocol RadianceField: AnyObject {
    /// The axis-aligned box (field frame) outside which the density is 0.
    var bounds: FieldBounds { get }
    /// Distance between samples along a ray (m): about the finest detail of the field.
    var sampleSpacingMeters: Float { get }
    /// Which cells of `bounds` may hold density; rays skip the others.
    var occupancy: OccupancyGrid { get }
    /// Writes `density[i]` (1/m) and `rgb[3i..<3i+3]` for `count` points (`points[3i..<3i+3]`, field frame).
    func evaluate(points: UnsafePointer<Float>, count: Int, towardsLight: SIMD3<Float>,
                  density: UnsafeMutablePointer<Float>, rgb: UnsafeMutablePointer<Float>)
}

/// An axis-aligned box in a field's frame (m).
public struct FieldBounds: Sendable, Equatable, Codable {
    public var minimum: SIMD3<Float>
    public var maximum: SIMD3<Float>

    public init(minimum: SIMD3<Float>, maximum: SIMD3<Float>) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The box centred at the origin with these half-extents.
    public init(halfExtents: SIMD3<Float>) {
        self.init(minimum: -halfExtents, maximum: halfExtents)
    }

    public var centre: SIMD3<Float> { (minimum + maximum) / 2 }
    public var halfExtents: SIMD3<Float> { (maximum - minimum) / 2 }
    public var size: SIMD3<Float> { maximum - minimum }
}

/// A field placed in the world: body -> world pose, `p_world = position + rotate(quaternion, p_field)`.
public struct PlacedField {
    public var field: any RadianceField
    public var position: SIMD3<Float>
    /// (w, x, y, z), unit.
    public var quaternion: SIMD4<Float>

    public init(field: any RadianceField, position: SIMD3<Float>, quaternion: SIMD4<Float>) {
        self.field = field
        self.position = position
        self.quaternion = quaternion
    }
}
