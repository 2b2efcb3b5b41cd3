import Testing
import WorldModel
#if canImport(Glibc)
import Glibc
#endif

@Suite struct GIFFileTests {
    /// A frame of smooth ramps shifted by `phase`: many colours, so the palette has to approximate.
    static func ramp(width: Int, height: Int, phase: Int) -> RGBImage {
        var image = RGBImage(width: width, height: height)
        for y in 0..<height {
            for x in 0..<width {
                let o = (y * width + x) * 3
                image.pixels[o] = UInt8((x * 255) / max(width - 1, 1))
                image.pixels[o + 1] = UInt8((y * 255) / max(height - 1, 1))
                image.pixels[o + 2] = UInt8(truncatingIfNeeded: (x + y + phase) * 4)
            }
        }
        return image
    }

    static func path(_ name: String) -> String { "/tmp/wm-gif-\(getpid())-\(UInt64.random(in: 0...UInt64.max))-" + name }

    @Test func roundTripsFramesDelaysAndLoopWithinThePalette() throws {
        let frames = (0..<3).map { Self.ramp(width: 48, height: 20, phase: $0 * 9) }
        let path = Self.path("round.gif")
        defer { unlink(path) }
        try GIFFile.write(frames, delayCentiseconds: 40, to: path)
        let animation = try GIFFile.read(path)
        #expect(animation.frames.count == 3)
        #expect(animation.delaysCentiseconds == [40, 40, 40])
        #expect(animation.loopCount == 0)
        for (written, read) in zip(frames, animation.frames) {
            #expect(read.width == 48 && read.height == 20 && read.channels == 3)
            let errors = zip(written.pixels, read.pixels).map { abs(Int($0) - Int($1)) }
            let mean = Double(errors.reduce(0, +)) / Double(errors.count)
            #expect(mean < 8, "mean error \(mean) per channel")
            #expect(errors.max()! < 48, "largest error \(errors.max()!)")
        }
    }

    @Test func fewColoursComeBackWithinTheFiveBitPalette() throws {
        var image = RGBImage(width: 8, height: 4)
        let colours: [[UInt8]] = [[255, 0, 0], [0, 200, 40], [16, 32, 240], [250, 250, 250]]
        for p in 0..<32 { image.pixels.replaceSubrange((p * 3)..<(p * 3 + 3), with: colours[p % 4]) }
        let path = Self.path("few.gif")
        defer { unlink(path) }
        let writer = try GIFFile.Writer(path: path, loopCount: 3)
        try writer.append(image, delayCentiseconds: 7)
        #expect(writer.frameCount == 1 && writer.frameSize! == (8, 4))
        try writer.commit()
        let animation = try GIFFile.read(path)
        #expect(animation.loopCount == 3 && animation.delaysCentiseconds == [7])
        #expect(zip(image.pixels, animation.frames[0].pixels).allSatisfy { abs(Int($0) - Int($1)) <= 8 })
    }

    @Test func aFrameOfAnotherSizeIsRefusedAndNothingIsWritten() throws {
        let path = Self.path("sizes.gif")
        do {
            let writer = try GIFFile.Writer(path: path)
            try writer.append(Self.ramp(width: 10, height: 10, phase: 0), delayCentiseconds: 10)
            #expect(throws: WorldModelError.self) { try writer.append(Self.ramp(width: 11, height: 10, phase: 0), delayCentiseconds: 10) }
            withExtendedLifetime(writer) { #expect(AtomicFileWriter.temporaryFiles(for: path).count == 1) }
        }
        #expect(access(path, F_OK) != 0)
        #expect(AtomicFileWriter.temporaryFiles(for: path).isEmpty)
    }

    @Test func anUnwritableFolderIsOneLineNamingTheFile() throws {
        let path = "/tmp/wm-gif-no-such-folder-\(getpid())/a.gif"
        do {
            _ = try GIFFile.Writer(path: path)
            Issue.record("a writer into a missing folder was created")
        } catch let error as WorldModelError {
            #expect(error.file == path && !error.description.contains("\n"))
        }
    }

    @Test func garbageIsAOneLineError() throws {
        let path = Self.path("garbage.gif")
        defer { unlink(path) }
        let w = try AtomicFileWriter(path: path)
        try w.write(Array("GIF89a".utf8) + [UInt8](repeating: 7, count: 64))
        try w.commit()
        #expect(throws: WorldModelError.self) { try GIFFile.read(path) }
        #expect(throws: WorldModelError.self) { try GIFFile.read(path + ".missing") }
    }
}
