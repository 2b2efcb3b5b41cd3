#if Viewer
import WorldModel

/// Where the viewer's actions come from: a scripted policy (the teacher's, `TeacherPolicy`), the keyboard (the
/// arrow keys set the first two actuators: a pusher's commanded velocity), or a recorded episode (its actions in
/// order, starting from its frame 0).
public enum ActionDriver: Sendable, Equatable {
    case scripted(ActionPolicyKind)
    case keyboard
    case recorded(Episode)

    /// Parses a `--policy` value: a teacher policy's name (`ActionPolicyKind`) or `keyboard`.
    public init?(name: String) {
        if name == "keyboard" {
            self = .keyboard
        } else if let kind = ActionPolicyKind(rawValue: name) {
            self = .scripted(kind)
        } else {
            return nil
        }
    }

    /// The names `init(name:)` accepts.
    public static var names: [String] { ActionPolicyKind.allCases.map(\.rawValue) + ["keyboard"] }
}
#endif
