#if MPI
import CMPI
import WorldModel

/// The ranks of `MPI_COMM_WORLD` (started by `mpirun -np N` or `srun`) as a ``GradientReducer``: `sum` is one
/// in-place `MPI_Allreduce(MPI_SUM)` of floats, `broadcastFromRoot` one `MPI_Bcast` from rank 0.
///
/// Errors are Open MPI's default for `MPI_COMM_WORLD`, `MPI_ERRORS_ARE_FATAL`: a rank that dies or fails makes
/// `mpirun` (or Slurm) end every rank of the job with a message naming it, instead of the others waiting for
/// it for ever. One instance per process: `MPI_Init` in `init`, `MPI_Finalize` in ``finalize()``.
public final class MPIGradientReducer: GradientReducer {
    public let rank: Int
    public let ranks: Int
    private var finalized = false

    public init() throws {
        var initialized: Int32 = 0
        MPI_Initialized(&initialized)
        if initialized == 0 {
            guard MPI_Init(nil, nil) == MPI_SUCCESS else { throw WorldModelError("MPI_Init failed") }
        }
        var r: Int32 = 0, n: Int32 = 0
        MPI_Comm_rank(wm_mpi_comm_world(), &r)
        MPI_Comm_size(wm_mpi_comm_world(), &n)
        rank = Int(r)
        ranks = Int(n)
    }

    public func sum(_ values: UnsafeMutableBufferPointer<Float>) {
        guard ranks > 1, let base = values.baseAddress else { return }
        precondition(values.count <= Int(Int32.max), "an allreduce of more than 2^31 floats")
        MPI_Allreduce(wm_mpi_in_place(), base, Int32(values.count), wm_mpi_float(), wm_mpi_sum(), wm_mpi_comm_world())
    }

    public func broadcastFromRoot(_ values: UnsafeMutableBufferPointer<Float>) {
        guard ranks > 1, let base = values.baseAddress else { return }
        precondition(values.count <= Int(Int32.max), "a broadcast of more than 2^31 floats")
        MPI_Bcast(base, Int32(values.count), wm_mpi_float(), 0, wm_mpi_comm_world())
    }

    /// Ends MPI for this process (collective: every rank calls it once, after its last exchange).
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        MPI_Finalize()
    }
}
#endif
