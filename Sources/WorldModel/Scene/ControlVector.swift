extension SceneModel {
    /// An action as MuJoCo's `ctrl` takes it, checked and bounded: exactly nu finite values, each clamped into its
    /// actuator's `ctrlrange` (a limited actuator's range; [-1, 1] for an unlimited one, see ``Actuator/ctrlRange``).
    /// Throws one line naming `source` (a file, or a description of the caller) and the bad value.
    ///
    /// ```swift
    /// let ctrl = try scene.checkedControl([0.5, -2], source: "scenes/push.xml")   // [0.3, -0.3]
    /// ```
    public func checkedControl(_ action: [Float], source: String) throws -> [Float] {
        guard action.count == nu else {
            throw WorldModelError(file: source, "an action needs \(nu) values (one per actuator: \(actuators.map(\.name).joined(separator: ", "))), got \(action.count)")
        }
        var ctrl = action
        for k in 0..<nu {
            guard action[k].isFinite else { throw WorldModelError(file: source, "action component \(k) (\(actuators[k].name)) is \(action[k])") }
            ctrl[k] = min(max(action[k], actuators[k].ctrlRange.lowerBound), actuators[k].ctrlRange.upperBound)
        }
        return ctrl
    }
}
