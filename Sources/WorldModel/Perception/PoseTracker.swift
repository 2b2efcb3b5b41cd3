import CGeometry
#if canImport(Glibc)
import Glibc
#endif

/// How a `PoseTracker` compares and moves: the loss's scales, the optimiser's steps, and when a body is lost.
public struct PoseTrackerConfiguration: Codable, Equatable, Sendable {
    /// Gauss-Newton (Levenberg-Marquardt) steps per `track` call, at most.
    public var iterations: Int
    /// A depth difference of this many metres costs as much as a colour difference of 1 (one channel).
    public var depthScaleMeters: Float
    /// Depth differences beyond this (m) are a pixel whose surface belongs to something else in the frame than in
    /// the rendering (an edge, a hand, a missing return): it is left out of the step. Between `huberMeters` and
    /// this, depth differences count linearly (Huber), so a few such pixels cannot drag a body.
    public var depthOutlierMeters: Float
    public var huberMeters: Float
    /// Rays within this distance (m) of a body's bounding sphere, as projected, are compared.
    public var marginMeters: Float
    /// A compared pixel agrees when its depth is within this (m) of the rendering.
    public var agreementMeters: Float
    /// A body covering at least `minimumVisiblePixels` pixels of the rendering is lost when fewer than this
    /// fraction of them agree.
    public var lostBelowAgreement: Float
    public var minimumVisiblePixels: Int
    /// The largest step (m, rad) one iteration may take, so a bad linearisation cannot throw a body away.
    public var maximumStepMeters: Float
    public var maximumStepRadians: Float
    /// Samples along rays are this many times the fields' own spacing apart (`VolumeRenderer.sampleSpacingScale`).
    public var sampleSpacingScale: Float

    public init(iterations: Int = 2, depthScaleMeters: Float = 0.005, depthOutlierMeters: Float = 0.02, huberMeters: Float = 0.005,
                marginMeters: Float = 0.02, agreementMeters: Float = 0.01, lostBelowAgreement: Float = 0.5, minimumVisiblePixels: Int = 4,
                maximumStepMeters: Float = 0.01, maximumStepRadians: Float = 0.2, sampleSpacingScale: Float = 2) {
        self.iterations = iterations
        self.depthScaleMeters = depthScaleMeters
        self.depthOutlierMeters = depthOutlierMeters
        self.huberMeters = huberMeters
        self.marginMeters = marginMeters
        self.agreementMeters = agreementMeters
        self.lostBelowAgreement = lostBelowAgreement
        self.minimumVisiblePixels = minimumVisiblePixels
        self.maximumStepMeters = maximumStepMeters
        self.maximumStepRadians = maximumStepRadians
        self.sampleSpacingScale = sampleSpacingScale
    }
}

/// How well one body was found in the frames.
public struct BodyTrackingQuality: Sendable, Equatable {
    /// Pixels (over all frames) where the rendering of the body at its estimated pose is at least half opaque.
    public var visiblePixels: Int
    /// The fraction of those pixels whose observed depth agrees with the rendering; 0 when none is visible.
    public var confidence: Float
    /// The body covers `minimumVisiblePixels` or more but fewer than `lostBelowAgreement` of them agree: the
    /// frames do not show it where the tracker put it.
    public var isLost: Bool
}

/// What one `PoseTracker.track` call found.
public struct PoseTrackingResult: Sendable {
    /// N x 7: each body's position (m, world) and quaternion (w, x, y, z), in the field set's object order.
    public var poses: [Float]
    /// The loss (mean over compared rays of the squared colour difference plus the squared scaled depth
    /// difference) at the first and at the last iteration.
    public var initialLoss: Float
    public var finalLoss: Float
    public var bodies: [BodyTrackingQuality]
    /// Rays compared per iteration (over all frames).
    public var comparedRays: Int
}

