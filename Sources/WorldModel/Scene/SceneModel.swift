/// Any MuJoCo scene as wm knows it: bodies, geoms, actuators, tendons, constraints and timing, in MuJoCo's own
/// layout and order, as plain values (no MuJoCo needed to use one).
///
/// Read from an MJCF file by ``MuJoCoSimulation`` (only `Teacher/` loads MuJoCo), stored in dataset headers and
/// checkpoints. The model's state is MuJoCo's generalized state: `qpos` (nq), `qvel` (nv) and `ctrl` (nu), with
/// `mjData`'s meaning, order and units (see ``GeneralizedStateLayout``).
///
/// Layout, like `mjmodel.h` (index 0 of `bodies` is the world):
///
/// | field | shape | meaning |
/// | --- | --- | --- |
/// | `tree` | | the kinematic tree: body names, parents and offsets, joints (``KinematicTree``) |
/// | `bodies` | nbody | per body: mass (kg), diagonal inertia (kg m², principal axes), its geoms, static flag |
/// | `geoms` | ngeom | per geom: body, shape, MuJoCo `size` (m), pose in the body frame, colour, whether it collides |
/// | `actuators` | nu | per actuator: kind, transmission (joint or fixed tendon), gear, control range, gain and bias parameters |
/// | `actuatorMoment` | nu x nv | the constant moment arms: `qfrc_actuator = actuatorMomentᵀ · force` (gear times tendon coefficients) |
/// | `tendons` | ntendon | fixed tendons: joints and coefficients (length = Σ coef · qpos) |
/// | `equalities` | neq | equality constraints, kept for the record: the learned model learns their effect |
/// | `qpos0` | nq | MuJoCo's reference configuration (`qpos0`) |
///
/// Units: metres, radians, kilograms, seconds; quaternions (w, x, y, z).
///
/// ```swift
/// let sim = try MuJoCoSimulation(path: "stacker.xml")
/// print(sim.sceneModel.nq, sim.sceneModel.nu)        // 20 5
/// print(sim.sceneModel.controlDtSeconds)             // 0.02 (20 physics steps of 1 ms)
/// ```
public struct SceneModel: Codable, Equatable, Sendable {
    /// The model name from `<mujoco model="...">`.
    public var name: String
    /// MuJoCo's physics step (s), `opt.timestep`.
    public var physicsDtSeconds: Double
    /// Physics steps per control step: the scene's `wm_control_substeps` custom field, otherwise the number of
    /// physics steps nearest to 20 ms.
    public var controlSubsteps: Int
    /// Position coordinates (`nq`), degrees of freedom (`nv`) and actuators (`nu`).
    public var nq: Int
    public var nv: Int
    public var nu: Int
    /// MuJoCo's `qpos0`, nq values.
    public var qpos0: [Float]
    /// Bodies, their offsets and their joints: what forward kinematics needs.
    public var tree: KinematicTree
    /// The physical side of every body, in `tree.bodies` order.
    public var bodies: [Body]
    public var geoms: [Geom]
    public var actuators: [Actuator]
    /// nu x nv, row-major: row a holds actuator a's moment arm on every DOF.
    public var actuatorMoment: [Float]
    public var tendons: [FixedTendon]
    public var equalities: [Equality]
    /// What an action (the `ctrl` vector) means, in words: the scene's `wm_action` text, otherwise a list of the
    /// actuators.
    public var actionMeaning: String

    public init(name: String, physicsDtSeconds: Double, controlSubsteps: Int, nq: Int, nv: Int, nu: Int, qpos0: [Float],
                tree: KinematicTree, bodies: [Body], geoms: [Geom], actuators: [Actuator], actuatorMoment: [Float],
                tendons: [FixedTendon], equalities: [Equality], actionMeaning: String) {
        self.name = name
        self.physicsDtSeconds = physicsDtSeconds
        self.controlSubsteps = controlSubsteps
        self.nq = nq
        self.nv = nv
        self.nu = nu
        self.qpos0 = qpos0
        self.tree = tree
        self.bodies = bodies
        self.geoms = geoms
        self.actuators = actuators
        self.actuatorMoment = actuatorMoment
        self.tendons = tendons
        self.equalities = equalities
        self.actionMeaning = actionMeaning
    }

    /// Seconds per control step.
    public var controlDtSeconds: Double { physicsDtSeconds * Double(controlSubsteps) }

    /// The bodies that move (not welded to the world), in MuJoCo order; their poses are recorded per frame.
    public var movingBodyIndices: [Int] { bodies.indices.filter { !bodies[$0].isStatic } }

    /// The control range of every actuator (unlimited actuators get [-1, 1]), nu values.
    public var ctrlLow: [Float] { actuators.map { $0.ctrlRange.lowerBound } }
    public var ctrlHigh: [Float] { actuators.map { $0.ctrlRange.upperBound } }

    /// The number of physics steps nearest to 20 ms (from 1 to 1,000,000; 1 for a non-positive or non-finite
    /// step): the control period of a scene that does not set `wm_control_substeps`.
    public static func defaultControlSubsteps(physicsDtSeconds dt: Double) -> Int {
        let steps = (0.02 / dt).rounded()
        guard steps.isFinite, steps >= 1 else { return 1 }
        return Int(min(steps, 1_000_000))
    }
}

