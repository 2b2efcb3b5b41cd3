import CGeometry
#if canImport(Glibc)
import Glibc
#endif

/// Volume rendering of placed fields over wm's table: RGB and expected depth per ray, and the backward pass
/// from pixel errors to per-sample density and colour gradients (for training).
///
/// Per batch of rays, for each placed field: rays are moved into the field's frame by the geometry shim
/// (`wm_inverse_transform_rays`) and clipped to its bounds (`wm_ray_box`) and to the table; samples are taken
/// every `sampleSpacingMeters` where the field's occupancy grid is set; the field is evaluated on all of its
/// samples at once. Each ray's samples from all fields are then merged by distance, so overlapping fields
/// combine as one medium (densities add over shared intervals), and alpha-composited front to back:
/// `alpha_i = 1 - exp(-density_i * delta_i)`, `w_i = T_i * alpha_i`, `C = sum w_i c_i + T_end * C_behind`,
/// `D = sum w_i t_i + T_end * t_behind`, where what is behind is the shaded table (at its distance) or the
/// background (depth 0, as a miss in `RGBDImage`). A ray stops once its transmittance is below
/// `terminationTransmittance`.
///
/// ```swift
/// let renderer = VolumeRenderer(lighting: .standard, table: table)
/// let view = renderer.render(camera: camera, fields: [PlacedField(field: grid, position: .zero, quaternion: [1, 0, 0, 0])])
/// ```
/// Not thread-safe: its sample buffers are reused from batch to batch.
public final class VolumeRenderer {
    public let lighting: ViewLighting
    public let table: TableDescription?
    public var terminationTransmittance: Float = 1e-4
    /// Rays per batch in `render(camera:fields:)`.
    public var raysPerBatch = 1024
    /// When true, a field's samples along a ray sit at `t = (k + 1/2) delta` from the ray's origin, wherever the
    /// field is; when false (training, evaluation), at `t = t_enter + (k + 1/2) delta` from where the ray enters
    /// the field's bounds. Fixed samples do not slide along the ray as a field moves, so what is rendered changes
    /// smoothly with the field's pose: a pose tracker needs that.
    public var samplesFixedAlongRays = false
    /// Samples are `sampleSpacingScale` times each field's own spacing apart (fewer samples, faster, coarser).
    public var sampleSpacingScale: Float = 1

    // Per sample (structure of arrays), grouped by placed field, then by ray.
    private(set) var sampleT: [Float] = []
    private(set) var sampleDelta: [Float] = []
    private(set) var samplePoints: [Float] = []
    private(set) var sampleDensity: [Float] = []
    private(set) var sampleRGB: [Float] = []
    private(set) var sampleWeight: [Float] = []
    private(set) var sampleTransmittanceAfter: [Float] = []
    /// Gradients of the loss with respect to each sample's density and colour, after `backward`.
    private(set) var densityGradient: [Float] = []
    private(set) var rgbGradient: [Float] = []
    /// Samples of placed field k: `fieldSampleRange[k]`.
    private(set) var fieldSampleRange: [Range<Int>] = []
    private(set) var fieldTowardsLight: [SIMD3<Float>] = []

    /// Samples of placed field k on ray r of the last batch: `segmentStart[k * n + r]`, `segmentCount[k * n + r]`.
    private(set) var segmentStart: [Int32] = [], segmentCount: [Int32] = []
    /// Each ray's composited samples, front to back: `order[rayOrderStart[r] ..< rayOrderStart[r] + rayOrderCount[r]]`.
    private(set) var order: [Int32] = []
    private(set) var rayOrderStart: [Int32] = [], rayOrderCount: [Int32] = []
    /// Per ray of the last `surfaceDepths`: the two samples around the surface crossing and `dt/d density` of each.
    var surfaceSamples: [Int32] = [], surfaceSlopes: [Float] = []
    private(set) var rayEndTransmittance: [Float] = []
    private(set) var rayBehindColour: [Float] = []
    private(set) var rayBehindDepth: [Float] = []
    private var tableDistance: [Float] = []
    private var localOrigins: [Float] = [], localDirections: [Float] = []
    private var tNear: [Float] = [], tFar: [Float] = []
    private(set) var rayCount = 0

