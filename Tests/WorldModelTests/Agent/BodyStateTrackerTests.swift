import Testing
@testable import WorldModel

@Suite struct BodyStateTrackerTests {
    /// Fed a recorded episode's qpos frame by frame, the tracker builds the same state as `BodyState(episode:frame:)`;
    /// started at rest, its history is the start configuration repeated.
    @Test func matchesTheStateBuiltFromTheEpisode() throws {
        let recorder = try TeacherRecorder(scenePath: scenePath("push.xml"))
        let e = try recorder.record(episode: 1, steps: 20, seed: 2, policy: .waypoints).episode
        let scene = recorder.sceneModel, nq = scene.nq, nv = scene.nv, h = 3
        func observation(_ t: Int) -> Observation {
            Observation(qpos: Array(e.qpos[(t * nq)..<((t + 1) * nq)]), qvel: [Float](repeating: 0, count: nv), ctrl: [0, 0],
                        bodyPositions: [], bodyQuaternions: [], step: t)
        }
        var tracker = BodyStateTracker(scene: scene, historyLength: h)
        tracker.start(at: observation(0))
        #expect(tracker.state.qposHistory == [Float]((0...h).map { _ in observation(0).qpos }.joined()))
        for t in 1...12 {
            tracker.advance(to: observation(t))
            if t >= h { #expect(tracker.state == BodyState(episode: e, frame: t, historyLength: h, nq: nq)) }
        }
    }

    /// Started from a moving observation, the history runs back along qvel: its finite difference is qvel.
    @Test func startExtrapolatesTheVelocityBack() throws {
        let scene = AgentFixtures.pushScene
        var qvel = [Float](repeating: 0, count: scene.nv)
        qvel[0] = 0.2; qvel[1] = -0.1
        let start = Observation(qpos: scene.qpos0, qvel: qvel, ctrl: [0, 0], bodyPositions: [], bodyQuaternions: [])
        var tracker = BodyStateTracker(scene: scene, historyLength: 2)
        tracker.start(at: start)
        let q = tracker.state.qposHistory, nq = scene.nq
        let v = JointSpaceIntegrator(tree: scene.tree).differentiate(from: Array(q[nq..<(2 * nq)]), to: Array(q[(2 * nq)...]),
                                                                     dtSeconds: scene.controlDtSeconds)
        for k in 0..<scene.nv { #expect(abs(v[k] - qvel[k]) < 1e-4) }
    }
}
