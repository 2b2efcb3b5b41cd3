import CGeometry

/// What a long closed-loop rollout of a body-dynamics stepper did: the model's own predictions fed back for
/// `steps` control steps under a scripted policy (``ActionPolicyKind/smooth`` actions in `ctrlrange`), checked
/// against what the physical world allows.
public struct BodyLongRolloutReport: Codable, Sendable, Equatable {
    public var steps: Int
    public var environments: Int
    /// Environments that diverged (non-finite prediction; held at their last state from then on).
    public var divergedEnvironments: Int
    /// The deepest any moving geom went below a static plane (floor, table, walls), m (0 when never).
    public var maxPlanePenetrationMeters: Double
    /// The step at which the deepest penetration happened (-1 when never).
    public var maxPlanePenetrationStep: Int
    /// The deepest penetration after the first `settleSteps` steps (drops from the start states hit the floor in
    /// them, and MuJoCo's own soft contacts sink several mm at such impacts), m.
    public var maxPlanePenetrationAfterSettlingMeters: Double
    public var settleSteps: Int
    /// The most any limited hinge left its range (degrees) and any limited slide (m).
    public var maxHingeLimitExcessDegrees: Double
    public var maxSlideLimitExcessMeters: Double
    /// The farthest any body origin went outside the box its recorded positions span in the dataset (m).
    public var maxWorkspaceExcessMeters: Double
}

/// Runs long closed-loop rollouts from start states and measures how physical they stay.
public enum BodyLongRollout {
    /// The box spanned by every moving body's origin in `episodes` (low, high; m, world).
    public static func workspace(scene: SceneModel, episodes: [Episode]) -> (SIMD3<Float>, SIMD3<Float>) {
        let fk = ForwardKinematics(tree: scene.tree), nbody = scene.tree.bodies.count
        let moving = scene.movingBodyIndices.filter { $0 != 0 }
        var low = SIMD3<Float>(repeating: .infinity), high = SIMD3<Float>(repeating: -.infinity)
        for episode in episodes {
            let poses = fk.bodyPoses(qpos: episode.qpos).positions
            for f in 0..<episode.frameCount {
                for b in moving {
                    let o = (f * nbody + b) * 3, p = SIMD3(poses[o], poses[o + 1], poses[o + 2])
                    low = pointwiseMin(low, p); high = pointwiseMax(high, p)
                }
            }
        }
        return (low, high)
    }

    /// How far `p` is outside the box `workspace` (low, high; m), 0 inside.
    public static func workspaceExcess(of p: SIMD3<Float>, workspace: (SIMD3<Float>, SIMD3<Float>)) -> Double {
        let outside = pointwiseMax(pointwiseMax(workspace.0 - p, p - workspace.1), .zero)
        return Double((outside * outside).sum().squareRoot())
    }

    /// Rolls `stepper` out from frame H of each of `episodes` (one environment each, at most the stepper's batch)
    /// for `steps` control steps; the workspace is the box spanned by `workspaceEpisodes`.
    public static func run(_ stepper: BodyStepper, scene: SceneModel, episodes: [Episode], workspaceEpisodes: [Episode], steps: Int,
                           seed: UInt64, progress: (Int) -> Void = { _ in }) throws -> BodyLongRolloutReport {
        let h = stepper.historyLength, n = min(episodes.count, stepper.maxEnvironments)
        guard n >= 1 else { throw WorldModelError("a long rollout needs at least one episode") }
        let starts = (0..<n).map { BodyState(episode: episodes[$0], frame: h, historyLength: h, nq: scene.nq) }
        return try run(stepper, scene: scene, starts: starts, workspace: workspace(scene: scene, episodes: workspaceEpisodes), steps: steps,
                       seed: seed) { step, _, _ in progress(step) }
    }

