import Testing
@testable import WorldModel

@Suite struct BodySceneRendererTests {
    /// With a field set that has the pusher's link, the pusher is drawn by its field, not by its primitive: a link
    /// field emptied (zero density) leaves the table where the pusher stands, while the same objects without a
    /// link draw the red primitive there. A link naming no body of the scene is refused.
    @Test func robotLinkFieldDrawsTheRobot() throws {
        let sim = try MuJoCoSimulation(path: scenePath("push.xml"))
        let teacher = try RayCastRenderer(simulation: sim)
        let scene = sim.sceneModel
        let configuration = NeuralFieldConfiguration(
            hashGrid: HashGridConfiguration(levels: 2, featuresPerLevel: 2, log2TableSize: 6, baseResolution: 2, finestResolution: 8),
            hiddenWidths: [8], samplesAcrossBounds: 16, occupancyResolution: 4)
        let withLink = ObjectFieldSet(sceneName: teacher.scene.name, objects: teacher.scene.objects, robotLinks: [teacher.robotLink],
                                      table: teacher.table, configuration: configuration, seed: 1)
        let link = try #require(withLink.robotLinks.first)
        let mlp = withLink.fields[link.classIndex].mlp.parameters
        for i in 0..<mlp[mlp.count - 2].value.count { mlp[mlp.count - 2].value.base[i] = 0 }
        mlp[mlp.count - 1].value.base[0] = -40  // density e^-40 1/m: nothing there
        let withoutLink = ObjectFieldSet(sceneName: teacher.scene.name, objects: teacher.scene.objects, table: teacher.table,
                                         configuration: configuration, seed: 1)
        // The pusher at (0.1, 0.1), the cubes far away at the table's corners; a camera straight above the pusher.
        var qpos = scene.qpos0
        let free = scene.tree.joints.filter { $0.kind == .free }
        for (i, joint) in free.enumerated() {
            let a = joint.qposAddress
            qpos[a] = i % 2 == 0 ? -0.3 : 0.3
            qpos[a + 1] = i < 2 ? -0.3 : 0.3
        }
        let slides = scene.tree.joints.filter { $0.kind == .slide }
        qpos[slides[0].qposAddress] = 0.1
        qpos[slides[1].qposAddress] = 0.1
        let camera = PinholeCamera(lookFrom: [0.1, 0.1, 0.6], at: [0.1, 0.1, 0], up: [0, 1, 0], fieldOfViewDegrees: 20, width: 16, height: 16)
        let centre = (8 * 16 + 8) * 3
        let drawnByPrimitive = try BodySceneRenderer(scene: scene, fields: withoutLink).renderRGBD(camera: camera, qpos: qpos)
        let drawnByField = try BodySceneRenderer(scene: scene, fields: withLink).renderRGBD(camera: camera, qpos: qpos)
        let red = SIMD3(drawnByPrimitive.rgb[centre], drawnByPrimitive.rgb[centre + 1], drawnByPrimitive.rgb[centre + 2])
        let empty = SIMD3(drawnByField.rgb[centre], drawnByField.rgb[centre + 1], drawnByField.rgb[centre + 2])
        #expect(red.x > red.y + 0.3, "primitive pusher colour \(red)")
        #expect(!(empty.x > empty.y + 0.3), "an emptied link field still drew a red pusher: \(empty)")
        #expect(abs(drawnByField.depth[8 * 16 + 8] - 0.6) < 0.01, "the table at 0.6 m, got \(drawnByField.depth[8 * 16 + 8])")
        var renamed = withLink.description
        renamed.robotLinks![0].bodyName = "no_such_body"
        #expect(throws: WorldModelError.self) { try BodySceneRenderer(scene: scene, fields: ObjectFieldSet(description: renamed, seed: 1)) }
    }
}
