import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// The package root, found from this file's path (tests run from any folder).
let packageRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(4)  // Tests/WorldModelTests/Teacher/<file>
    return parts.joined(separator: "/")
}()

func scenePath(_ name: String) -> String { packageRoot + "/scenes/" + name }

@Suite struct TeacherRecorderTests {
    @Test func pushEpisodesAreDeterministicAndPhysical() throws {
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        let a = try recorder.record(episode: 3, steps: 60, seed: 11, policy: .waypoints)
        let b = try recorder.record(episode: 3, steps: 60, seed: 11, policy: .waypoints)
        #expect(a.episode == b.episode)
        let e = a.episode
        #expect(e.frameCount == 61 && e.objectCount == 4 && e.actionDimension == 2)
        try e.validate()
        // Objects never sink below the table: z >= half-height minus MuJoCo's soft-contact penetration.
        for t in 0..<e.frameCount {
            for i in 0..<e.objectCount {
                let z = e.objectStates[(t * e.objectCount + i) * objectStateWidth + 2]
                #expect(z > 0.025 - 0.002)
            }
        }
        // Actions respect the actuator bounds.
        #expect(e.actions.allSatisfy { abs($0) <= 0.3 + 1e-6 })
    }

    @Test func waypointPolicyMakesContactInMostEpisodes() throws {
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        var touched = 0, moved = 0
        for k in 0..<10 {
            let r = try recorder.record(episode: k, steps: 100, seed: 1, policy: .waypoints)
            if r.robotTouchedObject { touched += 1 }
            if r.maxDisplacementMeters > 0.01 { moved += 1 }
        }
        #expect(touched >= 7)
        #expect(moved >= 6)
    }
}

@Suite struct TeacherDatasetGenerationTests {
    @Test func sameArgumentsWriteTheSameBytes() throws {
        let a = "/tmp/wm-gen-a-\(getpid()).wmds", b = "/tmp/wm-gen-b-\(getpid()).wmds"
        defer { unlink(a); unlink(b) }
        let summary = try TeacherRecorder(scenePath: scenePath("push.xml")).generateDataset(path: a, episodes: 4, steps: 30, seed: 5, policy: .waypoints)
        _ = try TeacherRecorder(scenePath: scenePath("push.xml")).generateDataset(path: b, episodes: 4, steps: 30, seed: 5, policy: .waypoints)
        #expect(try FileBytes.read(a) == FileBytes.read(b))
        let reader = try DatasetReader(path: a)
        #expect(reader.header.episodeCount == 4 && reader.header.framesPerEpisode == 31)
        #expect(reader.header.objects.count == 4 && reader.header.sceneName == "push")
        #expect(reader.header.contactFraction == summary.contactFraction)
        #expect(try reader.episode(3) == TeacherRecorder(scenePath: scenePath("push.xml")).record(episode: 3, steps: 30, seed: 5, policy: .waypoints).episode)
    }

    @Test func failedGenerationLeavesNoFile() throws {
        let out = "/tmp/wm-gen-fail-\(getpid()).wmds"
        #expect(throws: WorldModelError.self) {
            _ = try TeacherRecorder(scenePath: scenePath("push.xml")).generateDataset(path: out, episodes: 0, steps: 10, seed: 1, policy: .waypoints)
        }
        #expect(access(out, F_OK) != 0)
    }
}
