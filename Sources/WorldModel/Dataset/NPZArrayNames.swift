/// The array names of wm's NumPy `.npz` exchange format, shared by ``NPZImport`` and ``NPZExport``.
///
/// Shapes: E episodes, F = T + 1 frames, N objects, A action components; float32 unless noted.
/// These match the names of `peers/sample_push_n4.npz` (recorded with MuJoCo's Python bindings):
///
/// | name | shape | meaning |
/// | --- | --- | --- |
/// | `box_pos` | (E, F, N, 3) | object centre, m, world |
/// | `box_quat` | (E, F, N, 4) | orientation (w, x, y, z), body to world |
/// | `box_linvel` | (E, F, N, 3) | linear velocity, m/s, world |
/// | `box_angvel` | (E, F, N, 3) | angular velocity, rad/s, world |
/// | `pusher_pos` | (E, F, 3) | robot body origin, m, world |
/// | `pusher_vel` | (E, F, 3) | robot velocity, m/s, world |
/// | `actions` | (E, T, A) | the action from frame t to t + 1 |
/// | `ncon` | (E, F) integer | MuJoCo contacts at each frame |
/// | `box_half_size`, `box_mass` | () or (N) or (N, 3) | cube half-size (m) and mass (kg) |
/// | `physics_dt`, `control_dt` | () | seconds |
/// | `seed` | () integer | the generator's seed |
/// | `mjcf` | () string | the scene's MJCF text |
///
/// wm also writes, and reads when present, what it records beyond those: `object_shape` (N) int32 (``ShapeKind``
/// raw values), `object_half_extents` (N, 3), `object_mass` (N), `object_rgba` (N, 4), `object_names` (N) string,
/// `split` (E) int32 (0 train, 1 valid, 2 test), `scene_name`, `source`, `policy` strings, `table_height` (),
/// `contact_fraction` () float64, and the robot: `robot_name`, `robot_shape` () int32, `robot_half_extents` (3),
/// `robot_shape_centre_height` (), `robot_action_meaning`, `robot_action_low` (A), `robot_action_high` (A); and
/// MuJoCo's generalized state when the scene is known: `qpos` (E, F, nq), `qvel` (E, F, nv), `body_pose`
/// (E, F, B, 7: position and quaternion of each moving body, world), `scene_model` () string (the ``SceneModel``
/// as JSON). The pusher arrays (`pusher_pos`, `pusher_vel`, `robot_*`) are absent for a scene without a
/// free-object robot; `actions` is then MuJoCo's `ctrl`.
public enum NPZArrayNames {
    public static let objectPositions = "box_pos"
    public static let objectQuaternions = "box_quat"
    public static let objectLinearVelocities = "box_linvel"
    public static let objectAngularVelocities = "box_angvel"
    public static let robotPositions = "pusher_pos"
    public static let robotVelocities = "pusher_vel"
    public static let actions = "actions"
    public static let contactCounts = "ncon"
    public static let boxHalfSize = "box_half_size"
    public static let boxMass = "box_mass"
    public static let physicsDt = "physics_dt"
    public static let controlDt = "control_dt"
    public static let substeps = "substeps"
    public static let seed = "seed"
    public static let mjcf = "mjcf"

    public static let objectShapes = "object_shape"
    public static let objectHalfExtents = "object_half_extents"
    public static let objectMasses = "object_mass"
    public static let objectColours = "object_rgba"
    public static let objectNames = "object_names"
    public static let splits = "split"
    public static let sceneName = "scene_name"
    public static let source = "source"
    public static let policy = "policy"
    public static let tableHeight = "table_height"
    public static let contactFraction = "contact_fraction"
    public static let robotName = "robot_name"
    public static let robotShape = "robot_shape"
    public static let robotHalfExtents = "robot_half_extents"
    public static let robotShapeCentreHeight = "robot_shape_centre_height"
    public static let robotActionMeaning = "robot_action_meaning"
    public static let robotActionLow = "robot_action_low"
    public static let robotActionHigh = "robot_action_high"
    public static let qpos = "qpos"
    public static let qvel = "qvel"
    public static let bodyPoses = "body_pose"
    public static let sceneModel = "scene_model"

    /// The `split` array's code for each split.
    static func code(_ split: Split) -> Int32 {
        switch split {
        case .train: 0
        case .valid: 1
        case .test: 2
        }
    }

    static func split(code: Int64) -> Split? {
        switch code {
        case 0: .train
        case 1: .valid
        case 2: .test
        default: nil
        }
    }
}
