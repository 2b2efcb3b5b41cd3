import ArgumentParser
import WorldModel

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "generate", abstract: "(in progress)")

    func run() throws {
        throw WorldModelError("wm generate: not built yet")
    }
}
