import CBLAS
#if canImport(Glibc)
import Glibc
#endif

/// Speed of the learned control step against MuJoCo's on the same scene, measured in one run.
public struct StepBenchmarkReport: Codable, Sendable {
    /// The configuration measured (a preset name or a checkpoint path) and its shape.
    public var config: String
    public var objects: Int
    public var messagePassingSteps: Int
    public var latentWidth: Int
    public var allPairs: Bool
    public var parameters: Int
    /// Median milliseconds of one learned step at batch 1 (graph building, network, integration).
    public var stepMillisecondsBatch1: Double
    /// Graph-steps per second of a batch of `batch` environments (one graph per environment per step), the
    /// PyTorch peer's batch figure. The planner's own rollouts are timed by `PlannerBenchmark`.
    public var batchGraphStepsPerSecond: Double
    public var batch: Int
    /// Learned control steps per second at batch 1, and MuJoCo's control steps per second (10 physics steps
    /// each, through the C API) on the same scene, measured one after the other.
    public var learnedControlStepsPerSecond: Double
    public var mujocoControlStepsPerSecond: Double
    /// Threads of the learned step's team (OpenBLAS itself on one).
    public var threads: Int
    /// The network's product FLOPs per graph-step (``GraphNetwork/forwardFlops(nodes:edges:outputs:)`` on the
    /// nodes, edges and output rows of one environment's graph, as the batch builds it), nil for the dense baseline.
    public var productFlopsPerGraphStep: Double?
    /// The hardware limit counted for those FLOPs: `cblas_sgemm` on 2048 x 2048 x 2048 with OpenBLAS on `threads`
    /// threads, best of 5, in GFLOP/s, measured in this run right after the batch.
    public var sgemmLimitGflops: Double
    /// The batch's product rate (graph-steps/s x FLOPs per graph-step) over that limit.
    public var batchFractionOfSgemmLimit: Double?
    /// What ran the products: AMX bfloat16 tiles, wm's own AVX-512 float32 product (``ProductKernel``), or `cblas_sgemm`.
    public var productKernel: String
    /// The inference passes' ``ProductPrecision`` (`float32` or `bfloat16`).
    public var inferencePrecision: String

    enum CodingKeys: String, CodingKey {
        case config, objects, parameters, threads, batch
        case messagePassingSteps = "message_passing_steps"
        case latentWidth = "latent_width"
        case allPairs = "all_pairs"
        case stepMillisecondsBatch1 = "step_ms_batch1"
        case batchGraphStepsPerSecond = "batch_graph_steps_per_second"
        case learnedControlStepsPerSecond = "learned_control_steps_per_second"
        case mujocoControlStepsPerSecond = "mujoco_control_steps_per_second"
        case productFlopsPerGraphStep = "product_flops_per_graph_step"
        case sgemmLimitGflops = "sgemm_limit_gflops"
        case batchFractionOfSgemmLimit = "batch_fraction_of_sgemm_limit"
        case productKernel = "product_kernel"
        case inferencePrecision = "inference_precision"
    }
}