    /// Rolls `stepper` out from `starts` for `steps` control steps under `smooth` actions (policy stream k for
    /// environment k, from `seed`); `observe(step, states, ctrl)` sees every step's actions and resulting states.
    /// Bodies outside `workspace` count as leaving it (pass infinite bounds to skip the check).
    public static func run(_ stepper: BodyStepper, scene: SceneModel, starts: [BodyState], workspace: (SIMD3<Float>, SIMD3<Float>), steps: Int,
                           seed: UInt64, settleSteps: Int = 100, observe: (Int, [BodyState], [Float]) -> Void) throws -> BodyLongRolloutReport {
        let layout = try BodyGraphLayout(scene: scene)
        let nu = scene.nu, n = starts.count
        guard n >= 1 && n <= stepper.maxEnvironments else { throw WorldModelError("\(n) environments for a stepper of \(stepper.maxEnvironments)") }
        let fk = ForwardKinematics(tree: scene.tree)
        let moving = layout.nodeBodies
        var states = starts
        var policies = (0..<n).map { k in
            ActionPolicy(kind: .smooth, actionLow: scene.ctrlLow, actionHigh: scene.ctrlHigh, controlDtSeconds: scene.controlDtSeconds,
                         rng: SeededRandom(seed: seed, stream: UInt64(k)))
        }
        let planes = layout.staticShapes.filter { $0.kind == Int32(WM_SHAPE_PLANE.rawValue) }
        var shapes = layout.movingGeoms.map { BodyGraphLayout.template(scene.geoms[$0.geom]) }
        var report = BodyLongRolloutReport(steps: steps, environments: n, divergedEnvironments: 0, maxPlanePenetrationMeters: 0,
                                           maxPlanePenetrationStep: -1, maxPlanePenetrationAfterSettlingMeters: 0, settleSteps: settleSteps,
                                           maxHingeLimitExcessDegrees: 0, maxSlideLimitExcessMeters: 0,
                                           maxWorkspaceExcessMeters: 0)
        var diverged = [Bool](repeating: false, count: n), everDiverged = [Bool](repeating: false, count: n)
        var ctrl = [Float](repeating: 0, count: n * nu)
        for step in 1...max(1, steps) {
            for k in 0..<n {
                let u = policies[k].action(robotPosition: .zero, objectPositions: [])
                for a in 0..<nu { ctrl[k * nu + a] = u[a] }
            }
            diverged.withUnsafeMutableBufferPointer { _ = stepper.step(&states, ctrl: ctrl, diverged: $0) }
            for k in 0..<n where diverged[k] { everDiverged[k] = true }
            observe(step, states, ctrl)
            for k in 0..<n {
                let qpos = Array(states[k].qpos)
                for joint in scene.tree.joints where joint.limited && (joint.kind == .hinge || joint.kind == .slide) {
                    let x = qpos[joint.qposAddress]
                    let excess = Double(max(0, joint.range.x - x, x - joint.range.y))
                    if joint.kind == .hinge { report.maxHingeLimitExcessDegrees = max(report.maxHingeLimitExcessDegrees, excess * 180 / .pi) }
                    else { report.maxSlideLimitExcessMeters = max(report.maxSlideLimitExcessMeters, excess) }
                }
                let poses = fk.bodyPoses(qpos: qpos)
                func pose(_ b: Int) -> (SIMD3<Float>, SIMD4<Float>) { ForwardKinematics.pose(b, of: poses) }
                for b in moving {
                    report.maxWorkspaceExcessMeters = max(report.maxWorkspaceExcessMeters, workspaceExcess(of: pose(b).0, workspace: workspace))
                }
                for (i, g) in layout.movingGeoms.enumerated() {
                    let (p, q) = pose(layout.nodeBodies[g.node])
                    BodyGraphLayout.place(&shapes[i], geom: scene.geoms[g.geom], bodyPosition: p, bodyQuaternion: q)
                    for plane in planes {
                        let depth = Double(-ShapeDistance.closest(plane, shapes[i]).0)
                        if depth > report.maxPlanePenetrationMeters { report.maxPlanePenetrationMeters = depth; report.maxPlanePenetrationStep = step }
                        if step > settleSteps { report.maxPlanePenetrationAfterSettlingMeters = max(report.maxPlanePenetrationAfterSettlingMeters, depth) }
                    }
                }
            }
        }
        report.divergedEnvironments = everDiverged.filter { $0 }.count
        return report
    }
}
