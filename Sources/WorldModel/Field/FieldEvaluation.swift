import Glibc

/// One dense-baseline score: a grid with `resolution` voxels along x (see `DenseVoxelGrid.resolution`).
public struct DenseBaselineScore: Codable, Equatable, Sendable {
    public var resolution: Int
    /// Voxels along x, y, z.
    public var voxels: [Int]
    public var bytes: Int
    public var psnrDB: Double
    /// The best optical depth per voxel found for this resolution.
    public var densityPerVoxel: Float

    enum CodingKeys: String, CodingKey {
        case resolution, voxels, bytes
        case psnrDB = "psnr_db"
        case densityPerVoxel = "density_per_voxel"
    }
}

/// Held-out scores of a field set against the teacher, and of the dense baseline on the same views.
public struct FieldEvaluationReport: Codable, Equatable, Sendable {
    /// PSNR (dB) of the field's RGB over all pixels of all held-out views (RGB in [0, 1]).
    public var psnrDB: Double
    /// Mean absolute depth error (m) over pixels where the teacher hits an object.
    public var objectDepthErrorMeters: Double
    /// Bytes of the field's parameters as its checkpoint stores them (`storage`; tensor data).
    public var bytes: Int
    /// How the checkpoint stores them (in memory they are float32 either way).
    public var storage: FieldStorage
    public var dense: [DenseBaselineScore]
    /// Bytes of the smallest dense grid whose PSNR reaches the field's (or of the largest grid if none does) over the field's bytes.
    public var ratioVsDenseAtEqualPSNR: Double
    public var views: Int
    public var raysPerSecond: Double
    public var samplesPerSecond: Double
    /// Share of the field's render time spent in its MLPs.
    public var mlpTimeShare: Double
    /// GFLOP/s of the fields' MLP forward passes while rendering, and of raw sgemm on the same layer shapes.
    public var mlpGigaflops: Double
    public var rawGEMMGigaflops: Double
    /// Rendering speed with 1, 2, ... threads, when measured (`FieldThroughput`).
    public var throughput: [FieldThroughput] = []

    enum CodingKeys: String, CodingKey {
        case psnrDB = "psnr_db"
        case objectDepthErrorMeters = "object_depth_error_m"
        case bytes, storage, dense, views
        case ratioVsDenseAtEqualPSNR = "ratio_vs_dense_at_equal_psnr"
        case raysPerSecond = "rays_per_second"
        case samplesPerSecond = "samples_per_second"
        case mlpTimeShare = "mlp_time_share"
        case throughput
        case mlpGigaflops = "mlp_gflops"
        case rawGEMMGigaflops = "raw_sgemm_gflops"
    }
}

/// Scores fields and the dense baseline on the same held-out views.
public enum FieldEvaluation {
    /// The world box the dense baseline covers: the table out to +-0.4 m, up to 0.12 m.
    public static let denseBounds = FieldBounds(minimum: [-0.4, -0.4, 0], maximum: [0.4, 0.4, 0.12])

    /// Peak signal-to-noise ratio (dB) of `image` against `reference` over RGB in [0, 1].
    public static func psnr(_ image: RGBDImage, _ reference: RGBDImage) -> Double {
        psnr(meanSquaredError: squaredError(image, reference) / Double(reference.rgb.count))
    }

    static func squaredError(_ image: RGBDImage, _ reference: RGBDImage) -> Double {
        zip(image.rgb, reference.rgb).reduce(0) { $0 + Double(($1.0 - $1.1) * ($1.0 - $1.1)) }
    }

    static func psnr(meanSquaredError mse: Double) -> Double { 10 * log10(1 / max(mse, 1e-12)) }

