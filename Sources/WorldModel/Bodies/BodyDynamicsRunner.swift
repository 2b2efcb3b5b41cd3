/// Runs a ``BodyDynamicsModel`` on batches of up to `maxEnvironments` environments: predicts `qacc`, integrates
/// it in joint space, keeps limited hinges and slides within their range (widened by the configuration's
/// margin) and moving geoms out of the static ones (``StaticContactProjection``, beyond the configuration's
/// tolerance). Stepping runs the network's inference pass (``GraphNetwork/infer(nodeFeatures:edgeFeatures:senders:receivers:outputRows:workspace:)``:
/// fused row kernels, nothing kept for a backward pass); `forward` keeps what `backward` needs, for training, in
/// buffers made by its first call. The buffers are made once, and again only when the graph builder grows its
/// edge buffers (more contacts than any step before): then the network workspaces grow with them, so a step in
/// the steady state allocates nothing. Not thread-safe.
///
/// Divergence: an environment whose new velocity leaves any sane range (not finite, or above
/// ``divergenceSpeed`` in m/s or rad/s on some DOF) or whose new `qpos` is not finite is left at its last state
/// and reported by `step` (it stops; callers decide what that costs).
public final class BodyDynamicsRunner {
    public let model: BodyDynamicsModel
    public let maxEnvironments: Int
    public let builder: BodyGraphBuilder
    let team: ThreadTeam
    private(set) var inferenceWorkspace: GraphInferenceWorkspace?
    private(set) var trainingWorkspace: GraphNetworkWorkspace?
    let denseWorkspace: MLPWorkspace?
    let denseInput: Matrix?
    /// maxEnvironments x nv: the last predicted accelerations (raw units).
    public let accelerations: Matrix
    private let scratchVelocity: UnsafeMutableBufferPointer<Float>
    private let scratchQpos: UnsafeMutableBufferPointer<Float>
    private let integrator: JointSpaceIntegrator
    /// Keeps stepped configurations out of the static geoms (nil for a scene without any).
    public let projection: StaticContactProjection?
    /// Seconds per stage of the steps taken while it is non-nil (set it to `BodyStepTiming()` to start timing,
    /// nil to stop): measured inside the real stages, as MuJoCo's `TM_START`/`TM_END` are.
    public var timing: BodyStepTiming?
    /// The speed (m/s or rad/s, any DOF) above which a step counts as diverged: far beyond anything a robot or
    /// the objects it handles reach, far below where float32 overflows.
    public static let divergenceSpeed: Float = 1000

    public init(model: BodyDynamicsModel, maxEnvironments: Int) throws {
        guard maxEnvironments >= 1 else { throw WorldModelError("a runner needs at least one environment") }
        self.model = model
        self.maxEnvironments = maxEnvironments
        let c = model.configuration
        builder = BodyGraphBuilder(layout: model.layout, historyLength: c.historyLength, contactRadiusMeters: c.contactRadiusMeters, staticContactRadiusMeters: c.staticContactRadiusMeters,
                                   staticContactsToWorld: c.staticContactEdgesToWorld,
                                   dtSeconds: model.dtSeconds, maxEnvironments: maxEnvironments)
        team = try ThreadTeam(threads: 1)
        if let network = model.graphNetwork {
            inferenceWorkspace = network.makeInferenceWorkspace(maxNodes: builder.maxNodes, maxEdges: builder.maxEdges, team: team)
            denseWorkspace = nil
            denseInput = nil
        } else {
            let mlp = model.denseNetwork!
            inferenceWorkspace = nil
            denseWorkspace = mlp.makeWorkspace(maxBatch: maxEnvironments)
            denseInput = Matrix(rows: maxEnvironments, cols: mlp.architecture.inputWidth)
        }
        accelerations = Matrix(rows: maxEnvironments, cols: max(1, model.scene.nv))
        scratchVelocity = .allocate(capacity: max(1, model.scene.nv))
        scratchQpos = .allocate(capacity: max(1, model.scene.nq))
        integrator = JointSpaceIntegrator(tree: model.scene.tree)
        projection = StaticContactProjection(layout: model.layout, toleranceMeters: c.staticPenetrationToleranceMeters)
    }

    deinit { scratchVelocity.deallocate(); scratchQpos.deallocate() }

    public var historyLength: Int { model.historyLength }

    /// Builds and normalises the inputs of `states` (raw builder features are normalised in place) and runs the
    /// network, keeping what `backward` needs; returns its normalised output: graph network [decoded rows, 6] (DOF
    /// slots per decoded node), dense [environments, nv]. Valid until the next call.
    @discardableResult
    public func forward(states: UnsafeBufferPointer<BodyState>, ctrl: UnsafeBufferPointer<Float>) -> MatrixView {
        run(states: states, ctrl: ctrl, training: true)
    }

