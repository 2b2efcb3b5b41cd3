#if Viewer
import Testing
import WorldModel
@testable import WMViewer

@Suite struct RecordedSourceTests {
    static func recording(steps: Int) throws -> Episode {
        try TeacherRecorder(scenePath: scenePath("push.xml")).record(episode: 1, steps: steps, seed: 7, policy: .waypoints).episode
    }

    @Test func playsTheFramesInOrderAndStopsAtTheLast() throws {
        let episode = try Self.recording(steps: 3)
        let scene = try GroundTruthSource(scenePath: scenePath("push.xml")).scene
        let source = try RecordedSource(episode: episode, scene: scene)
        let nq = scene.nq
        try source.step(action: [])
        #expect(source.observation.qpos == Array(episode.qpos[nq..<(2 * nq)]))
        for _ in 0..<5 { try source.step(action: []) }
        #expect(source.frame == 3)
        #expect(source.observation.qpos == Array(episode.qpos[(3 * nq)...]))
        #expect(source.observation.ctrl == Array(episode.actions.suffix(scene.nu)))
        // Body poses by forward kinematics agree with the poses MuJoCo recorded (moving bodies, frame 3).
        let moving = scene.movingBodyIndices, poses = episode.bodyPoses, bodies = moving.count
        for (slot, b) in moving.enumerated() {
            let o = (3 * bodies + slot) * bodyPoseWidth
            let d = source.observation.bodyPositions[b] - SIMD3(poses[o], poses[o + 1], poses[o + 2])
            #expect((d * d).sum().squareRoot() < 1e-5, "body \(b)")
        }
        try source.reset(to: source.observation)
        #expect(source.frame == 0)
    }

    @Test func theMuJoCoReplayOfARecordingStaysCloseAndTheSessionStopsAtItsEnd() throws {
        let episode = try Self.recording(steps: 25)
        let groundTruth = try GroundTruthSource(scenePath: scenePath("push.xml"))
        let session = try ViewerSession(groundTruth: groundTruth, learned: [try RecordedSource(episode: episode, scene: groundTruth.scene)],
                                        driver: .recorded(episode))
        #expect(session.positionErrorMeters == 0)
        for _ in 0..<30 { try session.advance() }
        #expect(session.step == 25 && session.isFinished)
        #expect(session.lastAction == Array(episode.actions.suffix(episode.actionDimension)))
        // Same actions from the same (float-rounded) start: the replay drifts by far less than a millimetre.
        let error = try #require(session.positionErrorMeters)
        #expect(error < 1e-3, "replay drifted \(error) m")
    }

    @Test func anEpisodeOfAnotherSceneIsRefused() throws {
        let episode = try Self.recording(steps: 2)
        let clutter = try GroundTruthSource(scenePath: scenePath("clutter.xml")).scene
        #expect(throws: WorldModelError.self) { _ = try RecordedSource(episode: episode, scene: clutter) }
    }
}
#endif
