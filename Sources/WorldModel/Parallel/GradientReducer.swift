/// How the ranks of a data-parallel run combine what each computed on its part of a minibatch: the trainer asks
/// for sums and for rank 0's values, and never learns whether another process exists. ``SingleProcessReducer``
/// is the one-rank identity; `MPIGradientReducer` (target `WMMPI`, built with the `MPI` trait) runs one
/// `MPI_Allreduce` / `MPI_Bcast` over `MPI_COMM_WORLD`.
///
/// Every call is collective: every rank makes the same calls in the same order with buffers of the same length.
public protocol GradientReducer: AnyObject {
    /// This process's rank, `0..<ranks`; rank 0 writes checkpoints and prints.
    var rank: Int { get }
    /// The number of processes training together.
    var ranks: Int { get }
    /// Replaces `values`, on every rank, by their elementwise sum over all ranks.
    func sum(_ values: UnsafeMutableBufferPointer<Float>)
    /// Replaces `values`, on every rank, by rank 0's.
    func broadcastFromRoot(_ values: UnsafeMutableBufferPointer<Float>)
}

extension GradientReducer {
    /// This rank's samples of every minibatch of `batch` (drawn alike on every rank from the same seed):
    /// `[rank * batch / ranks, (rank + 1) * batch / ranks)`; an error if some rank would get none.
    public func share(of batch: Int) throws -> Range<Int> {
        guard batch >= ranks else {
            throw WorldModelError("a minibatch of \(batch) cannot be split over \(ranks) ranks: use a batch size of at least \(ranks)")
        }
        return (batch * rank / ranks)..<(batch * (rank + 1) / ranks)
    }
}

/// One process: the sum over ranks is the process's own values, and it is rank 0.
public final class SingleProcessReducer: GradientReducer {
    public init() {}
    public var rank: Int { 0 }
    public var ranks: Int { 1 }
    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {}
    public func broadcastFromRoot(_ values: UnsafeMutableBufferPointer<Float>) {}
}
