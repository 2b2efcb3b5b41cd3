import ArgumentParser
import FoundationEssentials
import WorldModel

/// `wm bench <kind>`: throughput measurements, as a table or `--json`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure throughput: mlp (MLP vs raw sgemm); step, planner, field and all come with their components.",
        discussion: """
            Examples:
              wm bench mlp
              wm bench mlp --json --threads 2
            """
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case all, step, planner, mlp, field
    }

    @Argument(help: "What to measure: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kind: Kind

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "OpenBLAS threads.")
    var threads = 1

    @Option(help: "Timed samples per measurement (the median is reported).")
    var repeats = 7

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        guard repeats >= 1 else { throw ValidationError("--repeats must be at least 1") }
    }

    func run() throws {
        switch kind {
        case .mlp:
            let rows = MLPBenchmark.run(widths: [128, 128, 128], threads: threads, repeats: repeats)
            if json {
                struct Report: Encodable { var kind: String; var widths: [Int]; var rows: [MLPBenchmarkRow] }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                let data = try encoder.encode(Report(kind: "mlp", widths: [128, 128, 128], rows: rows))
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("MLP 128-128-128 (ReLU) vs raw cblas_sgemm on the same products, GFLOP/s, median of \(repeats)")
                print(pad("batch", 7) + pad("threads", 9) + pad("pass", 18) + pad("mlp", 9) + pad("sgemm", 9) + pad("ratio", 7))
                for row in rows {
                    print(pad("\(row.batch)", 7) + pad("\(row.threads)", 9) + pad(row.pass, 18)
                        + pad(fixed(row.mlpGflops, 1), 9) + pad(fixed(row.sgemmGflops, 1), 9) + pad(fixed(row.ratio, 2), 7))
                }
            }
        case .step:
            throw WorldModelError("bench step: needs the learned dynamics model (Dynamics/) and the MuJoCo teacher, which are not built yet")
        case .planner:
            throw WorldModelError("bench planner: needs the rollout engine and planner (Rollout/, Agent/), which are not built yet")
        case .field:
            throw WorldModelError("bench field: needs the neural field (Field/), which is not built yet")
        case .all:
            throw WorldModelError("bench all: needs the step, planner and field benchmarks, which are not built yet; run `wm bench mlp`")
        }
    }
}

private func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : String(repeating: " ", count: width - text.count) + text
}

private func fixed(_ value: Double, _ decimals: Int) -> String {
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let rounded = (value * scale).rounded() / scale
    var text = "\(rounded)"
    let digits = text.split(separator: ".").last?.count ?? 0
    if digits < decimals { text += String(repeating: "0", count: decimals - digits) }
    return text
}
