import Testing
#if canImport(Glibc)
import Glibc
#endif
@testable import WorldModel

@Suite struct ThreadRanksTests {
    /// The values rank `r` contributes: element i is (i + 1) * 10^-r plus a part that rounds differently per order.
    static func contribution(rank r: Int, count: Int) -> [Float] {
        (0..<count).map { i in Float(i + 1) * Float(1 / pow(10.0, Double(r))) + 1e-7 * Float(r * 7 + i % 5) }
    }

    @Test func sumGivesEveryRankTheSameBitsInRankOrder() throws {
        let threads = 3, count = 1001
        let results = try ThreadRanks(threads: threads).run { t, reducer -> [Float] in
            #expect(reducer.rank == t && reducer.ranks == threads)
            var values = Self.contribution(rank: t, count: count)
            values.withUnsafeMutableBufferPointer { reducer.sum($0) }
            return values
        }
        var expected = Self.contribution(rank: 0, count: count)
        for r in 1..<threads {
            let next = Self.contribution(rank: r, count: count)
            for i in 0..<count { expected[i] += next[i] }
        }
        for t in 0..<threads { #expect(results[t] == expected, "rank \(t)") }
    }

    @Test func broadcastGivesEveryRankRankZerosValues() throws {
        let results = try ThreadRanks(threads: 2).run { t, reducer -> [Float] in
            var values: [Float] = t == 0 ? [1, 2, 3] : [9, 9, 9]
            values.withUnsafeMutableBufferPointer { reducer.broadcastFromRoot($0) }
            return values
        }
        #expect(results == [[1, 2, 3], [1, 2, 3]])
    }

    /// An outer reduction of two processes (this one rank 1, the other contributing ones): thread ranks are
    /// numbered after the process's, and the outer sum is applied once per process.
    @Test func insideSeveralProcessesTheThreadsSumFirstThenTheProcesses() throws {
        final class OtherProcessAddsOnes: GradientReducer {
            var rank: Int { 1 }
            var ranks: Int { 2 }
            func sum(_ values: UnsafeMutableBufferPointer<Float>) { for i in values.indices { values[i] += 1 } }
            func broadcastFromRoot(_ values: UnsafeMutableBufferPointer<Float>) { for i in values.indices { values[i] = -1 } }
        }
        let results = try ThreadRanks(threads: 2, outer: OtherProcessAddsOnes()).run { t, reducer -> (Int, Int, [Float], [Float]) in
            var values: [Float] = [Float(t + 1), 10]
            values.withUnsafeMutableBufferPointer { reducer.sum($0) }
            var root: [Float] = [5]
            root.withUnsafeMutableBufferPointer { reducer.broadcastFromRoot($0) }
            return (reducer.rank, reducer.ranks, values, root)
        }
        #expect(results.map(\.0) == [2, 3] && results.map(\.1) == [4, 4])
        #expect(results.map(\.2) == [[4, 21], [4, 21]])
        #expect(results.map(\.3) == [[-1], [-1]])
    }

    /// A rank that throws while the other waits in a collective releases it (NaN values), and `run` rethrows the
    /// first error rather than hanging.
    @Test func aFailingRankReleasesTheOthersAndItsErrorIsRethrown() throws {
        let ranks = try ThreadRanks(threads: 2)
        var seen: [Float] = []
        #expect(throws: WorldModelError.self) {
            _ = try ranks.run { t, reducer -> Int in
                if t == 0 { throw WorldModelError("rank 0 failed") }
                var values: [Float] = [1, 2]
                values.withUnsafeMutableBufferPointer { reducer.sum($0) }
                seen = values
                return 1
            }
        }
        #expect(seen.count == 2 && seen.allSatisfy(\.isNaN))
        // The team is usable again afterwards.
        let again = try ranks.run { _, reducer -> Float in
            var values: [Float] = [1]
            values.withUnsafeMutableBufferPointer { reducer.sum($0) }
            return values[0]
        }
        #expect(again == [2, 2])
    }
}
