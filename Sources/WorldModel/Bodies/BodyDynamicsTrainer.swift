/// Trains a ``BodyDynamicsModel`` on recorded episodes (their `qpos` and `ctrl`), GNS style: one-step `qacc`
/// targets from finite differences in joint space, with random-walk noise on the velocity history so that
/// rollouts learn to correct their own drift; validated by rollout.
public final class BodyDynamicsTrainer {
    public let model: BodyDynamicsModel
    public let train: [Episode]
    public let valid: [Episode]
    public var validationHorizon = 50
    public var validationEpisodes = 8
    /// (episode, frame) pairs with a full history before and one frame after.
    public let frames: [(episode: Int, frame: Int)]
    private var rng: SeededRandom
    private let runner: BodyDynamicsRunner
    private let integrator: JointSpaceIntegrator
    private let targets: Matrix
    private let gradient: Matrix

    public init(model: BodyDynamicsModel, trainEpisodes: [Episode], validEpisodes: [Episode], seed: UInt64) throws {
        guard !trainEpisodes.isEmpty else { throw WorldModelError("no training episodes") }
        let nq = model.scene.nq, nu = model.scene.nu
        for (i, e) in (trainEpisodes + validEpisodes).enumerated() where e.qpos.count != e.frameCount * nq || e.actions.count != (e.frameCount - 1) * nu {
            throw WorldModelError("episode \(i) has \(e.qpos.count) qpos and \(e.actions.count) ctrl values, the scene '\(model.scene.name)' needs \(e.frameCount) x \(nq) and \(e.frameCount - 1) x \(nu)")
        }
        self.model = model
        train = trainEpisodes
        valid = validEpisodes
        let h = model.historyLength
        var frames: [(Int, Int)] = []
        for (e, episode) in trainEpisodes.enumerated() where episode.frameCount >= h + 2 {
            for t in h...(episode.frameCount - 2) { frames.append((e, t)) }
        }
        guard !frames.isEmpty else { throw WorldModelError("training episodes are too short: need at least \(h + 2) frames") }
        self.frames = frames
        rng = SeededRandom(seed: seed)
        let batch = model.configuration.batchSize
        runner = try BodyDynamicsRunner(model: model, maxEnvironments: batch)
        integrator = JointSpaceIntegrator(tree: model.scene.tree)
        let rows = model.configuration.kind == .gnn ? batch * model.layout.decodedNodes.count : batch
        let width = model.configuration.kind == .gnn ? 6 : model.scene.nv
        targets = Matrix(rows: rows, cols: width)
        gradient = Matrix(rows: rows, cols: width)
    }

    /// A training sample: the state at `frame` (optionally noised), its ctrl, and the true next qpos.
    struct Sample {
        var state: BodyState
        var ctrl: ArraySlice<Float>
        var next: ArraySlice<Float>
    }

    func sample(_ k: Int) -> Sample {
        let (e, t) = frames[k], episode = train[e], nq = model.scene.nq, nu = model.scene.nu
        return Sample(state: BodyState(episode: episode, frame: t, historyLength: model.historyLength, nq: nq),
                      ctrl: episode.actions[(t * nu)..<((t + 1) * nu)], next: episode.qpos[((t + 1) * nq)..<((t + 2) * nq)])
    }

    /// Random-walk noise on the velocity history (per DOF: `linear` m/s for slides and free translation, `angular`
    /// rad/s otherwise, for the newest velocity), rebuilt into the qpos history by integration from its oldest row;
    /// then one random offset of the whole history of the passive bodies' DOFs (`positionNoiseMeters`,
    /// `rotationNoiseRadians`) and of the robot's (`robotPositionNoiseMeters`, `robotRotationNoiseRadians`).
    func addNoise(to state: inout BodyState, using rng: inout SeededRandom) {
        let c = model.configuration, h = model.historyLength, nq = model.scene.nq, nv = model.scene.nv
        var velocities = Array(runner.builder.differentiate(state))
        let scale = 1 / Float(h).squareRoot()
        var walk = [Float](repeating: 0, count: nv)
        for j in 0..<h {
            for d in 0..<nv {
                walk[d] += (model.layout.dofClass[d].isAngular ? c.angularVelocityNoise : c.linearVelocityNoise) * scale * Float(rng.gaussian())
                velocities[j * nv + d] += walk[d]
            }
        }
        for j in 0..<h {
            let previous = Array(state.qposHistory[(j * nq)..<((j + 1) * nq)])
            let next = integrator.integrate(qpos: previous, qvel: Array(velocities[(j * nv)..<((j + 1) * nv)]), dtSeconds: Double(model.dtSeconds))
            state.qposHistory.replaceSubrange(((j + 1) * nq)..<((j + 2) * nq), with: next)
        }
        // The same configuration offset in every frame (integrated over a unit step, so qpos (+) offset).
        guard c.positionNoiseMeters > 0 || c.rotationNoiseRadians > 0 || c.robotPositionNoiseMeters > 0 || c.robotRotationNoiseRadians > 0 else { return }
        let offset = (0..<nv).map { d -> Float in
            let layout = model.layout, angular = layout.dofClass[d].isAngular
            let isRobot = layout.targetClass[d] < BodyGraphLayout.DofClass.allCases.count
            let sigma = isRobot ? (angular ? c.robotRotationNoiseRadians : c.robotPositionNoiseMeters)
                                : (angular ? c.rotationNoiseRadians : c.positionNoiseMeters)
            return sigma > 0 ? sigma * Float(rng.gaussian()) : 0  // no draw without noise: the same sequence as before
        }
        for j in 0...h {
            let row = Array(state.qposHistory[(j * nq)..<((j + 1) * nq)])
            state.qposHistory.replaceSubrange((j * nq)..<((j + 1) * nq), with: integrator.integrate(qpos: row, qvel: offset, dtSeconds: 1))
        }
    }

