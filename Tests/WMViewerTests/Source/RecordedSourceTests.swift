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
        let source = RecordedSource(episode: episode)
        let width = episode.objectCount * objectStateWidth
        try source.step(action: [])
        #expect(source.objectStates == Array(episode.objectStates[width..<(2 * width)]))
        for _ in 0..<5 { try source.step(action: []) }
        #expect(source.frame == 3)
        #expect(source.robotState == Array(episode.robotStates[(3 * robotStateWidth)...]))
        try source.reset(objectStates: [], robotState: [])
        #expect(source.frame == 0)
        #expect(source.memoryFootprintBytes == 4 * (4 * 4 * 13 + 4 * 6 + 3 * 2 + 4))
    }

    @Test func theMuJoCoReplayOfARecordingStaysCloseAndTheSessionStopsAtItsEnd() throws {
        let episode = try Self.recording(steps: 25)
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: scenePath("push.xml")),
                                        learned: [RecordedSource(episode: episode)], driver: .recorded(episode))
        #expect(session.positionErrorMeters == 0)
        for _ in 0..<30 { try session.advance() }
        #expect(session.step == 25 && session.isFinished)
        #expect(session.lastAction == Array(episode.actions.suffix(episode.actionDimension)))
        // Same actions from the same (float-rounded) start: the replay drifts by far less than a millimetre.
        let error = try #require(session.positionErrorMeters)
        #expect(error < 1e-3, "replay drifted \(error) m")
    }
}
#endif
