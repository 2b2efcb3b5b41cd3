#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import WorldModel

@Suite struct TaskKindTests {
    /// Push tasks on the push scene: a goal 15-25 cm from the object, inside the table's +-22 cm, the same for
    /// the same seed; odd tasks put another object near the straight path.
    @Test func pushGoalsAreFarAndReproducible() throws {
        let teacher = try MuJoCoEnvironment(scenePath: scenePath("push.xml"))
        var behind = 0
        for k in 0..<12 {
            let task = try #require(try TaskEvaluation(kind: .push, seed: 7, count: 12).start(k, environment: teacher) as? MoveObjectTask)
            let again = try #require(try TaskEvaluation(kind: .push, seed: 7, count: 12).start(k, environment: teacher) as? MoveObjectTask)
            #expect(task == again)
            let seen = teacher.observation
            let d = task.distance(seen)
            #expect(d >= 0.149 && d <= 0.251, "task \(k): \(d) m")
            #expect(abs(task.target.x) <= 0.22 && abs(task.target.y) <= 0.22)
            #expect(teacher.sceneModel.passiveBodyIndices.contains(task.object) && task.pusher == teacher.sceneModel.handBodyIndex)
            if k % 2 == 1 {
                let p = seen.bodyPositions[task.object]
                let near = teacher.sceneModel.passiveBodyIndices.filter { $0 != task.object }.contains { b in
                    TaskKind.segmentDistance(SIMD2(seen.bodyPositions[b].x, seen.bodyPositions[b].y), SIMD2(p.x, p.y), SIMD2(task.target.x, task.target.y)) < 0.04
                }
                if near { behind += 1 }
            }
        }
        #expect(behind >= 4, "only \(behind) of 6 odd tasks have an object in the way")
    }

    /// Bring tasks on dm_control's stacker: a box 10-20 cm along x, on the floor, within +-0.4 m; a scene without free
    /// objects cannot pose a push task.
    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (tools/fetch-dm-control.sh)"))
    func bringTargetsOnTheFloorWithinReach() throws {
        let teacher = try MuJoCoEnvironment(scenePath: dmControlSuite + "stacker.xml")
        for k in 0..<6 {
            let task = try #require(try TaskEvaluation(kind: .bring, seed: 3, count: 6).start(k, environment: teacher) as? MoveObjectTask)
            // The boxes start in the air and fall: the target is 10-20 cm along x, resting on the floor.
            let dx = abs(task.target.x - teacher.observation.bodyPositions[task.object].x)
            #expect(dx >= 0.099 && dx <= 0.201 && abs(task.target.x) <= 0.4)
            #expect(task.target.z > 0.01 && task.target.z < 0.05, "target height \(task.target.z) m")
            #expect(teacher.sceneModel.tree.bodies[task.pusher].name == "hand")
        }
        #expect(throws: WorldModelError.self) { try TaskEvaluation(kind: .push, seed: 3, count: 1).start(0, environment: teacher) }
    }

    /// Stack tasks on dm_control's stacker: one box onto the nearest other, the target moving with the lower box
    /// (its top face plus the upper box's half-height); solved exactly when MuJoCo holds the box there.
    @Test(.enabled(if: dmControlPresent, "needs dm_control's suite MJCF at /tmp/dmc (tools/fetch-dm-control.sh)"))
    func stackTargetsSitOnTheNearestOtherBox() throws {
        let teacher = try MuJoCoEnvironment(scenePath: dmControlSuite + "stacker.xml")
        let scene = teacher.sceneModel
        for k in 0..<4 {
            let task = try #require(try TaskEvaluation(kind: .stack, seed: 5, count: 4).start(k, environment: teacher) as? MoveObjectTask)
            let below = try #require(task.relativeTo)
            #expect(below != task.object && scene.passiveBodyIndices.contains(below) && scene.passiveBodyIndices.contains(task.object))
            // dm_control's boxes have half-size 2.2 cm: the top one's origin sits 4.4 cm above the lower one's.
            #expect(task.target.x == 0 && task.target.y == 0 && abs(task.target.z - 0.044) < 1e-4, "offset \(task.target)")
            let seen = teacher.observation
            let ahead = SIMD3<Float>(0.0, 0.0, 0.044)
            // Distance is measured to where the lower box is now.
            let expected = seen.bodyPositions[task.object] - (seen.bodyPositions[below] + ahead)
            #expect(abs(task.distance(seen) - (expected * expected).sum().squareRoot()) < 1e-5)
            #expect(task.summary.contains("stack") && task.summary.contains(scene.tree.bodyNames[below]))
        }
    }

    @Test func aSceneWithOneObjectCannotPoseAStackTask() throws {
        let path = try temporaryFile("stack_one_box.xml", oneSlidingBoxScene)
        defer { unlink(path) }
        let teacher = try MuJoCoEnvironment(scenePath: path)
        let error = try #require(throws: WorldModelError.self) { try TaskEvaluation(kind: .stack, seed: 3, count: 1).start(0, environment: teacher) }
        #expect("\(error)".contains("two passive bodies"))
    }
}
