/// What fixed RGB-D cameras see of a MuJoCo scene: the teacher's ray-cast frames (`RayCastRenderer`, exact
/// surfaces, one ray per pixel) at a generalized state, with the robot in the picture (it hides what is behind it)
/// and Gaussian depth noise like a depth sensor's.
///
/// Noise: every pixel with a return gets `N(0, depthNoiseMeters^2)` added to its depth (clamped at 0), drawn
/// from a generator seeded once, so a sequence of frames is a pure function of (seed, states).
///
/// ```swift
/// let observer = try CameraObserver(scenePath: "scenes/push.xml", cameras: [camera], depthNoiseMeters: 0.002, seed: 1)
/// let frames = try observer.observe(qpos: episodeQpos)   // one CameraFrame per camera
/// ```
public final class CameraObserver {
    public let renderer: RayCastRenderer
    public let cameras: [PinholeCamera]
    public let depthNoiseMeters: Float
    public let showsRobot: Bool
    private var random: SeededRandom

    public init(simulation: MuJoCoSimulation, cameras: [PinholeCamera], depthNoiseMeters: Float, seed: UInt64, showsRobot: Bool = true) throws {
        guard depthNoiseMeters >= 0 && depthNoiseMeters.isFinite else {
            throw WorldModelError(file: simulation.path, "depth noise must be finite and >= 0, got \(depthNoiseMeters) m")
        }
        renderer = try RayCastRenderer(simulation: simulation)
        renderer.includesRobot = showsRobot
        self.cameras = cameras
        self.depthNoiseMeters = depthNoiseMeters
        self.showsRobot = showsRobot
        random = SeededRandom(seed: seed)
    }

    public convenience init(scenePath: String, cameras: [PinholeCamera], depthNoiseMeters: Float, seed: UInt64, showsRobot: Bool = true) throws {
        try self.init(simulation: MuJoCoSimulation(path: scenePath), cameras: cameras, depthNoiseMeters: depthNoiseMeters, seed: seed, showsRobot: showsRobot)
    }

    /// The frames of every camera with the scene at `qpos` (MuJoCo's generalized positions, nq values).
    public func observe(qpos: [Float]) throws -> [CameraFrame] {
        let nv = renderer.simulation.sceneModel.nv
        try renderer.simulation.setGeneralizedState(qpos: qpos.map(Double.init), qvel: [Double](repeating: 0, count: nv))
        return observeCurrentState()
    }

    /// The frames of every camera with the simulation as it is (its state is not changed).
    public func observeCurrentState() -> [CameraFrame] {
        cameras.map { camera in
            var image = renderer.render(camera: camera)
            if depthNoiseMeters > 0 {
                for p in image.depth.indices where image.depth[p] > 0 {
                    image.depth[p] = max(0, image.depth[p] + depthNoiseMeters * Float(random.gaussian()))
                }
            }
            return CameraFrame(camera: camera, image: image)
        }
    }
}
