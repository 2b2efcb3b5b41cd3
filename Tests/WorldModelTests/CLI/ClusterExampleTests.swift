import Foundation
import Testing
import WorldModel

/// The Kubernetes Indexed Job of docs/cluster/generate-job.yaml: its container command, run here as each of its
/// pods would (JOB_COMPLETION_INDEX 0..<completions), with the image's paths mapped onto this checkout and a
/// smaller run; the shards merge into the bytes of the unsharded run. (The sbatch pipeline's test, which needs
/// Slurm and MPI, is WMMPITests' SlurmPipelineTests.)
@Suite(.enabled(if: wmExecutable != nil, "needs the wm executable beside the test bundle (swift build builds it)"),
       .enabled(if: DatasetFixture.python("import yaml") != nil, "needs python3 with PyYAML to read the Job's YAML"))
struct ClusterExampleTests {
    @Test func theIndexedJobsPodsWriteShardsThatMergeIntoOneRun() throws {
        let wm = try #require(wmExecutable), folder = DatasetFixture.scratchFolder()
        defer { DatasetFixture.remove(folder) }
        let yaml = packageRoot + "/docs/cluster/generate-job.yaml"
        let read = try #require(DatasetFixture.python("""
            import json, yaml
            job = yaml.safe_load(open("\(yaml)"))
            c = job["spec"]["template"]["spec"]["containers"][0]
            print(json.dumps({"completions": job["spec"]["completions"], "mode": job["spec"]["completionMode"], "command": c["command"] + c["args"]}))
            """), "could not read \(yaml)")
        struct Job: Decodable { var completions: Int; var mode: String; var command: [String] }
        let job = try JSONDecoder().decode(Job.self, from: Data(read.utf8))
        #expect(job.mode == "Indexed" && job.command.count == 3 && job.command[0] == "sh")
        let command = job.command[2]
            .replacingOccurrences(of: "exec wm ", with: "exec \(wm) ")
            .replacingOccurrences(of: "/wm/scenes/", with: packageRoot + "/scenes/")
            .replacingOccurrences(of: "/data/", with: folder + "/")
            .replacingOccurrences(of: "--episodes 400 --steps 200", with: "--episodes 8 --steps 10")
        #expect(command.contains("--episodes 8 --steps 10") && command.contains("$JOB_COMPLETION_INDEX"), "\(command)")
        for index in 0..<job.completions {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
            process.environment = ["JOB_COMPLETION_INDEX": "\(index)", "PATH": "/usr/bin:/bin"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "pod \(index): \(command)")
        }
        let shards = (0..<job.completions).map { "\(folder)/shard-\($0).wmds" }
        let (merged, _, mergeErr) = try runWM(["dataset", "merge"] + shards + ["--out", folder + "/merged.wmds"])
        #expect(merged == 0, "\(mergeErr)")
        let (whole, _, wholeErr) = try runWM(["generate", "--scene", packageRoot + "/scenes/push.xml", "--episodes", "8", "--steps", "10",
                                              "--seed", "1", "--out", folder + "/whole.wmds"])
        #expect(whole == 0, "\(wholeErr)")
        #expect(try FileBytes.read(folder + "/merged.wmds") == FileBytes.read(folder + "/whole.wmds"))
    }
}
