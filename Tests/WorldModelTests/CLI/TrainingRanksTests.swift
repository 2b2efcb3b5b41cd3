import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// `wm train` started as one of several MPI ranks (mpirun's `OMPI_COMM_WORLD_SIZE`): refused by a build without
/// the MPI trait, with one line saying how to build it (the MPI trait's own runs are WMMPITests).
#if MPI
@Suite struct TrainingRanksTests {
    @Test(.disabled("this build has the MPI trait: WMMPITests run wm train under mpirun"))
    func aBuildWithoutMPIRefusesToRunAsARank() {}
}
#else
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"))
struct TrainingRanksTests {
    @Test func aBuildWithoutMPIRefusesToRunAsARank() throws {
        let data = try #require(CLIFixture.pushData), out = "/tmp/wm-cli-ranks-\(getpid()).safetensors"
        let arguments = ["train", "--data", data, "--out", out, "--steps", "2"]
        let (status, _, err) = try runWM(arguments, environment: ["OMPI_COMM_WORLD_SIZE=2", "OMPI_COMM_WORLD_RANK=0"])
        #expect(status == 1)
        #expect(err.split(separator: "\n").count == 1 && err.contains("--traits MPI"), "stderr: \(err)")
        #expect(access(out, F_OK) != 0, "\(out) was written")
        // The other ranks end quietly, so the job's output says it once.
        let (otherStatus, _, otherErr) = try runWM(arguments, environment: ["OMPI_COMM_WORLD_SIZE=2", "OMPI_COMM_WORLD_RANK=1"])
        #expect(otherStatus == 1 && otherErr.isEmpty, "stderr: \(otherErr)")
    }
}
#endif
