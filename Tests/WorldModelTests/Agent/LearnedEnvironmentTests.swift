import Testing
@testable import WorldModel

@Suite struct LearnedEnvironmentTests {
    /// Where the learned model is exact (no contacts: the robot moves in free space, the boxes rest), the
    /// learned environment follows the teacher's trajectory: the robot to within a millimetre, the boxes stay put.
    @Test func agreesWithTheTeacherWithoutContacts() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned: any Environment = try LearnedEnvironment(
            world: AgentFixtures.exactInFreeSpace(scene: teacher.scene, scenePath: scenePath("push.xml")), scene: teacher.scene, maxBatch: 4)
        let placement = AgentFixtures.cornerPlacement()
        let start = try teacher.reset(to: placement)
        let dreamStart = try learned.reset(to: placement)
        for (a, b) in zip(start.objects, dreamStart.objects) {
            #expect(simd_distance(a.position, b.position) < 0.002)
        }
        var worst: Float = 0
        for action in AgentFixtures.freeSpaceActions(count: 60) {
            let real = try teacher.step(action: action), dream = try learned.step(action: action)
            #expect(real.step == dream.step)
            let r = real.robotPosition - dream.robotPosition
            worst = max(worst, (SIMD2(r.x, r.y) * SIMD2(r.x, r.y)).sum().squareRoot())
            for i in real.objects.indices {
                #expect(simd_distance(real.objects[i].position, start.objects[i].position) < 0.001)
                #expect(simd_distance(dream.objects[i].position, dreamStart.objects[i].position) == 0)
                #expect(abs(dream.objects[i].yaw - dreamStart.objects[i].yaw) < 1e-5)
            }
        }
        #expect(worst < 0.001)
    }

    /// A batched rollout gives what stepping gives, and leaves the environment where it was.
    @Test func rolloutMatchesSteppingAndKeepsTheState() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned = try LearnedEnvironment(
            world: AgentFixtures.exactInFreeSpace(scene: teacher.scene, scenePath: scenePath("push.xml")), scene: teacher.scene, maxBatch: 2)
        try learned.reset(to: AgentFixtures.cornerPlacement())
        let before = learned.observation
        let plans = [AgentFixtures.freeSpaceActions(count: 10), [SIMD2](repeating: SIMD2(-0.1, 0.05), count: 7), [SIMD2(0.2, 0)]]
        let futures = try learned.rollout(actions: plans)
        #expect(learned.observation == before)
        #expect(futures.map(\.count) == [10, 7, 1])
        for (plan, future) in zip(plans, futures) {
            try learned.reset(to: AgentFixtures.cornerPlacement())
            for (t, action) in plan.enumerated() {
                let seen = try learned.step(action: action)
                #expect(simd_distance(seen.robotPosition, future[t].robotPosition) < 1e-6)
            }
        }
    }

    /// Rendering shows the boxes where the state has them: the pixel at a box's centre seen from above has the box's colour.
    @Test func renderingShowsObjectsAtTheirPoses() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        let learned = try LearnedEnvironment(
            world: AgentFixtures.exactInFreeSpace(scene: teacher.scene, scenePath: scenePath("push.xml")), scene: teacher.scene, maxBatch: 1)
        try learned.reset(to: AgentFixtures.cornerPlacement())
        try teacher.reset(to: AgentFixtures.cornerPlacement())
        let camera = PinholeCamera(lookFrom: [0, 0, 1], at: [0, 0, 0], up: [0, 1, 0], fieldOfViewDegrees: 40, width: 64, height: 64)
        let dream = learned.render(camera: camera), real = teacher.render(camera: camera)
        // Box 0 at (0.25, 0.25): right and up of the centre. Its pixel: x = (0.5 + 0.25 / (2 tan 20°)) * 64 (the view, +-0.36 m, stays on MuJoCo's 0.5 m table plane).
        let x = Int((0.5 + 0.25 / (2 * 0.36397)) * 64), y = Int((0.5 - 0.25 / (2 * 0.36397)) * 64)
        for image in [dream, real] {
            let o = (y * 64 + x) * 3
            let rgb = SIMD3(Float(image.pixels[o]), Float(image.pixels[o + 1]), Float(image.pixels[o + 2]))
            #expect(rgb.z > rgb.x + 40)  // box0 is blue (0.2, 0.5, 0.8)
        }
        var differing = 0
        for k in 0..<dream.pixels.count where abs(Int(dream.pixels[k]) - Int(real.pixels[k])) > 40 { differing += 1 }
        #expect(differing < dream.pixels.count / 20)
    }
}

func simd_distance(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float { ((a - b) * (a - b)).sum().squareRoot() }