    /// Evaluates the batch's fields, on `threads` threads when there are several distinct fields.
    let fieldEvaluation: FieldEvaluationTask

    /// A renderer whose fields are evaluated on `threads` threads (distinct fields in parallel; one thread by default).
    public init(lighting: ViewLighting = .standard, table: TableDescription?, threads: Int = 1) {
        self.lighting = lighting
        self.table = table
        fieldEvaluation = FieldEvaluationTask(team: (try? ThreadTeam(threads: min(max(1, threads), 256))) ?? (try! ThreadTeam(threads: 1)))
    }

    /// Samples taken in the last batch.
    public var sampleCount: Int { sampleT.count }
    /// Samples taken by the last `render(camera:fields:)`.
    public private(set) var samplesInLastRender = 0

    /// Renders a whole image, batch by batch.
    public func render(camera: PinholeCamera, fields: [PlacedField]) -> RGBDImage {
        var out = RGBDImage(width: camera.width, height: camera.height)
        var origins: [Float] = [], directions: [Float] = []
        camera.writeRays(origins: &origins, directions: &directions)
        let total = camera.width * camera.height
        var start = 0
        samplesInLastRender = 0
        while start < total {
            let n = min(raysPerBatch, total - start)
            origins.withUnsafeBufferPointer { o in
                directions.withUnsafeBufferPointer { d in
                    out.rgb.withUnsafeMutableBufferPointer { rgb in
                        out.depth.withUnsafeMutableBufferPointer { depth in
                            renderBatch(origins: o.baseAddress! + 3 * start, directions: d.baseAddress! + 3 * start, count: n,
                                        fields: fields, rgb: rgb.baseAddress! + 3 * start, depth: depth.baseAddress! + start)
                        }
                    }
                }
            }
            samplesInLastRender += sampleCount
            start += n
        }
        return out
    }

