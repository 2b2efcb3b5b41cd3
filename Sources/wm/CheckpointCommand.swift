import ArgumentParser
import FoundationEssentials
import WorldModel

/// `wm checkpoint info FILE`: what a safetensors checkpoint holds, after full validation.
struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Inspect model checkpoints (safetensors).",
        subcommands: [Info.self]
    )

    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the tensors (name, dtype, shape) and metadata of a safetensors file; exit 1 if it is invalid.",
            discussion: "Example: wm checkpoint info models/push.safetensors --json"
        )

        @Argument(help: "The .safetensors file.")
        var file: String

        @Flag(help: "Print JSON instead of text.")
        var json = false

        func run() throws {
            let checkpoint = try SafetensorsFile.read(file)
            let scalars = checkpoint.tensors.reduce(0) { $0 + $1.elementCount }
            if json {
                struct Tensor: Encodable { var name: String; var dtype: String; var shape: [Int] }
                struct Report: Encodable {
                    var file: String
                    var tensors: [Tensor]
                    var metadata: [String: String]
                    var scalarCount: Int
                    enum CodingKeys: String, CodingKey { case file, tensors, metadata, scalarCount = "scalar_count" }
                }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                let report = Report(
                    file: file,
                    tensors: checkpoint.tensors.map { Tensor(name: $0.name, dtype: $0.dtype.rawValue, shape: $0.shape) },
                    metadata: checkpoint.metadata, scalarCount: scalars)
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print("\(file): \(checkpoint.tensors.count) tensors, \(scalars) values")
                for tensor in checkpoint.tensors {
                    print("  \(tensor.name)  \(tensor.dtype.rawValue)  \(tensor.shape)")
                }
                if !checkpoint.metadata.isEmpty { print("metadata:") }
                for (key, value) in checkpoint.metadata.sorted(by: { $0.key < $1.key }) {
                    print("  \(key): \(value)")
                }
            }
        }
    }
}
