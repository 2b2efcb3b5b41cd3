import CGIF
#if canImport(Glibc)
import Glibc
#endif

/// The frames of an animated GIF as a viewer shows them: each composited onto the canvas, 8-bit RGB.
public struct GIFAnimation: Sendable, Equatable {
    /// The canvas after each frame, all `width x height`, RGB.
    public var frames: [RGBImage]
    /// How long each frame shows, in centiseconds (the GIF unit), one per frame.
    public var delaysCentiseconds: [Int]
    /// The NETSCAPE2.0 loop count: 0 loops forever; nil when the file has no loop extension (plays once).
    public var loopCount: Int?

    public init(frames: [RGBImage], delaysCentiseconds: [Int], loopCount: Int?) {
        self.frames = frames
        self.delaysCentiseconds = delaysCentiseconds
        self.loopCount = loopCount
    }
}

/// Writes and reads animated GIFs with giflib.
///
/// Frames are written one at a time by a `GIFFile.Writer` (so a caller holds one frame, not the animation),
/// each quantized to its own palette of up to 256 colours (`GifQuantizeBuffer`, 5 bits per channel), with a
/// graphics control block giving its delay and the NETSCAPE2.0 extension making the animation loop. The file
/// appears atomically on `commit()`.
///
/// ```swift
/// let writer = try GIFFile.Writer(path: "/tmp/demo.gif")
/// for frame in frames { try writer.append(frame, delayCentiseconds: 20) }
/// try writer.commit()
/// let animation = try GIFFile.read("/tmp/demo.gif")   // animation.frames.count == frames.count
/// ```
public enum GIFFile {
    /// Writes `frames` (all the same size) as one animation, each shown `delayCentiseconds`.
    public static func write(_ frames: [RGBImage], delayCentiseconds: Int, loopCount: Int = 0, to path: String) throws {
        let writer = try Writer(path: path, loopCount: loopCount)
        for frame in frames { try writer.append(frame, delayCentiseconds: delayCentiseconds) }
        try writer.commit()
    }

    /// An animated GIF written frame by frame to a temporary file, renamed over `path` on `commit()`; dropped
    /// without `commit()` (an error), it leaves nothing behind. Not thread-safe.
    public final class Writer {
        /// The destination path.
        public let path: String
        /// The NETSCAPE2.0 loop count: 0 loops forever.
        public let loopCount: Int
        /// Frames appended so far.
        public private(set) var frameCount = 0
        private let file: AtomicFileWriter
        private var gif: UnsafeMutablePointer<GifFileType>?
        /// The size of every frame: the first frame's, nil before it.
        public private(set) var frameSize: (width: Int, height: Int)?
        /// Encoded bytes not yet handed to `file` (giflib writes in pieces of at most 255 bytes).
        private var pending: [UInt8] = []
        /// The first failure of `file` inside giflib's output callback.
        private var outputError: Error?

        /// Creates the temporary file now, so an unwritable `path` fails before any frame is made.
        public init(path: String, loopCount: Int = 0) throws {
            guard loopCount >= 0, loopCount <= 0xffff else { throw WorldModelError(file: path, "a GIF loop count is 0 to 65535, not \(loopCount)") }
            self.path = path
            self.loopCount = loopCount
            file = try AtomicFileWriter(path: path)
            pending.reserveCapacity(Self.flushBytes)
            var error: Int32 = 0
            gif = EGifOpen(Unmanaged.passUnretained(self).toOpaque(), Self.output, &error)
            guard gif != nil else { throw WorldModelError(file: path, "cannot start a GIF: \(GIFFile.message(error))") }
        }

        deinit {
            guard let gif else { return }
            outputError = WorldModelError("discarded")  // the trailer giflib writes on closing goes nowhere
            var error: Int32 = 0
            EGifCloseFile(gif, &error)
        }

        private static let flushBytes = 1 << 16

        /// giflib's output function: appends to `pending`, handing full buffers to the file.
        private static let output: OutputFunc = { gif, bytes, count in
            guard let gif, let user = gif.pointee.UserData else { return 0 }
            let writer = Unmanaged<Writer>.fromOpaque(user).takeUnretainedValue()
            guard writer.outputError == nil else { return 0 }
            if let bytes, count > 0 { writer.pending.append(contentsOf: UnsafeBufferPointer(start: bytes, count: Int(count))) }
            if writer.pending.count >= flushBytes {
                do { try writer.flush() } catch {
                    writer.outputError = error
                    return 0
                }
            }
            return count
        }

        private func flush() throws {
            try file.write(pending)
            pending.removeAll(keepingCapacity: true)
        }

