import Testing
@testable import WorldModel

/// `Environment.observeCameras`: observations that carry what a camera sees.
@Suite struct EnvironmentCamerasTests {
    static let camera = PinholeCamera(lookFrom: [0.35, -0.05, 0.55], at: [0, 0, 0], fieldOfViewDegrees: 45, width: 32, height: 32)

    /// The teacher's observations carry the ray-cast frame of its state (the one `CameraObserver` renders of the
    /// same `qpos`), after resets and steps but not in rollouts; an empty camera list stops them.
    @Test func teacherObservationsCarryItsFrames() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        try teacher.observeCameras([Self.camera])
        let start = try teacher.reset(to: AgentFixtures.cornerPlacement())
        #expect(start.frames.count == 1)
        let observer = try CameraObserver(scenePath: scenePath("push.xml"), cameras: [Self.camera], depthNoiseMeters: 0, seed: 1)
        let expected = try observer.observe(qpos: start.qpos)[0]
        let frame = try #require(start.frames.first)
        #expect(frame.camera == Self.camera)
        let worst = zip(frame.image.depth, expected.image.depth).map { abs($0 - $1) }.max() ?? 1
        #expect(worst < 1e-4 && frame.image.depth.contains { $0 > 0 })

        let moved = try teacher.step(action: [0.3, 0.1])
        #expect(moved.frames.count == 1 && moved.frames[0] != start.frames[0])
        let futures = try teacher.rollout(actions: [[[0.1, 0], [0.1, 0]]])
        #expect(futures[0].allSatisfy { $0.frames.isEmpty })
        #expect(teacher.observation.frames == moved.frames)

        try teacher.observeCameras([Self.camera], depthNoiseMeters: 0.002, seed: 3)
        let noisy = teacher.observation
        _ = try teacher.rollout(actions: [[[0.1, 0]]])
        #expect(teacher.observation == noisy)

        try teacher.observeCameras([])
        #expect(try teacher.step(action: [0, 0]).frames.isEmpty)
    }

    /// The learned environment's frames show its predicted state: started where the teacher is, its depths are the
    /// teacher's (the same primitives, ray-cast analytically) on nearly every pixel.
    @Test func learnedObservationsShowThePrediction() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned = try LearnedEnvironment(model: AgentFixtures.shippedPushModel(), maxBatch: 1)
        try teacher.observeCameras([Self.camera])
        try learned.observeCameras([Self.camera])
        let start = try teacher.reset(to: AgentFixtures.cornerPlacement())
        let dream = try learned.reset(to: start)
        let real = try #require(start.frames.first), seen = try #require(dream.frames.first)
        let agreeing = zip(real.image.depth, seen.image.depth).filter { abs($0 - $1) < 0.001 }.count
        #expect(Double(agreeing) >= 0.95 * Double(real.image.depth.count), "\(agreeing) of \(real.image.depth.count) pixels agree")
        #expect(try learned.rollout(actions: [[[0.1, 0]]])[0].allSatisfy { $0.frames.isEmpty })
        #expect(try learned.step(action: [0.1, 0]).frames.count == 1)
    }

    /// With the shipped push fields, the learned environment draws the cubes and the table with the fields and the
    /// pusher as its primitives: its depths agree with the teacher's ray-cast frame on most pixels, the pixel at each
    /// cube's centre has that cube's colour, fields of another scene are refused naming the file, and nil goes back
    /// to primitives.
    @Test func learnedFramesDrawTheFreeBodiesWithTheFields() throws {
        let camera = PinholeCamera(lookFrom: [0.35, -0.05, 0.55], at: [0, 0, 0], fieldOfViewDegrees: 45, width: 48, height: 48)
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned = try LearnedEnvironment(model: AgentFixtures.shippedPushModel(), maxBatch: 1)
        try teacher.observeCameras([camera])
        try learned.observeCameras([camera])
        let start = try teacher.reset(to: AgentFixtures.cornerPlacement())
        let primitives = try #require(try learned.reset(to: start).frames.first)
        let fieldPath = packageRoot + "/models/push-field.safetensors"
        try learned.useFields(ObjectFieldSet.load(from: fieldPath), source: fieldPath)
        let seen = try #require(learned.observation.frames.first), real = try #require(start.frames.first)
        #expect(seen != primitives)
        let agreeing = zip(real.image.depth, seen.image.depth).filter { abs($0 - $1) < 0.01 }.count
        #expect(Double(agreeing) >= 0.8 * Double(real.image.depth.count), "\(agreeing) of \(real.image.depth.count) pixels agree within 1 cm")
        let scene = learned.sceneModel
        let free = scene.tree.joints.filter { $0.kind == .free }
        let colours = free.map { joint in scene.geoms.first { $0.body == joint.body }!.rgba }
        var inView = 0
        for (i, joint) in free.enumerated() {
            let a = joint.qposAddress
            guard let pixel = camera.project(SIMD3(start.qpos[a], start.qpos[a + 1], start.qpos[a + 2])),
                  pixel.x >= 1, pixel.y >= 1, pixel.x < Float(camera.width - 1), pixel.y < Float(camera.height - 1) else { continue }
            inView += 1
            let p = Int(pixel.y) * camera.width + Int(pixel.x)
            let rgb = SIMD3(seen.image.rgb[3 * p], seen.image.rgb[3 * p + 1], seen.image.rgb[3 * p + 2])
            let chroma = rgb / max(rgb.sum(), 1e-3)
            let nearest = colours.indices.min { x, y in
                let cx = SIMD3(colours[x][0], colours[x][1], colours[x][2]), cy = SIMD3(colours[y][0], colours[y][1], colours[y][2])
                let dx = cx / cx.sum() - chroma, dy = cy / cy.sum() - chroma
                return (dx * dx).sum() < (dy * dy).sum()
            }
            #expect(nearest == i, "cube \(i) at pixel \(pixel): colour \(rgb)")
        }
        #expect(inView >= 2, "only \(inView) cubes in view")
        // The shipped fields draw the pusher with its own link field: red at the capsule's centre.
        #expect(learned.fields?.robotLinks.map(\.bodyName) == ["pusher"])
        let slides = scene.tree.joints.filter { $0.kind == .slide }
        let pusher = try #require(camera.project(SIMD3(start.qpos[slides[0].qposAddress], start.qpos[slides[1].qposAddress], 0.05)))
        let o = 3 * (Int(pusher.y) * camera.width + Int(pusher.x))
        let red = SIMD3(seen.image.rgb[o], seen.image.rgb[o + 1], seen.image.rgb[o + 2])
        #expect(red.x > red.y + 0.2 && red.x > red.z + 0.2, "the pusher's pixel \(pusher) is \(red)")
        let clutter = packageRoot + "/models/clutter-field.safetensors"
        #expect(throws: WorldModelError.self) { try learned.useFields(ObjectFieldSet.load(from: clutter), source: clutter) }
        try learned.useFields(nil)
        #expect(learned.observation.frames.first == primitives)
    }
}
