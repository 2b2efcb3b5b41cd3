import ArgumentParser
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// The `wm` command line: thin commands over the WorldModel library.
@main
struct WM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wm",
        abstract: "A lightweight learned world-model simulator for robotics, on the CPU.",
        discussion: """
            Typical flow: generate teacher trajectories with MuJoCo, inspect them, train and evaluate.
              wm generate --scene scenes/push.xml --episodes 20 --steps 100 --seed 1 --out /tmp/push.wmds
              wm dataset info /tmp/push.wmds
              wm bench mlp --json
            """,
        subcommands: [
            DemoCommand.self, GenerateCommand.self, DatasetCommand.self, TrainCommand.self, EvalCommand.self, BenchCommand.self,
            RolloutCommand.self, CheckpointCommand.self, ViewCommand.self, FieldCommand.self, RenderCommand.self, PlanCommand.self, TrackCommand.self,
        ]
    )

    /// Parses, runs, and turns every failure into one line on stderr and exit status 1.
    /// Help and version requests print and exit 0.
    static func main() {
        do {
            // Ctrl-C and SIGTERM never leave a temporary file; long commands switch to stopping at their next step.
            InterruptSignal.removeTemporaryFilesOnSignal()
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                exit(withError: error)
            }
            let message: String
            if let userError = error as? WorldModelError {
                message = userError.description
            } else {
                message = fullMessage(for: error)
                    .split(whereSeparator: \.isNewline).first.map(String.init) ?? "\(error)"
            }
            writeStandardError("wm: \(message.hasPrefix("Error: ") ? String(message.dropFirst(7)) : message)\n")
            Glibc.exit(1)
        }
    }
}

/// Writes a string to stderr without buffering.
func writeStandardError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
}
