import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct AtomicFileWriterTests {
    @Test func uncommittedWriteLeavesDestinationUntouched() throws {
        let path = "/tmp/wm-atomic-\(getpid()).bin"
        defer { unlink(path) }
        do {
            let first = try AtomicFileWriter(path: path)
            try first.write([UInt8](repeating: 1, count: 10))
            try first.commit()
        }
        do {
            let second = try AtomicFileWriter(path: path)
            try second.write([UInt8](repeating: 2, count: 99))
            #expect(access(second.temporaryPath, F_OK) == 0)
            // dropped without commit
        }
        let bytes = try FileBytes.read(path)
        #expect(bytes == [UInt8](repeating: 1, count: 10))
    }

    @Test func truncatedReadNamesTheFile() throws {
        let path = "/tmp/wm-short-\(getpid()).bin"
        defer { unlink(path) }
        let w = try AtomicFileWriter(path: path)
        try w.write([UInt8]([1, 2, 3]))
        try w.commit()
        #expect(throws: WorldModelError.self) { try FileBytes.read(path, offset: 0, count: 8) }
        do {
            _ = try FileBytes.read(path, offset: 0, count: 8)
        } catch let error as WorldModelError {
            #expect(error.description.hasPrefix(path + ": truncated"))
        }
    }
}
