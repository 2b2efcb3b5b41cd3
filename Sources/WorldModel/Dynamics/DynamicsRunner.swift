/// A dynamics model bound to one scene's objects and a maximum batch: builds graphs, runs the network, and
/// integrates. The buffers are allocated here, and again only when the graph builder grows its edge buffers (a
/// scene whose objects crowd closer than any before): then the network workspace grows with them, so a step
/// in the steady state allocates nothing. Stepping runs the network's
/// inference pass (``GraphNetwork/infer(nodeFeatures:edgeFeatures:senders:receivers:outputRows:workspace:)``) on
/// `threads` threads; the buffers `backward` needs are allocated by the first `forward` (training) only.
/// Not thread-safe: one per thread.
public final class DynamicsRunner {
    public let model: DynamicsModel
    public let objects: [ObjectDescription]
    public let maxEnvironments: Int
    let builder: GraphBuilder
    let team: ThreadTeam
    private(set) var inferenceWorkspace: GraphInferenceWorkspace?
    private(set) var trainingWorkspace: GraphNetworkWorkspace?
    let denseWorkspace: MLPWorkspace?
    let denseInput: Matrix?
    /// World-frame accelerations of the last step: [environments * objects, 6].
    let accelerations: Matrix
    private let robotNext: UnsafeMutableBufferPointer<SIMD3<Float>>

    /// A runner for up to `maxEnvironments` environments of `objects`, whose network runs on `threads` threads
    /// (the caller's and `threads - 1` workers).
    public init(model: DynamicsModel, objects: [ObjectDescription], maxEnvironments: Int, threads: Int = 1) throws {
        if model.configuration.kind == .denseMLP && objects.count != model.trainedObjects.count {
            throw WorldModelError("the dense MLP baseline was trained on \(model.trainedObjects.count) objects and cannot take \(objects.count): its input is a fixed-size concatenation of every object's state")
        }
        self.model = model
        self.objects = objects
        self.maxEnvironments = maxEnvironments
        builder = GraphBuilder(configuration: model.configuration.features, objects: objects, robot: model.robot, maxEnvironments: maxEnvironments,
                               maxThreads: threads)
        let n = objects.count
        team = try ThreadTeam(threads: model.graphNetwork == nil ? 1 : threads)
        if let network = model.graphNetwork {
            inferenceWorkspace = network.makeInferenceWorkspace(maxNodes: builder.maxNodes, maxEdges: builder.maxEdges, team: team)
            denseWorkspace = nil
            denseInput = nil
        } else {
            inferenceWorkspace = nil
            denseWorkspace = model.denseNetwork!.makeWorkspace(maxBatch: maxEnvironments)
            denseInput = Matrix(rows: maxEnvironments, cols: (n + 1) * model.configuration.features.nodeWidth)
        }
        accelerations = Matrix(rows: maxEnvironments * n, cols: 6)
        robotNext = .allocate(capacity: max(maxEnvironments, 1))
    }

    deinit { robotNext.deallocate() }

    /// Bytes of every buffer this runner holds (graph buffers, network activations, outputs).
    public var workspaceBytes: Int {
        let f = MemoryLayout<Float>.stride
        var bytes = builder.byteCount + accelerations.count * f
        bytes += (inferenceWorkspace?.byteCount ?? 0) + (trainingWorkspace?.byteCount ?? 0)
        bytes += (denseWorkspace?.byteCount ?? 0) + (denseInput?.count ?? 0) * f
        return bytes
    }

    /// Runs the network on `states` with the robots moving to `robotNext`; returns the normalised outputs
    /// [environments * objects, 6], in each object's output frame. Keeps what `backward` needs (training).
    public func forward(states: UnsafeBufferPointer<DynamicsState>, robotNext: UnsafeBufferPointer<SIMD3<Float>>) -> MatrixView {
        run(states: states, robotNext: robotNext, training: true)
    }

    /// The outputs of `forward` from the network's inference pass: faster, and nothing kept for `backward`.
    public func infer(states: UnsafeBufferPointer<DynamicsState>, robotNext: UnsafeBufferPointer<SIMD3<Float>>) -> MatrixView {
        run(states: states, robotNext: robotNext, training: false)
    }

    private func run(states: UnsafeBufferPointer<DynamicsState>, robotNext: UnsafeBufferPointer<SIMD3<Float>>, training: Bool) -> MatrixView {
        builder.build(states: states, robotNext: robotNext, dtSeconds: model.dtSeconds, team: team)
        model.nodeStatistics.normalize(builder.nodeView)
        if let network = model.graphNetwork {
            model.edgeStatistics.normalize(builder.edgeView)
            if training {
                let workspace = network.workspace(trainingWorkspace, holdingNodes: builder.maxNodes, edges: builder.maxEdges)
                trainingWorkspace = workspace
                return network.forward(nodeFeatures: builder.nodeView, edgeFeatures: builder.edgeView, senders: builder.senderIndices,
                                       receivers: builder.receiverIndices, outputRows: builder.objectRowIndices, workspace: workspace)
            }
            let workspace = network.inferenceWorkspace(inferenceWorkspace, holdingNodes: builder.maxNodes, edges: builder.maxEdges, team: team)
            inferenceWorkspace = workspace
            return network.infer(nodeFeatures: builder.nodeView, edgeFeatures: builder.edgeView, senders: builder.senderIndices,
                                 receivers: builder.receiverIndices, outputRows: builder.objectRowIndices, workspace: workspace)
        }
        let input = denseInput!.view.rows(0..<states.count)
        let width = model.configuration.features.nodeWidth, perEnvironment = objects.count + 1
        for b in 0..<states.count {
            input.row(b).update(from: builder.nodeFeatures.view.row(b * perEnvironment), count: perEnvironment * width)
        }
        let out = model.denseNetwork!.forward(input, workspace: denseWorkspace!)
        return MatrixView(base: out.base, rows: states.count * objects.count, cols: 6, stride: 6)
    }