        /// Appends one RGB (or RGBA, alpha ignored) frame, shown for `delayCentiseconds`. Every frame has the
        /// size of the first.
        public func append(_ image: RGBImage, delayCentiseconds: Int) throws {
            guard let gif else { throw WorldModelError(file: path, "the GIF is already committed") }
            guard delayCentiseconds >= 0, delayCentiseconds <= 0xffff else {
                throw WorldModelError(file: path, "a GIF frame delay is 0 to 65535 centiseconds, not \(delayCentiseconds)")
            }
            let w = image.width, h = image.height
            if let size = frameSize {
                guard size == (w, h) else { throw WorldModelError(file: path, "frame \(frameCount) is \(w)x\(h), the animation is \(size.width)x\(size.height)") }
            } else {
                guard w >= 1, h >= 1, w <= 0xffff, h <= 0xffff else { throw WorldModelError(file: path, "a GIF frame is 1 to 65535 pixels a side, not \(w)x\(h)") }
                frameSize = (w, h)
                EGifSetGifVersion(gif, true)
                try check(EGifPutScreenDesc(gif, Int32(w), Int32(h), 8, 0, nil), "screen descriptor")
                try putLoopExtension(gif)
            }
            var (indices, palette) = try Self.quantize(image)
            let bits = GifBitSize(Int32(palette.count))
            palette += [GifColorType](repeating: GifColorType(), count: (1 << bits) - palette.count)
            guard let map = GifMakeMapObject(Int32(palette.count), palette) else { throw WorldModelError(file: path, "cannot make a GIF colour map") }
            defer { GifFreeMapObject(map) }
            var control = GraphicsControlBlock(DisposalMode: Int32(DISPOSE_DO_NOT), UserInputFlag: false,
                                               DelayTime: Int32(delayCentiseconds), TransparentColor: -1)
            var extensionBytes = [GifByteType](repeating: 0, count: 4)
            let length = EGifGCBToExtension(&control, &extensionBytes)
            try check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, Int32(length), extensionBytes), "frame delay")
            try check(EGifPutImageDesc(gif, 0, 0, Int32(w), Int32(h), false, map), "frame \(frameCount)")
            try check(EGifPutLine(gif, &indices, Int32(w * h)), "frame \(frameCount)")
            frameCount += 1
        }

        /// Writes the trailer and renames the file into place.
        public func commit() throws {
            guard let gif else { throw WorldModelError(file: path, "the GIF is already committed") }
            guard frameCount > 0 else { throw WorldModelError(file: path, "a GIF needs at least one frame") }
            self.gif = nil
            var error: Int32 = 0
            let closed = EGifCloseFile(gif, &error)
            if let outputError { throw outputError }
            guard closed == GIF_OK else { throw WorldModelError(file: path, "GIF encoding failed: \(GIFFile.message(error))") }
            try flush()
            try file.commit()
        }

        /// The NETSCAPE2.0 application extension: sub-block 1 holds the loop count (little-endian).
        private func putLoopExtension(_ gif: UnsafeMutablePointer<GifFileType>) throws {
            let loops = [UInt8(1), UInt8(loopCount & 0xff), UInt8(loopCount >> 8)]
            try check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), "loop extension")
            try check(EGifPutExtensionBlock(gif, 11, Array("NETSCAPE2.0".utf8)), "loop extension")
            try check(EGifPutExtensionBlock(gif, 3, loops), "loop extension")
            try check(EGifPutExtensionTrailer(gif), "loop extension")
        }

        private func check(_ status: Int32, _ what: String) throws {
            if let outputError { throw outputError }
            guard status == GIF_OK else { throw WorldModelError(file: path, "cannot write the GIF \(what): \(GIFFile.message(gif?.pointee.Error ?? 0))") }
        }

        /// Palette indices (one per pixel) and the palette (up to 256 colours) of an image.
        private static func quantize(_ image: RGBImage) throws -> (indices: [GifByteType], palette: [GifColorType]) {
            let count = image.width * image.height, c = image.channels
            var red = [GifByteType](repeating: 0, count: count), green = red, blue = red, indices = red
            for p in 0..<count {
                red[p] = image.pixels[p * c]
                green[p] = image.pixels[p * c + 1]
                blue[p] = image.pixels[p * c + 2]
            }
            var palette = [GifColorType](repeating: GifColorType(), count: 256)
            var colours: Int32 = 256
            guard GifQuantizeBuffer(UInt32(image.width), UInt32(image.height), &colours, &red, &green, &blue, &indices, &palette) == GIF_OK else {
                throw WorldModelError("cannot quantize a \(image.width)x\(image.height) frame to 256 colours")
            }
            return (indices, Array(palette.prefix(Int(max(colours, 1)))))
        }
    }

    /// Reads every frame of a GIF, composited as a viewer shows them (transparency and disposal applied).
    public static func read(_ path: String) throws -> GIFAnimation {
        let source = MemorySource(bytes: try FileBytes.read(path))
        var error: Int32 = 0
        guard let gif = withExtendedLifetime(source, { DGifOpen(Unmanaged.passUnretained(source).toOpaque(), MemorySource.input, &error) }) else {
            throw WorldModelError(file: path, "not a readable GIF: \(message(error))")
        }
        defer { DGifCloseFile(gif, &error) }
        let slurped = withExtendedLifetime(source) { DGifSlurp(gif) }
        guard slurped == GIF_OK else { throw WorldModelError(file: path, "corrupt GIF: \(message(gif.pointee.Error))") }
        let g = gif.pointee, width = Int(g.SWidth), height = Int(g.SHeight), count = Int(g.ImageCount)
        guard width >= 1, height >= 1, count >= 1 else { throw WorldModelError(file: path, "a GIF of \(width)x\(height) pixels and \(count) frames holds no picture") }
        try ResourceBudget.checkMemory(bytes: ResourceBudget.product(count, width, height, 3), for: "\(count) GIF frames of \(width)x\(height)", file: path)

        var background = SIMD3<UInt8>(0, 0, 0)
        if let map = g.SColorMap, Int(g.SBackGroundColor) < Int(map.pointee.ColorCount) {
            let colour = map.pointee.Colors[Int(g.SBackGroundColor)]
            background = SIMD3(colour.Red, colour.Green, colour.Blue)
        }
        var canvas = RGBImage(width: width, height: height)
        for p in 0..<(width * height) { for k in 0..<3 { canvas.pixels[p * 3 + k] = background[k] } }
        var animation = GIFAnimation(frames: [], delaysCentiseconds: [], loopCount: nil)
        for i in 0..<count {
            let saved = g.SavedImages[i], desc = saved.ImageDesc
            var control = GraphicsControlBlock(DisposalMode: Int32(DISPOSAL_UNSPECIFIED), UserInputFlag: false, DelayTime: 0, TransparentColor: -1)
            _ = DGifSavedExtensionToGCB(gif, Int32(i), &control)  // a frame without one keeps the defaults
            animation.loopCount = animation.loopCount ?? loopCount(saved)
            guard let map = desc.ColorMap ?? g.SColorMap, let raster = saved.RasterBits else {
                throw WorldModelError(file: path, "frame \(i) has no colour table or no pixels")
            }
            let colours = Int(map.pointee.ColorCount), previous = canvas
            let x0 = max(0, Int(desc.Left)), x1 = min(width, Int(desc.Left) + Int(desc.Width))
            let y0 = max(0, Int(desc.Top)), y1 = min(height, Int(desc.Top) + Int(desc.Height))
            for y in y0..<max(y0, y1) {
                for x in x0..<max(x0, x1) {
                    let index = Int(raster[(y - Int(desc.Top)) * Int(desc.Width) + x - Int(desc.Left)])
                    if index == Int(control.TransparentColor) { continue }
                    guard index < colours else { throw WorldModelError(file: path, "frame \(i) uses colour \(index) of a table of \(colours)") }
                    let colour = map.pointee.Colors[index], o = (y * width + x) * 3
                    canvas.pixels[o] = colour.Red
                    canvas.pixels[o + 1] = colour.Green
                    canvas.pixels[o + 2] = colour.Blue
                }
            }
            animation.frames.append(canvas)
            animation.delaysCentiseconds.append(Int(control.DelayTime))
            switch control.DisposalMode {
            case Int32(DISPOSE_BACKGROUND):
                for y in y0..<max(y0, y1) { for x in x0..<max(x0, x1) { for k in 0..<3 { canvas.pixels[(y * width + x) * 3 + k] = background[k] } } }
            case Int32(DISPOSE_PREVIOUS):
                canvas = previous
            default:
                break
            }
        }
        return animation
    }

    /// The loop count of a NETSCAPE2.0 (or ANIMEXTS1.0) application extension among a frame's extensions.
    private static func loopCount(_ saved: SavedImage) -> Int? {
        let blocks = (0..<Int(saved.ExtensionBlockCount)).map { saved.ExtensionBlocks[$0] }
        for (k, block) in blocks.enumerated() where block.Function == APPLICATION_EXT_FUNC_CODE && block.ByteCount == 11 && k + 1 < blocks.count {
            let name = String(decoding: UnsafeBufferPointer(start: block.Bytes, count: 11), as: UTF8.self)
            let data = blocks[k + 1]
            guard name == "NETSCAPE2.0" || name == "ANIMEXTS1.0", data.Function == CONTINUE_EXT_FUNC_CODE, data.ByteCount >= 3, data.Bytes[0] == 1 else { continue }
            return Int(data.Bytes[1]) | Int(data.Bytes[2]) << 8
        }
        return nil
    }

    /// giflib's text for an error code.
    private static func message(_ code: Int32) -> String {
        GifErrorString(code).map { String(cString: $0) } ?? "giflib error \(code)"
    }

    /// The bytes of a file, handed to giflib's decoder in the pieces it asks for.
    private final class MemorySource {
        let bytes: [UInt8]
        var offset = 0

        init(bytes: [UInt8]) { self.bytes = bytes }

        static let input: InputFunc = { gif, buffer, count in
            guard let gif, let user = gif.pointee.UserData, let buffer, count > 0 else { return 0 }
            let source = Unmanaged<MemorySource>.fromOpaque(user).takeUnretainedValue()
            let n = min(Int(count), source.bytes.count - source.offset)
            source.bytes.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress! + source.offset, count: n) }
            source.offset += n
            return Int32(n)
        }
    }
}
