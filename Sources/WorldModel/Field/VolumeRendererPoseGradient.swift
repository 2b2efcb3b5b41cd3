#if canImport(Glibc)
import Glibc
#endif

/// How the rendered rays change as the placed fields move, and how much of each ray each field covers: what a
/// pose tracker needs from the renderer (analysis by synthesis, as iNeRF, here with Gauss-Newton).
///
/// A field's samples sit at fixed distances `t` along the rays, `p_local = R^T (o + t d - x)`; moving the
/// field moves its samples through the field. For a perturbation of the pose on the left, `x' = x + dx`,
/// `R' = exp([dtheta]) R` (both in the world frame), a quantity `y` depending on the samples' local points
/// through `dy/dp_i` (field frame) changes by `dy/dx = -R sum_i dy/dp_i` and `dy/dtheta = R sum_i (dy/dp_i x p_i)`.
/// Samples entering or leaving the field's bounds or occupied cells as it moves are not counted (their density is
/// about 0), nor are pixels whose surface jumps from one body to what is behind it; the light direction in the
/// field's frame is held fixed.
extension VolumeRenderer {
    /// Channels of `poseJacobians`: the ray's red, green and blue, and its surface depth (`surfaceDepths`).
    public static let jacobianChannels = 4

    /// After `renderBatch` and `surfaceDepths`: the Jacobian of every ray's colour and surface depth with respect to
    /// the pose of every placed field of the batch, `jacobian[((c * fields + k) * rays + r) * 6 ..< + 6]` for
    /// channel c (R, G, B, depth), field k and ray r: `d/dx` (3) then `d/dtheta` (3), world frame. A field that
    /// is not a `NeuralObjectField` gets zeros. `scratch` holds per-sample output Jacobians and grows as needed.
    public func poseJacobians(fields: [PlacedField], into jacobian: inout [Float], scratch: inout [Float]) {
        precondition(fields.count == fieldSampleRange.count, "VolumeRenderer.poseJacobians: not the fields of the last batch")
        let n = rayCount, fieldCount = fields.count, channels = Self.jacobianChannels
        let size = channels * fieldCount * n * 6
        if jacobian.count != size { jacobian = [Float](repeating: 0, count: size) } else { for i in 0..<size { jacobian[i] = 0 } }
        if scratch.count < 12 * sampleT.count { scratch = [Float](repeating: 0, count: 12 * sampleT.count) }
        // Per sample: d(density, r, g, b)/d p_local.
        if !sampleT.isEmpty {
            samplePoints.withUnsafeBufferPointer { points in
                scratch.withUnsafeMutableBufferPointer { j in
                    fieldEvaluation.run(fields: fields, ranges: fieldSampleRange, towardsLight: fieldTowardsLight, points: points.baseAddress!,
                                        output: .jacobians(j.baseAddress!))
                }
            }
        }
        var sampleField = [Int](repeating: -1, count: sampleT.count)
        for (k, range) in fieldSampleRange.enumerated() where fields[k].field is NeuralObjectField { for i in range { sampleField[i] = k } }
        /// Adds `dy/dp_local` of sample i to channel c of ray r, as a pose derivative of the sample's field.
        func accumulate(_ c: Int, _ r: Int, _ i: Int, _ g: SIMD3<Float>) {
            let k = sampleField[i]
            guard k >= 0 else { return }
            let p = SIMD3(samplePoints[3 * i], samplePoints[3 * i + 1], samplePoints[3 * i + 2])
            let q = fields[k].quaternion
            let dx = -RotationMath.rotate(q, g), dtheta = RotationMath.rotate(q, RotationMath.cross(g, p))
            let o = ((c * fieldCount + k) * n + r) * 6
            for a in 0..<3 { jacobian[o + a] += dx[a]; jacobian[o + 3 + a] += dtheta[a] }
        }
        for r in 0..<n {
            // Colour: dC/d density_i = delta_i (T_{i+1} c_i - S_i), dC/dc_i = w_i (see `backward`).
            let tEnd = rayEndTransmittance[r]
            var suffix = tEnd * SIMD3(rayBehindColour[3 * r], rayBehindColour[3 * r + 1], rayBehindColour[3 * r + 2])
            let start = Int(rayOrderStart[r])
            for j in stride(from: start + Int(rayOrderCount[r]) - 1, through: start, by: -1) {
                let i = Int(order[j])
                let colour = SIMD3(sampleRGB[3 * i], sampleRGB[3 * i + 1], sampleRGB[3 * i + 2])
                let after = sampleTransmittanceAfter[i], w = sampleWeight[i]
                let dDensity = sampleDelta[i] * (after * colour - suffix)
                let jd = SIMD3(scratch[12 * i], scratch[12 * i + 1], scratch[12 * i + 2])
                for c in 0..<3 {
                    let jc = SIMD3(scratch[12 * i + 3 + 3 * c], scratch[12 * i + 4 + 3 * c], scratch[12 * i + 5 + 3 * c])
                    accumulate(c, r, i, dDensity[c] * jd + w * jc)
                }
                suffix += w * colour
            }
            // Surface depth: through the two samples around the crossing.
            if surfaceSamples.count == 2 * n {
                for s in 0..<2 {
                    let i = Int(surfaceSamples[2 * r + s])
                    guard i >= 0 else { continue }
                    let jd = SIMD3(scratch[12 * i], scratch[12 * i + 1], scratch[12 * i + 2])
                    accumulate(3, r, i, surfaceSlopes[2 * r + s] * jd)
                }
            }
        }
    }