    /// `forward` through the network's inference pass: the same outputs (to float rounding), faster, and nothing
    /// kept for `backward`. What `step` runs.
    @discardableResult
    public func infer(states: UnsafeBufferPointer<BodyState>, ctrl: UnsafeBufferPointer<Float>) -> MatrixView {
        run(states: states, ctrl: ctrl, training: false)
    }

    private func run(states: UnsafeBufferPointer<BodyState>, ctrl: UnsafeBufferPointer<Float>, training: Bool) -> MatrixView {
        let start = timing == nil ? 0 : monotonicSeconds()
        if let network = model.graphNetwork {
            builder.build(states: states, ctrl: ctrl)
            model.inputStatistics.normalize(builder.nodeView)
            model.edgeStatistics.normalize(builder.edgeView)
            let built = timing == nil ? 0 : monotonicSeconds()
            let output: MatrixView
            if training {
                let workspace = network.workspace(trainingWorkspace, holdingNodes: builder.maxNodes, edges: builder.maxEdges)
                trainingWorkspace = workspace
                output = network.forward(nodeFeatures: builder.nodeView, edgeFeatures: builder.edgeView, senders: builder.senderIndices,
                                         receivers: builder.receiverIndices, outputRows: builder.decodedRowIndices, workspace: workspace)
            } else {
                let workspace = network.inferenceWorkspace(inferenceWorkspace, holdingNodes: builder.maxNodes, edges: builder.maxEdges, team: team)
                inferenceWorkspace = workspace
                output = network.infer(nodeFeatures: builder.nodeView, edgeFeatures: builder.edgeView, senders: builder.senderIndices,
                                       receivers: builder.receiverIndices, outputRows: builder.decodedRowIndices, workspace: workspace)
            }
            timing?.add(graph: built - start, network: monotonicSeconds() - built, edges: builder.edgeCount)
            return output
        }
        let input = writeDenseInputs(states: states, ctrl: ctrl)
        model.inputStatistics.normalize(input)
        let built = timing == nil ? 0 : monotonicSeconds()
        let output = model.denseNetwork!.forward(input, workspace: denseWorkspace!)
        timing?.add(graph: built - start, network: monotonicSeconds() - built, edges: 0)
        return output
    }

    /// The dense baseline's raw input rows of `states`.
    func writeDenseInputs(states: UnsafeBufferPointer<BodyState>, ctrl: UnsafeBufferPointer<Float>) -> MatrixView {
        let input = denseInput!.view.rows(0..<states.count), nu = model.scene.nu
        for env in 0..<states.count {
            let velocities = builder.prepare(states[env], environment: env)
            DenseStateFeatures.write(input.row(env), scene: model.scene, qpos: states[env].qpos, velocities: velocities,
                                     ctrl: UnsafeBufferPointer(rebasing: ctrl[(env * nu)..<((env + 1) * nu)]))
        }
        return input
    }

    /// Backpropagates the gradient of the last `forward`'s output, accumulating parameter gradients.
    public func backward(outputGradient: MatrixView) {
        if let network = model.graphNetwork {
            guard let workspace = trainingWorkspace else { preconditionFailure("BodyDynamicsRunner.backward: call forward (not infer) first") }
            network.backward(outputGradient: outputGradient, workspace: workspace)
        } else {
            model.denseNetwork!.backward(input: denseInput!.view.rows(0..<outputGradient.rows), outputGradient: outputGradient, workspace: denseWorkspace!)
        }
    }

    /// Maps a normalised network output of environment `env` to `qacc` (nv values, raw units) in `out`.
    func decode(_ output: MatrixView, environment env: Int, into out: UnsafeMutablePointer<Float>) {
        let layout = model.layout, stats = model.targetStatistics
        if model.graphNetwork != nil {
            let rows = layout.decodedNodes.count
            for (i, n) in layout.decodedNodes.enumerated() {
                let row = output.row(env * rows + i)
                for (s, d) in layout.nodeDofs[n].enumerated() {
                    let c = layout.targetClass[d]
                    out[d] = stats.denormalize(row[s], feature: c)
                }
            }
        } else {
            let row = output.row(env)
            for d in 0..<model.scene.nv { out[d] = stats.denormalize(row[d], feature: d) }
        }
    }

    /// Steps every state by one control step under `ctrl` (states.count x nu, MuJoCo's `ctrl`); returns how many
    /// environments diverged in this step (they keep their last state; `diverged[k]` says which).
    @discardableResult
    public func step(_ states: inout [BodyState], ctrl: [Float], diverged: UnsafeMutableBufferPointer<Bool>? = nil) -> Int {
        let n = states.count
        precondition(n <= maxEnvironments, "BodyDynamicsRunner: \(n) environments, built for \(maxEnvironments)")
        let output = states.withUnsafeBufferPointer { st in ctrl.withUnsafeBufferPointer { infer(states: st, ctrl: $0) } }
        var count = 0
        let start = timing == nil ? 0 : monotonicSeconds()
        for env in 0..<n {
            let qacc = accelerations.view.row(env)
            decode(output, environment: env, into: qacc)
            let finite = advancePrepared(&states[env], environment: env, accelerations: qacc)
            diverged?[env] = !finite
            if !finite { count += 1 }
        }
        if timing != nil { timing!.integrationSeconds += monotonicSeconds() - start; timing!.steps += 1; timing!.environmentSteps += n }
        return count
    }
}

