/// The edge rows of a graph builder: raw features (capacity x width), senders and receivers. They start at a
/// capacity the builder picks and grow geometrically (at most to `limit` rows) when a build needs more, keeping
/// the rows written so far; a build they hold allocates nothing.
final class GraphEdgeBuffers {
    private(set) var features: Matrix
    private(set) var senders: UnsafeMutableBufferPointer<Int32>
    private(set) var receivers: UnsafeMutableBufferPointer<Int32>
    /// The most rows a batch can have (every pair connected in every environment).
    let limit: Int
    /// Who grows them, for the message when `limit` is passed.
    private let owner: String

    init(rows: Int, width: Int, limit: Int, owner: String) {
        let rows = max(1, min(rows, limit))
        features = Matrix(rows: rows, cols: width)
        senders = .allocate(capacity: rows)
        receivers = .allocate(capacity: rows)
        self.limit = max(1, limit)
        self.owner = owner
    }

    deinit { senders.deallocate(); receivers.deallocate() }

    /// Rows held now.
    var capacity: Int { features.rows }

    var byteCount: Int { features.count * MemoryLayout<Float>.stride + (senders.count + receivers.count) * MemoryLayout<Int32>.stride }

    /// Makes room for `rows` rows, keeping the first `kept`: at least double the capacity, at most `limit`.
    func reserve(_ rows: Int, keeping kept: Int) {
        guard rows > capacity else { return }
        precondition(rows <= limit, "\(owner): \(rows) edges, more than the \(limit) of every pair")
        let grown = min(limit, max(rows, 2 * capacity))
        let moved = Matrix(rows: grown, cols: features.cols)
        moved.view.rows(0..<kept).copy(from: features.view.rows(0..<kept))
        features = moved
        func move(_ old: UnsafeMutableBufferPointer<Int32>) -> UnsafeMutableBufferPointer<Int32> {
            let new = UnsafeMutableBufferPointer<Int32>.allocate(capacity: grown)
            _ = new.initialize(from: old[0..<kept])
            old.deallocate()
            return new
        }
        senders = move(senders)
        receivers = move(receivers)
    }
}
