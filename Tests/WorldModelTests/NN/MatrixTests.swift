import Testing
import WorldModel

@Suite struct MatrixTests {
    @Test func viewsAddressRowsAndColumnBlocksWithoutCopies() {
        let m = Matrix(rows: 3, cols: 4, values: (0..<12).map(Float.init))
        let block = m.view.rows(1..<3).columns(1..<3)
        #expect(block.values == [5, 6, 9, 10])
        #expect(block.stride == 4 && !block.isContiguous)
        block[0, 0] = -1
        #expect(m[1, 1] == -1)
        block.fill(0)
        #expect(m.values == [0, 1, 2, 3, 4, 0, 0, 7, 8, 0, 0, 11])
    }

    @Test func storageIsAlignedAndZeroed() {
        let m = Matrix(rows: 5, cols: 3)
        #expect(Int(bitPattern: m.base) % 64 == 0)
        #expect(m.values.allSatisfy { $0 == 0 })
    }
}
