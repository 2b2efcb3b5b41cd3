/// A NumPy `.npz` file: a zip archive of `.npy` files, one per named array (`np.savez`, `np.savez_compressed`).
///
/// ```swift
/// let archive = try NumPyArchive.read(path: "sample_push_n4.npz")
/// let positions = try archive["box_pos"]!.floats()     // E x (T+1) x N x 3
/// try NumPyArchive.write([("x", NumPyArray(floats: [1, 2], shape: [2]))], to: "out.npz", compress: true)
/// ```
public enum NumPyArchive {
    /// All arrays of an `.npz`, by name (the entry name without `.npy`). Errors name the file and the entry.
    public static func read(path: String) throws -> [String: NumPyArray] {
        let zip = try ZipArchiveReader(path: path)
        var arrays: [String: NumPyArray] = [:]
        for entry in zip.entryNames where entry.hasSuffix(".npy") {
            let name = String(entry.dropLast(4))
            do {
                arrays[name] = try NumPyFile.decode(try zip.contents(of: entry))
            } catch let error as WorldModelError where error.file == nil {
                throw WorldModelError(file: path, "array \(name): \(error.message)")
            }
        }
        return arrays
    }

    /// Writes arrays, in the given order, to an `.npz` that `numpy.load` reads; atomic.
    public static func write(_ arrays: [(name: String, array: NumPyArray)], to path: String, compress: Bool) throws {
        let zip = try ZipArchiveWriter(path: path)
        for (name, array) in arrays {
            try zip.add(name: name + ".npy", contents: NumPyFile.encode(array), compress: compress)
        }
        try zip.finish()
    }
}
