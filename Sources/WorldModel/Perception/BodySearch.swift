/// How a `BodySearch` looks for a body the tracker no longer finds.
public struct BodySearchConfiguration: Codable, Equatable, Sendable {
    /// A body the frames show (`minimumVisiblePixels` of the tracker) is searched for when fewer than this fraction
    /// of its rendered pixels agree with them.
    public var belowConfidence: Float
    /// How far (m) from the lost estimate the body is looked for, beyond its bounding radius.
    public var radiusMeters: Float
    /// An observed surface this much (m) nearer than what the rest of the estimate renders is the lost body's.
    public var foregroundMeters: Float
    /// Fewer such pixels than this and the body is not searched for (it is hidden, or gone from the view).
    public var minimumForegroundPixels: Int
    /// Seed positions: a square grid of `2 * gridHalfCount + 1` per side, `gridStepMeters` apart, in the world's
    /// horizontal plane, around the centre the foreground points suggest.
    public var gridStepMeters: Float
    public var gridHalfCount: Int
    /// Seed orientations: the estimate turned about the world's vertical by `k * yawStepDegrees`,
    /// `k = -yawHalfCount ... yawHalfCount` (a knocked body turns about the gravity axis).
    public var yawStepDegrees: Float
    public var yawHalfCount: Int
    /// Depth differences count up to this (m) when seeds are scored.
    public var truncationMeters: Float
    /// The best seeds are refined by the tracker, this many of them, with this many Gauss-Newton iterations each.
    public var refinedSeeds: Int
    public var refineIterations: Int

    public init(belowConfidence: Float = 0.7, radiusMeters: Float = 0.06, foregroundMeters: Float = 0.01, minimumForegroundPixels: Int = 6,
                gridStepMeters: Float = 0.01, gridHalfCount: Int = 1, yawStepDegrees: Float = 10, yawHalfCount: Int = 3,
                truncationMeters: Float = 0.02, refinedSeeds: Int = 2, refineIterations: Int = 6) {
        self.belowConfidence = belowConfidence
        self.radiusMeters = radiusMeters
        self.foregroundMeters = foregroundMeters
        self.minimumForegroundPixels = minimumForegroundPixels
        self.gridStepMeters = gridStepMeters
        self.gridHalfCount = gridHalfCount
        self.yawStepDegrees = yawStepDegrees
        self.yawHalfCount = yawHalfCount
        self.truncationMeters = truncationMeters
        self.refinedSeeds = refinedSeeds
        self.refineIterations = refineIterations
    }
}

/// Finds a body again when the tracker has lost it: a body knocked, dropped or carried centimetres between two
/// frames is beyond the few millimetres one Gauss-Newton step reaches from the prediction (a 64 x 64 view sees a
/// cube's sideways motion only at its edges). Re-detection, then refinement:
///
/// 1. The window: the frames' pixels within `radiusMeters` of the lost body's bounding sphere, as projected,
///    without the pixels that see a known occluder (the robot).
/// 2. The evidence: the other bodies and the table are rendered at their estimates on those rays; pixels whose
///    observed surface is `foregroundMeters` nearer than that rendering show something the estimate does not
///    explain: the lost body.
/// 3. Seeds: the centroid of those pixels' surface points, pushed back along the view by the body's smallest half
///    extent (the camera sees its near side), on a grid of horizontal offsets, times turns about the vertical; plus
///    the estimate's own position with the same turns.
/// 4. Each seed is scored by rendering the body alone (with the table) on the window's rays that no other body
///    explains: the sum of squared depth differences, truncated at `truncationMeters`.
/// 5. The best seeds are refined by `PoseTracker.track` (all bodies, `refineIterations`); the body's pose is
///    replaced when its confidence rises above what the tracker had.
///
/// ```swift
/// let search = BodySearch(fields: tracker.fields)
/// var found = try tracker.track(frames: frames, from: predicted)
/// found = try search.recover(found, frames: frames, tracker: tracker)
/// ```
/// Not thread-safe: it owns a renderer and its buffers.
public final class BodySearch {
    public let fields: ObjectFieldSet
    public var configuration: BodySearchConfiguration
    /// Bodies `recover` searched for, and found, since this search was made.
    public private(set) var searches = 0, recoveries = 0
    private let renderer: VolumeRenderer
    private var origins: [Float] = [], directions: [Float] = [], observedDepth: [Float] = []
    private var scoredOrigins: [Float] = [], scoredDirections: [Float] = [], scoredDepth: [Float] = []
    private var rgb: [Float] = [], depth: [Float] = [], surface: [Float] = [], coverage: [Float] = []

    public init(fields: ObjectFieldSet, configuration: BodySearchConfiguration = BodySearchConfiguration()) {
        self.fields = fields
        self.configuration = configuration
        renderer = fields.makeRenderer()
        renderer.samplesFixedAlongRays = true
    }

    /// `result` (from `tracker.track(frames:from:)` on the same frames) with each body it found below
    /// `belowConfidence` searched for: where a refined seed agrees better with the frames, that body's pose and
    /// quality are replaced; the other bodies are left as they were.
    public func recover(_ result: PoseTrackingResult, frames: [CameraFrame], tracker: PoseTracker) throws -> PoseTrackingResult {
        var out = result
        let minimumVisible = tracker.configuration.minimumVisiblePixels
        renderer.sampleSpacingScale = tracker.configuration.sampleSpacingScale
        for b in 0..<result.bodies.count {
            let quality = result.bodies[b]
            guard quality.visiblePixels >= minimumVisible && quality.confidence < configuration.belowConfidence else { continue }
            let candidates = seeds(body: b, frames: frames, poses: out.poses, occluderMargin: tracker.configuration.agreementMeters)
            guard !candidates.isEmpty else { continue }
            searches += 1
            let saved = tracker.configuration
            tracker.configuration.iterations = configuration.refineIterations
            defer { tracker.configuration = saved }
            var best: (pose: ArraySlice<Float>, quality: BodyTrackingQuality)? = nil
            for seed in candidates.prefix(configuration.refinedSeeds) {
                var poses = out.poses
                for k in 0..<7 { poses[7 * b + k] = seed[k] }
                let refined = try tracker.track(frames: frames, from: poses)
                let q = refined.bodies[b]
                if q.confidence > (best?.quality.confidence ?? quality.confidence) { best = (refined.poses[(7 * b)..<(7 * b + 7)], q) }
            }
            if let best {
                for k in 0..<7 { out.poses[7 * b + k] = best.pose[7 * b + k] }
                out.bodies[b] = best.quality
                if !best.quality.isLost { recoveries += 1 }
            }
        }
        return out
    }