/// Finds the poses of a scene's objects in RGB-D frames by inverting their neural fields (analysis by synthesis,
/// as iNeRF, with Gauss-Newton instead of gradient descent): starting from predicted poses, it renders the fields
/// at the current poses, compares colour and surface depth with the frames, and solves for the pose steps that
/// best explain the differences, linearised through the volume renderer and the hash grids
/// (`VolumeRenderer.poseJacobians`), damped as Levenberg-Marquardt and robust to outlying depths (Huber, with
/// jumps left out). Positions add; rotations compose on the left through the exponential map.
///
/// Loss: the mean over compared rays of `|C - C_obs|^2 + rho((D - D_obs) / depthScale)`, C the rendered colour, D
/// the rendered surface depth. Only rays near the bodies are compared (within `marginMeters` of each body's
/// bounding sphere at the starting poses); the table is drawn exactly, so elsewhere rendering and frame agree.
/// Pixels that see a known occluder (`CameraFrame.occluderDepth`: the robot) are left out.
///
/// ```swift
/// let tracker = PoseTracker(fields: try ObjectFieldSet.load(from: "models/push-field.safetensors"))
/// let found = try tracker.track(frames: [CameraFrame(camera: camera, image: observed)], from: predictedPoses)
/// if found.bodies.contains(where: \.isLost) { ... }
/// ```
/// Not thread-safe: it owns a renderer and its buffers.
public final class PoseTracker {
    public let fields: ObjectFieldSet
    public var configuration: PoseTrackerConfiguration {
        didSet { renderer.sampleSpacingScale = configuration.sampleSpacingScale }
    }
    private let renderer: VolumeRenderer
    private var origins: [Float] = [], directions: [Float] = []
    private var observedRGB: [Float] = [], observedDepth: [Float] = []
    private var renderedRGB: [Float] = [], renderedDepth: [Float] = [], surfaceDepth: [Float] = []
    /// Per ray: the 4 scaled residuals (R, G, B, depth) and the depth's robust weight, at the accepted poses.
    private var residuals: [Float] = [], depthWeights: [Float] = []
    private var candidateResiduals: [Float] = [], candidateDepthWeights: [Float] = []
    private var jacobian: [Float] = [], jacobianScratch: [Float] = []
    private var coverage: [Float] = []

    /// A tracker of `fields`' objects; with `threads` > 1, distinct fields are evaluated in parallel.
    public init(fields: ObjectFieldSet, configuration: PoseTrackerConfiguration = PoseTrackerConfiguration(), threads: Int = 1) {
        self.fields = fields
        self.configuration = configuration
        renderer = fields.makeRenderer(threads: threads)
        renderer.samplesFixedAlongRays = true
        renderer.sampleSpacingScale = configuration.sampleSpacingScale
    }

    /// The number of bodies (the field set's objects).
    public var bodyCount: Int { fields.description.objectClasses.count }

    /// Adjusts `poses` (N x 7) so the fields rendered at them match `frames`; throws, naming the frame, for a
    /// frame of the wrong size or with non-finite values, and for poses of the wrong count or not finite.
    public func track(frames: [CameraFrame], from poses: [Float]) throws -> PoseTrackingResult {
        let n = bodyCount
        guard poses.count == 7 * n else {
            throw WorldModelError("the tracker's fields hold \(n) bodies (\(7 * n) pose values), got \(poses.count) values")
        }
        guard poses.allSatisfy(\.isFinite) else { throw WorldModelError("the poses to start tracking from are not finite") }
        guard !frames.isEmpty else { throw WorldModelError("the tracker needs at least one frame") }
        for (i, frame) in frames.enumerated() { try frame.validate(source: "frame \(i)") }

        var positions = (0..<n).map { SIMD3(poses[7 * $0], poses[7 * $0 + 1], poses[7 * $0 + 2]) }
        var quaternions = (0..<n).map { RotationMath.normalized(SIMD4(poses[7 * $0 + 3], poses[7 * $0 + 4], poses[7 * $0 + 5], poses[7 * $0 + 6])) }
        selectRays(frames: frames, positions: positions)
        let rays = observedDepth.count
        guard rays > 0 else {
            return PoseTrackingResult(poses: poses, initialLoss: 0, finalLoss: 0,
                                      bodies: [BodyTrackingQuality](repeating: .init(visiblePixels: 0, confidence: 0, isLost: false), count: n),
                                      comparedRays: 0)
        }
        var placed = place(positions, quaternions)
        var loss = evaluate(placed)
        let initialLoss = loss
        acceptResiduals()
        renderer.poseJacobians(fields: placed, into: &jacobian, scratch: &jacobianScratch)
        var damping = 1e-3
        var steps = 0
        var rendererHoldsAccepted = true
        while steps < configuration.iterations {
            steps += 1
            guard let step = solveStep(bodies: n, damping: damping) else { damping *= 10; continue }
            var candidatePositions = positions, candidateQuaternions = quaternions
            for b in 0..<n {
                candidatePositions[b] += step[2 * b]
                candidateQuaternions[b] = RotationMath.normalized(RotationMath.multiply(RotationMath.exp(step[2 * b + 1]), quaternions[b]))
            }
            let candidate = place(candidatePositions, candidateQuaternions)
            let candidateLoss = evaluate(candidate)
            if candidateLoss < loss {
                positions = candidatePositions; quaternions = candidateQuaternions; placed = candidate
                let improvement = (loss - candidateLoss) / max(loss, 1e-12)
                loss = candidateLoss
                acceptResiduals()
                rendererHoldsAccepted = true
                damping = max(damping / 3, 1e-6)
                if improvement < 1e-4 { break }
                if steps < configuration.iterations { renderer.poseJacobians(fields: placed, into: &jacobian, scratch: &jacobianScratch) }
            } else {
                rendererHoldsAccepted = false
                damping *= 8
                if damping > 1e6 { break }
            }
        }
        if !rendererHoldsAccepted { _ = evaluate(placed) }
        let bodies = quality(bodies: n)
        var out = [Float](repeating: 0, count: 7 * n)
        for b in 0..<n {
            for k in 0..<3 { out[7 * b + k] = positions[b][k] }
            for k in 0..<4 { out[7 * b + 3 + k] = quaternions[b][k] }
        }
        return PoseTrackingResult(poses: out, initialLoss: initialLoss, finalLoss: loss, bodies: bodies, comparedRays: rays)
    }

