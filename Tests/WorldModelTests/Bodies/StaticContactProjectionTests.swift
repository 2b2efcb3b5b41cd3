import CGeometry
import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// A pendulum whose link reaches the floor (hinge at 0.1 m, link 0.15 m), beside a free box.
private let pendulumScene = """
<mujoco model="pendulum_and_box">
  <worldbody>
    <geom name="floor" type="plane" size="1 1 0.01"/>
    <body name="link" pos="0 0 0.1">
      <joint name="swing" type="hinge" axis="0 1 0"/>
      <geom type="capsule" fromto="0 0 0 0.15 0 0" size="0.01" mass="0.3"/>
    </body>
    <body name="box" pos="0.5 0 0.1"><freejoint/><geom type="box" size="0.02 0.03 0.04" mass="0.1"/></body>
  </worldbody>
  <actuator><motor joint="swing" ctrlrange="-1 1" ctrllimited="true"/></actuator>
</mujoco>
"""

/// The pendulum scene's body-graph layout, read once for the suite (its tests run in parallel).
private let pendulumLayout: BodyGraphLayout = {
    let path = try! temporaryFile("pendulum_and_box.xml", pendulumScene)
    defer { unlink(path) }
    return try! BodyGraphLayout(scene: try! TeacherRecorder(scenePath: path).sceneModel)
}()

/// A slider that sits in the table and cannot leave it (slide x only, as a pusher on slide joints), and a free sphere.
private let sliderScene = """
<mujoco model="slider_and_ball">
  <worldbody>
    <geom name="table" type="plane" size="1 1 0.01"/>
    <body name="slider" pos="0 0 0"><joint name="x" type="slide" axis="1 0 0"/><geom type="box" size="0.02 0.02 0.02" mass="1"/></body>
    <body name="ball" pos="0.3 0 0.1"><freejoint/><geom type="sphere" size="0.02" mass="0.1"/></body>
  </worldbody>
  <actuator><motor joint="x" ctrlrange="-1 1" ctrllimited="true"/></actuator>
</mujoco>
"""

@Suite struct StaticContactProjectionTests {
    /// The deepest any moving geom of `layout` is inside a static geom at `qpos` (m, 0 when none).
    func deepest(_ layout: BodyGraphLayout, _ qpos: [Float]) -> Float {
        let poses = ForwardKinematics(tree: layout.scene.tree).bodyPoses(qpos: qpos)
        var depth: Float = 0
        for g in layout.movingGeoms {
            let geom = layout.scene.geoms[g.geom]
            var shape = BodyGraphLayout.template(geom)
            let (p, q) = ForwardKinematics.pose(geom.body, of: poses)
            BodyGraphLayout.place(&shape, geom: geom, bodyPosition: p, bodyQuaternion: q)
            for s in layout.staticShapes { depth = max(depth, -ShapeDistance.closest(s, shape).0) }
        }
        return depth
    }

    func project(_ projection: StaticContactProjection, _ qpos: [Float]) -> ([Float], Int) {
        var q = qpos
        let n = q.withUnsafeMutableBufferPointer { projection.project($0) }
        return (q, n)
    }

    @Test func aLinkPressedIntoTheFloorSwingsBackOutAndStaysAttached() throws {
        let layout = pendulumLayout
        let projection = try #require(StaticContactProjection(layout: layout, toleranceMeters: 0.002))
        // Swung 60 degrees down: the link's end (0.1 - 0.15 sin 60 - 0.01) is 40 mm below the floor.
        let box: [Float] = [0.5, 0, 0.1, 1, 0, 0, 0]
        let start = [Float(60 * Double.pi / 180)] + box
        #expect(deepest(layout, start) > 0.035)
        let (q, corrections) = project(projection, start)
        #expect(corrections >= 1)
        #expect(abs(deepest(layout, q) - 0.002) < 2e-4)
        // Only the hinge moved, towards horizontal (the angle where the tip touches: sin = 0.088 / 0.15).
        #expect(q[0] < start[0] && abs(Double(q[0]) - asin(0.092 / 0.15)) < 0.01)
        #expect(Array(q[1...]) == box)
    }

    @Test func aFreeBoxInTheFloorIsLiftedStraightUpKeepingItsOrientation() throws {
        let layout = pendulumLayout
        let projection = try #require(StaticContactProjection(layout: layout, toleranceMeters: 0.001))
        // Tilted 30 degrees about x, centre 10 mm above the floor: a lower edge is 30 mm deep.
        let half = Float(15 * Double.pi / 180)
        let start: [Float] = [0, 0.2, 0, 0.01, cos(half), sin(half), 0, 0]
        #expect(deepest(layout, start) > 0.02)
        let (q, _) = project(projection, start)
        #expect(abs(deepest(layout, q) - 0.001) < 2e-4)
        #expect(q[0] == start[0] && q[1] == start[1] && q[2] == start[2] && Array(q[4...]) == Array(start[4...]))
        #expect(q[3] > start[3])
    }

    @Test func aToleranceOfAMetreOrMoreTurnsItOff() {
        #expect(StaticContactProjection(layout: pendulumLayout, toleranceMeters: 1) == nil)
        #expect(StaticContactProjection(layout: pendulumLayout, toleranceMeters: 0.002) != nil)
    }

    @Test func nothingMovesWhenNothingIsDeeperThanTheTolerance() throws {
        let layout = pendulumLayout
        let projection = try #require(StaticContactProjection(layout: layout, toleranceMeters: 0.002))
        // The box 1 mm into the floor, the link level.
        let start: [Float] = [0, 0.5, 0, 0.039, 1, 0, 0, 0]
        let (q, corrections) = project(projection, start)
        #expect(corrections == 0 && q == start)
    }

    @Test func aPairNoJointCanSeparateIsLeftAndTheOthersAreCorrected() throws {
        let path = try temporaryFile("slider_and_ball.xml", sliderScene)
        defer { unlink(path) }
        let layout = try BodyGraphLayout(scene: try TeacherRecorder(scenePath: path).sceneModel)
        let projection = try #require(StaticContactProjection(layout: layout, toleranceMeters: 0.002))
        // The slider is 20 mm deep (deeper than the ball's 10 mm), and only slides along x.
        let start: [Float] = [0.05, 0.3, 0, 0.01, 1, 0, 0, 0]
        let (q, corrections) = project(projection, start)
        #expect(corrections == 1, "\(q)")
        #expect(q[0] == start[0])
        #expect(abs(q[3] - 0.018) < 2e-4, "the ball's centre at \(q[3]) m")
    }

    @Test func aRunnerStepKeepsTheArmAndBoxOutOfTheFloor() throws {
        // An untrained model's accelerations replaced by a hard push down: every body ends within the tolerance.
        let model = try BodyDynamicsModel(configuration: BodyDynamicsConfiguration.preset(named: "small")!, scene: armData.scene, seed: 1)
        let runner = try BodyDynamicsRunner(model: model, maxEnvironments: 1)
        var state = BodyState(episode: armData.train[0], frame: 2, historyLength: 2, nq: armData.scene.nq)
        let down = [Float](repeating: 0, count: armData.scene.nv).enumerated().map { d, _ in d == 3 ? Float(-200) : 0 }  // box_z
        for _ in 0..<5 { #expect(down.withUnsafeBufferPointer { runner.advance(&state, accelerations: $0.baseAddress!) }) }
        #expect(deepest(model.layout, Array(state.qpos)) <= 0.002 + 2e-4)
    }
}