    /// Seed poses (7 values each) for body `b`, best first; empty when the frames show too little of it.
    func seeds(body b: Int, frames: [CameraFrame], poses: [Float], occluderMargin: Float) -> [[Float]] {
        let classes = fields.description.objectClasses
        let fieldClass = fields.description.classes[classes[b]]
        let half = fields.fields[classes[b]].bounds.halfExtents
        let radius = (half * half).sum().squareRoot() + configuration.radiusMeters
        let centre = SIMD3(poses[7 * b], poses[7 * b + 1], poses[7 * b + 2])
        let quaternion = RotationMath.normalized(SIMD4(poses[7 * b + 3], poses[7 * b + 4], poses[7 * b + 5], poses[7 * b + 6]))

        // 1. The window's rays.
        origins.removeAll(keepingCapacity: true); directions.removeAll(keepingCapacity: true); observedDepth.removeAll(keepingCapacity: true)
        for frame in frames {
            let camera = frame.camera
            camera.forEachPixel(coveringSphere: centre, radius: radius) { p in
                if let occluder = frame.occluderDepth, occluder[p] <= frame.image.depth[p] + occluderMargin { return }
                let d = camera.rayDirection(x: Float(p % camera.width) + 0.5, y: Float(p / camera.width) + 0.5)
                for k in 0..<3 { origins.append(camera.position[k]); directions.append(d[k]) }
                observedDepth.append(frame.image.depth[p])
            }
        }
        let rays = observedDepth.count
        guard rays > 0 else { return [] }

        // 2. What the rest of the estimate explains, and the foreground it does not.
        let others = fields.placed(poses: poses).enumerated().filter { $0.offset != b }.map(\.element)
        render(origins: origins, directions: directions, fields: others)
        renderer.fieldCoverage(into: &coverage)
        scoredOrigins.removeAll(keepingCapacity: true); scoredDirections.removeAll(keepingCapacity: true); scoredDepth.removeAll(keepingCapacity: true)
        var sum = SIMD3<Float>.zero, towards = SIMD3<Float>.zero, foreground = 0
        for r in 0..<rays {
            let observed = observedDepth[r], explained = surface[r] > 0 ? surface[r] : .infinity
            var covered: Float = 0
            for k in 0..<others.count { covered += coverage[k * rays + r] }
            if covered >= 0.5 && abs(explained - observed) <= occluderMargin { continue }   // another body's pixel
            for k in 0..<3 { scoredOrigins.append(origins[3 * r + k]); scoredDirections.append(directions[3 * r + k]) }
            scoredDepth.append(observed)
            if observed > 0 && observed < explained - configuration.foregroundMeters {
                let o = SIMD3(origins[3 * r], origins[3 * r + 1], origins[3 * r + 2])
                let d = SIMD3(directions[3 * r], directions[3 * r + 1], directions[3 * r + 2])
                sum += o + observed * d
                towards += d
                foreground += 1
            }
        }
        guard foreground >= configuration.minimumForegroundPixels else { return [] }

        // 3. Seeds.
        let view = towards / max((towards * towards).sum().squareRoot(), 1e-6)
        let inscribed = fieldClass.halfExtentsMeters.prefix(3).min() ?? 0
        let suggested = sum / Float(foreground) + inscribed * view
        var positions: [SIMD3<Float>] = [centre]
        let g = configuration.gridHalfCount, step = configuration.gridStepMeters
        for i in -g...g { for j in -g...g { positions.append(suggested + SIMD3(Float(i) * step, Float(j) * step, 0)) } }
        let turns = (-configuration.yawHalfCount...configuration.yawHalfCount).map { k -> SIMD4<Float> in
            RotationMath.normalized(RotationMath.multiply(RotationMath.exp([0, 0, Float(k) * configuration.yawStepDegrees * .pi / 180]), quaternion))
        }

        // 4. Scores: the body alone (with the table) on the rays no other body explains.
        let field = fields.fields[classes[b]], tau = configuration.truncationMeters
        var scored: [(cost: Float, pose: [Float])] = []
        for position in positions {
            for turn in turns {
                render(origins: scoredOrigins, directions: scoredDirections, fields: [PlacedField(field: field, position: position, quaternion: turn)])
                var cost: Float = 0
                for r in 0..<scoredDepth.count {
                    let e = min(abs(surface[r] - scoredDepth[r]), tau)
                    cost += e * e
                }
                scored.append((cost, [position.x, position.y, position.z, turn[0], turn[1], turn[2], turn[3]]))
            }
        }
        return scored.sorted { $0.cost < $1.cost }.map(\.pose)
    }

    /// Renders rays; their surface depths land in `surface`.
    private func render(origins: [Float], directions: [Float], fields placed: [PlacedField]) {
        renderer.renderRays(origins: origins, directions: directions, fields: placed, rgb: &rgb, depth: &depth, surfaceDepth: &surface)
    }
}
