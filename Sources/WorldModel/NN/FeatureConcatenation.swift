/// Concatenation of matrices along features (columns) and its inverse, split.
///
/// `parts` is an array the caller keeps (views into its workspace) so a hot loop allocates nothing.
/// `[x1 | x2 | ...]` for inputs `[batch, w_i]` gives `[batch, sum w_i]`. The backward pass of a concatenation
/// is a split of the gradient and vice versa. Where a consumer can read a column block directly
/// (`view.columns(...)`, e.g. as a GEMM operand), prefer that: it needs no copy.
///
/// ```swift
/// FeatureConcatenation.concatenate([edges.view, senders.view], into: input.view)
/// FeatureConcatenation.split(inputGradient.view, into: [dEdges.view, dSenders.view])
/// ```
public enum FeatureConcatenation {
    /// Copies each part into consecutive column blocks of `output`.
    public static func concatenate(_ parts: [MatrixView], into output: MatrixView) {
        var column = 0
        for index in 0..<parts.count {
            let part = parts[index]
            precondition(part.rows == output.rows, "concatenate: row count mismatch")
            output.columns(column..<(column + part.cols)).copy(from: part)
            column += part.cols
        }
        precondition(column == output.cols, "concatenate: widths sum to \(column), output has \(output.cols)")
    }

    /// Copies consecutive column blocks of `input` into each part.
    public static func split(_ input: MatrixView, into parts: [MatrixView]) {
        var column = 0
        for index in 0..<parts.count {
            let part = parts[index]
            precondition(part.rows == input.rows, "split: row count mismatch")
            part.copy(from: input.columns(column..<(column + part.cols)))
            column += part.cols
        }
        precondition(column == input.cols, "split: widths sum to \(column), input has \(input.cols)")
    }
}
