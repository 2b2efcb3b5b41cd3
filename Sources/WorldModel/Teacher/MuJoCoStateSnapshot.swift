@preconcurrency import CMuJoCo

/// Everything that determines how a MuJoCo simulation continues: positions, velocities, actuator state and
/// controls, time, and the solver's warm start. Restoring a snapshot and stepping gives the same floats as
/// stepping the simulation it was taken from.
///
/// ```swift
/// let saved = sim.snapshot()
/// try sim.step(action: [0.2, 0], substeps: 10)   // try something
/// sim.restore(saved)                             // and take it back
/// ```
/// A value: `Sendable`, and it may be restored into another simulation loaded from the same MJCF file.
public struct MuJoCoStateSnapshot: Sendable, Equatable {
    public var timeSeconds: Double
    /// `nq` generalised positions, `nv` velocities, `na` actuator activations, `nu` controls, `nv` warm-start accelerations.
    public var qpos: [Double]
    public var qvel: [Double]
    public var act: [Double]
    public var ctrl: [Double]
    public var qaccWarmstart: [Double]
}

extension MuJoCoSimulation {
    /// The current state as a value (allocates its arrays).
    public func snapshot() -> MuJoCoStateSnapshot {
        let m = model.pointee, d = data.pointee
        func copy(_ p: UnsafeMutablePointer<Double>?, _ n: Int32) -> [Double] {
            guard let p, n > 0 else { return [] }
            return Array(UnsafeBufferPointer(start: p, count: Int(n)))
        }
        return MuJoCoStateSnapshot(timeSeconds: d.time, qpos: copy(d.qpos, m.nq), qvel: copy(d.qvel, m.nv), act: copy(d.act, m.na),
                                   ctrl: copy(d.ctrl, m.nu), qaccWarmstart: copy(d.qacc_warmstart, m.nv))
    }

    /// Puts the simulation back into `snapshot` (taken from this model or one loaded from the same file) and
    /// recomputes positions. Allocates nothing.
    public func restore(_ snapshot: MuJoCoStateSnapshot) {
        let m = model.pointee, d = data.pointee
        precondition(snapshot.qpos.count == Int(m.nq) && snapshot.qvel.count == Int(m.nv), "MuJoCoStateSnapshot: from another model")
        func paste(_ values: [Double], _ p: UnsafeMutablePointer<Double>?) {
            guard let p else { return }
            values.withUnsafeBufferPointer { p.update(from: $0.baseAddress!, count: $0.count) }
        }
        data.pointee.time = snapshot.timeSeconds
        paste(snapshot.qpos, d.qpos)
        paste(snapshot.qvel, d.qvel)
        if !snapshot.act.isEmpty { paste(snapshot.act, d.act) }
        paste(snapshot.ctrl, d.ctrl)
        paste(snapshot.qaccWarmstart, d.qacc_warmstart)
        mj_forward(model, data)
    }
}
