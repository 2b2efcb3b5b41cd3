import Foundation
import Testing
@testable import WorldModel


@Suite struct SceneModelReadingTests {
    @Test func pushSceneReadsAsGeneralizedState() throws {
        let model = try MuJoCoSimulation(path: scenePath("push.xml")).sceneModel
        // The pusher's two slide joints, then four free boxes: nq = 2 + 4 x 7, nv = 2 + 4 x 6.
        #expect(model.nq == 30 && model.nv == 26 && model.nu == 2)
        #expect(model.tree.joints.filter { $0.kind == .free }.count == 4)
        #expect(model.actuators.allSatisfy { $0.kind == .velocity && $0.transmission == .joint })
        #expect(model.controlSubsteps == 10 && abs(model.controlDtSeconds - 0.02) < 1e-12)
        // The moment arms of joint actuators are their gears on their own DOFs.
        #expect(model.actuatorMoment[0] == 1 && model.actuatorMoment[model.nv + 1] == 1)
        #expect(model.passiveBodyIndices.count == 4)
        #expect(model.bodies[0].isStatic && model.geoms.contains { $0.shape == .plane && model.bodies[$0.body].isStatic })
    }

    @Test func defaultControlPeriodIsNearest20msForAnyStep() {
        #expect(SceneModel.defaultControlSubsteps(physicsDtSeconds: 0.002) == 10)
        #expect(SceneModel.defaultControlSubsteps(physicsDtSeconds: 0.001) == 20)
        #expect(SceneModel.defaultControlSubsteps(physicsDtSeconds: 0.05) == 1)
        #expect(SceneModel.defaultControlSubsteps(physicsDtSeconds: 1e-300) == 1_000_000)
        #expect(SceneModel.defaultControlSubsteps(physicsDtSeconds: 0) == 1)
        #expect(SceneModel.defaultControlSubsteps(physicsDtSeconds: .nan) == 1)
    }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's stacker.xml under /tmp/dmc (tools/fetch-dm-control.sh)"))
    func dmControlStackerReads() throws {
        let sim = try MuJoCoSimulation(path: dmControlSuite + "stacker.xml")
        let model = sim.sceneModel
        #expect(model.nq == 20 && model.nv == 20 && model.nu == 5)
        #expect(model.name == "planar stacker")
        // No wm_control_substeps: 20 physics steps of 1 ms make the 20 ms control period.
        #expect(model.controlSubsteps == 20)
        // Motor gears 12, 8, 4, 2 on DOFs 0-3; the grasp tendon (gear 2, coefficients 0.5) on the thumb and finger.
        for (a, gear) in [Float(12), 8, 4, 2].enumerated() { #expect(abs(model.actuatorMoment[a * model.nv + a] - gear) < 1e-6) }
        #expect(abs(model.actuatorMoment[4 * model.nv + 4] - 1) < 1e-6 && abs(model.actuatorMoment[4 * model.nv + 6] - 1) < 1e-6)
        #expect(model.actuators.allSatisfy { $0.kind == .motor } && model.actuators[4].transmission == .tendon)
        #expect(model.tendons.count == 2 && model.equalities.map(\.kind) == [.tendon])
        #expect(model.passiveBodyIndices.map { model.tree.bodies[$0].name } == ["box0", "box1", "box2", "box3"])
        // Not a free-object scene: the free-object view says why, in one line naming the file.
        #expect(throws: WorldModelError.self) { _ = try sim.scene }
    }

    @Test(.enabled(if: dmControlPresent, "needs dm_control's manipulator.xml under /tmp/dmc (tools/fetch-dm-control.sh)"))
    func dmControlManipulatorReads() throws {
        let model = try MuJoCoSimulation(path: dmControlSuite + "manipulator.xml").sceneModel
        #expect(model.nu == 5 && model.nq == model.nv)
        #expect(model.tree.bodies.contains { $0.name == "ball" } && model.tree.bodies.contains { $0.name == "peg" })
    }

    @Test func meshesSpatialTendonsSiteActuatorsAndBadTimingAreRefusedInOneLine() throws {
        let cases: [(String, String, String)] = [
            ("mesh", """
                <mujoco><asset><mesh name="m" vertex="0 0 0 1 0 0 0 1 0 0 0 1"/></asset>
                <worldbody><body><freejoint/><geom type="mesh" mesh="m"/></body></worldbody></mujoco>
                """, "is a mesh"),
            ("spatial", """
                <mujoco><worldbody><site name="a" pos="0 0 1"/>
                <body pos="0 0 .5"><joint type="slide" axis="0 0 1"/><geom size=".1"/><site name="b"/></body></worldbody>
                <tendon><spatial name="t"><site site="a"/><site site="b"/></spatial></tendon></mujoco>
                """, "spatial tendon"),
            ("site", """
                <mujoco><worldbody><body><joint type="slide" axis="1 0 0"/><geom size=".1"/><site name="s"/></body></worldbody>
                <actuator><motor site="s" gear="1 0 0 0 0 0"/></actuator></mujoco>
                """, "site, body or slider-crank"),
            ("timestep", """
                <mujoco><option timestep="0"/><worldbody><body><freejoint/><geom size=".1"/></body></worldbody></mujoco>
                """, "a physics step must be positive"),
            ("tiny timestep", """
                <mujoco><option timestep="1e-300"/><worldbody><body><freejoint/><geom size=".1"/></body></worldbody></mujoco>
                """, "from 1 µs to 1 s"),
            ("substeps", """
                <mujoco><custom><numeric name="wm_control_substeps" data="1e30"/></custom>
                <worldbody><body><freejoint/><geom size=".1"/></body></worldbody></mujoco>
                """, "whole number from 1 to 1000000"),
            ("filter", """
                <mujoco><worldbody><body><joint name="j" type="slide" axis="1 0 0"/><geom size=".1"/></body></worldbody>
                <actuator><general joint="j" dyntype="filter" dynprm="0.1"/></actuator></mujoco>
                """, "activation"),
        ]
        for (name, xml, expected) in cases {
            let path = try temporaryFile("refuse-\(name).xml", xml)
            defer { unlink(path) }
            do {
                _ = try MuJoCoSimulation(path: path)
                Issue.record("\(name): loaded")
            } catch let error as WorldModelError {
                #expect(error.file == path && error.description.contains(expected) && !error.description.contains("\n"), "\(error)")
            }
        }
    }
}
