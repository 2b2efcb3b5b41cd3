import WorldModel
#if MPI
import WMMPI
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The processes `wm train` trains with: one, or the ranks of an MPI job when `mpirun -np N` or `srun` started it
/// (and wm was built with `--traits MPI`; without the trait such a start is refused, rather than N processes each
/// training alone and writing the same file).
struct TrainingRanks {
    let reducer: any GradientReducer
    #if MPI
    private let mpi: MPIGradientReducer?
    #endif

    /// How many processes the launcher says it started: Open MPI's `OMPI_COMM_WORLD_SIZE`, a PMI launcher's
    /// `PMI_SIZE` (`srun --mpi=pmi2`), or Slurm's `SLURM_STEP_NUM_TASKS` for a PMIx start (`PMIX_RANK` set); 1 if none.
    static var launched: Int {
        func number(_ name: String) -> Int? { getenv(name).flatMap { Int(String(cString: $0)) } }
        if let n = number("OMPI_COMM_WORLD_SIZE") ?? number("PMI_SIZE") { return n }
        if getenv("PMIX_RANK") != nil, let n = number("SLURM_STEP_NUM_TASKS") { return n }
        return 1
    }

    /// This process's rank among `launched` according to the launcher (before MPI is up).
    static var launchedRank: Int {
        for name in ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"] {
            if let value = getenv(name).flatMap({ Int(String(cString: $0)) }) { return value }
        }
        return 0
    }

    init() throws {
        let launched = Self.launched
        #if MPI
        mpi = launched > 1 ? try MPIGradientReducer() : nil
        reducer = mpi ?? SingleProcessReducer()
        #else
        if launched > 1 {
            // Every rank refuses; one line from rank 0 says why.
            if Self.launchedRank != 0 { exit(1) }
            throw WorldModelError("wm train was started as one of \(launched) MPI ranks, but this wm was built without MPI: build it with `swift build -c release --traits MPI` (Open MPI: libopenmpi-dev)")
        }
        reducer = SingleProcessReducer()
        #endif
    }

    /// Rank 0 prints and writes; the other ranks only compute.
    var isRoot: Bool { reducer.rank == 0 }

    /// Ends MPI after a run every rank finished (a rank that throws instead ends the job through `mpirun`).
    func finish() {
        #if MPI
        mpi?.finalize()
        #endif
    }
}
