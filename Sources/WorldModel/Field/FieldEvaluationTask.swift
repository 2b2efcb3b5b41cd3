/// Evaluates the placed fields of a render batch on a `ThreadTeam`: their values (`evaluate`) or their output
/// Jacobians (`NeuralObjectField.outputJacobians`). Placed fields that share one field object (objects that look
/// alike) share its workspace, so they form one group, run in turn on one thread; groups go to whichever thread is
/// free (`ThreadTeam.next`). Each group writes only its own samples' ranges of the output buffers.
final class FieldEvaluationTask: ThreadTeamTask {
    enum Output {
        /// density (1 per sample) and rgb (3 per sample)
        case values(density: UnsafeMutablePointer<Float>, rgb: UnsafeMutablePointer<Float>)
        /// 12 Jacobian entries per sample (see `NeuralObjectField.outputJacobians`)
        case jacobians(UnsafeMutablePointer<Float>)
    }

    let team: ThreadTeam
    var groups: [[Int]] = []
    var fields: [PlacedField] = []
    var ranges: [Range<Int>] = []
    var towardsLight: [SIMD3<Float>] = []
    var points: UnsafePointer<Float>?
    var output: Output?

    init(team: ThreadTeam) { self.team = team }

    /// Runs over `fields` (with their sample ranges and light directions), on the team when it has more than one
    /// thread and there is more than one group, else on the calling thread.
    func run(fields: [PlacedField], ranges: [Range<Int>], towardsLight: [SIMD3<Float>], points: UnsafePointer<Float>, output: Output) {
        var byField: [ObjectIdentifier: Int] = [:]
        groups.removeAll(keepingCapacity: true)
        for k in fields.indices where !ranges[k].isEmpty {
            let id = ObjectIdentifier(fields[k].field)
            if let g = byField[id] { groups[g].append(k) } else { byField[id] = groups.count; groups.append([k]) }
        }
        self.fields = fields; self.ranges = ranges; self.towardsLight = towardsLight
        self.points = points; self.output = output
        if team.size > 1 && groups.count > 1 {
            team.run(self)
        } else {
            for g in groups.indices { evaluate(group: g) }
        }
        self.fields = []
        self.points = nil; self.output = nil
    }

    func run(thread: Int) {
        while true {
            let g = team.next()
            guard g < groups.count else { return }
            evaluate(group: g)
        }
    }

    private func evaluate(group g: Int) {
        guard let points, let output else { return }
        for k in groups[g] {
            let range = ranges[k], field = fields[k].field
            switch output {
            case let .values(density, rgb):
                field.evaluate(points: points + 3 * range.lowerBound, count: range.count, towardsLight: towardsLight[k],
                               density: density + range.lowerBound, rgb: rgb + 3 * range.lowerBound)
            case let .jacobians(jacobian):
                guard let neural = field as? NeuralObjectField else {
                    for i in (12 * range.lowerBound)..<(12 * range.upperBound) { jacobian[i] = 0 }
                    continue
                }
                neural.outputJacobians(points: points + 3 * range.lowerBound, count: range.count, towardsLight: towardsLight[k],
                                       jacobian: jacobian + 12 * range.lowerBound)
            }
        }
    }
}
