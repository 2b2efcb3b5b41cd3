/// Concatenation of matrices along features (columns) and its inverse, split.
///
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
    public static func concatenate<C: Collection<MatrixView>>(_ parts: C, into output: MatrixView) {
        var column = 0
        for part in parts {
            precondition(part.rows == output.rows, "concatenate: row count mismatch")
            output.columns(column..<(column + part.cols)).copy(from: part)
            column += part.cols
        }
        precondition(column == output.cols, "concatenate: widths sum to \(column), output has \(output.cols)")
    }

    /// Copies consecutive column blocks of `input` into each part.
    public static func split<C: Collection<MatrixView>>(_ input: MatrixView, into parts: C) {
        var column = 0
        for part in parts {
            precondition(part.rows == input.rows, "split: row count mismatch")
            part.copy(from: input.columns(column..<(column + part.cols)))
            column += part.cols
        }
        precondition(column == input.cols, "split: widths sum to \(column), input has \(input.cols)")
    }
}
