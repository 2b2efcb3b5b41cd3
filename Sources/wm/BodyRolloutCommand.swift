import ArgumentParser
import FoundationEssentials
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

/// What `wm rollout` reports for a body-graph model.
struct BodyRolloutReport: Encodable {
    var scene: String
    var environments: Int
    var steps: Int
    var env_steps_per_second: Double
    var checks: BodyLongRolloutReport
    /// Mean over moving bodies of the position error against MuJoCo re-simulating environment 0 with the same
    /// actions, at the last step and averaged over all steps (m).
    var error_vs_teacher_final_m: Double
    var error_vs_teacher_mean_m: Double
    /// MuJoCo's own deepest contact penetration in environment 0 over the run, and after the settling steps (m).
    var teacher_max_penetration_m: Double
    var teacher_max_penetration_after_settling_m: Double
    /// How far MuJoCo's own environment 0 took a body origin outside the recorded workspace (m): what the scene
    /// physically allows under the same actions (an infinite floor lets a cylinder roll away).
    var teacher_max_workspace_excess_m: Double
    var npz: String?
    /// PNG frames written to --render, and the --gif path with its frame count.
    var frames_written: Int
    var gif: String?
    var gif_frames: Int?
}

extension RolloutCommand {
    /// `wm rollout` with a body-graph model: closed loop under smooth random actions, checked against physics.
    func runBodies() throws {
        let model = try BodyDynamicsModel.load(from: self.model)
        let teacher = try TeacherRecorder(scenePath: scene)
        guard teacher.sceneModel == model.scene else {
            throw WorldModelError(file: self.model, "was trained on scene '\(model.scene.name)', not on \(scene) ('\(teacher.sceneModel.name)')")
        }
        let scene = model.scene, h = model.historyLength, nq = scene.nq, nv = scene.nv, nu = scene.nu
        if let out { try ResourceBudget.checkDisk(bytes: ResourceBudget.product(batch, steps + 1, nq + nu, 4), output: out) }
        // Start states: dataset episodes K + k, else teacher episodes k (placed and settled by MuJoCo).
        var starts: [Episode] = []
        var workspace = (SIMD3<Float>(repeating: -.infinity), SIMD3<Float>(repeating: .infinity))
        if let data {
            let (header, episodes) = try DynamicsData.episodes(path: data, split: nil)
            guard header.sceneModel == scene else { throw WorldModelError(file: data, "holds scene '\(header.sceneName)', not the model's '\(scene.name)'") }
            guard episode + batch <= episodes.count else {
                throw WorldModelError(file: data, "has \(episodes.count) episodes; --episode \(episode) --batch \(batch) needs \(episode + batch)")
            }
            starts = Array(episodes[episode..<(episode + batch)])
            workspace = BodyLongRollout.workspace(scene: scene, episodes: episodes)
        } else {
            starts = try (0..<batch).map { try teacher.record(episode: $0, steps: h + 1, seed: seed, policy: .smooth).episode }
        }
        let states = starts.map { BodyState(episode: $0, frame: h, historyLength: h, nq: nq) }
        let runner = try BodyDynamicsRunner(model: model, maxEnvironments: batch)
        // MuJoCo re-simulates environment 0 from the same state with the same actions.
        let simulation = try MuJoCoSimulation(path: self.scene)
        try simulation.setGeneralizedState(qpos: starts[0].qpos[(h * nq)..<((h + 1) * nq)].map(Double.init),
                                           qvel: starts[0].qvel.isEmpty ? [Double](repeating: 0, count: nv)
                                               : starts[0].qvel[(h * nv)..<((h + 1) * nv)].map(Double.init))
        let fk = ForwardKinematics(tree: scene.tree), moving = scene.movingBodyIndices.filter { $0 != 0 }
        var teacherQpos = [Float](repeating: 0, count: nq), teacherQvel = [Float](repeating: 0, count: nv)
        var errorSum = 0.0, finalError = 0.0, teacherPenetration = 0.0, teacherSettledPenetration = 0.0, teacherWorkspaceExcess = 0.0
        // Per environment, for --out: qpos per frame and ctrl per step.
        var trajectories = states.map { out != nil ? Array($0.qpos) : [] }, actions = [[Float]](repeating: [], count: batch)
        // Frames of environment 0 (--render, --gif): the prediction beside MuJoCo's, framed on the moving bodies at the start.
        let renderer = render != nil || gif != nil
            ? try BodySceneRenderer(scene: scene, fields: try field.map { try ObjectFieldSet.load(from: $0) }, source: field,
                                    colors: scene.geoms.indices.map { simulation.displayColor(ofGeom: $0) })
            : nil
        let camera = PinholeCamera.framing(points: moving.map { ForwardKinematics.pose($0, of: fk.bodyPoses(qpos: Array(states[0].qpos))).position }, size: renderSize)
        if let render { try makeDirectory(render) }
        let animation = try gif.map { try GIFFile.Writer(path: $0) }
        let delay = max(2, Int((Double(renderEvery) * scene.controlDtSeconds * 100).rounded()))
        var frames: [String] = []
        func renderFrame(_ step: Int, qpos: [Float]) throws {
            guard let renderer else { return }
            let image = renderer.renderRGBD(camera: camera, qpos: qpos).image.besides(simulation.render(camera: camera))
            if let render {
                let path = render + "/" + RolloutRun.frameFileName(step: step)
                try PNGFile.write(image, to: path)
                frames.append(path)
            }
            try animation?.append(image, delayCentiseconds: delay)
        }
        try renderFrame(0, qpos: Array(states[0].qpos))
        var renderError: Error?
        let bar = ProgressBar(total: steps, label: "rollout")
        var modelSeconds = 0.0, last = monotonicSeconds()
        let checks = try BodyLongRollout.run(runner, scene: scene, starts: states, workspace: workspace, steps: steps, seed: seed) { step, states, ctrl in
            modelSeconds += monotonicSeconds() - last
            do { try simulation.step(action: Array(ctrl[0..<nu]), substeps: scene.controlSubsteps) } catch { return }
            simulation.writeGeneralizedState(qpos: &teacherQpos, qvel: &teacherQvel)
            teacherPenetration = max(teacherPenetration, simulation.deepestPenetrationMeters)
            if step > 100 { teacherSettledPenetration = max(teacherSettledPenetration, simulation.deepestPenetrationMeters) }
            let truth = fk.bodyPoses(qpos: teacherQpos), predicted = fk.bodyPoses(qpos: Array(states[0].qpos))
            var e = 0.0
            for b in moving {
                let p = ForwardKinematics.pose(b, of: truth).position, d = p - ForwardKinematics.pose(b, of: predicted).position
                e += Double((d * d).sum().squareRoot())
                teacherWorkspaceExcess = max(teacherWorkspaceExcess, BodyLongRollout.workspaceExcess(of: p, workspace: workspace))
            }
            finalError = e / Double(max(1, moving.count))
            errorSum += finalError
            if out != nil {
                for k in 0..<batch {
                    trajectories[k] += states[k].qpos
                    actions[k] += ctrl[(k * nu)..<((k + 1) * nu)]
                }
            }
            if renderError == nil && (step % renderEvery == 0 || step == steps) {
                do { try renderFrame(step, qpos: Array(states[0].qpos)) } catch { renderError = error }
            }
            if step % 50 == 0 || step == steps { bar.update(step, status: "") }
            last = monotonicSeconds()
        }
        bar.finish(steps, status: "done")
        if let renderError { throw renderError }
        try animation?.commit()
        if let out {
            try NumPyArchive.write([("qpos", NumPyArray(floats: trajectories.flatMap { $0 }, shape: [batch, steps + 1, nq])),
                                    ("ctrl", NumPyArray(floats: actions.flatMap { $0 }, shape: [batch, steps, nu]))],
                                   to: out, compress: false)
        }
        let report = BodyRolloutReport(scene: scene.name, environments: batch, steps: steps,
                                       env_steps_per_second: Double(batch * steps) / max(modelSeconds, 1e-9), checks: checks,
                                       error_vs_teacher_final_m: finalError, error_vs_teacher_mean_m: errorSum / Double(steps),
                                       teacher_max_penetration_m: teacherPenetration, teacher_max_penetration_after_settling_m: teacherSettledPenetration,
                                       teacher_max_workspace_excess_m: teacherWorkspaceExcess,
                                       npz: out, frames_written: frames.count, gif: gif, gif_frames: animation?.frameCount)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        print("\(batch) environments x \(steps) steps of '\(scene.name)': \(Int(report.env_steps_per_second)) env-steps/s (model and checks, MuJoCo excluded)")
        print("\(checks.divergedEnvironments) diverged; deepest below a static plane \(formatMillimetres(checks.maxPlanePenetrationMeters))"
              + " (\(formatMillimetres(checks.maxPlanePenetrationAfterSettlingMeters)) after step \(checks.settleSteps); MuJoCo's deepest contact in environment 0: "
              + "\(formatMillimetres(teacherPenetration)), \(formatMillimetres(teacherSettledPenetration)) after step \(checks.settleSteps))"
              + "; hinge limits exceeded by at most \(Double(Int(checks.maxHingeLimitExcessDegrees * 100)) / 100) deg"
              + "; at most \(formatMillimetres(checks.maxWorkspaceExcessMeters)) outside the recorded workspace"
              + " (MuJoCo in environment 0: \(formatMillimetres(teacherWorkspaceExcess)))")
        print("moving-body position error against MuJoCo (environment 0): \(formatMillimetres(finalError)) after \(steps) steps, \(formatMillimetres(report.error_vs_teacher_mean_m)) on average")
        if let out { print("wrote \(out)") }
        if let render, !frames.isEmpty { print("wrote \(frames.count) frames to \(render)") }
        if let gif, let animation, let size = animation.frameSize {
            print("wrote a \(animation.frameCount)-frame animation (\(size.width)x\(size.height)) to \(gif)")
        }
    }
}
