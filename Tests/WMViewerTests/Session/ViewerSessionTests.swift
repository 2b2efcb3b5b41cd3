#if Viewer
import Testing
import WorldModel
@testable import WMViewer

@Suite struct ViewerSessionTests {
    @Test func resetReturnsToTheSameStartAndStepsMatchTheTeacher() throws {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: scenePath("push.xml")), seed: 3, episode: 2)
        let start = session.groundTruth.objectStates
        for _ in 0..<10 { try session.advance() }
        #expect(session.step == 10)
        #expect(session.groundTruth.robotState != [Float](repeating: 0, count: robotStateWidth))
        try session.reset()
        #expect(session.step == 0)
        #expect(session.groundTruth.objectStates == start)
        // The start is the recorder's frame 0 of the same episode.
        let recording = try TeacherRecorder(scenePath: scenePath("push.xml")).record(episode: 2, steps: 1, seed: 3, policy: .still)
        #expect(Array(recording.episode.objectStates.prefix(start.count)) == start)
    }

    @Test func keyboardCommandsScaleToTheActionBounds() throws {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: scenePath("push.xml")), driver: .keyboard)
        session.keyboardCommand = [1, -1]
        try session.advance()
        #expect(session.lastAction == [session.scene.robot.actionHigh[0], session.scene.robot.actionLow[1]])
        #expect(session.positionErrorMeters == nil)
    }

    @Test func legendShowsStepErrorAndMemory() throws {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: scenePath("push.xml")))
        let lines = ViewerLegend.lines(session: session, paused: true, speed: 0.5, fieldShown: false, field: nil)
        #expect(lines[0] == "STEP 0  T 0.00 S  SPEED 1/2X  [PAUSED]")
        #expect(lines.contains("[F] NEURAL FIELD: NOT LOADED"))
        let fields = try ObjectFieldSet.load(from: packageRoot + "/models/push-field.safetensors")
        let withField = ViewerLegend.lines(session: session, paused: false, speed: 1, fieldShown: true, field: (fields, session.groundTruth.label))
        #expect(withField.contains { $0.hasPrefix("[F] ON  NEURAL FIELD OF \(session.groundTruth.label.uppercased())  MEM ") })
        #expect(lines.contains { $0.hasPrefix("POSITION ERROR") })
        #expect(lines.contains { $0.contains("MEM -") })
        #expect(ViewerLegend.memoryText(3 << 20) == "3.00 MB")
        #expect(ViewerLegend.fixed(-0.004, 2) == "0.00" && ViewerLegend.fixed(2.345, 1) == "2.3")
    }
}
#endif
