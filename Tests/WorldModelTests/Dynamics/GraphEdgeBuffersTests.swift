import Testing
@testable import WorldModel

@Suite struct GraphEdgeBuffersTests {
    @Test func growsGeometricallyKeepingTheRowsWritten() {
        let buffers = GraphEdgeBuffers(rows: 4, width: 3, limit: 100, owner: "test")
        for r in 0..<4 {
            buffers.senders[r] = Int32(r); buffers.receivers[r] = Int32(10 + r)
            for c in 0..<3 { buffers.features.view[r, c] = Float(r * 3 + c) }
        }
        buffers.reserve(3, keeping: 3)
        #expect(buffers.capacity == 4, "room enough: nothing moves")
        buffers.reserve(5, keeping: 3)
        #expect(buffers.capacity == 8, "doubled")
        #expect(Array(buffers.senders[0..<3]) == [0, 1, 2] && Array(buffers.receivers[0..<3]) == [10, 11, 12])
        #expect(buffers.features.view.rows(0..<3).values == (0..<9).map(Float.init))
        buffers.reserve(60, keeping: 0)
        #expect(buffers.capacity == 60, "the rows asked for when more than double")
        buffers.reserve(90, keeping: 0)
        #expect(buffers.capacity == 100, "never past the limit")
        #expect(buffers.byteCount == 100 * 3 * 4 + 2 * 100 * 4)
    }
}
