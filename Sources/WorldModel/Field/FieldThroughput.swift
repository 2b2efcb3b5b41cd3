import Dispatch

/// Rendering speed of a field on the CPU with several threads.
public struct FieldThroughput: Codable, Equatable, Sendable {
    public var threads: Int
    public var raysPerSecond: Double
    public var samplesPerSecond: Double

    enum CodingKeys: String, CodingKey {
        case threads
        case raysPerSecond = "rays_per_second"
        case samplesPerSecond = "samples_per_second"
    }

    /// Renders every view once with `copies.count` threads, thread t taking views t, t + T, ...; each thread
    /// has its own copy of the fields (their evaluation workspaces are not shared) and its own renderer.
    /// Run with one BLAS thread, so the threads here are the only parallelism.
    public static func measure(copies: [ObjectFieldSet], views: [TrainingView]) -> FieldThroughput {
        let threads = copies.count
        nonisolated(unsafe) var samples = [Int](repeating: 0, count: threads)
        nonisolated(unsafe) let sets = copies
        let start = monotonicSeconds()
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            let renderer = sets[t].makeRenderer()
            var count = 0
            for v in stride(from: t, to: views.count, by: threads) {
                _ = renderer.render(camera: views[v].camera, fields: sets[t].placed(poses: views[v].objectPoses, linkPoses: views[v].linkPoses))
                count += renderer.samplesInLastRender
            }
            samples[t] = count
        }
        let seconds = max(monotonicSeconds() - start, 1e-9)
        let rays = views.reduce(0) { $0 + $1.camera.width * $1.camera.height }
        return FieldThroughput(threads: threads, raysPerSecond: Double(rays) / seconds, samplesPerSecond: Double(samples.reduce(0, +)) / seconds)
    }
}