extension SceneModel {
    /// The physical side of a rigid body (its name, parent and joints are in ``SceneModel/tree``). Static bodies
    /// (welded to the world: no joint on the way to it) are the environment.
    public struct Body: Codable, Equatable, Sendable {
        /// Mass (kg).
        public var massKg: Float
        /// Principal moments of inertia (kg m²), MuJoCo's `body_inertia`.
        public var inertia: [Float]
        /// The body's geoms: `geoms[firstGeom ..< firstGeom + geomCount]`.
        public var firstGeom: Int
        public var geomCount: Int
        /// Welded to the world (MuJoCo's `body_weldid == 0`): it never moves.
        public var isStatic: Bool

        public init(massKg: Float, inertia: [Float], firstGeom: Int, geomCount: Int, isStatic: Bool) {
            self.massKg = massKg
            self.inertia = inertia
            self.firstGeom = firstGeom
            self.geomCount = geomCount
            self.isStatic = isStatic
        }
    }

    /// Primitive geom shapes wm models (MuJoCo's `mjtGeom` values).
    public enum GeomShape: Int, Codable, Sendable, CaseIterable {
        case plane = 0, sphere = 2, capsule = 3, ellipsoid = 4, cylinder = 5, box = 6

        /// The name used in MJCF.
        public var name: String {
            switch self {
            case .plane: "plane"
            case .sphere: "sphere"
            case .capsule: "capsule"
            case .ellipsoid: "ellipsoid"
            case .cylinder: "cylinder"
            case .box: "box"
            }
        }
    }

    /// A geom: its shape in its body's frame.
    public struct Geom: Codable, Equatable, Sendable {
        public var name: String
        public var body: Int
        public var shape: GeomShape
        /// MuJoCo's `geom_size` (m): sphere (r), capsule (r, half-length), ellipsoid (3 radii), cylinder (r, half-height),
        /// box (3 half-sizes), plane (half-sizes x, y of the drawn rectangle; the plane itself is infinite).
        public var size: [Float]
        /// Pose in the body frame: position (3, m) and quaternion (4).
        public var position: [Float]
        public var quaternion: [Float]
        public var rgba: [Float]
        /// Whether it takes part in contacts (`contype` or `conaffinity` non-zero).
        public var collides: Bool

        public init(name: String, body: Int, shape: GeomShape, size: [Float], position: [Float], quaternion: [Float],
                    rgba: [Float], collides: Bool) {
            self.name = name
            self.body = body
            self.shape = shape
            self.size = size
            self.position = position
            self.quaternion = quaternion
            self.rgba = rgba
            self.collides = collides
        }
    }

    /// An actuator on a joint or a fixed tendon. MuJoCo's force: `gain · ctrl + bias₀ + bias₁ · length + bias₂ · velocity`
    /// with `gain = gain₀` (fixed gain), applied through `actuatorMoment`.
    public struct Actuator: Codable, Equatable, Sendable {
        /// What the MJCF element was, as far as its parameters tell: a motor (gain, no bias), a position servo
        /// (bias₁ = -kp), a velocity servo (bias₂ = -kv), or a general actuator.
        public enum Kind: String, Codable, Sendable, CaseIterable { case motor, position, velocity, general }
        public enum Transmission: String, Codable, Sendable { case joint, tendon }

        public var name: String
        public var kind: Kind
        public var transmission: Transmission
        /// The joint or tendon index.
        public var target: Int
        /// The first gear entry (MuJoCo's `actuator_gear[0]`).
        public var gear: Float
        /// Control range (actuator units); unlimited actuators get [-1, 1], which is what the teacher samples.
        public var ctrlRange: ClosedRange<Float>
        public var ctrlLimited: Bool
        /// `gainprm[0..3]` and `biasprm[0..3]`.
        public var gain: [Float]
        public var bias: [Float]

        public init(name: String, kind: Kind, transmission: Transmission, target: Int, gear: Float, ctrlRange: ClosedRange<Float>,
                    ctrlLimited: Bool, gain: [Float], bias: [Float]) {
            self.name = name
            self.kind = kind
            self.transmission = transmission
            self.target = target
            self.gear = gear
            self.ctrlRange = ctrlRange
            self.ctrlLimited = ctrlLimited
            self.gain = gain
            self.bias = bias
        }
    }

    /// A fixed tendon: a linear combination of joint positions.
    public struct FixedTendon: Codable, Equatable, Sendable {
        public var name: String
        public var joints: [Int]
        public var coefficients: [Float]

        public init(name: String, joints: [Int], coefficients: [Float]) {
            self.name = name
            self.joints = joints
            self.coefficients = coefficients
        }
    }

    /// An equality constraint (MuJoCo's `mjtEq` kinds), recorded so a reader knows the scene has one.
    public struct Equality: Codable, Equatable, Sendable {
        public enum Kind: String, Codable, Sendable { case connect, weld, joint, tendon }
        public var name: String
        public var kind: Kind

        public init(name: String, kind: Kind) {
            self.name = name
            self.kind = kind
        }
    }
}
