import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct PNGFileTests {
    @Test func roundTripsPixels() throws {
        var image = RGBImage(width: 7, height: 5)
        for i in 0..<image.pixels.count { image.pixels[i] = UInt8(truncatingIfNeeded: i * 37) }
        let path = "/tmp/wm-png-\(getpid()).png"
        defer { unlink(path) }
        try PNGFile.write(image, to: path)
        #expect(try PNGFile.read(path) == image)
        let wide = image.besides(image)
        #expect(wide.width == 14 && wide.pixels[(2 * 14 + 8) * 3] == image.pixels[(2 * 7 + 1) * 3])
    }

    @Test func garbageIsAOneLineError() throws {
        let path = "/tmp/wm-notpng-\(getpid()).png"
        defer { unlink(path) }
        let w = try AtomicFileWriter(path: path)
        try w.write([UInt8](repeating: 7, count: 64))
        try w.commit()
        #expect(throws: WorldModelError.self) { try PNGFile.read(path) }
    }
}