    private func place(_ positions: [SIMD3<Float>], _ quaternions: [SIMD4<Float>]) -> [PlacedField] {
        fields.description.objectClasses.enumerated().map { i, c in
            PlacedField(field: fields.fields[c], position: positions[i], quaternion: quaternions[i])
        }
    }

    /// The rays to compare: every pixel of each frame within the projected bounding sphere (plus margin) of a body.
    private func selectRays(frames: [CameraFrame], positions: [SIMD3<Float>]) {
        origins.removeAll(keepingCapacity: true); directions.removeAll(keepingCapacity: true)
        observedRGB.removeAll(keepingCapacity: true); observedDepth.removeAll(keepingCapacity: true)
        let radii = fields.description.objectClasses.map { c -> Float in
            let h = fields.fields[c].bounds.halfExtents
            return (h * h).sum().squareRoot() + configuration.marginMeters
        }
        for frame in frames {
            let camera = frame.camera, w = camera.width, h = camera.height
            var selected = [Bool](repeating: false, count: w * h)
            for (b, centre) in positions.enumerated() {
                camera.forEachPixel(coveringSphere: centre, radius: radii[b]) { selected[$0] = true }
            }
            if let occluder = frame.occluderDepth {
                for p in 0..<(w * h) where selected[p] && occluder[p] <= frame.image.depth[p] + configuration.agreementMeters { selected[p] = false }
            }
            for p in 0..<(w * h) where selected[p] {
                let d = camera.rayDirection(x: Float(p % w) + 0.5, y: Float(p / w) + 0.5)
                for k in 0..<3 {
                    origins.append(camera.position[k])
                    directions.append(d[k])
                    observedRGB.append(frame.image.rgb[3 * p + k])
                }
                observedDepth.append(frame.image.depth[p])
            }
        }
    }

    /// Renders the selected rays at `placed` and returns the loss, keeping each ray's scaled residuals and robust
    /// depth weight as the candidate's (`acceptResiduals` makes them the ones the next step uses).
    private func evaluate(_ placed: [PlacedField]) -> Float {
        let rays = observedDepth.count
        render(placed)
        resize(&candidateResiduals, 4 * rays); resize(&candidateDepthWeights, rays)
        let scale = 1 / configuration.depthScaleMeters, outlier = configuration.depthOutlierMeters
        let huber = configuration.huberMeters * scale
        var loss: Float = 0
        for r in 0..<rays {
            var colour: Float = 0
            for k in 0..<3 {
                let e = renderedRGB[3 * r + k] - observedRGB[3 * r + k]
                colour += e * e
                candidateResiduals[4 * r + k] = e
            }
            let difference = surfaceDepth[r] - observedDepth[r]
            let e = difference * scale, a = abs(e)
            let isOutlier = abs(difference) > outlier
            // Huber: e^2 inside, 2 k |e| - k^2 outside; an outlier costs as much as the outlier bound.
            let bound = outlier * scale
            let depthCost = isOutlier ? 2 * huber * bound - huber * huber : (a <= huber ? e * e : 2 * huber * a - huber * huber)
            loss += colour + depthCost
            candidateResiduals[4 * r + 3] = e
            candidateDepthWeights[r] = isOutlier ? 0 : (a <= huber ? 1 : huber / a)
        }
        return loss / Float(rays)
    }

