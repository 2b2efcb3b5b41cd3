import Testing
@testable import WorldModel

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
