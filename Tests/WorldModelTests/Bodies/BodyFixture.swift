import Testing
@testable import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// A two-link arm on hinges (motors, limited) beside a planar box on slide x, slide z and hinge y (as
/// dm_control's stacker boxes), over a floor plane: a scene without free objects.
let armAndBoxScene = """
<mujoco model="arm_and_box">
  <option timestep="0.002"/>
  <worldbody>
    <geom name="floor" type="plane" size="1 1 0.01"/>
    <body name="upper" pos="0 0 0.2">
      <joint name="shoulder" type="hinge" axis="0 1 0" limited="true" range="-100 10" damping="0.05"/>
      <geom type="capsule" fromto="0 0 0 0.12 0 0" size="0.015" mass="0.3"/>
      <body name="hand" pos="0.12 0 0">
        <joint name="elbow" type="hinge" axis="0 1 0" limited="true" range="-120 120" damping="0.05"/>
        <geom type="capsule" fromto="0 0 0 0.1 0 0" size="0.012" mass="0.2"/>
      </body>
    </body>
    <body name="box" pos="0.15 0 0.03">
      <joint name="box_x" type="slide" axis="1 0 0"/>
      <joint name="box_z" type="slide" axis="0 0 1"/>
      <joint name="box_y" type="hinge" axis="0 1 0"/>
      <geom type="box" size="0.03 0.03 0.03" mass="0.2"/>
    </body>
  </worldbody>
  <actuator>
    <motor joint="shoulder" gear="3" ctrlrange="-1 1" ctrllimited="true"/>
    <motor joint="elbow" gear="2" ctrlrange="-1 1" ctrllimited="true"/>
  </actuator>
</mujoco>
"""

/// Recorded episodes of the arm and box (smooth random motor commands), made once for the suite.
let armData: (scene: SceneModel, train: [Episode], valid: [Episode]) = {
    let path = try! temporaryFile("arm_and_box.xml", armAndBoxScene)
    defer { unlink(path) }
    let recorder = try! TeacherRecorder(scenePath: path)
    let episodes = (0..<14).map { try! recorder.record(episode: $0, steps: 40, seed: 5, policy: .smooth).episode }
    return (recorder.sceneModel, Array(episodes[0..<12]), Array(episodes[12...]))
}()