    /// `renderBatch` of rays held in arrays (3 values per ray each), resizing `rgb` and `depth` to them, then
    /// `surfaceDepths` into `surfaceDepth`: what a pose tracker compares with a frame.
    public func renderRays(origins: [Float], directions: [Float], fields: [PlacedField],
                           rgb: inout [Float], depth: inout [Float], surfaceDepth: inout [Float]) {
        let count = directions.count / 3
        resize(&rgb, 3 * count); resize(&depth, count)
        origins.withUnsafeBufferPointer { o in
            directions.withUnsafeBufferPointer { d in
                rgb.withUnsafeMutableBufferPointer { c in
                    depth.withUnsafeMutableBufferPointer { z in
                        renderBatch(origins: o.baseAddress!, directions: d.baseAddress!, count: count, fields: fields,
                                    rgb: c.baseAddress!, depth: z.baseAddress!)
                    }
                }
            }
        }
        surfaceDepths(into: &surfaceDepth)
    }

    /// After `renderBatch`: the opacity each placed field contributes to each ray of the batch (the sum of its
    /// samples' compositing weights, in [0, 1]), `coverage[k * rays + r]` for field k and ray r.
    public func fieldCoverage(into coverage: inout [Float]) {
        let n = rayCount, fieldCount = fieldSampleRange.count
        if coverage.count != fieldCount * n { coverage = [Float](repeating: 0, count: fieldCount * n) }
        for k in 0..<fieldCount {
            for r in 0..<n {
                let s = Int(segmentStart[k * n + r]), c = Int(segmentCount[k * n + r])
                var w: Float = 0
                for i in s..<(s + c) { w += sampleWeight[i] }
                coverage[k * n + r] = w
            }
        }
    }

    /// After `renderBatch`: each ray's surface depth, where the composited density first reaches `threshold`
    /// (1/m; by default `ln 2 / delta`, the density that makes one sample half opaque), interpolated in log density
    /// between the two samples around the crossing; rays without a crossing get the depth of what is behind
    /// (the table, or 0 for the background).
    ///
    /// Fields of solid objects are nearly opaque within one sample, so the expected depth of volume rendering
    /// moves in steps of a sample as a body moves; this depth moves smoothly, and `addSurfaceDepthGradient` gives
    /// its gradient with respect to the two samples' densities (so, through `poseGradients`, to the poses).
    public func surfaceDepths(threshold: Float? = nil, into depth: inout [Float]) {
        let n = rayCount
        if depth.count != n { depth = [Float](repeating: 0, count: n) }
        if surfaceSamples.count != 2 * n { surfaceSamples = [Int32](repeating: -1, count: 2 * n); surfaceSlopes = [Float](repeating: 0, count: 2 * n) }
        for r in 0..<n {
            surfaceSamples[2 * r] = -1; surfaceSamples[2 * r + 1] = -1
            surfaceSlopes[2 * r] = 0; surfaceSlopes[2 * r + 1] = 0
            depth[r] = rayBehindDepth[r]
            let start = Int(rayOrderStart[r]), end = start + Int(rayOrderCount[r])
            for j in start..<end {
                let b = Int(order[j])
                let th = threshold ?? (0.693_147 / sampleDelta[b])
                guard sampleDensity[b] >= th else { continue }
                depth[r] = sampleT[b] - 0.5 * sampleDelta[b]
                if j > start {
                    let a = Int(order[j - 1])
                    let gap = sampleT[b] - sampleT[a]
                    if gap > 0 && gap <= 1.5 * sampleDelta[b] {
                        let la = logf(max(sampleDensity[a], 1e-6)), lb = logf(sampleDensity[b]), lt = logf(th)
                        let span = lb - la
                        if span > 1e-6 {
                            let u = (lt - la) / span
                            depth[r] = sampleT[a] + gap * u
                            // du/dla = (lt - lb) / span^2, du/dlb = -(lt - la) / span^2; dl/d density = 1 / density.
                            surfaceSamples[2 * r] = Int32(a); surfaceSamples[2 * r + 1] = Int32(b)
                            surfaceSlopes[2 * r] = sampleDensity[a] > 1e-6 ? gap * (lt - lb) / (span * span) / sampleDensity[a] : 0
                            surfaceSlopes[2 * r + 1] = -gap * (lt - la) / (span * span) / sampleDensity[b]
                        }
                    }
                }
                break
            }
        }
    }

}
