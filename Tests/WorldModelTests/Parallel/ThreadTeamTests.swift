import Testing
@testable import WorldModel

@Suite struct ThreadTeamTests {
    /// Each thread fills its share, then (after the barrier) sums the whole array: every thread must see
    /// every other thread's writes.
    final class FillThenSum: ThreadTeamTask {
        let team: ThreadTeam
        var values: [Int]
        var sums: [Int]
        let round: Int
        init(team: ThreadTeam, count: Int, round: Int) {
            self.team = team
            values = Array(repeating: 0, count: count)
            sums = Array(repeating: -1, count: team.size)
            self.round = round
        }
        func run(thread t: Int) {
            values.withUnsafeMutableBufferPointer { v in
                for k in team.share(of: v.count, thread: t) { v[k] = k + round }
            }
            team.barrier()
            let total = values.withUnsafeBufferPointer { $0.reduce(0, +) }
            sums.withUnsafeMutableBufferPointer { $0[t] = total }
        }
    }

    @Test(arguments: [1, 2, 3, 5])
    func barrierMakesEveryShareVisible(threads: Int) throws {
        let team = try ThreadTeam(threads: threads)
        #expect(team.size == threads)
        for round in 0..<50 {
            let task = FillThenSum(team: team, count: 1000, round: round)
            team.run(task)
            let expected = (0..<1000).reduce(0) { $0 + $1 + round }
            #expect(task.sums == Array(repeating: expected, count: threads))
        }
    }

    /// Threads claim items with `next()` until none are left: every item is claimed exactly once.
    final class Claim: ThreadTeamTask {
        let team: ThreadTeam
        let claims: UnsafeMutableBufferPointer<Int>
        init(team: ThreadTeam, items: Int) {
            self.team = team
            claims = .allocate(capacity: items)
            claims.initialize(repeating: 0)
        }
        deinit { claims.deallocate() }
        func run(thread t: Int) {
            while true {
                let k = team.next()
                guard k < claims.count else { return }
                claims[k] += 1  // each k reaches one thread only
            }
        }
    }

    @Test(arguments: [1, 2, 3])
    func nextHandsOutEveryItemOnce(threads: Int) throws {
        let team = try ThreadTeam(threads: threads)
        for _ in 0..<20 {  // the count starts again at 0 in every run
            let task = Claim(team: team, items: 500)
            team.run(task)
            #expect(Array(task.claims) == Array(repeating: 1, count: 500))
        }
    }

    @Test func sharesCoverTheRangeOnce() throws {
        let team = try ThreadTeam(threads: 3)
        for count in [0, 1, 2, 7, 64] {
            let shares = (0..<3).map { team.share(of: count, thread: $0) }
            #expect(shares.map(\.count).reduce(0, +) == count)
            #expect(zip(shares, shares.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        }
    }

    @Test func refusesAnEmptyTeam() {
        #expect(throws: WorldModelError.self) { try ThreadTeam(threads: 0) }
    }
}
