#if Viewer
import WorldModel

/// The MuJoCo teacher as a `PoseSource`: the ground truth every learned model is compared against.
public final class GroundTruthSource: PoseSource {
    public let simulation: MuJoCoSimulation
    public let scene: SceneDescription
    public let label = "ground truth (MuJoCo)"
    /// MuJoCo's buffers are not visible from here, so the footprint is unknown.
    public let memoryFootprintBytes: Int? = nil
    public private(set) var objectStates: [Float]
    public private(set) var robotState: [Float]

    /// Loads the MJCF scene at `scenePath`.
    public init(scenePath: String) throws {
        simulation = try MuJoCoSimulation(path: scenePath)
        scene = try simulation.scene
        objectStates = try simulation.objectStates()
        robotState = try simulation.robotState()
    }

    public func reset(objectStates states: [Float], robotState robot: [Float]) throws {
        simulation.reset()
        for i in 0..<scene.objects.count {
            let o = i * objectStateWidth
            func vector(_ k: Int) -> SIMD3<Double> { SIMD3(Double(states[o + k]), Double(states[o + k + 1]), Double(states[o + k + 2])) }
            try simulation.setObject(i, position: vector(0),
                                 quaternion: SIMD4(Double(states[o + 3]), Double(states[o + 4]), Double(states[o + 5]), Double(states[o + 6])),
                                 linearVelocity: vector(7), angularVelocity: vector(10))
        }
        try simulation.setRobotJoints(robot.prefix(scene.robotJointCount).map(Double.init))
        objectStates = try simulation.objectStates()
        robotState = try simulation.robotState()
    }

    public func step(action: [Float]) throws {
        try simulation.step(action: action, substeps: scene.controlSubsteps)
        try simulation.writeObjectStates(into: &objectStates, at: 0)
        try simulation.writeRobotState(into: &robotState, at: 0)
    }

    /// The start of episode `episode` of `seed`, as `TeacherRecorder` places it: a random placement, then
    /// `settlePhysicsSteps` physics steps with zero action. Returns the objects' (N x 13) and robot's states.
    public func settledStart(seed: UInt64, episode: Int, settlePhysicsSteps: Int = 50) throws -> (objects: [Float], robot: [Float]) {
        var rng = SeededRandom(seed: seed, stream: UInt64(episode))
        try simulation.start(from: InitialPlacement.sample(for: scene, using: &rng), settlePhysicsSteps: settlePhysicsSteps)
        return (try simulation.objectStates(), try simulation.robotState())
    }
}
#endif