extension BodyDynamicsRunner {
    /// Advances `state` by one control step with accelerations `qacc` (nv, the model's frames): v' = v + qacc dt,
    /// qpos' = qpos (+) v' dt, joint limits and static non-penetration enforced. Returns false (and leaves `state` as it was) when the result
    /// is not finite.
    public func advance(_ state: inout BodyState, accelerations qacc: UnsafePointer<Float>) -> Bool {
        builder.prepare(state)
        return advancePrepared(&state, environment: 0, accelerations: qacc)
    }

    /// `advance` for a state the builder has prepared as environment `env` (as `forward` does for every one).
    private func advancePrepared(_ state: inout BodyState, environment env: Int, accelerations qacc: UnsafePointer<Float>) -> Bool {
        let nv = model.scene.nv, nq = model.scene.nq, h = historyLength, dt = Double(model.dtSeconds)
        let v = builder.newestVelocity(environment: env)
        var finite = true
        for d in 0..<nv {
            scratchVelocity[d] = v[d] + qacc[d] * Float(dt)
            if !(abs(scratchVelocity[d]) <= Self.divergenceSpeed) { finite = false }
        }
        guard finite else { return false }
        builder.toJointFrames(scratchVelocity.baseAddress!, environment: env)
        state.qposHistory.withUnsafeBufferPointer { q in
            integrator.integrate(qpos: UnsafeBufferPointer(rebasing: q[(h * nq)...]), qvel: UnsafeBufferPointer(scratchVelocity),
                                 dtSeconds: dt, into: scratchQpos)
        }
        JointLimits.clamp(scratchQpos, tree: model.scene.tree, marginRadians: model.configuration.jointLimitMarginRadians)
        for k in 0..<nq where !scratchQpos[k].isFinite { return false }
        if let projection, projection.project(scratchQpos) > 0 {
            JointLimits.clamp(scratchQpos, tree: model.scene.tree, marginRadians: model.configuration.jointLimitMarginRadians)
            for k in 0..<nq where !scratchQpos[k].isFinite { return false }
        }
        state.qposHistory.withUnsafeMutableBufferPointer { q in
            for k in 0..<(h * nq) { q[k] = q[k + nq] }
            for k in 0..<nq { q[h * nq + k] = scratchQpos[k] }
        }
        return true
    }
}

/// Hard joint limits for rollouts: limited hinges and slides are clamped into their range widened by a margin.
public enum JointLimits {
    /// Clamps `qpos` (nq) in place: hinges to [lower - margin, upper + margin] (rad), slides with a tenth of it in m.
    public static func clamp(_ qpos: UnsafeMutableBufferPointer<Float>, tree: KinematicTree, marginRadians: Float) {
        for joint in tree.joints where joint.limited && (joint.kind == .hinge || joint.kind == .slide) {
            let margin = joint.kind == .hinge ? marginRadians : marginRadians * 0.1
            let a = joint.qposAddress
            qpos[a] = min(max(qpos[a], joint.range.x - margin), joint.range.y + margin)
        }
    }
}

/// Where the time of ``BodyDynamicsRunner`` steps went, stage by stage, summed over the steps timed.
public struct BodyStepTiming: Sendable, Equatable {
    /// Forward kinematics, finite differences, contact search and features, normalisation.
    public var graphSeconds: Double = 0
    /// The network (or the dense MLP).
    public var networkSeconds: Double = 0
    /// Decoding to `qacc`, joint-space integration, joint limits, static non-penetration.
    public var integrationSeconds: Double = 0
    /// Batched steps and environment-steps timed, and edges built over them.
    public var steps = 0
    public var environmentSteps = 0
    public var edges = 0

    public init() {}

    public var totalSeconds: Double { graphSeconds + networkSeconds + integrationSeconds }

    mutating func add(graph: Double, network: Double, edges: Int) {
        graphSeconds += graph
        networkSeconds += network
        self.edges += edges
    }

    /// The sum of two timings (e.g. of the runners of several threads).
    public static func + (a: BodyStepTiming, b: BodyStepTiming) -> BodyStepTiming {
        var t = a
        t.graphSeconds += b.graphSeconds; t.networkSeconds += b.networkSeconds; t.integrationSeconds += b.integrationSeconds
        t.steps += b.steps; t.environmentSteps += b.environmentSteps; t.edges += b.edges
        return t
    }
}
