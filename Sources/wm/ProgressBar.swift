import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar with rate and ETA on stderr, redrawn at most 10 times a second.
/// When stderr is not a terminal (a log file, CI), it prints a plain line every 10% instead.
final class ProgressBar {
    private let total: Int
    private let label: String
    private let start = monotonicSeconds()
    private var lastDraw = 0.0
    private var lastLoggedTenth = 0
    private let interactive = isatty(2) != 0

    init(total: Int, label: String) {
        self.total = max(total, 1)
        self.label = label
    }


    /// Seconds since the bar was created.
    var elapsedSeconds: Double { monotonicSeconds() - start }

    /// Redraws with `done` of `total` finished and an optional status such as "loss 0.013".
    func update(_ done: Int, status: String = "") {
        let t = monotonicSeconds()
        if !interactive {
            let tenth = min(done, total) * 10 / total
            if tenth > lastLoggedTenth && done < total {
                lastLoggedTenth = tenth
                writeStandardError(line(done, status: status) + "\n")
            }
            return
        }
        guard t - lastDraw >= 0.1 || done >= total else { return }
        lastDraw = t
        writeStandardError("\r\u{1B}[2K" + line(done, status: status))
    }

    /// Draws the final state and ends the line.
    func finish(_ done: Int, status: String = "") {
        writeStandardError((interactive ? "\r\u{1B}[2K" : "") + line(done, status: status) + "\n")
    }

    private func line(_ done: Int, status: String) -> String {
        let elapsed = monotonicSeconds() - start
        let fraction = Double(min(done, total)) / Double(total)
        let width = 24
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        let eta = done > 0 ? elapsed / Double(done) * Double(max(0, total - done)) : 0
        return "\(label) [\(bar)] \(done)/\(total) \(formatDuration(elapsed)) elapsed, ETA \(formatDuration(eta))"
            + (status.isEmpty ? "" : "  " + status)
    }
}

/// "1m05s", "12.3s".
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    if seconds < 60 { return "\(Double(Int(seconds * 10)) / 10)s" }
    let s = Int(seconds)
    return "\(s / 60)m" + (s % 60 < 10 ? "0" : "") + "\(s % 60)s"
}
