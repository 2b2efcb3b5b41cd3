import Testing
import WorldModel

/// A model of `kind` for `objects`, `robot` and control step `dt`, with fresh weights.
func compatibilityModel(_ kind: DynamicsKind = .gnn, objects: [ObjectDescription], robot: RobotDescription = testPusher,
                        dt: Float = 0.02) -> DynamicsModel {
    var configuration = DynamicsConfiguration.preset(named: "small")!
    configuration.kind = kind
    return DynamicsModel(configuration: configuration, objects: objects, robot: robot, dtSeconds: dt,
                         robotKinematics: RobotKinematics(alpha: 0, beta: 1, gamma: 0, lowerBound: SIMD2(-1, -1), upperBound: SIMD2(1, 1)), seed: 1)
}

@Suite struct InputCompatibilityTests {
    let push = try! MuJoCoSimulation(path: scenePath("push.xml")).scene
    let clutter = try! MuJoCoSimulation(path: scenePath("clutter.xml")).scene

    private func header(_ scene: SceneDescription, dt: Double? = nil, robot: RobotDescription? = nil) -> DatasetHeader {
        DatasetHeader(sceneName: scene.name, mjcf: "", seed: 1, source: "test", policy: "still", controlDtSeconds: dt ?? scene.controlDtSeconds,
                      objects: scene.objects, robot: robot ?? scene.robot, episodeCount: 0, framesPerEpisode: 10, splits: [])
    }

    private func message(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    @Test func aDatasetMustMatchItsSceneObjectForObject() throws {
        try InputCompatibility.check(dataset: header(push), file: "d.wmds", recordedIn: push, sceneFile: "push.xml")
        #expect(message { try InputCompatibility.check(dataset: header(clutter), file: "d.wmds", recordedIn: push, sceneFile: "push.xml") }?
            .hasPrefix("d.wmds: holds 8 objects (scene 'clutter'), the scene push.xml has 4") == true)
        var reshaped = header(push)
        reshaped.objects[2].shape = .sphere
        #expect(message { try InputCompatibility.check(dataset: reshaped, file: "d.wmds", recordedIn: push, sceneFile: "push.xml") }?.contains("object 2 is a sphere") == true)
        var wide = push.robot
        wide.actionDimension = 3
        #expect(message { try InputCompatibility.check(dataset: header(push, robot: wide), file: "d.wmds", recordedIn: push, sceneFile: "push.xml") }?.contains("3 components") == true)
        #expect(message { try InputCompatibility.check(dataset: header(push, dt: 0.05), file: "d.wmds", recordedIn: push, sceneFile: "push.xml") }?.contains("0.05 s control step") == true)
    }

    @Test func aModelMustMatchTheRobotAndControlStepAndTheDenseBaselineItsObjects() throws {
        let gnn = compatibilityModel(objects: push.objects)
        try InputCompatibility.check(model: gnn, file: "m", runsOn: clutter.objects, robot: clutter.robot, controlDtSeconds: 0.02, source: "clutter.xml")
        let dense = compatibilityModel(.denseMLP, objects: push.objects)
        #expect(message { try InputCompatibility.check(model: dense, file: "m", runsOn: clutter.objects, robot: clutter.robot, controlDtSeconds: 0.02, source: "clutter.xml") }?
            .hasPrefix("m: is the dense MLP baseline of 4 objects and cannot take the 8 of clutter.xml") == true)
        var wide = testPusher
        wide.actionDimension = 3
        #expect(message { try InputCompatibility.check(model: compatibilityModel(objects: push.objects, robot: wide), file: "m", runsOn: push.objects, robot: push.robot, controlDtSeconds: 0.02, source: "push.xml") }?
            .hasPrefix("m: trained for a robot with 3 action components") == true)
        #expect(message { try InputCompatibility.check(model: compatibilityModel(objects: push.objects, dt: 0.05), file: "m", runsOn: push.objects, robot: push.robot, controlDtSeconds: 0.02, source: "push.xml") }?
            .hasPrefix("m: trained at a 0.05 s control step") == true)
    }

    @Test func resumingNeedsTheTrainingObjectsAndHistoryNeedsFrames() throws {
        let model = compatibilityModel(objects: push.objects)
        try InputCompatibility.check(resumed: model, file: "m", trainsOn: header(push), dataFile: "d.wmds")
        #expect(message { try InputCompatibility.check(resumed: model, file: "m", trainsOn: header(clutter), dataFile: "d.wmds") }?
            .hasPrefix("m: was trained on 4 objects (box x4), the dataset d.wmds holds 8") == true)
        #expect(message { try InputCompatibility.check(model: model, file: "m", historyFits: model.historyLength + 1, dataFile: "d.wmds") }?.hasPrefix("d.wmds: episodes have") == true)
        try InputCompatibility.check(model: model, file: "m", historyFits: model.historyLength + 2, dataFile: "d.wmds")
    }

    @Test func aFieldMustHaveOneFieldPerObjectOfItsShape() throws {
        let table = TableDescription(heightMeters: 0, halfExtentsMeters: SIMD2(0.4, 0.4), rgb: SIMD3(0.5, 0.5, 0.5))
        var configuration = NeuralFieldConfiguration.standard
        configuration.hashGrid.levels = 1
        configuration.hashGrid.log2TableSize = 4
        let fields = ObjectFieldSet(sceneName: "push", objects: push.objects, table: table, configuration: configuration, seed: 1)
        try InputCompatibility.check(field: fields, file: "f", rendersObjectsOf: push.objects, source: "push.xml")
        #expect(message { try InputCompatibility.check(field: fields, file: "f", rendersObjectsOf: clutter.objects, source: "clutter.xml") }?
            .hasPrefix("f: holds fields for 4 objects, clutter.xml has 8") == true)
        var reshaped = push.objects
        reshaped[1].halfExtentsMeters = [0.05, 0.05, 0.05]
        #expect(message { try InputCompatibility.check(field: fields, file: "f", rendersObjectsOf: reshaped, source: "s") }?.hasPrefix("f: object 1's field is a box") == true)
        // A field of the pusher's body is refused for a scene whose robot is another body.
        let link = RobotLinkShape(bodyName: "pusher", shape: .capsule, halfExtentsMeters: [0.015, 0.03, 0], rgba: [1, 0, 0, 1], centreMeters: [0, 0, 0.05])
        let withRobot = ObjectFieldSet(sceneName: "push", objects: push.objects, robotLinks: [link], table: table, configuration: configuration, seed: 1)
        var robot = push.robot
        try InputCompatibility.check(field: withRobot, file: "f", rendersObjectsOf: push.objects, robot: robot, source: "push.xml")
        robot.name = "arm"
        #expect(message { try InputCompatibility.check(field: withRobot, file: "f", rendersObjectsOf: push.objects, robot: robot, source: "s") }
            == "f: has a field of robot body 'pusher', the robot of s is 'arm'")
    }
}
