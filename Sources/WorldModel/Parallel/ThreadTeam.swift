import CKernels

/// Work for a ``ThreadTeam``: `run(thread:)` is called once on every thread of the team.
public protocol ThreadTeamTask: AnyObject {
    func run(thread: Int)
}

/// A persistent team of threads that runs one parallel region at a time: `run(task)` calls `task.run(thread: t)`
/// on every thread `t` of the team (0 is the caller) and returns when all are done; inside, `barrier()` separates
/// phases. Workers spin briefly, then sleep, between runs, so an idle team costs no CPU; a run allocates nothing
/// (the task is an object the caller keeps, not a closure).
///
/// ```swift
/// final class Halves: ThreadTeamTask {
///     let team: ThreadTeam
///     init(team: ThreadTeam) { self.team = team }
///     func run(thread t: Int) {
///         produce(team.share(of: n, thread: t))   // each thread writes its part
///         team.barrier()
///         consume(team.share(of: n, thread: t))   // and may now read the others'
///     }
/// }
/// let team = try ThreadTeam(threads: 2)
/// team.run(Halves(team: team))
/// ```
/// Not reentrant: one `run` at a time, from one thread.
public final class ThreadTeam: @unchecked Sendable {
    private let team: OpaquePointer
    private var task: (any ThreadTeamTask)?

    /// Starts `threads - 1` worker threads (none for 1).
    public init(threads: Int) throws {
        guard threads >= 1, threads <= 256 else { throw WorldModelError("a thread team needs 1 to 256 threads, not \(threads)") }
        guard let team = wm_team_create(Int32(threads)) else { throw WorldModelError("could not start \(threads - 1) worker threads") }
        self.team = team
    }

    deinit { wm_team_destroy(team) }

    /// Threads in the team, the caller included.
    public var size: Int { Int(wm_team_size(team)) }

    /// Runs `task.run(thread: t)` on every thread `t` in `0..<size` and waits for all of them.
    public func run(_ task: any ThreadTeamTask) {
        self.task = task
        wm_team_run(team, { context, t in
            Unmanaged<ThreadTeam>.fromOpaque(context!).takeUnretainedValue().task!.run(thread: Int(t))
        }, Unmanaged.passUnretained(self).toOpaque())
        self.task = nil
    }

    /// The next work item of the current `run`, counting from 0 across all threads (each value handed out once):
    /// threads that happen to run faster (a busy machine rarely slows both cores alike) take more items.
    public func next() -> Int { Int(wm_team_next(team)) }

    /// Waits until every thread of the current `run` has reached this barrier.
    public func barrier() { wm_team_barrier(team) }

    /// The `t`-th of `size` near-equal parts of `0..<count`.
    public func share(of count: Int, thread t: Int) -> Range<Int> {
        let n = size
        return (count * t / n)..<(count * (t + 1) / n)
    }
}
