import CPNG
#if canImport(Glibc)
import Glibc
#endif

/// An 8-bit RGB or RGBA image, row-major from the top-left pixel: `pixels[(y * width + x) * channels + c]`.
public struct RGBImage: Sendable, Equatable {
    public var width: Int
    public var height: Int
    /// 3 (RGB) or 4 (RGBA).
    public var channels: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int = 3, pixels: [UInt8]? = nil) {
        precondition(channels == 3 || channels == 4, "RGBImage has 3 or 4 channels")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels ?? [UInt8](repeating: 0, count: width * height * channels)
    }

    /// Builds an image from float colours in [0, 1] (clamped), `values[(y * width + x) * 3 + c]`.
    public init(width: Int, height: Int, rgb values: [Float]) {
        self.init(width: width, height: height, channels: 3)
        for i in 0..<min(values.count, pixels.count) {
            pixels[i] = UInt8((min(max(values[i], 0), 1) * 255).rounded())
        }
    }

    /// Places `other` to the right of this image (same height), e.g. prediction beside ground truth.
    public func besides(_ other: RGBImage) -> RGBImage {
        precondition(height == other.height && channels == other.channels)
        var out = RGBImage(width: width + other.width, height: height, channels: channels)
        for y in 0..<height {
            let row = y * out.width * channels
            out.pixels.replaceSubrange(row..<(row + width * channels), with: pixels[(y * width * channels)..<((y + 1) * width * channels)])
            let right = row + width * channels
            out.pixels.replaceSubrange(right..<(right + other.width * channels),
                                       with: other.pixels[(y * other.width * channels)..<((y + 1) * other.width * channels)])
        }
        return out
    }
}

/// Writes and reads PNG files with libpng.
public enum PNGFile {
    // libpng's PNG_FORMAT_RGB (PNG_FORMAT_FLAG_COLOR) and PNG_FORMAT_RGBA (| PNG_FORMAT_FLAG_ALPHA): macros Swift cannot import.
    private static let formatRGB = UInt32(PNG_FORMAT_FLAG_COLOR)
    private static let formatRGBA = UInt32(PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)

    /// Encodes `image` as PNG and writes it atomically to `path`.
    public static func write(_ image: RGBImage, to path: String) throws {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = image.channels == 4 ? formatRGBA : formatRGB
        var size: Int = 0
        let stride = Int32(image.width * image.channels)
        // First call: ask for the size; second: encode.
        guard image.pixels.withUnsafeBytes({ png_image_write_to_memory(&png, nil, &size, 0, $0.baseAddress, stride, nil) }) != 0 else {
            throw WorldModelError(file: path, "PNG encoding failed: \(message(png))")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        let ok = bytes.withUnsafeMutableBytes { out in
            image.pixels.withUnsafeBytes { png_image_write_to_memory(&png, out.baseAddress, &size, 0, $0.baseAddress, stride, nil) }
        }
        guard ok != 0 else { throw WorldModelError(file: path, "PNG encoding failed: \(message(png))") }
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Array(bytes[0..<size]))
        try writer.commit()
    }

    /// Reads a PNG file as 8-bit RGB (or RGBA when `alpha`).
    public static func read(_ path: String, alpha: Bool = false) throws -> RGBImage {
        let bytes = try FileBytes.read(path)
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        guard bytes.withUnsafeBytes({ png_image_begin_read_from_memory(&png, $0.baseAddress, $0.count) }) != 0 else {
            throw WorldModelError(file: path, "not a readable PNG: \(message(png))")
        }
        png.format = alpha ? formatRGBA : formatRGB
        var image = RGBImage(width: Int(png.width), height: Int(png.height), channels: alpha ? 4 : 3)
        let ok = image.pixels.withUnsafeMutableBytes { out in
            bytes.withUnsafeBytes { _ in png_image_finish_read(&png, nil, out.baseAddress, 0, nil) }
        }
        guard ok != 0 else { throw WorldModelError(file: path, "corrupt PNG: \(message(png))") }
        return image
    }

    private static func message(_ png: png_image) -> String {
        withUnsafeBytes(of: png.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
