/// A row-major float32 matrix that owns its storage.
///
/// `Matrix` is a reference type so that layers, optimisers and workspaces can share one buffer without
/// copies; its storage is allocated once in `init` (64-byte aligned, zero-filled) and never resized.
/// Work on it through ``view`` (a non-owning ``MatrixView``), which is what every kernel takes.
///
/// Layout: element `(r, c)` is at `base[r * cols + c]`. A batch is a matrix whose rows are samples
/// (`[batch, features]`); a dense layer's weight is `[inputWidth, outputWidth]` so that `Y = X * W`.
///
/// ```swift
/// let x = Matrix(rows: 2, cols: 3, values: [1, 2, 3, 4, 5, 6])
/// x[1, 2]            // 6
/// x.view.rows(0..<1) // the first sample, no copy
/// ```
public final class Matrix {
    /// Number of rows (samples, for a batch).
    public let rows: Int
    /// Number of columns (features).
    public let cols: Int
    /// The first element; `rows * cols` floats, contiguous.
    public let base: UnsafeMutablePointer<Float>

    /// A zero-filled matrix.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "Matrix shape must be non-negative")
        self.rows = rows
        self.cols = cols
        let count = max(1, rows * cols)
        let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
        base = raw.bindMemory(to: Float.self, capacity: count)
        base.initialize(repeating: 0, count: count)
    }

    /// A matrix holding `values` in row-major order.
    public convenience init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "Matrix(values:) needs rows * cols values")
        self.init(rows: rows, cols: cols)
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
    }

    deinit {
        UnsafeMutableRawPointer(base).deallocate()
    }

    /// Number of elements.
    public var count: Int { rows * cols }

    /// The whole matrix as a view.
    public var view: MatrixView { MatrixView(base: base, rows: rows, cols: cols, stride: cols) }

    /// Element at row `r`, column `c`.
    public subscript(r: Int, c: Int) -> Float {
        get { base[r * cols + c] }
        set { base[r * cols + c] = newValue }
    }

    /// The elements as an array, row-major (allocates; for tests and I/O).
    public var values: [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// The elements as a buffer, row-major.
    public var buffer: UnsafeMutableBufferPointer<Float> { UnsafeMutableBufferPointer(start: base, count: count) }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { base.update(repeating: value, count: count) }
}

/// A non-owning row-major view of floats: `rows x cols` with `stride` floats between row starts.
///
/// Views are how kernels see memory: the rows of a workspace used by the current batch
/// (`workspace.view.rows(0..<batch)`), or a block of columns of a wider matrix (`view.columns(0..<64)`),
/// which is how concatenation along features and the split first layer of an edge MLP avoid copies.
/// A view is only valid while the matrix it points into is alive.
public struct MatrixView {
    /// The element at `(0, 0)`.
    public let base: UnsafeMutablePointer<Float>
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// Floats between the starts of consecutive rows (`>= cols`).
    public let stride: Int

    public init(base: UnsafeMutablePointer<Float>, rows: Int, cols: Int, stride: Int) {
        precondition(stride >= cols && rows >= 0 && cols >= 0, "MatrixView: bad shape")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.stride = stride
    }

    /// Whether rows follow each other with no gap (`stride == cols`).
    public var isContiguous: Bool { stride == cols || rows <= 1 }

    /// Rows `range` of this view, no copy.
    public func rows(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "MatrixView.rows out of range")
        return MatrixView(base: base + range.lowerBound * stride, rows: range.count, cols: cols, stride: stride)
    }

    /// Columns `range` of this view, no copy (the result has the same stride).
    public func columns(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= cols, "MatrixView.columns out of range")
        return MatrixView(base: base + range.lowerBound, rows: rows, cols: range.count, stride: stride)
    }

    /// Pointer to the start of row `r`.
    @inline(__always)
    public func row(_ r: Int) -> UnsafeMutablePointer<Float> { base + r * stride }

    /// Element at row `r`, column `c`.
    public subscript(r: Int, c: Int) -> Float {
        get { base[r * stride + c] }
        nonmutating set { base[r * stride + c] = newValue }
    }

    /// Sets every element to `value`.
    public func fill(_ value: Float) {
        if isContiguous {
            base.update(repeating: value, count: rows * cols)
        } else {
            for r in 0..<rows { row(r).update(repeating: value, count: cols) }
        }
    }

    /// Copies `source` (same shape) into this view.
    public func copy(from source: MatrixView) {
        precondition(source.rows == rows && source.cols == cols, "MatrixView.copy: shape mismatch")
        for r in 0..<rows { row(r).update(from: source.row(r), count: cols) }
    }

    /// The elements as an array, row-major (allocates; for tests and I/O).
    public var values: [Float] {
        var out: [Float] = []
        out.reserveCapacity(rows * cols)
        for r in 0..<rows { out.append(contentsOf: UnsafeBufferPointer(start: row(r), count: cols)) }
        return out
    }
}
