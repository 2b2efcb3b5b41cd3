#if Viewer
import WorldModel
/// The on-screen text of the viewer, one string per line: step, position error, memory per model, keys.
///
/// ```swift
/// let lines = ViewerLegend.lines(session: session, paused: false, speed: 1, fieldShown: false, field: nil)
/// ```
public enum ViewerLegend {
    /// `field`: the loaded field set and the label of the source its inset shows, nil without one.
    public static func lines(session: ViewerSession, paused: Bool, speed: Double, fieldShown: Bool,
                             field: (set: ObjectFieldSet, showing: String)?) -> [String] {
        let seconds = Double(session.step) * session.scene.controlDtSeconds
        var lines = ["STEP \(session.step)  T \(fixed(seconds, 2)) S  SPEED \(speedText(speed))" + (paused ? "  [PAUSED]" : "")]
        for (index, source) in session.sources.enumerated() {
            let state = session.shown[index] ? "ON " : "OFF"
            let key = index == 0 ? "G" : "L"
            lines.append("[\(key)] \(state) \(source.label)  MEM \(memoryText(source.memoryFootprintBytes))")
        }
        if session.sources.count == 1 { lines.append("[L] LEARNED DYNAMICS: NOT LOADED") }
        if let field {
            lines.append("[F] \(fieldShown ? "ON " : "OFF") NEURAL FIELD OF \(field.showing.uppercased())  MEM \(memoryText(field.set.storedBytes))")
        } else {
            lines.append("[F] NEURAL FIELD: NOT LOADED")
        }
        if let error = session.positionErrorMeters {
            lines.append("POSITION ERROR \(fixed(Double(error) * 1000, 1)) MM (MEAN OVER \(session.scene.passiveBodyIndices.isEmpty ? "BODIES" : "OBJECTS"), G VS L)")
        } else {
            lines.append("POSITION ERROR -")
        }
        let drive: String = switch session.driver {
        case .keyboard: "ARROW KEYS"
        case .scripted(let kind): "SCRIPTED " + kind.rawValue
        case .recorded: "RECORDED EPISODE \(session.episode)" + (session.isFinished ? " (END)" : "")
        }
        let shownCtrl = session.lastAction.prefix(6).map { fixed(Double($0), 2) }.joined(separator: ", ")
        lines.append("ACTIONS: \(drive)  CTRL (\(shownCtrl)\(session.lastAction.count > 6 ? ", ..." : ""))")
        return lines
    }

    /// The key help shown at the bottom of the window.
    public static let keys = "SPACE PAUSE  . STEP  R RESET  +/- SPEED  G/L/F SHOW  ARROWS CTRL 0/1  MOUSE VIEW"

    /// "-" when unknown, else bytes in KB or MB.
    static func memoryText(_ bytes: Int?) -> String {
        guard let bytes else { return "-" }
        if bytes < 1 << 20 { return "\(fixed(Double(bytes) / 1024, 1)) KB" }
        return "\(fixed(Double(bytes) / Double(1 << 20), 2)) MB"
    }

    static func speedText(_ speed: Double) -> String {
        speed >= 1 ? "\(Int(speed))X" : "1/\(Int((1 / speed).rounded()))X"
    }

    /// `value` with `digits` decimals, without Foundation's formatting.
    static func fixed(_ value: Double, _ digits: Int) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let whole = scaled / Int(scale), fraction = scaled % Int(scale)
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard digits > 0 else { return sign + "\(whole)" }
        let text = String(fraction)
        return sign + "\(whole)." + String(repeating: "0", count: digits - text.count) + text
    }
}
#endif