    private func acceptResiduals() {
        swap(&residuals, &candidateResiduals)
        swap(&depthWeights, &candidateDepthWeights)
    }

    /// Renders the selected rays at `placed`: colour into `renderedRGB`, surface depth into `surfaceDepth`.
    private func render(_ placed: [PlacedField]) {
        renderer.renderRays(origins: origins, directions: directions, fields: placed, rgb: &renderedRGB, depth: &renderedDepth, surfaceDepth: &surfaceDepth)
    }

    /// The damped Gauss-Newton step (per body: translation, rotation vector) from the stored Jacobian and
    /// residuals, each body's step clipped to the configured maxima; nil when the damped system is singular.
    private func solveStep(bodies n: Int, damping: Double) -> [SIMD3<Float>]? {
        let rays = observedDepth.count, size = 6 * n, channels = VolumeRenderer.jacobianChannels
        let scale = 1 / configuration.depthScaleMeters
        var h = [Double](repeating: 0, count: size * size), g = [Double](repeating: 0, count: size)
        var row = [Double](repeating: 0, count: size)
        for r in 0..<rays {
            for c in 0..<channels {
                let weight = c == 3 ? Double(depthWeights[r]) : 1
                guard weight > 0 else { continue }
                let channelScale: Float = c == 3 ? scale : 1
                var touched: [Int] = []
                for k in 0..<n {
                    let o = ((c * n + k) * rays + r) * 6
                    var any = false
                    for a in 0..<6 {
                        let v = Double(jacobian[o + a] * channelScale)
                        row[6 * k + a] = v
                        if v != 0 { any = true }
                    }
                    if any { touched.append(k) }
                }
                guard !touched.isEmpty else { continue }
                let e = Double(residuals[4 * r + c])
                for k in touched {
                    for a in 0..<6 {
                        let va = row[6 * k + a] * weight
                        g[6 * k + a] += va * e
                        for l in touched { for b in 0..<6 { h[(6 * k + a) * size + 6 * l + b] += va * row[6 * l + b] } }
                    }
                }
            }
        }
        var x = [Double](repeating: 0, count: size)
        guard wm_solve_damped_normal_equations(h, g, Int32(size), damping, &x) == 1 else { return nil }
        var step: [SIMD3<Float>] = []
        for b in 0..<n {
            var t = SIMD3(Float(x[6 * b]), Float(x[6 * b + 1]), Float(x[6 * b + 2]))
            var w = SIMD3(Float(x[6 * b + 3]), Float(x[6 * b + 4]), Float(x[6 * b + 5]))
            let tn = (t * t).sum().squareRoot(), wn = (w * w).sum().squareRoot()
            if tn > configuration.maximumStepMeters { t *= configuration.maximumStepMeters / tn }
            if wn > configuration.maximumStepRadians { w *= configuration.maximumStepRadians / wn }
            guard t.x.isFinite && t.y.isFinite && t.z.isFinite && w.x.isFinite && w.y.isFinite && w.z.isFinite else { return nil }
            step.append(t); step.append(w)
        }
        return step
    }

    /// After a render at the final poses: per body, the pixels it covers and those that agree with the frames.
    private func quality(bodies n: Int) -> [BodyTrackingQuality] {
        let rays = observedDepth.count
        renderer.fieldCoverage(into: &coverage)
        return (0..<n).map { b in
            var visible = 0, agreeing = 0
            for r in 0..<rays where coverage[b * rays + r] >= 0.5 {
                visible += 1
                if observedDepth[r] > 0 && abs(surfaceDepth[r] - observedDepth[r]) <= configuration.agreementMeters { agreeing += 1 }
            }
            let confidence = visible > 0 ? Float(agreeing) / Float(visible) : 0
            return BodyTrackingQuality(visiblePixels: visible, confidence: confidence,
                                       isLost: visible >= configuration.minimumVisiblePixels && confidence < configuration.lostBelowAgreement)
        }
    }
}
