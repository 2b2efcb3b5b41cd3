import ArgumentParser
import WorldModel

struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dataset", abstract: "(in progress)")

    func run() throws {
        throw WorldModelError("wm dataset: not built yet")
    }
}
