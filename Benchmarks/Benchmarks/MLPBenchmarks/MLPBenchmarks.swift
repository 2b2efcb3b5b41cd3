// The kernels of `wm bench mlp` under ordo-one/benchmark, with allocation counts: an MLP of widths
// 128-128-128 (ReLU) forward and forward+backward at batch 1, 8, 64, 1024 and 16384, and the bare
// products (`matrixMultiply`, a direct `cblas_sgemm` call) at the same shapes. `mallocCountTotal`
// should read 0: workspaces are allocated before `startMeasurement()`.
import Benchmark
import WorldModel

let widths = [128, 128, 128]
let batches = [1, 8, 64, 1024, 16384]

/// Passes per measured iteration: a thousand for small batches (a pass takes microseconds), one for large ones.
func scaling(_ batch: Int) -> BenchmarkScalingFactor {
    batch >= 1024 ? .one : .kilo
}

func configuration(_ batch: Int) -> Benchmark.Configuration {
    .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        scalingFactor: scaling(batch),
        maxDuration: .seconds(1),
        maxIterations: 1000
    )
}

func randomMatrix(_ rows: Int, _ cols: Int, _ generator: inout SeededRandom) -> Matrix {
    let m = Matrix(rows: rows, cols: cols)
    for i in 0..<m.count { m.base[i] = Float.random(in: -1...1, using: &generator) }
    return m
}

let benchmarks: @Sendable () -> Void = {
    BLASThreads.set(1)
    for batch in batches {
        Benchmark("mlp forward batch \(batch)", configuration: configuration(batch)) { benchmark in
            var generator = SeededRandom(seed: 1)
            let mlp = MLP(MLPDescription(widths: widths, activation: .relu), name: "bench", using: &generator)
            let workspace = mlp.makeWorkspace(maxBatch: batch)
            let x = randomMatrix(batch, widths[0], &generator)
            mlp.forward(x.view, workspace: workspace)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                blackHole(mlp.forward(x.view, workspace: workspace))
            }
            benchmark.stopMeasurement()
            withExtendedLifetime((x, workspace)) {}
        }

        Benchmark("mlp forward+backward batch \(batch)", configuration: configuration(batch)) { benchmark in
            var generator = SeededRandom(seed: 1)
            let mlp = MLP(MLPDescription(widths: widths, activation: .relu), name: "bench", using: &generator)
            let workspace = mlp.makeWorkspace(maxBatch: batch)
            let x = randomMatrix(batch, widths[0], &generator)
            let dy = randomMatrix(batch, widths[2], &generator)
            mlp.forward(x.view, workspace: workspace)
            mlp.backward(input: x.view, outputGradient: dy.view, workspace: workspace)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                mlp.forward(x.view, workspace: workspace)
                mlp.backward(input: x.view, outputGradient: dy.view, workspace: workspace)
            }
            benchmark.stopMeasurement()
            withExtendedLifetime((x, dy, workspace)) {}
        }

        Benchmark("sgemm forward products batch \(batch)", configuration: configuration(batch)) { benchmark in
            var generator = SeededRandom(seed: 1)
            let x = randomMatrix(batch, widths[0], &generator)
            let w0 = randomMatrix(widths[0], widths[1], &generator), w1 = randomMatrix(widths[1], widths[2], &generator)
            let h = Matrix(rows: batch, cols: widths[1]), y = Matrix(rows: batch, cols: widths[2])
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                matrixMultiply(x.view, w0.view, into: h.view)
                matrixMultiply(h.view, w1.view, into: y.view)
            }
            benchmark.stopMeasurement()
            withExtendedLifetime((x, w0, w1, h, y)) {}
        }
    }
}
