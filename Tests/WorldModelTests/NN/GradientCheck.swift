import Testing
import WorldModel

/// Test support: compares analytic gradients with central finite differences.
///
/// The scalar checked is `L = sum(R * f(...))` for a fixed random projection `R` (so the backward pass is
/// seeded with `dL/dy = R`), accumulated in double precision. With float32 forward passes, steps of `h = 3e-3`
/// keep the rounding error of the difference quotient near 3e-4 and the truncation error near h^2 times the
/// third derivative (at 1e-2 a small tanh graph network's curvature alone could exceed the tolerance); a
/// mismatch counts when it exceeds `absolute + relative * max(|analytic|, |numeric|)`.
enum GradientCheck {
    struct Variable {
        var name: String
        var values: UnsafeMutablePointer<Float>
        var count: Int
        var analytic: [Float]
    }

    static let step: Float = 3e-3

    /// Checks every element of every variable; `loss` recomputes `L` from the current values.
    static func verify(_ variables: [Variable], absolute: Double = 3e-3, relative: Double = 1e-2,
                       sourceLocation: SourceLocation = #_sourceLocation, loss: () -> Double) {
        var worst = 0.0
        var failures: [String] = []
        for variable in variables {
            #expect(variable.analytic.count == variable.count, "\(variable.name): gradient size", sourceLocation: sourceLocation)
            for i in 0..<variable.count {
                let saved = variable.values[i]
                variable.values[i] = saved + step
                let plus = loss()
                variable.values[i] = saved - step
                let minus = loss()
                variable.values[i] = saved
                let numeric = (plus - minus) / (2 * Double(step))
                let analytic = Double(variable.analytic[i])
                let error = abs(numeric - analytic)
                let allowed = absolute + relative * max(abs(numeric), abs(analytic))
                worst = max(worst, error / allowed)
                if error > allowed && failures.count < 5 {
                    failures.append("\(variable.name)[\(i)]: analytic \(analytic), numeric \(numeric)")
                }
            }
        }
        #expect(failures.isEmpty, "gradient mismatches (worst ratio \(worst)): \(failures.joined(separator: "; "))", sourceLocation: sourceLocation)
    }

    /// `sum(projection * output)` in double precision.
    static func project(_ output: MatrixView, _ projection: Matrix) -> Double {
        var sum = 0.0
        for r in 0..<output.rows {
            for c in 0..<output.cols { sum += Double(output[r, c]) * Double(projection[r, c]) }
        }
        return sum
    }

    /// A matrix of values uniform in `range`, from `generator`.
    static func random(_ rows: Int, _ cols: Int, in range: ClosedRange<Float> = -1...1, using generator: inout SeededRandom) -> Matrix {
        let m = Matrix(rows: rows, cols: cols)
        for i in 0..<m.count { m.base[i] = Float.random(in: range, using: &generator) }
        return m
    }

    /// The variable for a parameter, with its current gradient as the analytic one.
    static func variable(_ parameter: Parameter) -> Variable {
        Variable(name: parameter.name, values: parameter.value.base, count: parameter.value.count, analytic: parameter.gradient.values)
    }

    /// The variable for an input matrix with its analytic gradient.
    static func variable(_ name: String, _ input: Matrix, gradient: Matrix) -> Variable {
        Variable(name: name, values: input.base, count: input.count, analytic: gradient.values)
    }
}