    /// The acceleration (nv, the model's frames: see ``BodyGraphBuilder/prepare(_:)``) that takes `state` to `next`
    /// in one step: (v_next - v_newest) / dt.
    func targetAccelerations(state: BodyState, next: ArraySlice<Float>) -> [Float] {
        let h = model.historyLength, nv = model.scene.nv, dt = model.dtSeconds
        let builder = runner.builder
        let newest = Array(builder.prepare(state)[((h - 1) * nv)...])
        var vNext = integrator.differentiate(from: Array(state.qpos), to: Array(next), dtSeconds: Double(dt))
        vNext.withUnsafeMutableBufferPointer { builder.toModelFrames($0.baseAddress!) }
        return (0..<nv).map { (vNext[$0] - newest[$0]) / dt }
    }

    /// Writes the normalised targets of `accelerations` (environment-major, nv each) into `targets` and the mask of
    /// used entries into `mask`.
    private func writeTargets(_ accelerations: [[Float]], mask: inout [Float]) {
        let layout = model.layout, stats = model.targetStatistics
        if model.configuration.kind == .gnn {
            let rows = layout.decodedNodes.count
            for (env, a) in accelerations.enumerated() {
                for (i, n) in layout.decodedNodes.enumerated() {
                    let row = targets.view.row(env * rows + i)
                    for s in 0..<6 { row[s] = 0; mask[(env * rows + i) * 6 + s] = 0 }
                    for (s, d) in layout.nodeDofs[n].enumerated() {
                        let c = layout.targetClass[d]
                        row[s] = (a[d] - stats.mean[c]) / stats.std[c]
                        mask[(env * rows + i) * 6 + s] = 1
                    }
                }
            }
        } else {
            for (env, a) in accelerations.enumerated() {
                let row = targets.view.row(env)
                for d in a.indices { row[d] = (a[d] - stats.mean[d]) / stats.std[d]; mask[env * a.count + d] = 1 }
            }
        }
    }

    /// Normalisation statistics of inputs and targets from up to `frames` training frames (without noise).
    public func computeStatistics(frames count: Int = 4000) {
        let isGraph = model.configuration.kind == .gnn
        var input = FeatureStatisticsAccumulator(width: model.inputStatistics.width)
        var edge = FeatureStatisticsAccumulator(width: model.edgeStatistics.width)
        var target = FeatureStatisticsAccumulator(width: model.targetStatistics.width)
        var local = SeededRandom(seed: 99)
        let batch = runner.maxEnvironments
        var remaining = min(count, frames.count)
        while remaining > 0 {
            let n = min(batch, remaining)
            remaining -= n
            var states: [BodyState] = [], ctrl: [Float] = []
            for _ in 0..<n {
                let s = sample(local.index(frames.count))
                let a = targetAccelerations(state: s.state, next: s.next)
                for (d, x) in a.enumerated() { target.add(x, feature: isGraph ? model.layout.targetClass[d] : d) }
                states.append(s.state)
                ctrl += s.ctrl
            }
            states.withUnsafeBufferPointer { st in
                ctrl.withUnsafeBufferPointer { u in
                    if isGraph {
                        runner.builder.build(states: st, ctrl: u)
                        input.add(runner.builder.nodeView)
                        if runner.builder.edgeCount > 0 { edge.add(runner.builder.edgeView) }
                    } else {
                        input.add(runner.writeDenseInputs(states: st, ctrl: u))
                    }
                }
            }
        }
        model.inputStatistics = input.statistics()
        model.edgeStatistics = edge.count > 0 ? edge.statistics() : FeatureStatistics(identityOfWidth: model.edgeStatistics.width)
        model.targetStatistics = target.statistics()
    }

