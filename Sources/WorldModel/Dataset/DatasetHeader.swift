/// Everything about a dataset except its episodes: the scene, the robot, the timing, the counts and the splits.
///
/// It is stored as sorted-key JSON at the start of a `.wmds` file (see `docs/dataset-format.md`), so a reader can
/// check a file, and `wm dataset info` can describe it, without reading any episode.
///
/// ```swift
/// let header = DatasetHeader(sceneName: "push", mjcf: xml, seed: 1, source: "wm generate", policy: "waypoints",
///                            objects: boxes, robot: .capsulePusher, episodeCount: 20, framesPerEpisode: 101,
///                            splits: DatasetSplit.assign(episodeCount: 20, seed: 1))
/// ```
public struct DatasetHeader: Codable, Sendable, Equatable {
    /// The format version this build of wm writes and reads.
    public static let currentFormatVersion = 2

    /// The layout version of the file (``currentFormatVersion`` when written by this wm).
    public var formatVersion: Int
    /// The scene's short name, e.g. `push`.
    public var sceneName: String
    /// The scene's MJCF text ("" if unknown).
    public var mjcf: String
    /// The seed the episodes were generated (or split) with.
    public var seed: UInt64
    /// Where the data came from, e.g. `wm generate --policy waypoints` or `import sample_push_n4.npz`.
    public var source: String
    /// The action policy's name.
    public var policy: String
    /// Time between two recorded frames (one action), in seconds: 0.02 for 50 Hz control.
    public var controlDtSeconds: Double
    /// The physics step of the teacher, in seconds (0.002 for MuJoCo's default here).
    public var physicsDtSeconds: Double
    /// Height of the table top (world z, m).
    public var tableHeightMeters: Float
    /// The N free objects, in the order of `Episode.objectStates` (empty for a scene without free objects).
    public var objects: [ObjectDescription]
    /// The robot of a free-object scene (a kinematic node driven by the actions); nil for other scenes.
    public var robot: RobotDescription?
    /// The scene's bodies, joints, geoms and actuators, which give `Episode.qpos`, `qvel` and `bodyPoses` their
    /// meaning; nil when the generalized state is unknown (data imported without its scene).
    public var sceneModel: SceneModel?
    /// E, the number of episodes.
    public var episodeCount: Int
    /// F = steps + 1, the same for every episode.
    public var framesPerEpisode: Int
    /// One split per episode.
    public var splits: [Split]
    /// The fraction of episodes in which the robot touched an object, as the teacher reported it (nil if unknown).
    public var contactFraction: Double?
    /// For one shard of a generation run: which episodes of the run it holds (nil for a whole run).
    public var shard: DatasetShard?

    public init(formatVersion: Int = DatasetHeader.currentFormatVersion, sceneName: String, mjcf: String, seed: UInt64,
                source: String, policy: String, controlDtSeconds: Double = 0.02, physicsDtSeconds: Double = 0.002,
                tableHeightMeters: Float = 0, objects: [ObjectDescription], robot: RobotDescription?, sceneModel: SceneModel? = nil,
                episodeCount: Int, framesPerEpisode: Int, splits: [Split], contactFraction: Double? = nil) {
        self.formatVersion = formatVersion
        self.sceneName = sceneName
        self.mjcf = mjcf
        self.seed = seed
        self.source = source
        self.policy = policy
        self.controlDtSeconds = controlDtSeconds
        self.physicsDtSeconds = physicsDtSeconds
        self.tableHeightMeters = tableHeightMeters
        self.objects = objects
        self.robot = robot
        self.sceneModel = sceneModel
        self.episodeCount = episodeCount
        self.framesPerEpisode = framesPerEpisode
        self.splits = splits
        self.contactFraction = contactFraction
    }

    /// T = F - 1, the number of actions (control steps) per episode.
    public var stepsPerEpisode: Int { framesPerEpisode - 1 }

    /// A, the action components per step: the scene's nu (the robot's action dimension for data without a scene).
    public var actionDimension: Int { sceneModel?.nu ?? robot?.actionDimension ?? 0 }

    /// The array sizes of every episode.
    public var dimensions: EpisodeDimensions {
        EpisodeDimensions(objectCount: objects.count, hasRobot: robot != nil, actionDimension: actionDimension,
                          nq: sceneModel?.nq ?? 0, nv: sceneModel?.nv ?? 0, bodyCount: sceneModel?.movingBodyIndices.count ?? 0)
    }

    /// The free-object robot, or an error naming `file` for data of a scene without one.
    public func requireRobot(file: String? = nil) throws -> RobotDescription {
        guard let robot, !objects.isEmpty else {
            throw WorldModelError(file: file, "scene '\(sceneName)' has no free objects pushed by a slide-joint robot, which the free-object models need")
        }
        return robot
    }