    /// Renders every view with the fields and with dense grids (filled from the geometry at each view's poses)
    /// of each resolution, and scores them against the teacher's images.
    public static func evaluate(fields: ObjectFieldSet, objects: [ObjectDescription], views: [TrainingView],
                                denseResolutions: [Int] = [32, 64, 128, 256]) -> FieldEvaluationReport {
        let renderer = fields.makeRenderer()
        var error: Double = 0, values = 0, depthError: Double = 0, depthCount = 0
        var seconds: Double = 0, samples = 0, rays = 0
        for field in fields.fields { field.mlpSeconds = 0; field.mlpForwardRows = 0 }
        for view in views {
            let start = monotonicSeconds()
            let image = renderer.render(camera: view.camera, fields: fields.placed(poses: view.objectPoses, linkPoses: view.linkPoses))
            samples += renderer.samplesInLastRender
            seconds += monotonicSeconds() - start
            rays += view.camera.width * view.camera.height
            error += squaredError(image, view.image)
            values += image.rgb.count
            for p in 0..<view.image.depth.count where view.image.depth[p] > 0 && isObjectPixel(view, p, fields) {
                depthError += Double(abs(image.depth[p] - view.image.depth[p]))
                depthCount += 1
            }
        }
        let mlp = fields.fields.reduce(0) { $0 + $1.mlpSeconds }
        let flops = fields.fields.reduce(0) { $0 + Double($1.mlpForwardRows) * $1.mlpFlopsPerPoint }
        let fieldPSNR = psnr(meanSquaredError: error / Double(max(values, 1)))
        var dense: [DenseBaselineScore] = []
        let denseInputs = views.map { denseShapes(fields: fields, objects: objects, view: $0) }
        for n in denseResolutions {
            let resolution = DenseVoxelGrid.resolution(n, bounds: denseBounds)
            var best: DenseBaselineScore? = nil
            for densityPerVoxel: Float in [0.25, 0.5, 1, 2] {
                let denseRenderer = fields.makeRenderer()
                var squared: Double = 0, count = 0
                var grid: DenseVoxelGrid? = nil, gridPoses: [Float] = []
                for (view, (shapes, poses)) in zip(views, denseInputs) {
                    if grid == nil || gridPoses != poses {
                        grid = DenseVoxelGrid.filled(objects: shapes, poses: poses, bounds: denseBounds, resolution: resolution,
                                                     lighting: fields.description.lighting, densityPerVoxel: densityPerVoxel)
                        gridPoses = poses
                    }
                    let image = denseRenderer.render(camera: view.camera, fields: [grid!.placed])
                    squared += squaredError(image, view.image)
                    count += image.rgb.count
                }
                let score = DenseBaselineScore(resolution: n, voxels: [Int(resolution.x), Int(resolution.y), Int(resolution.z)],
                                               bytes: Int(resolution.x * resolution.y * resolution.z) * 16,
                                               psnrDB: psnr(meanSquaredError: squared / Double(max(count, 1))), densityPerVoxel: densityPerVoxel)
                if best == nil || score.psnrDB > best!.psnrDB { best = score }
            }
            dense.append(best!)
        }
        let reference = dense.filter { $0.psnrDB >= fieldPSNR }.min { $0.bytes < $1.bytes } ?? dense.max { $0.bytes < $1.bytes }
        return FieldEvaluationReport(
            psnrDB: fieldPSNR, objectDepthErrorMeters: depthError / Double(max(depthCount, 1)), bytes: fields.storedBytes, storage: fields.storage,
            dense: dense, ratioVsDenseAtEqualPSNR: Double(reference?.bytes ?? 0) / Double(max(fields.storedBytes, 1)),
            views: views.count, raysPerSecond: Double(rays) / max(seconds, 1e-9), samplesPerSecond: Double(samples) / max(seconds, 1e-9),
            mlpTimeShare: mlp / max(seconds, 1e-9), mlpGigaflops: flops / max(mlp, 1e-9) / 1e9,
            rawGEMMGigaflops: fields.fields.first?.rawGEMMGigaflops() ?? 0)
    }

    /// What the dense grid of `view` holds: the objects at their poses and, for a set with robot links, each
    /// link's shape at its body pose composed with the shape's pose in the body (`FieldLink.shapePose`).
    static func denseShapes(fields: ObjectFieldSet, objects: [ObjectDescription], view: TrainingView) -> ([ObjectDescription], [Float]) {
        let links = fields.robotLinks
        guard !links.isEmpty, view.linkPoses.count >= 7 * links.count else { return (objects, view.objectPoses) }
        var shapes = objects, poses = view.objectPoses
        for (i, link) in links.enumerated() {
            let c = fields.description.classes[link.classIndex], l = view.linkPoses, s = link.shapePose
            let bodyPosition = SIMD3(l[7 * i], l[7 * i + 1], l[7 * i + 2]), bodyQuaternion = SIMD4(l[7 * i + 3], l[7 * i + 4], l[7 * i + 5], l[7 * i + 6])
            let (position, quaternion) = PoseComposition.compose(parentPosition: bodyPosition, parentQuaternion: bodyQuaternion,
                                                                 localPosition: SIMD3(s[0], s[1], s[2]), localQuaternion: SIMD4(s[3], s[4], s[5], s[6]))
            shapes.append(ObjectDescription(name: link.bodyName, shape: c.shape, halfExtentsMeters: c.halfExtentsMeters, massKg: 0, rgba: c.rgba))
            poses += [position.x, position.y, position.z] + (0..<4).map { quaternion[$0] }
        }
        return (shapes, poses)
    }

    /// Whether the teacher's pixel `p` sees an object rather than the table (its depth is nearer than the table's).
    static func isObjectPixel(_ view: TrainingView, _ p: Int, _ fields: ObjectFieldSet) -> Bool {
        let c = view.camera
        let d = c.rayDirection(x: Float(p % c.width) + 0.5, y: Float(p / c.width) + 0.5)
        guard let t = fields.description.table.intersect(origin: c.position, direction: d) else { return true }
        return view.image.depth[p] < t - 1e-4
    }
}