    /// Backpropagates the gradient of the loss with respect to the last `forward`'s outputs.
    public func backward(outputGradient: MatrixView) {
        if let network = model.graphNetwork {
            guard let workspace = trainingWorkspace else { preconditionFailure("DynamicsRunner.backward: call forward (not infer) first") }
            network.backward(outputGradient: outputGradient, workspace: workspace)
            return
        }
        let environments = outputGradient.rows / max(objects.count, 1)
        let g = MatrixView(base: outputGradient.base, rows: environments, cols: objects.count * 6, stride: objects.count * 6)
        model.denseNetwork!.backward(input: denseInput!.view.rows(0..<environments), outputGradient: g, workspace: denseWorkspace!)
    }

    /// The heading (rad) of the output frame of object row `k` of the last `forward`.
    public func outputHeading(row k: Int) -> Float { builder.heading(ofObjectRow: k) }

    /// Accelerations (m/s², rad/s²) beyond this mean the network has left anything it learned: the guard stops
    /// the environment before its state stops being finite.
    public static let divergenceLimit: Float = 1e4

    /// Advances every environment by one control step: the robot moves under `actions[k]` by the fitted
    /// kinematics, the objects by the network's accelerations. Throws if an environment diverges (non-finite or
    /// absurd accelerations); that environment is left as it was, the others have still been advanced.
    public func step(_ states: inout [DynamicsState], actions: [SIMD2<Float>]) throws {
        precondition(actions.count == states.count, "DynamicsRunner.step: one action per environment")
        let dt = model.dtSeconds
        for b in states.indices {
            robotNext[b] = model.robotKinematics.nextPosition(of: states[b], action: actions[b], dtSeconds: dt)
        }
        try step(&states, robotNext: UnsafeBufferPointer(rebasing: robotNext[0..<states.count]), actions: actions)
    }

    /// Advances every environment by one control step with the robots moving to `robotNext` (m, world) under
    /// `actions` (recorded in the states for the robot kinematics of the next step).
    public func step(_ states: inout [DynamicsState], robotNext: UnsafeBufferPointer<SIMD3<Float>>, actions: [SIMD2<Float>]) throws {
        var diverged: [Int] = []
        actions.withUnsafeBufferPointer { a in advance(&states, robotNext: robotNext, actions: a) { diverged.append($0) } }
        if !diverged.isEmpty {
            throw WorldModelError("dynamics diverged: non-finite or absurd accelerations in environment(s) \(diverged.map(String.init).joined(separator: ","))")
        }
    }

    /// One control step for every environment whose `active` flag is set (all when nil). An environment whose
    /// state is not finite, or whose accelerations are not finite or exceed `divergenceLimit`, is not advanced: `onDivergence(k)` is called and,
    /// with a mask, its flag is cleared. Allocates nothing.
    public func advance(_ states: inout [DynamicsState], robotNext: UnsafeBufferPointer<SIMD3<Float>>, actions: UnsafeBufferPointer<SIMD2<Float>>,
                        active: UnsafeMutableBufferPointer<Bool>? = nil, onDivergence: (Int) -> Void) {
        states.withUnsafeMutableBufferPointer { advance($0, robotNext: robotNext, actions: actions, active: active, onDivergence: onDivergence) }
    }

    /// `advance` on the environments of a buffer (a slice of a larger batch, for instance).
    public func advance(_ states: UnsafeMutableBufferPointer<DynamicsState>, robotNext: UnsafeBufferPointer<SIMD3<Float>>,
                        actions: UnsafeBufferPointer<SIMD2<Float>>, active: UnsafeMutableBufferPointer<Bool>? = nil,
                        onDivergence: (Int) -> Void) {
        let n = objects.count
        let out = infer(states: UnsafeBufferPointer(states), robotNext: robotNext)
        let stats = model.targetStatistics
        let a = accelerations.view
        for k in 0..<out.rows {
            let row = out.row(k), heading = outputHeading(row: k)
            var linear = SIMD3<Float>(), angular = SIMD3<Float>()
            for c in 0..<3 {
                linear[c] = stats.denormalize(row[c], feature: c)
                angular[c] = stats.denormalize(row[3 + c], feature: 3 + c)
            }
            linear = RotationMath.rotateZ(linear, by: heading)
            angular = RotationMath.rotateZ(angular, by: heading)
            let target = a.row(k)
            for c in 0..<3 { target[c] = linear[c]; target[3 + c] = angular[c] }
        }
        let limit = Self.divergenceLimit
        for b in states.indices {
            if let active, !active[b] { continue }
            let row = a.row(b * n)
            var sane = states[b].isFinite
            for k in 0..<(n * 6) where !(abs(row[k]) <= limit) { sane = false }
            guard sane else {
                active?[b] = false
                onDivergence(b)
                continue
            }
            states[b].integrate(accelerations: UnsafePointer(row), dtSeconds: model.dtSeconds)
            states[b].keepAboveTable(objects: objects, tableHeightMeters: model.configuration.features.tableHeightMeters,
                                     toleranceMeters: model.configuration.tableToleranceMeters, dtSeconds: model.dtSeconds)
            states[b].moveRobot(to: robotNext[b], action: actions[b], dtSeconds: model.dtSeconds)
        }
    }
}