    /// The normalised MSE of a new minibatch (drawn and noised as training draws them; the parameters' gradients
    /// are left set to its gradient, nothing is updated). Training steps are `run`'s.
    func minibatchLoss() -> Float {
        accumulateGradient(samples: 0..<model.configuration.batchSize).loss
    }

    /// Draws a minibatch and sets every parameter's gradient to that of the normalised MSE over the decoded DOFs of
    /// `samples` of it; returns that loss and the number of values it averages. Every sample's frame and noise seed
    /// come from the trainer's generator, drawn for the whole minibatch (so every rank's generator stays in step);
    /// only the samples of `part` are noised and computed.
    func accumulateGradient(samples part: Range<Int>) -> (loss: Float, count: Float) {
        let batch = model.configuration.batchSize
        var states: [BodyState] = [], ctrl: [Float] = [], accelerations: [[Float]] = []
        for b in 0..<batch {
            let frame = rng.index(frames.count), noiseSeed = rng.next()
            guard part.contains(b) else { continue }
            var s = sample(frame), noise = SeededRandom(seed: noiseSeed)
            addNoise(to: &s.state, using: &noise)
            accelerations.append(targetAccelerations(state: s.state, next: s.next))
            states.append(s.state)
            ctrl += s.ctrl
        }
        let out = states.withUnsafeBufferPointer { st in ctrl.withUnsafeBufferPointer { runner.forward(states: st, ctrl: $0) } }
        var mask = [Float](repeating: 0, count: out.rows * out.cols)
        writeTargets(accelerations, mask: &mask)
        var loss: Float = 0
        let used = max(1, mask.reduce(0, +))
        for r in 0..<out.rows {
            let p = out.row(r), t = targets.view.row(r), g = gradient.view.row(r)
            for k in 0..<out.cols {
                let m = mask[r * out.cols + k], d = (p[k] - t[k]) * m
                loss += d * d
                g[k] = 2 * d / used
            }
        }
        model.parameters.zeroGradients()
        runner.backward(outputGradient: gradient.view.rows(0..<out.rows))
        return (loss / used, used)
    }

    /// Mean position error (m) of every moving body at `validationHorizon` (or the longest the episodes allow) on
    /// the first `validationEpisodes` valid episodes; infinity if a rollout diverges.
    public func validationError() throws -> Double {
        let episodes = Array(valid.prefix(validationEpisodes))
        guard !episodes.isEmpty else { return .nan }
        let longest = (episodes.map(\.frameCount).min() ?? 0) - model.historyLength - 1
        guard longest >= 1 else { return .nan }
        let horizon = min(validationHorizon, longest)
        let evaluation = try BodyRolloutEvaluation(scene: model.scene, horizons: [horizon])
        let runner = try BodyDynamicsRunner(model: model, maxEnvironments: evaluation.maxStarts(episodes: episodes, historyLength: model.historyLength))
        let errors = try evaluation.evaluate(runner, episodes: episodes)
        return errors.diverged > 0 ? .infinity : errors.bodyPositionErrorMeters[0] ?? .nan
    }

    /// Trains for `budgetSeconds` (or `maxSteps`), validating every `validateEverySeconds`, writing the best model
    /// to `path` (see ``TrainingLoop`` for stopping). With a `reducer` of several ranks, each rank trains on its
    /// part of every minibatch and only rank 0 validates and writes `path`.
    public func run(budgetSeconds: Double, maxSteps: Int? = nil, startStep: Int = 0, validateEverySeconds: Double = 20,
                    path: String, extraMetadata: [String: String] = [:], reducer: any GradientReducer = SingleProcessReducer(),
                    shouldStop: () -> Bool = { false },
                    progress: (DynamicsTrainingProgress) -> Void = { _ in }) throws -> DynamicsTrainingSummary {
        let c = model.configuration
        let part = try reducer.share(of: c.batchSize)
        let loop = TrainingLoop(budgetSeconds: budgetSeconds, maxSteps: maxSteps, startStep: startStep, validateEverySeconds: validateEverySeconds,
                                validationHorizon: validationHorizon, path: path, parameters: model.parameters, learningRate: c.learningRate,
                                decaySteps: c.learningRateDecaySteps, gradientClipNorm: c.gradientClipNorm, reducer: reducer)
        return try loop.run(gradient: { accumulateGradient(samples: part) },
                            validate: { try validationError() },
                            save: { try model.save(to: path, extra: extraMetadata.merging($0) { _, new in new }) },
                            shouldStop: shouldStop, progress: progress)
    }
}
