import Testing
@testable import WorldModel

@Suite struct HashGridEncodingTests {
    let encoding = HashGridEncoding(HashGridConfiguration(levels: 4, featuresPerLevel: 2, log2TableSize: 8, baseResolution: 2, finestResolution: 16))

    @Test func levelsGrowFromBaseToFinestAndCoarseOnesAreDense() {
        #expect(encoding.resolutions == [2, 4, 8, 16])
        #expect(encoding.isDense == [true, true, false, false])
        #expect(encoding.outputWidth == 8)
    }

    @Test func backwardMatchesFiniteDifferences() {
        var rng = SeededRandom(seed: 3)
        var table = (0..<(encoding.tableRows * 2)).map { _ in Float(rng.uniform(-1, 1)) }
        let count = 5
        let points = (0..<(count * 3)).map { _ in Float(rng.uniform(0, 1)) }
        let upstream = (0..<(count * encoding.outputWidth)).map { _ in Float(rng.uniform(-1, 1)) }
        func loss(_ table: [Float]) -> Double {
            var out = [Float](repeating: 0, count: count * encoding.outputWidth)
            encoding.encode(points: points, count: count, table: table, into: &out, stride: encoding.outputWidth)
            return zip(out, upstream).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var gradient = [Float](repeating: 0, count: table.count)
        encoding.backward(points: points, count: count, outputGradient: upstream, stride: encoding.outputWidth, tableGradient: &gradient)
        var checked = 0
        for j in 0..<table.count where gradient[j] != 0 || j % 97 == 0 {
            let saved = table[j], eps: Float = 1e-2
            table[j] = saved + eps; let up = loss(table)
            table[j] = saved - eps; let down = loss(table)
            table[j] = saved
            #expect(abs((up - down) / Double(2 * eps) - Double(gradient[j])) < 1e-3)
            checked += 1
        }
        #expect(checked > 40)
    }

    @Test func encodingIsContinuousAcrossCellFaces() {
        var rng = SeededRandom(seed: 4)
        let table = (0..<(encoding.tableRows * 2)).map { _ in Float(rng.uniform(-1, 1)) }
        // Either side of x = 0.5 (a vertex plane of level 0, resolution 2).
        let points: [Float] = [0.5 - 1e-5, 0.3, 0.7, 0.5 + 1e-5, 0.3, 0.7]
        var out = [Float](repeating: 0, count: 2 * encoding.outputWidth)
        encoding.encode(points: points, count: 2, table: table, into: &out, stride: encoding.outputWidth)
        for k in 0..<encoding.outputWidth { #expect(abs(out[k] - out[encoding.outputWidth + k]) < 1e-3) }
    }
}
