import CKernels
/// The exchange that makes a data-parallel step equal a single-process one: every rank computes the mean gradient
/// of its part of the minibatch (``GradientReducer/share(of:)``), and ``combine(loss:count:vote:)`` sums `gradient x count` of
/// every parameter, the loss and the ranks' stop votes over ranks in ONE flat buffer (one allreduce of
/// `parameters.scalarCount + 4` floats a step), then divides by the total count: every rank then holds the mean
/// gradient of the whole minibatch, so the same clipping and Adam update keep the weights identical.
///
/// With one rank it does nothing: the gradient is already the minibatch's.
final class DataParallelStep {
    let reducer: any GradientReducer
    let parameters: [Parameter]
    /// `[every gradient, in parameter order | count | loss x count | budget votes | interrupt votes]`.
    private let buffer: UnsafeMutableBufferPointer<Float>

    /// Why a rank wants the run to end before this step's update.
    struct StopVote: Equatable {
        var budgetSpent = false
        var interrupted = false
        var any: Bool { budgetSpent || interrupted }
    }

    init(reducer: any GradientReducer, parameters: [Parameter]) {
        self.reducer = reducer
        self.parameters = parameters
        buffer = .allocate(capacity: reducer.ranks > 1 ? max(parameters.scalarCount + 4, reducer.ranks) : 0)
    }

    deinit { buffer.deallocate() }

    var rank: Int { reducer.rank }
    var ranks: Int { reducer.ranks }

    /// Bytes every rank sends into the allreduce per step.
    var bytesPerStep: Int { (parameters.scalarCount + 4) * MemoryLayout<Float>.stride }

    /// Sums over ranks: each parameter's gradient becomes the mean over all `count`s (this rank's gradient being
    /// the mean over its own `count` terms, `loss` their mean loss); returns the mean loss and the votes of all ranks.
    func combine(loss: Float, count: Float, vote: StopVote) -> (loss: Float, vote: StopVote) {
        guard ranks > 1 else { return (loss, vote) }
        var offset = 0
        for p in parameters {
            let g = p.gradient
            wm_copy_scaled(buffer.baseAddress! + offset, g.base, g.count, count, 1)
            offset += g.count
        }
        buffer[offset] = count
        buffer[offset + 1] = loss * count
        buffer[offset + 2] = vote.budgetSpent ? 1 : 0
        buffer[offset + 3] = vote.interrupted ? 1 : 0
        reducer.sum(buffer)
        let total = buffer[offset]
        offset = 0
        for p in parameters {
            let g = p.gradient
            wm_copy_scaled(g.base, buffer.baseAddress! + offset, g.count, 1, total)
            offset += g.count
        }
        return (buffer[offset + 1] / total, StopVote(budgetSpent: buffer[offset + 2] > 0, interrupted: buffer[offset + 3] > 0))
    }

    /// Gives every rank rank 0's parameter values (the start of a run).
    func broadcastWeights() {
        guard ranks > 1 else { return }
        pack(\.value)
        reducer.broadcastFromRoot(UnsafeMutableBufferPointer(rebasing: buffer[..<parameters.scalarCount]))
        var offset = 0
        for p in parameters {
            let v = p.value
            for i in 0..<v.count { v.base[i] = buffer[offset + i] }
            offset += v.count
        }
    }

    /// The largest absolute difference between any rank's parameter values and rank 0's (0 when they are
    /// identical, as they should be after every step).
    func maxWeightDifferenceFromRoot() -> Float {
        guard ranks > 1 else { return 0 }
        let n = parameters.scalarCount
        pack(\.value)
        reducer.broadcastFromRoot(UnsafeMutableBufferPointer(rebasing: buffer[..<n]))
        var largest: Float = 0, offset = 0
        for p in parameters {
            let v = p.value
            for i in 0..<v.count { largest = max(largest, abs(v.base[i] - buffer[offset + i])) }
            offset += v.count
        }
        // Slot r holds rank r's difference: the sum over ranks is then every rank's.
        let differences = UnsafeMutableBufferPointer(rebasing: buffer[..<ranks])
        differences.update(repeating: 0)
        differences[rank] = largest
        reducer.sum(differences)
        return differences.max() ?? 0
    }

    private func pack(_ field: KeyPath<Parameter, Matrix>) {
        var offset = 0
        for p in parameters {
            let m = p[keyPath: field]
            for i in 0..<m.count { buffer[offset + i] = m.base[i] }
            offset += m.count
        }
    }
}