    /// Renders `count` rays (world origins and unit directions, `count * 3` each) into `rgb` (`count * 3`) and
    /// `depth` (`count`), keeping every sample for a following `backward`.
    public func renderBatch(origins: UnsafePointer<Float>, directions: UnsafePointer<Float>, count n: Int,
                            fields: [PlacedField], rgb: UnsafeMutablePointer<Float>, depth: UnsafeMutablePointer<Float>) {
        rayCount = n
        resize(&tableDistance, n); resize(&localOrigins, 3 * n); resize(&localDirections, 3 * n)
        resize(&tNear, n); resize(&tFar, n)
        resize(&rayEndTransmittance, n); resize(&rayBehindColour, 3 * n); resize(&rayBehindDepth, n)
        resizeInt(&segmentStart, fields.count * n); resizeInt(&segmentCount, fields.count * n)
        resizeInt(&rayOrderStart, n); resizeInt(&rayOrderCount, n)
        sampleT.removeAll(keepingCapacity: true); sampleDelta.removeAll(keepingCapacity: true)
        samplePoints.removeAll(keepingCapacity: true)
        fieldSampleRange.removeAll(keepingCapacity: true); fieldTowardsLight.removeAll(keepingCapacity: true)

        let tableColour = table.map { lighting.shade(albedo: $0.rgb, normal: [0, 0, 1]) } ?? lighting.background
        for r in 0..<n {
            let o = SIMD3(origins[3 * r], origins[3 * r + 1], origins[3 * r + 2])
            let d = SIMD3(directions[3 * r], directions[3 * r + 1], directions[3 * r + 2])
            let t = table?.intersect(origin: o, direction: d)
            tableDistance[r] = t ?? .infinity
            let colour = t == nil ? lighting.background : tableColour
            for k in 0..<3 { rayBehindColour[3 * r + k] = colour[k] }
            rayBehindDepth[r] = t ?? 0
        }

        // Samples, field by field.
        for (k, placed) in fields.enumerated() {
            let field = placed.field
            let first = sampleT.count
            var position = placed.position, quaternion = placed.quaternion
            withUnsafePointer(to: &position) { p in
                withUnsafePointer(to: &quaternion) { q in
                    p.withMemoryRebound(to: Float.self, capacity: 3) { pos in
                        q.withMemoryRebound(to: Float.self, capacity: 4) { quat in
                            wm_inverse_transform_rays(pos, quat, origins, directions, &localOrigins, &localDirections, Int32(n))
                        }
                    }
                }
            }
            var centre = field.bounds.centre, half = field.bounds.halfExtents, identity = SIMD4<Float>(1, 0, 0, 0)
            withUnsafePointer(to: &centre) { c in
                withUnsafePointer(to: &half) { h in
                    withUnsafePointer(to: &identity) { q in
                        c.withMemoryRebound(to: Float.self, capacity: 3) { cp in
                            h.withMemoryRebound(to: Float.self, capacity: 3) { hp in
                                q.withMemoryRebound(to: Float.self, capacity: 4) { qp in
                                    wm_ray_box(localOrigins, localDirections, Int32(n), cp, qp, hp, &tNear, &tFar)
                                }
                            }
                        }
                    }
                }
            }
            let delta = field.sampleSpacingMeters * sampleSpacingScale
            let occupancy = field.occupancy
            for r in 0..<n {
                segmentStart[k * n + r] = Int32(sampleT.count)
                let t0 = max(tNear[r], 0), t1 = min(tFar[r], tableDistance[r])
                if t0 < t1 {
                    let o = SIMD3(localOrigins[3 * r], localOrigins[3 * r + 1], localOrigins[3 * r + 2])
                    let d = SIMD3(localDirections[3 * r], localDirections[3 * r + 1], localDirections[3 * r + 2])
                    var t = samplesFixedAlongRays ? ((t0 / delta - 0.5).rounded(.up) + 0.5) * delta : t0 + 0.5 * delta
                    while t < t1 {
                        let p = o + t * d
                        if occupancy.isOccupied(p) {
                            sampleT.append(t)
                            sampleDelta.append(delta)
                            samplePoints.append(p.x); samplePoints.append(p.y); samplePoints.append(p.z)
                        }
                        t += delta
                    }
                }
                segmentCount[k * n + r] = Int32(sampleT.count) - segmentStart[k * n + r]
            }
            fieldSampleRange.append(first..<sampleT.count)
            fieldTowardsLight.append(RotationMath.rotateInverse(placed.quaternion, lighting.towardsLight))
        }

        let total = sampleT.count
        resize(&sampleDensity, total); resize(&sampleRGB, 3 * total)
        resize(&sampleWeight, total); resize(&sampleTransmittanceAfter, total)
        if total > 0 {
            samplePoints.withUnsafeBufferPointer { points in
                sampleDensity.withUnsafeMutableBufferPointer { density in
                    sampleRGB.withUnsafeMutableBufferPointer { colour in
                        fieldEvaluation.run(fields: fields, ranges: fieldSampleRange, towardsLight: fieldTowardsLight, points: points.baseAddress!,
                                            output: .values(density: density.baseAddress!, rgb: colour.baseAddress!))
                    }
                }
            }
        }

        // Merge each ray's samples by distance, then composite.
        order.removeAll(keepingCapacity: true)
        for r in 0..<n {
            let start = order.count
            var segments = 0
            for k in 0..<fields.count {
                let s = Int(segmentStart[k * n + r]), c = Int(segmentCount[k * n + r])
                if c > 0 { segments += 1 }
                for i in s..<(s + c) { order.append(Int32(i)) }
            }
            if segments > 1 {
                sampleT.withUnsafeBufferPointer { t in
                    order.withUnsafeMutableBufferPointer { o in
                        var slice = UnsafeMutableBufferPointer(rebasing: o[start..<o.count])
                        slice.sort { t[Int($0)] < t[Int($1)] }
                    }
                }
            }
            rayOrderStart[r] = Int32(start)
            var transmittance: Float = 1
            var colour = SIMD3<Float>.zero, expectedDepth: Float = 0
            var used = 0
            for j in start..<order.count {
                let i = Int(order[j])
                let alpha = 1 - expf(-sampleDensity[i] * sampleDelta[i])
                let w = transmittance * alpha
                colour += w * SIMD3(sampleRGB[3 * i], sampleRGB[3 * i + 1], sampleRGB[3 * i + 2])
                expectedDepth += w * sampleT[i]
                sampleWeight[i] = w
                transmittance *= 1 - alpha
                sampleTransmittanceAfter[i] = transmittance
                used += 1
                if transmittance < terminationTransmittance { break }
            }
            for j in (start + used)..<order.count { sampleWeight[Int(order[j])] = 0 }
            rayOrderCount[r] = Int32(used)
            rayEndTransmittance[r] = transmittance
            for k in 0..<3 { rgb[3 * r + k] = colour[k] + transmittance * rayBehindColour[3 * r + k] }
            depth[r] = expectedDepth + transmittance * rayBehindDepth[r]
        }
    }

