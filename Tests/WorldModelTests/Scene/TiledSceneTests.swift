#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WorldModel

@Suite struct TiledSceneTests {
    /// clutter.xml tiled 2 x 2: MuJoCo reads 32 objects, four copies of the eight in order, every one resting on the
    /// table upright, apart from every other and from the robot's start, on a table that holds them all.
    @Test func tilesClutterIntoASceneMuJoCoReads() throws {
        let template = String(decoding: try FileBytes.read(scenePath("clutter.xml")), as: UTF8.self)
        let objects = try MuJoCoSimulation(path: scenePath("clutter.xml")).scene.objects
        let tiled = try TiledScene(template: template, objects: objects, tilesPerSide: 2)
        let path = try temporaryFile("tiled-clutter.xml", tiled.mjcf)
        defer { unlink(path) }
        let simulation = try MuJoCoSimulation(path: path)
        let scene = try simulation.scene
        #expect(scene.objects.count == 32 && tiled.positions.count == 32)
        for (i, object) in scene.objects.enumerated() {
            let original = objects[i % 8]
            #expect(object.shape == original.shape && object.halfExtentsMeters == original.halfExtentsMeters && object.massKg == original.massKg)
        }
        let state = try simulation.objectStates()
        for i in 0..<32 {
            for k in 0..<3 { #expect(abs(state[i * objectStateWidth + k] - tiled.positions[i][k]) < 1e-5, "object \(i) where the tiling put it") }
            #expect(abs(tiled.positions[i].z - TiledScene.restingHeight(objects[i % 8])) < 1e-6)
        }
        // Apart (bounding circles in the plane may touch, the shapes not) and clear of the robot at its start.
        let builder = GraphBuilder(configuration: GraphFeatureConfiguration(connectivityRadiusMeters: 0, robotRadiusMeters: 0), objects: scene.objects, robot: scene.robot,
                                   maxEnvironments: 1)
        var start = DynamicsState(objectCount: 32, historyLength: 5)
        for (i, p) in tiled.positions.enumerated() { for k in 0..<3 { start.positions[i * 3 + k] = p[k] } }
        start.robotPosition = tiled.robotStart
        #expect(tiled.robotStart == SIMD3(0.1125, 0.1125, 0))
        build(builder, [start])
        #expect(builder.edgeCount == 0, "no two objects touch and the robot touches none: \((0..<builder.edgeCount).map { "\(builder.senderIndices[$0])->\(builder.receiverIndices[$0]) at \(builder.edgeView[$0, 4]) m" })")
        #expect(tiled.mjcf.contains("size=\"0.425 0.425 0.01\""), "the table grows to the tiles and a margin")
    }

    @Test func refusesATemplateWhoseObjectsItCannotFind() throws {
        #expect(throws: WorldModelError.self) { try TiledScene(template: "<mujoco/>", objects: [testBox], tilesPerSide: 2) }
        #expect(throws: WorldModelError.self) { try TiledScene(template: "<mujoco/>", objects: [], tilesPerSide: 0) }
    }
}
