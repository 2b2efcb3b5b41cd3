import Testing
import WorldModel

@Suite struct NumPyArrayTests {
    @Test func numericDTypesConvert() throws {
        let shorts = NumPyArray(int16s: [-3, 0, 16, 32767], shape: [2, 2])
        #expect(shorts.dtype.descr == "<i2" && shorts.elementCount == 4)
        #expect(try shorts.integers() == [-3, 0, 16, 32767])
        #expect(try shorts.floats() == [-3, 0, 16, 32767])
        let doubles = NumPyArray(doubles: [0.002, -1e300], shape: [2])
        #expect(try doubles.doubles() == [0.002, -1e300])
        #expect(throws: WorldModelError.self) { try doubles.integers() }
        let seed = NumPyArray(uint64s: [UInt64.max], shape: [])
        #expect(UInt64(bitPattern: try seed.integers()[0]) == UInt64.max)
        #expect(NumPyArray(floats: [1.5], shape: []).elementCount == 1)
    }

    @Test func unicodeStringsRoundTrip() throws {
        let names = NumPyArray(strings: ["box0", "wüürfel", "", "σ"], shape: [4])
        #expect(names.dtype == .unicode(length: 7))
        #expect(try names.strings() == ["box0", "wüürfel", "", "σ"])
        #expect(NumPyArray(string: "").dtype == .unicode(length: 1))
        #expect(throws: WorldModelError.self) { try names.floats() }
        #expect(throws: WorldModelError.self) { try NumPyArray(floats: [1], shape: []).strings() }
    }

    @Test func descrStringsParse() {
        #expect(NumPyDType(descr: "<f4") == .float32)
        #expect(NumPyDType(descr: "|b1") == .bool)
        #expect(NumPyDType(descr: "<U1815") == .unicode(length: 1815))
        #expect(NumPyDType(descr: ">f4") == nil)
        #expect(NumPyDType(descr: "<c8") == nil)
    }
}
