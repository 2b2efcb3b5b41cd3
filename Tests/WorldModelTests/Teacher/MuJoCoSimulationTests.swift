import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// Writes `text` to a fresh temporary file and returns its path.
func temporaryFile(_ name: String, _ text: String) throws -> String {
    let path = "/tmp/wm-test-\(getpid())-\(name)"
    let writer = try AtomicFileWriter(path: path)
    try writer.write(Array(text.utf8))
    try writer.commit()
    return path
}

/// A scene with one free box (half-size 2.5 cm, 0.1 kg), a table, and a pusher parked far away.
func oneBoxScene(friction: Double) -> String {
    """
    <mujoco model="one_box">
      <option timestep="0.002" gravity="0 0 -9.81"/>
      <worldbody>
        <geom name="table" type="plane" size="2 2 0.01" friction="\(friction) 0.005 0.0001" condim="3"/>
        <body name="pusher" pos="0 0 0">
          <joint name="px" type="slide" axis="1 0 0" limited="true" range="-1 1"/>
          <joint name="py" type="slide" axis="0 1 0" limited="true" range="-1 1"/>
          <geom type="capsule" fromto="0 0 0.02 0 0 0.08" size="0.015" mass="1"/>
        </body>
        <body name="box" pos="0 0 0.025"><freejoint/>
          <geom type="box" size="0.025 0.025 0.025" mass="0.1" friction="\(friction) 0.005 0.0001" condim="3"/></body>
      </worldbody>
      <actuator>
        <velocity joint="px" kv="100" ctrllimited="true" ctrlrange="-0.3 0.3"/>
        <velocity joint="py" kv="100" ctrllimited="true" ctrlrange="-0.3 0.3"/>
      </actuator>
    </mujoco>
    """
}

@Suite struct MuJoCoSimulationTests {
    @Test func readsTheSceneConventions() throws {
        let sim = try MuJoCoSimulation(path: scenePath("clutter.xml")).scene
        #expect(sim.name == "clutter")
        #expect(sim.objects.count == 8)
        #expect(Set(sim.objects.map(\.shape)) == [.box, .cylinder, .sphere])
        #expect(sim.robot.name == "pusher" && sim.robot.shape == .capsule)
        #expect(abs(sim.robot.shapeCentreHeightMeters - 0.05) < 1e-6)
        #expect(sim.robot.actionHigh == [0.3, 0.3])
        #expect(sim.controlSubsteps == 10 && abs(sim.controlDtSeconds - 0.02) < 1e-12)
        #expect(try MuJoCoSimulation(path: scenePath("clutter16.xml")).scene.objects.count == 16)
        let tumble = try MuJoCoSimulation(path: scenePath("tumble.xml")).scene
        #expect(tumble.dropHeightMeters == 0.08...0.30)
    }

    @Test func freeFallFollowsGravityUntilLanding() throws {
        let path = try temporaryFile("fall.xml", oneBoxScene(friction: 0.5))
        defer { unlink(path) }
        let sim = try MuJoCoSimulation(path: path)
        try sim.setObject(0, position: SIMD3(0.3, 0, 1.0), quaternion: SIMD4(1, 0, 0, 0))
        let z0 = 1.0, g = 9.81
        for step in 1...20 {  // 20 x 20 ms = 0.4 s; the box lands after about 0.44 s
            try sim.step(action: [0, 0], substeps: 10)
            let t = Double(step) * 0.02
            let z = Double(try sim.objectStates()[2])
            // Semi-implicit Euler lags the exact parabola by g * dt * t / 2 (under 4 mm here).
            #expect(abs(z - (z0 - g * t * t / 2)) < 0.005, "t=\(t) z=\(z)")
        }
    }

    @Test func slidingBoxDeceleratesAtMuG() throws {
        let mu = 0.4
        let path = try temporaryFile("slide.xml", oneBoxScene(friction: mu))
        defer { unlink(path) }
        let sim = try MuJoCoSimulation(path: path)
        try sim.setObject(0, position: SIMD3(0.3, 0, 0.025), quaternion: SIMD4(1, 0, 0, 0))
        try sim.step(action: [0, 0], substeps: 50)  // settle on the table
        try sim.setObject(0, position: SIMD3(0.3, 0, Double(try sim.objectStates()[2])), quaternion: SIMD4(1, 0, 0, 0),
                      linearVelocity: SIMD3(1.0, 0, 0))
        try sim.step(action: [0, 0], substeps: 10)
        let v1 = Double(try sim.objectStates()[7])
        try sim.step(action: [0, 0], substeps: 50)  // 0.1 s later, still sliding (1 m/s needs 0.25 s to stop)
        let v2 = Double(try sim.objectStates()[7])
        let deceleration = (v1 - v2) / 0.1
        #expect(v2 > 0.2)
        #expect(abs(deceleration - mu * 9.81) < 0.15 * mu * 9.81, "deceleration \(deceleration) m/s^2")
    }

    @Test func malformedAndMissingFilesAreOneLineErrors() throws {
        let bad = try temporaryFile("bad.xml", "<mujoco><worldbody><body><geom type=\"box\" size=\"1 1\"></worldbody></mujoco>")
        defer { unlink(bad) }
        do {
            _ = try MuJoCoSimulation(path: bad)
            Issue.record("malformed MJCF loaded")
        } catch let error as WorldModelError {
            #expect(error.description.hasPrefix(bad + ": MuJoCo cannot load this MJCF"))
            #expect(!error.description.contains("\n"))
        }
        do {
            _ = try MuJoCoSimulation(path: "/tmp/wm-no-such-scene.xml")
            Issue.record("missing file loaded")
        } catch let error as WorldModelError {
            #expect(error.description.hasPrefix("/tmp/wm-no-such-scene.xml: cannot read MJCF"))
        }
        let noObjects = try temporaryFile("empty.xml", "<mujoco><worldbody><geom type=\"plane\" size=\"1 1 1\"/></worldbody></mujoco>")
        defer { unlink(noObjects) }
        #expect(throws: WorldModelError(file: noObjects, "no joints: nothing in this scene moves, so there is nothing to learn")) {
            try MuJoCoSimulation(path: noObjects)
        }
    }

    @Test func nonFiniteActionIsRejected() throws {
        let sim = try MuJoCoSimulation(path: scenePath("push.xml"))
        #expect(throws: WorldModelError.self) { try sim.step(action: [.nan, 0], substeps: 10) }
        #expect(throws: WorldModelError.self) { try sim.step(action: [0], substeps: 10) }
    }
}
