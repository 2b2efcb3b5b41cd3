import Testing
import WorldModel

@Suite struct PhysicalValueCheckTests {
    @Test func quaternionsMustNameAnOrientation() {
        #expect(PhysicalValueCheck.firstDegenerateQuaternion([1, 0, 0, 0, 0, 0.6, 0.8, 0, 2, 0, 0, 0]) == nil)
        let zero = PhysicalValueCheck.firstDegenerateQuaternion([1, 0, 0, 0, 0, 0, 0, 0])
        #expect(zero?.offset == 1 && zero?.norm == 0)
        #expect(PhysicalValueCheck.firstDegenerateQuaternion([.nan, 0, 0, 0])?.offset == 0)
        #expect(PhysicalValueCheck.firstDegenerateQuaternion([.infinity, 0, 0, 0])?.offset == 0)
    }

    @Test func negativeAndNonFiniteValuesAreFound() {
        #expect(PhysicalValueCheck.firstNegative([0.1, 0, 2]) == nil)
        #expect(PhysicalValueCheck.firstNegative([0.1, 0, 2], orZero: true) == 1)
        #expect(PhysicalValueCheck.firstNegative([0.1, -1]) == 1)
        #expect(PhysicalValueCheck.firstNegative([.infinity]) == 0)
    }

    @Test func flatIndicesReadInTheArraysShape() {
        #expect(PhysicalValueCheck.index(7, shape: [2, 4]) == "(1, 3)")
        #expect(PhysicalValueCheck.index(0, shape: [3, 5, 4]) == "(0, 0, 0)")
        #expect(PhysicalValueCheck.index(23, shape: [2, 3, 4]) == "(1, 2, 3)")
    }
}
