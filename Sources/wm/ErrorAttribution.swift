import WorldModel

/// Runs `body`; a `WorldModelError` that names no file is given `file`, the input it is about.
func attributing<T>(to file: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let error as WorldModelError where error.file == nil {
        throw WorldModelError(file: file, error.message)
    }
}
