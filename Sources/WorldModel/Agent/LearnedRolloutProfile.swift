/// Where the time of a learned batch rollout goes: graph building (edges by shape distance, features,
/// normalisation), the network (GEMMs, gathers, scatters, LayerNorms), and decoding plus integration; and the
/// network's arithmetic rate. Measured by `LearnedRolloutModel.profile`, one pass of each stage per step.
public struct LearnedRolloutProfile: Sendable, Equatable {
    public var graphBuildingSeconds: Double
    public var networkSeconds: Double
    public var integrationSeconds: Double
    /// Mean edges per graph (environment) over the rollout.
    public var edgesPerGraph: Double
    /// Multiply-add flops of the network over the rollout (2 per multiply-add).
    public var networkFlops: Double

    public var totalSeconds: Double { graphBuildingSeconds + networkSeconds + integrationSeconds }
    /// The network's rate, GFLOP/s.
    public var networkGigaflopsPerSecond: Double { networkSeconds > 0 ? networkFlops / networkSeconds / 1e9 : 0 }
}

extension LearnedRolloutModel {
    /// Rolls out `samples` copies of `state` for `horizon` steps under `actions[s * horizon + t]`, timing each
    /// stage of `DynamicsRunner.step` separately (the same computation, split by stage). Graph networks only.
    public func profile(from state: DynamicsState, actions: [SIMD2<Float>], samples: Int, horizon: Int) throws -> LearnedRolloutProfile {
        let model = runner.model, dt = model.dtSeconds
        guard let network = model.graphNetwork, let workspace = runner.inferenceWorkspace else {
            throw WorldModelError(file: world.dynamicsPath, "profiling splits graph-network steps; this checkpoint holds the dense baseline")
        }
        precondition(samples <= runner.maxEnvironments && actions.count >= samples * horizon, "LearnedRolloutModel.profile: batch too large")
        var states = (0..<samples).map { _ in state }
        var robotNext = [SIMD3<Float>](repeating: .zero, count: samples)
        var profile = LearnedRolloutProfile(graphBuildingSeconds: 0, networkSeconds: 0, integrationSeconds: 0, edgesPerGraph: 0, networkFlops: 0)
        let n = objectCount
        for t in 0..<horizon {
            let start = monotonicSeconds()
            for s in 0..<samples {
                robotNext[s] = model.robotKinematics.nextPosition(of: states[s], action: actions[s * horizon + t], dtSeconds: dt)
            }
            states.withUnsafeBufferPointer { buffer in
                robotNext.withUnsafeBufferPointer { runner.builder.build(states: buffer, robotNext: $0, dtSeconds: dt) }
            }
            model.nodeStatistics.normalize(runner.builder.nodeView)
            model.edgeStatistics.normalize(runner.builder.edgeView)
            let built = monotonicSeconds()
            let b = runner.builder
            let out = network.infer(nodeFeatures: b.nodeView, edgeFeatures: b.edgeView, senders: b.senderIndices,
                                                  receivers: b.receiverIndices, outputRows: b.objectRowIndices, workspace: workspace)
            let ran = monotonicSeconds()
            var accelerations = [Float](repeating: 0, count: n * 6)
            for s in 0..<samples {
                for i in 0..<n {
                    let row = out.row(s * n + i), heading = runner.outputHeading(row: s * n + i)
                    var linear = SIMD3<Float>(), angular = SIMD3<Float>()
                    for c in 0..<3 {
                        linear[c] = model.targetStatistics.denormalize(row[c], feature: c)
                        angular[c] = model.targetStatistics.denormalize(row[3 + c], feature: 3 + c)
                    }
                    linear = RotationMath.rotateZ(linear, by: heading)
                    angular = RotationMath.rotateZ(angular, by: heading)
                    for c in 0..<3 { accelerations[i * 6 + c] = linear[c]; accelerations[i * 6 + 3 + c] = angular[c] }
                }
                states[s].integrate(accelerations: accelerations, dtSeconds: dt)
                states[s].moveRobot(to: robotNext[s], action: actions[s * horizon + t], dtSeconds: dt)
            }
            let done = monotonicSeconds()
            profile.graphBuildingSeconds += built - start
            profile.networkSeconds += ran - built
            profile.integrationSeconds += done - ran
            profile.edgesPerGraph += Double(b.edgeCount) / Double(samples * horizon)
            profile.networkFlops += network.forwardFlops(nodes: b.nodeCount, edges: b.edgeCount, outputs: b.objectRowCount)
        }
        return profile
    }
}
