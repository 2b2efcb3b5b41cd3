#if Viewer
import WorldModel

/// The learned world model as a pose source: a trained dynamics checkpoint rolled out one step per action by a
/// batch-1 `RolloutEngine`, started from the ground truth's state (velocity histories filled with the current
/// velocities, as after a steady motion).
public final class LearnedSource: PoseSource {
    public let label: String
    public let model: DynamicsModel
    private let engine: RolloutEngine
    private var states: [DynamicsState]
    private var stepIndex = 0

    /// Loads `modelPath` for a scene with `objects` (the dense baseline refuses another object count).
    public init(modelPath: String, objects: [ObjectDescription]) throws {
        model = try DynamicsModel.load(from: modelPath)
        do {
            engine = try RolloutEngine(model: model, objects: objects, batchSize: 1)
        } catch let error as WorldModelError {
            throw WorldModelError(file: modelPath, error.message)
        }
        label = "learned (\(model.configuration.kind == .gnn ? "GNN" : "dense MLP"))"
        states = [DynamicsState(objectCount: objects.count, historyLength: model.historyLength)]
    }

    public var memoryFootprintBytes: Int? { MemoryFootprint.of(engine, states: states, sceneBytes: 0).totalBytes }

    public var objectStates: [Float] {
        let s = states[0]
        var out = [Float](repeating: 0, count: s.objectCount * objectStateWidth)
        for i in 0..<s.objectCount {
            let o = i * objectStateWidth, v = s.linearVelocity(i), w = s.angularVelocity(i)
            for k in 0..<3 { out[o + k] = s.positions[i * 3 + k]; out[o + 7 + k] = v[k]; out[o + 10 + k] = w[k] }
            for k in 0..<4 { out[o + 3 + k] = s.quaternions[i * 4 + k] }
        }
        return out
    }

    public var robotState: [Float] {
        let s = states[0], v = s.robotVelocity
        return [s.robotPosition.x, s.robotPosition.y, s.robotPosition.z, v.x, v.y, v.z]
    }

    public func reset(objectStates: [Float], robotState: [Float]) throws {
        let h = model.historyLength, n = objectStates.count / objectStateWidth
        var s = DynamicsState(objectCount: n, historyLength: h)
        for i in 0..<n {
            let o = i * objectStateWidth
            for k in 0..<3 { s.positions[i * 3 + k] = objectStates[o + k] }
            for k in 0..<4 { s.quaternions[i * 4 + k] = objectStates[o + 3 + k] }
            for j in 0..<h {
                for k in 0..<3 {
                    s.linearVelocities[(i * h + j) * 3 + k] = objectStates[o + 7 + k]
                    s.angularVelocities[(i * h + j) * 3 + k] = objectStates[o + 10 + k]
                }
            }
        }
        s.robotPosition = SIMD3(robotState[0], robotState[1], robotState[2])
        for j in 0..<h { for k in 0..<3 { s.robotVelocities[j * 3 + k] = robotState[3 + k] } }
        states = [s]
        stepIndex = 0
    }

    public func step(action: [Float]) throws {
        let a = SIMD2(action.first ?? 0, action.count > 1 ? action[1] : 0)
        var stopped = false
        try engine.advance(&states, step: stepIndex, action: { _, _, _ in a }) { _ in stopped = true }
        stepIndex += 1
        if stopped { throw WorldModelError("the learned model diverged at step \(stepIndex)") }
    }
}
#endif
