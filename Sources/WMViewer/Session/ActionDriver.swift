#if Viewer
import WorldModel

/// Where the viewer's actions come from: a scripted policy, the keyboard (the arrow keys set the pusher's
/// commanded velocity), or a recorded episode (its actions in order, starting from its frame 0).
public enum ActionDriver: Sendable, Equatable {
    case scripted(ActionPolicyKind)
    case keyboard
    case recorded(Episode)

    /// Parses a `--policy` value: `waypoints`, `random`, `still` or `keyboard`.
    public init?(name: String) {
        if name == "keyboard" {
            self = .keyboard
        } else if let kind = ActionPolicyKind(rawValue: name), !kind.readsSimulation {
            self = .scripted(kind)
        } else {
            return nil
        }
    }

    /// The names `init(name:)` accepts.
    public static var names: [String] { ActionPolicyKind.allCases.filter { !$0.readsSimulation }.map(\.rawValue) + ["keyboard"] }
}
#endif
