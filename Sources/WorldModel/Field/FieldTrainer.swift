#if canImport(Glibc)
import Glibc
#endif

/// How to train an `ObjectFieldSet`.
public struct FieldTrainingOptions: Sendable {
    /// Views per step (each with its own object poses).
    public var viewsPerStep = 4
    /// Rays per view per step, drawn from the rays that cross some object's bounds.
    public var raysPerView = 512
    public var hashLearningRate: Float = 1e-2
    public var mlpLearningRate: Float = 3e-3
    /// Weight of the squared depth error (m^2) against the squared colour error.
    public var depthWeight: Float = 10
    /// Steps between occupancy-grid updates (from `occupancyWarmupSteps` on).
    public var occupancyInterval = 32
    public var occupancyWarmupSteps = 64
    public var seed: UInt64 = 1

    public init() {}
}

/// Trains an `ObjectFieldSet` on teacher views: per step, random rays of random views are volume rendered at the
/// view's poses, and the photometric (MSE on RGB) plus depth (MSE in m^2, weighted) loss is backpropagated
/// through the renderer into the fields; Adam updates hash tables and MLPs (each with its own learning rate).
///
/// Only rays that cross some object's or robot link's bounds are drawn: the others see the analytic table or the
/// background, which no parameter changes. A set with robot links needs views with the robot in the picture and
/// its pose recorded (`RayCastRenderer.includesRobot`, `TrainingView.linkPoses`).
///
/// ```swift
/// let trainer = FieldTrainer(fields: fields, views: views, options: FieldTrainingOptions())
/// for _ in 0..<500 { let mse = trainer.step() }
/// ```
public final class FieldTrainer {
    public let fields: ObjectFieldSet
    public let views: [TrainingView]
    public let options: FieldTrainingOptions
    private let renderer: VolumeRenderer
    private let hashOptimizer: AdamOptimizer, mlpOptimizer: AdamOptimizer
    /// Pixel indices per view whose rays cross some object's bounds.
    private let objectRays: [[Int32]]
    private var rng: SeededRandom
    public private(set) var stepCount = 0
    private var origins: [Float], directions: [Float], rgb: [Float], depth: [Float], gradRGB: [Float], gradDepth: [Float]
    private var pixels: [Int]

    public init(fields: ObjectFieldSet, views: [TrainingView], options: FieldTrainingOptions) {
        self.fields = fields
        self.views = views
        self.options = options
        renderer = fields.makeRenderer()
        hashOptimizer = AdamOptimizer(parameters: fields.fields.map(\.table), configuration: AdamConfiguration(beta1: 0.9, beta2: 0.99, epsilon: 1e-15))
        mlpOptimizer = AdamOptimizer(parameters: fields.fields.flatMap(\.mlp.parameters), configuration: AdamConfiguration(beta1: 0.9, beta2: 0.99, epsilon: 1e-15))
        objectRays = views.map { FieldTrainer.raysCrossingObjects(view: $0, fields: fields) }
        rng = SeededRandom(seed: options.seed)
        let n = options.raysPerView
        origins = [Float](repeating: 0, count: 3 * n); directions = origins; rgb = origins; gradRGB = origins
        depth = [Float](repeating: 0, count: n); gradDepth = depth
        pixels = [Int](repeating: 0, count: n)
    }

    /// The pixels of `view` whose rays pass within the bounding sphere of some placed field (objects and links).
    static func raysCrossingObjects(view: TrainingView, fields: ObjectFieldSet) -> [Int32] {
        let placed = fields.placed(poses: view.objectPoses, linkPoses: view.linkPoses)
        let spheres = placed.map { p -> (SIMD3<Float>, Float) in
            let h = p.field.bounds.halfExtents
            return (p.position + RotationMath.rotate(p.quaternion, p.field.bounds.centre), (h * h).sum().squareRoot())
        }
        var out: [Int32] = []
        let c = view.camera
        for y in 0..<c.height {
            for x in 0..<c.width {
                let d = c.rayDirection(x: Float(x) + 0.5, y: Float(y) + 0.5)
                for (centre, radius) in spheres {
                    let v = centre - c.position
                    let along = dot(v, d)
                    if along > 0 && dot(v, v) - along * along <= radius * radius {
                        out.append(Int32(y * c.width + x))
                        break
                    }
                }
            }
        }
        return out
    }

    /// One optimisation step; returns the mean squared colour error of its rays.
    @discardableResult
    public func step() -> Float {
        fields.parameters.zeroGradients()
        var squaredError: Double = 0, rays = 0
        for _ in 0..<options.viewsPerStep {
            let v = rng.index(views.count)
            let pool = objectRays[v]
            guard !pool.isEmpty else { continue }
            let view = views[v], camera = view.camera
            let n = options.raysPerView
            for r in 0..<n {
                let p = Int(pool[rng.index(pool.count)])
                pixels[r] = p
                let d = camera.rayDirection(x: Float(p % camera.width) + 0.5, y: Float(p / camera.width) + 0.5)
                for k in 0..<3 { origins[3 * r + k] = camera.position[k]; directions[3 * r + k] = d[k] }
            }
            let placed = fields.placed(poses: view.objectPoses, linkPoses: view.linkPoses)
            renderer.renderBatch(origins: origins, directions: directions, count: n, fields: placed, rgb: &rgb, depth: &depth)
            let scale = 1 / Float(n * options.viewsPerStep)
            for r in 0..<n {
                let p = pixels[r]
                for k in 0..<3 {
                    let e = rgb[3 * r + k] - view.image.rgb[3 * p + k]
                    squaredError += Double(e * e)
                    gradRGB[3 * r + k] = 2 * e * scale / 3
                }
                let e = depth[r] - view.image.depth[p]
                gradDepth[r] = 2 * options.depthWeight * e * scale
            }
            rays += n
            renderer.backward(rgbGradient: gradRGB, depthGradient: gradDepth)
            for (k, p) in placed.enumerated() {
                let range = renderer.fieldSampleRange[k]
                guard !range.isEmpty, let field = p.field as? NeuralObjectField else { continue }
                renderer.samplePoints.withUnsafeBufferPointer { points in
                    renderer.densityGradient.withUnsafeBufferPointer { gd in
                        renderer.rgbGradient.withUnsafeBufferPointer { gc in
                            field.accumulateGradients(points: points.baseAddress! + 3 * range.lowerBound, count: range.count,
                                                      towardsLight: renderer.fieldTowardsLight[k],
                                                      densityGradient: gd.baseAddress! + range.lowerBound,
                                                      rgbGradient: gc.baseAddress! + 3 * range.lowerBound)
                        }
                    }
                }
            }
        }
        hashOptimizer.step(learningRate: options.hashLearningRate)
        mlpOptimizer.step(learningRate: options.mlpLearningRate)
        stepCount += 1
        if stepCount >= options.occupancyWarmupSteps && stepCount % options.occupancyInterval == 0 {
            fields.updateOccupancy()
        }
        return Float(squaredError / Double(max(rays * 3, 1)))
    }
}
