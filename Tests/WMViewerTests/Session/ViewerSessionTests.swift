#if Viewer
import Testing
import WorldModel
@testable import WMViewer

@Suite struct ViewerSessionTests {
    @Test func resetReturnsToTheRecordersStartAndScriptedStepsReplayTheRecordedEpisode() throws {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: scenePath("push.xml")), seed: 3, episode: 2)
        let start = session.groundTruth.observation.qpos
        for _ in 0..<10 { try session.advance() }
        #expect(session.step == 10)
        let recording = try TeacherRecorder(scenePath: scenePath("push.xml")).record(episode: 2, steps: 10, seed: 3, policy: .waypoints).episode
        let nq = session.scene.nq
        #expect(Array(recording.qpos.prefix(nq)) == start)
        // The viewer's scripted driver is the teacher's policy of that episode: the same actions, the same states.
        #expect(session.groundTruth.observation.qpos == Array(recording.qpos.suffix(nq)))
        #expect(session.lastAction == Array(recording.actions.suffix(session.scene.nu)))
        try session.reset()
        #expect(session.step == 0)
        #expect(session.groundTruth.observation.qpos == start)
    }

    @Test(.enabled(if: stackerPresent, "needs dm_control's stacker.xml: tools/fetch-dm-control.sh"))
    func theReachPolicyDrivesStackersArmAsWmGenerateDoes() throws {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: stackerPath), driver: .scripted(.reach), seed: 5, episode: 1)
        for _ in 0..<8 { try session.advance() }
        let recording = try TeacherRecorder(scenePath: stackerPath).record(episode: 1, steps: 8, seed: 5, policy: .reach).episode
        #expect(session.lastAction.count == 5)
        #expect(session.groundTruth.observation.qpos == Array(recording.qpos.suffix(session.scene.nq)))
        // The error averages over the four boxes, not the arm.
        #expect(session.measuredBodies.count == 4)
    }

    @Test(.enabled(if: stackerPresent, "needs dm_control's stacker.xml: tools/fetch-dm-control.sh"))
    func aPolicyTheSceneCannotRunIsRefusedNamingTheFile() throws {
        let error = #expect(throws: WorldModelError.self) {
            _ = try ViewerSession(groundTruth: GroundTruthSource(scenePath: stackerPath), driver: .scripted(.waypoints))
        }
        #expect(error?.description.contains("stacker.xml") == true)
    }

    @Test func keyboardCommandsScaleToTheFirstTwoActuatorsRanges() throws {
        let session = try ViewerSession(groundTruth: GroundTruthSource(scenePath: scenePath("push.xml")), driver: .keyboard)
        session.keyboardCommand = [1, -1]
        try session.advance()
        #expect(session.lastAction == [session.scene.ctrlHigh[0], session.scene.ctrlLow[1]])
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
        #expect(lines.contains("ACTIONS: SCRIPTED waypoints  CTRL (0.00, 0.00)"))
        #expect(ViewerLegend.memoryText(3 << 20) == "3.00 MB")
        #expect(ViewerLegend.fixed(-0.004, 2) == "0.00" && ViewerLegend.fixed(2.345, 1) == "2.3")
    }
}
#endif
