@preconcurrency import CMuJoCo

/// Reads object poses and the robot position of one simulation straight from MuJoCo's arrays, without
/// allocating: for loops that read poses every step (the oracle planner). `MuJoCoSimulation.objectStates()`
/// is the allocating, complete alternative.
///
/// ```swift
/// let reader = try MuJoCoPoseReader(simulation: sim)
/// reader.forEachObjectPose { i, position, quaternion in print(i, position) }
/// ```
/// Valid as long as `simulation` lives; reads its current state (not thread-safe, like the simulation).
public struct MuJoCoPoseReader {
    public let simulation: MuJoCoSimulation
    private let objectQposAddress: [Int]
    private let robotBodyID: Int

    public init(simulation: MuJoCoSimulation) throws {
        let reading = try simulation.reading
        self.simulation = simulation
        objectQposAddress = reading.objectQposAddress
        robotBodyID = Int(reading.robotBodyID)
    }

    /// Calls `body(index, position (m, world), quaternion (w, x, y, z))` for every object.
    @inline(__always)
    public func forEachObjectPose(_ body: (Int, SIMD3<Float>, SIMD4<Float>) -> Void) {
        let q = simulation.data.pointee.qpos!
        for (i, a) in objectQposAddress.enumerated() {
            body(i, SIMD3(Float(q[a]), Float(q[a + 1]), Float(q[a + 2])),
                 SIMD4(Float(q[a + 3]), Float(q[a + 4]), Float(q[a + 5]), Float(q[a + 6])))
        }
    }

    /// The robot body's origin (m, world), as of the last `mj_forward` or step.
    public var robotPosition: SIMD3<Float> {
        let x = simulation.data.pointee.xpos! + 3 * robotBodyID
        return SIMD3(Float(x[0]), Float(x[1]), Float(x[2]))
    }
}
