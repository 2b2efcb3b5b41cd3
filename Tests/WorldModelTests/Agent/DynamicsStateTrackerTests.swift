import Testing
@testable import WorldModel

@Suite struct DynamicsStateTrackerTests {
    /// Fed a recorded episode frame by frame, the tracker builds the same state as `DynamicsState(episode:frame:)`.
    @Test func matchesTheStateBuiltFromTheEpisode() throws {
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        let e = try recorder.record(episode: 1, steps: 20, seed: 2, policy: .waypoints).episode
        let dt = Float(try recorder.scene.controlDtSeconds), h = 5
        func observation(_ t: Int) -> Observation {
            let poses = (0..<e.objectCount).map { i -> ObjectPose in
                let o = (t * e.objectCount + i) * objectStateWidth, s = e.objectStates
                return ObjectPose(position: SIMD3(s[o], s[o + 1], s[o + 2]), quaternion: SIMD4(s[o + 3], s[o + 4], s[o + 5], s[o + 6]))
            }
            let r = t * robotStateWidth
            let last = t > 0 ? SIMD2(e.actions[(t - 1) * 2], e.actions[(t - 1) * 2 + 1]) : .zero
            return Observation(objects: poses, robotPosition: SIMD3(e.robotStates[r], e.robotStates[r + 1], e.robotStates[r + 2]), lastAction: last, step: t)
        }
        var tracker = DynamicsStateTracker(objectCount: e.objectCount, historyLength: h, dtSeconds: dt)
        tracker.start(at: observation(0))
        for t in 1...12 {
            tracker.advance(to: observation(t))
            if t >= h {
                let expected = DynamicsState(episode: e, frame: t, historyLength: h, dtSeconds: dt)
                #expect(tracker.state == expected)
            }
        }
    }
}