public enum StepBenchmark {
    /// Measures `model` on the scene at `scenePath` (its objects placed by the teacher, seeded), its network on a
    /// team of `threads` threads (OpenBLAS on one).
    public static func run(model: DynamicsModel, configName: String, scenePath: String, batchSize: Int = 256,
                           repeats: Int = 7, threads: Int = 1) throws -> StepBenchmarkReport {
        BLASThreads.set(1)
        let recorder = try TeacherRecorder(scenePath: scenePath)
        let scene = try recorder.scene, objects = scene.objects
        let h = model.historyLength, dt = model.dtSeconds
        let warmup = try recorder.record(episode: 0, steps: h + 1, seed: 1, policy: .waypoints).episode
        let start = DynamicsState(episode: warmup, frame: h, historyLength: h, dtSeconds: dt)
        let action: (Int, Int, DynamicsState) -> SIMD2<Float> = { t, k, _ in SIMD2(0.1 * Float((t + k) % 3 - 1), 0.05) }

        // Batch 1: median over 3 x repeats samples of 50 steps each (a sample takes tens of milliseconds; bursts of
        // load on a shared machine move single samples, not the median of many).
        let single = try RolloutEngine(model: model, objects: objects, batchSize: 1, threads: threads)
        var one = [start]
        for t in 0..<10 { try single.advance(&one, step: t, action: action) { _ in } }
        var perStep: [Double] = []
        for _ in 0..<(3 * repeats) {
            one = [start]
            let t0 = monotonicSeconds()
            for t in 0..<50 { try single.advance(&one, step: t, action: action) { _ in } }
            perStep.append((monotonicSeconds() - t0) / 50)
        }
        let stepSeconds = MLPBenchmark.median(perStep)

        // The batch: median over `repeats` samples of 5 steps of `batchSize` environments.
        let batch = try RolloutEngine(model: model, objects: objects, batchSize: batchSize, threads: threads)
        var many = [DynamicsState](repeating: start, count: batchSize)
        try batch.advance(&many, step: 0, action: action) { _ in }
        var batchRates: [Double] = []
        for _ in 0..<max(3, repeats) {
            many = [DynamicsState](repeating: start, count: batchSize)
            let t0 = monotonicSeconds()
            for t in 0..<5 { try batch.advance(&many, step: t, action: action) { _ in } }
            batchRates.append(Double(batchSize * 5) / (monotonicSeconds() - t0))
        }
        // One environment's graph, from the last one built (a block of environments): a node per object and the
        // robot's, and its share of the edges found.
        let builder = batch.runner.builder, nodes = objects.count + 1, environments = max(1, builder.nodeCount / nodes)
        let flops = model.graphNetwork.map { $0.forwardFlops(nodes: nodes, edges: builder.edgeCount / environments, outputs: objects.count) }
        let limit = sgemmGflops(threads: threads)

        // MuJoCo's control step (10 physics steps) on the same scene, right after.
        let sim = recorder.simulation
        let substeps = scene.controlSubsteps
        var mujocoRates: [Double] = []
        for r in 0..<repeats {
            _ = try recorder.record(episode: r, steps: 1, seed: 1, policy: .waypoints)
            let t0 = monotonicSeconds()
            for t in 0..<50 { try sim.step(action: [0.1 * Float(t % 3 - 1), 0.05], substeps: substeps) }
            mujocoRates.append(50 / (monotonicSeconds() - t0))
        }
        let c = model.configuration
        return StepBenchmarkReport(
            config: configName, objects: objects.count, messagePassingSteps: c.messagePassingSteps, latentWidth: c.latentWidth,
            allPairs: c.features.allPairs, parameters: model.parameters.scalarCount, stepMillisecondsBatch1: stepSeconds * 1000,
            batchGraphStepsPerSecond: MLPBenchmark.median(batchRates), batch: batchSize,
            learnedControlStepsPerSecond: 1 / stepSeconds, mujocoControlStepsPerSecond: MLPBenchmark.median(mujocoRates), threads: threads,
            productFlopsPerGraphStep: flops, sgemmLimitGflops: limit,
            batchFractionOfSgemmLimit: flops.map { MLPBenchmark.median(batchRates) * $0 / 1e9 / limit },
            productKernel: ProductPrecision.inference.kernelName, inferencePrecision: ProductPrecision.inference.rawValue)
    }

    /// `cblas_sgemm` GFLOP/s on 2048^3 with OpenBLAS on `threads` threads (best of 5; OpenBLAS is set back to one).
    public static func sgemmGflops(threads: Int) -> Double {
        let n = 2048
        let a = Matrix(rows: n, cols: n), b = Matrix(rows: n, cols: n), c = Matrix(rows: n, cols: n)
        for i in 0..<a.count { a.base[i] = Float(i % 7) * 1e-3; b.base[i] = Float(i % 5) * 1e-3 }
        BLASThreads.set(threads)
        defer { BLASThreads.set(1) }
        var best = Double.infinity
        for _ in 0..<5 {
            let t0 = monotonicSeconds()
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n), 1, a.base, Int32(n), b.base, Int32(n),
                        0, c.base, Int32(n))
            best = min(best, monotonicSeconds() - t0)
        }
        return 2 * Double(n * n * n) / best / 1e9
    }


}