    /// Given `dL/dC` (`count * 3`) and `dL/dD` (`count`) for the rays of the last `renderBatch`, writes each
    /// sample's `dL/d density` and `dL/d rgb` (see `densityGradient`, `rgbGradient`). With
    /// `S_i = sum_{j > i} w_j c_j + T_end C_behind`: `dC/d density_i = delta_i (T_{i+1} c_i - S_i)`, `dC/dc_i = w_i`.
    public func backward(rgbGradient gC: UnsafePointer<Float>, depthGradient gD: UnsafePointer<Float>) {
        let total = sampleT.count
        resize(&densityGradient, total); resize(&rgbGradient, 3 * total)
        for i in 0..<total { densityGradient[i] = 0 }
        for i in 0..<(3 * total) { rgbGradient[i] = 0 }
        for r in 0..<rayCount {
            let g = SIMD3(gC[3 * r], gC[3 * r + 1], gC[3 * r + 2]), gd = gD[r]
            let tEnd = rayEndTransmittance[r]
            var suffix = tEnd * SIMD3(rayBehindColour[3 * r], rayBehindColour[3 * r + 1], rayBehindColour[3 * r + 2])
            var suffixDepth = tEnd * rayBehindDepth[r]
            let start = Int(rayOrderStart[r])
            for j in stride(from: start + Int(rayOrderCount[r]) - 1, through: start, by: -1) {
                let i = Int(order[j])
                let c = SIMD3(sampleRGB[3 * i], sampleRGB[3 * i + 1], sampleRGB[3 * i + 2])
                let after = sampleTransmittanceAfter[i], w = sampleWeight[i], t = sampleT[i]
                densityGradient[i] = sampleDelta[i] * (dot(g, after * c - suffix) + gd * (after * t - suffixDepth))
                for k in 0..<3 { rgbGradient[3 * i + k] = w * g[k] }
                suffix += w * c
                suffixDepth += w * t
            }
        }
    }
}

@inline(__always) func resize(_ a: inout [Float], _ n: Int) {
    if a.count != n {
        if a.count > n { a.removeLast(a.count - n) } else { a.append(contentsOf: repeatElement(0, count: n - a.count)) }
    }
}

@inline(__always) func resizeInt(_ a: inout [Int32], _ n: Int) {
    if a.count != n {
        if a.count > n { a.removeLast(a.count - n) } else { a.append(contentsOf: repeatElement(0, count: n - a.count)) }
    }
}
