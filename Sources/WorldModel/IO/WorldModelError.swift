/// An error a user can act on: what went wrong, and with which file.
///
/// Every failure that reaches a user (a bad file, a bad argument, a MuJoCo error) is one of these, and
/// its `description` is one line: `path: problem`. The CLI prints it to stderr and exits with status 1.
///
/// ```swift
/// throw WorldModelError(file: "/tmp/a.wmds", "truncated: expected 4096 bytes, found 100")
/// ```
public struct WorldModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file the problem is about, when there is one.
    public var file: String?
    /// What went wrong, one line, no trailing period.
    public var message: String

    public init(file: String? = nil, _ message: String) {
        self.file = file
        self.message = message
    }

    public var description: String {
        let oneLine = message.split(whereSeparator: \.isNewline).joined(separator: " ")
        if let file { return "\(file): \(oneLine)" }
        return oneLine
    }
}
