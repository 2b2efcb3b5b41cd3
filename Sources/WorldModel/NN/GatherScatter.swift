/// The message-passing primitives: gather rows by index, and scatter-add rows by index.
///
/// For a graph with `E` edges, `senders` and `receivers` are `[E]` node indices. `gather` builds per-edge
/// inputs from per-node features (`[N, w] -> [E, w]`); `scatterAdd` sums per-edge messages into their
/// receivers (`[E, w] -> [N, w]`). Each is the other's backward pass:
/// `gather` backward is `scatterAdd(dy, indices, into: dx)`; `scatterAdd` backward is `gather(dy, indices, into: dx)`.
/// A batch of graphs is one graph whose node indices are offset per graph.
///
/// ```swift
/// RowIndexing.gather(nodes, indices: senders, into: senderFeatures)
/// messages.fill(0); RowIndexing.scatterAdd(edgeMessages, indices: receivers, into: aggregated)
/// ```
public enum RowIndexing {
    /// `output[i] = input[indices[i]]`; `output` is `[indices.count, input.cols]`.
    public static func gather(_ input: MatrixView, indices: UnsafeBufferPointer<Int32>, into output: MatrixView) {
        precondition(output.rows == indices.count && output.cols == input.cols, "gather: shape mismatch")
        for i in 0..<indices.count {
            let source = Int(indices[i])
            precondition(source >= 0 && source < input.rows, "gather: index \(source) out of range 0..<\(input.rows)")
            output.row(i).update(from: input.row(source), count: input.cols)
        }
    }

    /// `output[indices[i]] += input[i]` (accumulates: zero `output` first for a plain sum).
    public static func scatterAdd(_ input: MatrixView, indices: UnsafeBufferPointer<Int32>, into output: MatrixView) {
        precondition(input.rows == indices.count && output.cols == input.cols, "scatterAdd: shape mismatch")
        let cols = input.cols
        for i in 0..<indices.count {
            let target = Int(indices[i])
            precondition(target >= 0 && target < output.rows, "scatterAdd: index \(target) out of range 0..<\(output.rows)")
            let s = input.row(i), t = output.row(target)
            for c in 0..<cols { t[c] += s[c] }
        }
    }

    /// ``gather(_:indices:into:)`` with indices in an array.
    public static func gather(_ input: MatrixView, indices: [Int32], into output: MatrixView) {
        indices.withUnsafeBufferPointer { gather(input, indices: $0, into: output) }
    }

    /// ``scatterAdd(_:indices:into:)`` with indices in an array.
    public static func scatterAdd(_ input: MatrixView, indices: [Int32], into output: MatrixView) {
        indices.withUnsafeBufferPointer { scatterAdd(input, indices: $0, into: output) }
    }
}
