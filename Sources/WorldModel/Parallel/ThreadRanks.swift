import CKernels
#if canImport(Glibc)
import Glibc
#endif

/// Data-parallel ranks as the threads of one process: `run` calls a body once per thread, each with its own
/// ``GradientReducer``, so a trainer replica per thread computes its share of every minibatch and the ranks sum
/// their gradients in memory. `wm train --threads T` trains this way.
///
/// `sum`: every rank publishes its buffer; each rank then adds one slice of the elements over all ranks, in rank
/// order, into a shared buffer, and every rank copies the result out. Each element is added by one thread in
/// one order, so all ranks get the same bits (as MPI's allreduce gives), whatever the number of threads.
///
/// Inside an MPI job (`outer` of several processes) the threads of every process sum first, then thread 0
/// runs the outer reduction for the process: the rank of thread `t` of process `p` is `p * threads + t`.
///
/// A rank whose body throws releases the others: from then on every collective returns at once with NaN
/// values, so their training loops end (a non-finite loss), and `run` rethrows the first error raised.
///
/// ```swift
/// let ranks = try ThreadRanks(threads: 2)
/// let trainers = [trainer, try DynamicsTrainer(model: trainer.model.replica(), ...)]   // one per thread
/// let summaries = try ranks.run { t, reducer in
///     try trainers[t].run(budgetSeconds: 60, path: out, reducer: reducer)
/// }
/// ```
public final class ThreadRanks: @unchecked Sendable {
    /// Threads (ranks of this process).
    public let threads: Int
    /// The reduction across processes (one process: the identity).
    public let outer: any GradientReducer
    private let team: ThreadTeam
    private let barrier: AbortableBarrier
    private let slots: UnsafeMutablePointer<UnsafeMutableBufferPointer<Float>>
    private var total: UnsafeMutableBufferPointer<Float>

    public init(threads: Int, outer: any GradientReducer = SingleProcessReducer()) throws {
        guard threads >= 1 && threads <= 256 else { throw WorldModelError("data-parallel threads must be between 1 and 256, not \(threads)") }
        self.threads = threads
        self.outer = outer
        team = try ThreadTeam(threads: threads)
        barrier = AbortableBarrier(count: threads)
        slots = .allocate(capacity: threads)
        slots.initialize(repeating: UnsafeMutableBufferPointer(start: nil, count: 0), count: threads)
        total = .allocate(capacity: 0)
    }

    deinit {
        slots.deallocate()
        total.deallocate()
    }

    /// Runs `body(t, reducer)` once on every thread `t`, as rank `outer.rank * threads + t`; returns the results in
    /// thread order, or rethrows the first error a thread raised.
    public func run<T>(_ body: @escaping (Int, any GradientReducer) throws -> T) throws -> [T] {
        barrier.reset()
        let task = Task(self, body)
        team.run(task)
        if let failure = barrier.firstFailure { throw failure }
        return try (0..<threads).map { try task.results[$0]!.get() }
    }

    /// The reducer of thread `t`.
    fileprivate final class Rank: GradientReducer {
        let group: ThreadRanks, thread: Int
        init(_ group: ThreadRanks, thread: Int) { self.group = group; self.thread = thread }
        var rank: Int { group.outer.rank * group.threads + thread }
        var ranks: Int { group.outer.ranks * group.threads }

        func sum(_ values: UnsafeMutableBufferPointer<Float>) {
            let g = group, n = values.count
            guard n > 0 else { return }  // every rank passes the same count
            g.slots[thread] = values
            if thread == 0 && g.total.count < n {
                g.total.deallocate()
                g.total = .allocate(capacity: n)
            }
            guard g.barrier.wait() else { return poison(values) }
            let part = (n * thread / g.threads)..<(n * (thread + 1) / g.threads)
            let out = g.total.baseAddress! + part.lowerBound
            out.update(from: g.slots[0].baseAddress! + part.lowerBound, count: part.count)
            for r in 1..<g.threads { wm_rows_add(out, 0, g.slots[r].baseAddress! + part.lowerBound, 0, 1, part.count) }
            guard g.barrier.wait() else { return poison(values) }
            if g.outer.ranks > 1 {
                if thread == 0 { g.outer.sum(UnsafeMutableBufferPointer(rebasing: g.total[0..<n])) }
                guard g.barrier.wait() else { return poison(values) }
            }
            values.baseAddress!.update(from: g.total.baseAddress!, count: n)
            guard g.barrier.wait() else { return poison(values) }
        }

        func broadcastFromRoot(_ values: UnsafeMutableBufferPointer<Float>) {
            let g = group
            guard values.count > 0 else { return }
            if thread == 0 && g.outer.ranks > 1 { g.outer.broadcastFromRoot(values) }
            g.slots[thread] = values
            guard g.barrier.wait() else { return poison(values) }
            if thread != 0 { for i in 0..<values.count { values[i] = g.slots[0][i] } }
            guard g.barrier.wait() else { return poison(values) }
        }

        private func poison(_ values: UnsafeMutableBufferPointer<Float>) {
            for i in 0..<values.count { values[i] = .nan }
        }
    }

    private final class Task<T>: ThreadTeamTask {
        let group: ThreadRanks, body: (Int, any GradientReducer) throws -> T
        let results: UnsafeMutablePointer<Result<T, any Error>?>
        init(_ group: ThreadRanks, _ body: @escaping (Int, any GradientReducer) throws -> T) {
            self.group = group
            self.body = body
            results = .allocate(capacity: group.threads)
            results.initialize(repeating: nil, count: group.threads)
        }
        deinit { results.deinitialize(count: group.threads); results.deallocate() }
        func run(thread t: Int) {
            do {
                results[t] = .success(try body(t, Rank(group, thread: t)))
            } catch {
                results[t] = .failure(error)
                group.barrier.abort(because: error)
            }
        }
    }
}

/// A barrier for a fixed number of threads that can be aborted: after `abort(because:)`, every `wait()` (those
/// waiting and those to come) returns false at once, and `firstFailure` holds the first error it was given.
private final class AbortableBarrier {
    private let count: Int
    private var arrived = 0
    private var generation = 0
    private var failure: (any Error)?
    private let mutex: UnsafeMutablePointer<pthread_mutex_t> = .allocate(capacity: 1)
    private let condition: UnsafeMutablePointer<pthread_cond_t> = .allocate(capacity: 1)

    init(count: Int) {
        self.count = count
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        pthread_cond_destroy(condition)
        mutex.deallocate()
        condition.deallocate()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }

    func reset() { locked { arrived = 0; failure = nil } }

    var firstFailure: (any Error)? { locked { failure } }

    /// Waits for every thread; false if the barrier was aborted.
    func wait() -> Bool {
        locked {
            if failure != nil { return false }
            arrived += 1
            if arrived == count {
                arrived = 0
                generation += 1
                pthread_cond_broadcast(condition)
                return true
            }
            let mine = generation
            while generation == mine && failure == nil { pthread_cond_wait(condition, mutex) }
            return generation != mine
        }
    }

    func abort(because error: any Error) {
        locked {
            if failure == nil { failure = error }
            pthread_cond_broadcast(condition)
        }
    }
}
