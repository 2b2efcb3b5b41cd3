import ArgumentParser
import WorldModel

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "(in progress)")

    func run() throws {
        throw WorldModelError("wm bench: not built yet")
    }
}
