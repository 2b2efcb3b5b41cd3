import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ReachPolicyTests {
    /// A planar two-link arm with a hand at its wrist (a palm and one finger on a slide) reaches its box and pushes
    /// it a bounded distance (the push targets are 10-25 cm past the box), where smooth random torques fling it;
    /// actions in ctrlrange; the recording is a pure function of its arguments.
    @Test func twoLinkArmReachesItsBox() throws {
        let path = try temporaryFile("arm_hand_box.xml", armHandBoxScene)
        defer { unlink(path) }
        let recorder = try TeacherRecorder(scenePath: path)
        var touched = 0
        var farthest: [ActionPolicyKind: Float] = [:]
        for kind in [ActionPolicyKind.reach, .smooth] {
            for k in 0..<10 {
                let r = try recorder.record(episode: k, steps: 200, seed: 4, policy: kind)
                if kind == .reach, r.robotTouchedObject { touched += 1 }
                farthest[kind] = max(farthest[kind, default: 0], r.maxDisplacementMeters)
                #expect(r.episode.actions.allSatisfy { $0.isFinite && $0 >= -1 && $0 <= 1 })
            }
        }
        #expect(touched >= 7, "reach touched the box in \(touched) of 10 episodes")
        #expect(farthest[.reach, default: 0] < 0.4 && farthest[.smooth, default: 0] > 0.4,
                "the box moved at most \(farthest[.reach, default: 0]) m under reach, \(farthest[.smooth, default: 0]) m under smooth")
        let a = try recorder.record(episode: 2, steps: 30, seed: 4, policy: .reach)
        let b = try recorder.record(episode: 2, steps: 30, seed: 4, policy: .reach)
        #expect(a.episode == b.episode)
    }

    /// Over the same 12 episodes, the arm's hand touches the boxes in more episodes under `reach` than under
    /// `smooth`; the actions stay in ctrlrange; the same arguments record the same floats.
    @Test(.enabled(if: dmControlPresent, "needs dm_control's stacker.xml under /tmp/dmc (tools/fetch-dm-control.sh)"))
    func stackerHandReachesAndMovesTheBoxes() throws {
        let recorder = try TeacherRecorder(scenePath: dmControlSuite + "stacker.xml")
        var touched: [ActionPolicyKind: Int] = [:]
        for kind in [ActionPolicyKind.reach, .smooth] {
            for k in 0..<12 {
                let r = try recorder.record(episode: k, steps: 150, seed: 3, policy: kind)
                if r.robotTouchedObject { touched[kind, default: 0] += 1 }
                if kind == .reach {
                    #expect(r.episode.actions.allSatisfy { $0.isFinite && abs($0) <= 1 })
                    #expect(r.episode.qpos.allSatisfy { $0.isFinite })
                }
            }
        }
        #expect(touched[.reach, default: 0] >= 8, "reach touched a box in \(touched[.reach, default: 0]) of 12 episodes")
        #expect(touched[.reach, default: 0] > touched[.smooth, default: 0] + 2,
                "reach \(touched[.reach, default: 0]), smooth \(touched[.smooth, default: 0]) of 12 episodes")
        let a = try recorder.record(episode: 5, steps: 40, seed: 3, policy: .reach)
        let b = try recorder.record(episode: 5, steps: 40, seed: 3, policy: .reach)
        #expect(a.episode == b.episode)
    }

    /// A scene without a free-standing passive body is refused with a line naming the file; the viewer's policies
    /// do not offer `reach` (it needs the simulation).
    @Test func sceneWithoutObjectsIsRefused() throws {
        let path = try temporaryFile("arm_without_objects.xml", """
        <mujoco model="arm">
          <worldbody>
            <geom type="plane" size="1 1 0.1"/>
            <body name="hand" pos="0 0 0.3">
              <joint name="j" type="hinge" axis="0 1 0"/>
              <geom type="capsule" fromto="0 0 0 0.2 0 0" size="0.02"/>
            </body>
          </worldbody>
          <actuator><motor joint="j" ctrlrange="-1 1" ctrllimited="true"/></actuator>
        </mujoco>
        """)
        defer { unlink(path) }
        let recorder = try TeacherRecorder(scenePath: path)
        #expect {
            _ = try recorder.record(episode: 0, steps: 5, seed: 1, policy: .reach)
        } throws: { error in
            let text = "\(error)"
            return text.contains(path) && text.contains("free-standing passive body")
        }
        #expect(ActionPolicyKind.reach.readsSimulation && !ActionPolicyKind.smooth.readsSimulation)
    }
}

/// A planar arm in the x-z plane: shoulder and elbow hinges, a hand at the wrist (palm, one finger on a slide) and
/// a box on the floor within reach, moving in the arm's plane.
private let armHandBoxScene = """
<mujoco model="arm_hand_box">
  <option timestep="0.002"/>
  <worldbody>
    <geom name="floor" type="plane" size="1 1 0.01"/>
    <body name="upper" pos="0 0 0.2">
      <joint name="shoulder" type="hinge" axis="0 1 0" limited="true" range="-150 150" damping="0.1"/>
      <geom type="capsule" fromto="0 0 0 0.18 0 0" size="0.015" mass="0.3"/>
      <body name="fore" pos="0.18 0 0">
        <joint name="elbow" type="hinge" axis="0 1 0" limited="true" range="-150 150" damping="0.1"/>
        <geom type="capsule" fromto="0 0 0 0.16 0 0" size="0.012" mass="0.2"/>
        <body name="hand" pos="0.16 0 0">
          <geom type="sphere" size="0.02" mass="0.05"/>
          <body name="finger" pos="0 0 0">
            <joint name="grip" type="slide" axis="1 0 0" limited="true" range="0 0.03" damping="0.1"/>
            <geom type="capsule" fromto="0 0 0 0 0 -0.03" size="0.008" mass="0.02"/>
          </body>
        </body>
      </body>
    </body>
    <body name="box" pos="0.2 0 0.03">
      <joint name="slide_x" type="slide" axis="1 0 0"/>
      <joint name="slide_z" type="slide" axis="0 0 1"/>
      <joint name="turn_y" type="hinge" axis="0 1 0"/>
      <geom type="box" size="0.03 0.03 0.03" mass="0.2"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="shoulder" gear="6" ctrlrange="-1 1" ctrllimited="true"/>
    <motor joint="elbow" gear="4" ctrlrange="-1 1" ctrllimited="true"/>
    <position joint="grip" kp="20" ctrlrange="0 0.03" ctrllimited="true"/>
  </actuator>
</mujoco>
"""
