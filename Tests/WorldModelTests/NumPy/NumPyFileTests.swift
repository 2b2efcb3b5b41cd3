import Foundation
import Testing
import WorldModel

@Suite struct NumPyFileTests {
    @Test func encodeDecodeRoundTripsEveryDType() throws {
        let arrays = [
            NumPyArray(floats: [1, -2.5, 3e-8], shape: [3]),
            NumPyArray(doubles: [0.1, 0.2, 0.3, 0.4], shape: [2, 2]),
            NumPyArray(int16s: [1, -1], shape: [1, 2, 1]),
            NumPyArray(int32s: [7], shape: []),
            NumPyArray(int64s: [], shape: [0, 3]),
            NumPyArray(dtype: .uint8, shape: [2], bytes: [0, 255]),
            NumPyArray(dtype: .bool, shape: [2], bytes: [1, 0]),
            NumPyArray(string: "<mujoco/>"),
        ]
        for array in arrays {
            let bytes = NumPyFile.encode(array)
            #expect(Array(bytes[0..<6]) == [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59])
            let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            #expect((10 + headerLength) % 64 == 0, "data starts 64-byte aligned")
            #expect(try NumPyFile.decode(bytes) == array)
        }
    }

    @Test func headerTextMatchesNumPy() {
        let bytes = NumPyFile.encode(NumPyArray(floats: [Float](repeating: 0, count: 12), shape: [4, 3]))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        #expect(headerLength == 118)
        let header = String(decoding: bytes[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }"))
        #expect(header.hasSuffix(" \n"))
        let vector = NumPyFile.encode(NumPyArray(int32s: [1], shape: [1]))
        #expect(String(decoding: vector[10..<128], as: UTF8.self).contains("'shape': (1,)"))
    }

    @Test func malformedFilesAreRefusedWithTheFileName() {
        let good = NumPyFile.encode(NumPyArray(floats: [1, 2, 3], shape: [3]))
        func message(_ bytes: [UInt8]) -> String? {
            do { _ = try NumPyFile.decode(bytes, file: "x.npy"); return nil } catch let error as WorldModelError {
                return error.description
            } catch { return "\(error)" }
        }
        #expect(message(Array(good.dropLast(2)))?.hasPrefix("x.npy: holds 10 data bytes") == true)
        #expect(message([1, 2, 3])?.hasPrefix("x.npy: not a .npy file") == true)
        var fortran = good
        let range = 10..<128
        let text = String(decoding: fortran[range], as: UTF8.self).replacingOccurrences(of: "False", with: "True ")
        fortran.replaceSubrange(range, with: Array(text.utf8))
        #expect(message(fortran)?.contains("Fortran") == true)
        var bigEndian = good
        bigEndian[21] = UInt8(ascii: ">")
        #expect(message(bigEndian)?.contains("not supported") == true)
    }
}