    /// Checks the header's own consistency; throws naming `file`.
    public func validate(file: String? = nil) throws {
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: file, "header: \(message)") }
        guard episodeCount >= 0 else { throw fail("episodeCount is \(episodeCount)") }
        guard framesPerEpisode >= 1 else { throw fail("framesPerEpisode is \(framesPerEpisode), must be at least 1") }
        guard splits.count == episodeCount else { throw fail("\(splits.count) splits for \(episodeCount) episodes") }
        guard controlDtSeconds.isFinite, controlDtSeconds > 0 else { throw fail("controlDtSeconds is \(controlDtSeconds)") }
        guard physicsDtSeconds.isFinite, physicsDtSeconds > 0 else { throw fail("physicsDtSeconds is \(physicsDtSeconds)") }
        guard tableHeightMeters.isFinite else { throw fail("tableHeightMeters is \(tableHeightMeters)") }
        for (i, object) in objects.enumerated() {
            guard object.halfExtentsMeters.count == 3, object.halfExtentsMeters.allSatisfy(\.isFinite) else {
                throw fail("object \(i) (\(object.name)) needs 3 finite half-extents")
            }
            guard object.rgba.count == 4, object.massKg.isFinite else {
                throw fail("object \(i) (\(object.name)) needs 4 rgba values and a finite mass")
            }
        }
        if let robot {
            let a = robot.actionDimension
            guard a >= 0, robot.actionLow.count == a, robot.actionHigh.count == a else {
                throw fail("robot action bounds must have actionDimension (\(a)) values")
            }
            guard robot.halfExtentsMeters.count == 3 else { throw fail("robot needs 3 half-extents") }
            if let sceneModel, sceneModel.nu != a { throw fail("robot takes \(a) action components, the scene has nu = \(sceneModel.nu)") }
        }
        if let model = sceneModel {
            guard model.nq >= 0, model.nv >= 0, model.nu >= 0, model.qpos0.count == model.nq, model.actuators.count == model.nu,
                  model.actuatorMoment.count == model.nu * model.nv, !model.bodies.isEmpty,
                  model.tree.bodies.count == model.bodies.count, model.tree.nq == model.nq, model.tree.nv == model.nv else {
                throw fail("scene model sizes are inconsistent (nq \(model.nq), nv \(model.nv), nu \(model.nu))")
            }
        }
    }

    /// Checks that `episode` has this header's frame, object and action counts and finite values.
    public func check(_ episode: Episode, index: Int, file: String? = nil) throws {
        func fail(_ message: String) -> WorldModelError { WorldModelError(file: file, "episode \(index): \(message)") }
        guard episode.frameCount == framesPerEpisode else {
            throw fail("\(episode.frameCount) frames, the header says \(framesPerEpisode)")
        }
        guard episode.objectCount == objects.count else {
            throw fail("\(episode.objectCount) objects, the header says \(objects.count)")
        }
        guard episode.actionDimension == actionDimension else {
            throw fail("action dimension \(episode.actionDimension), the header says \(actionDimension)")
        }
        do {
            try episode.validate(dimensions)
        } catch let error as WorldModelError {
            throw fail(error.message)
        }
        guard episode.objectStates.allSatisfy(\.isFinite) else { throw fail("object states hold NaN or infinity") }
        guard episode.robotStates.allSatisfy(\.isFinite) else { throw fail("robot states hold NaN or infinity") }
        guard episode.actions.allSatisfy(\.isFinite) else { throw fail("actions hold NaN or infinity") }
        guard episode.qpos.allSatisfy(\.isFinite), episode.qvel.allSatisfy(\.isFinite) else { throw fail("qpos or qvel hold NaN or infinity") }
        guard episode.bodyPoses.allSatisfy(\.isFinite) else { throw fail("body poses hold NaN or infinity") }
    }
}

extension RobotDescription {
    /// The capsule pusher of the push scenes: radius 0.015 m, core half-length 0.03 m (the capsule spans
    /// z in [0.005, 0.095]), centre at z = 0.05 m, body origin at z = 0; the action is the commanded velocity
    /// (vx, vy) in m/s, each in [-0.3, 0.3], held for one control step.
    public static let capsulePusher = RobotDescription(
        name: "pusher", shape: .capsule, halfExtentsMeters: [0.015, 0.03, 0], shapeCentreHeightMeters: 0.05,
        actionDimension: 2, actionMeaning: "commanded pusher velocity (vx, vy) in m/s, world frame, held for one control step",
        actionLow: [-0.3, -0.3], actionHigh: [0.3, 0.3])
}
