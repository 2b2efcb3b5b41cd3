#if Viewer
import Testing
import WorldModel
@testable import WMViewer

@Suite struct LearnedSourceTests {
    @Test func theShippedPushModelFollowsMuJoCoInTheViewerSession() throws {
        let groundTruth = try GroundTruthSource(scenePath: scenePath("push.xml"))
        let learned = try LearnedSource(modelPath: packageRoot + "/models/push-bodies.safetensors", scene: groundTruth.scene)
        let session = try ViewerSession(groundTruth: groundTruth, learned: [learned], driver: .scripted(.waypoints), seed: 3, episode: 2)
        #expect(session.positionErrorMeters == 0)
        for _ in 0..<50 { try session.advance() }
        let error = try #require(session.positionErrorMeters)
        // One second of pushing from a start with no velocity history: the learned world stays within a centimetre.
        #expect(error < 0.01, "learned drifted \(error) m from MuJoCo")
        #expect(error > 0, "the learned source did not move on its own")
        #expect((learned.memoryFootprintBytes ?? 0) > learned.model.parameterBytes)
    }

    @Test func aModelOfAnotherSceneOrAFreeObjectCheckpointIsRefusedNamingTheFile() throws {
        let push = try GroundTruthSource(scenePath: scenePath("push.xml"))
        for file in ["clutter.safetensors", "push.safetensors"] {
            let path = packageRoot + "/models/" + file
            let error = #expect(throws: WorldModelError.self) { _ = try LearnedSource(modelPath: path, scene: push.scene) }
            #expect(error?.description.contains(path) == true, "\(error?.description ?? "")")
        }
    }
}
#endif
