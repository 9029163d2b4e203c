namespace FastLogReg.Optimization;

/// <summary>
/// A smooth function f: ℝⁿ → ℝ that returns its value and gradient from one evaluation — all an optimizer needs to know
/// about the problem (as LIBLINEAR's <c>function</c> separates the objective from its solvers).
/// </summary>
public interface IDifferentiableFunction
{
    /// <summary>n, the length of the parameter vector.</summary>
    int Dimension { get; }

    /// <summary>Returns f(<paramref name="point"/>) and writes ∇f(<paramref name="point"/>) into <paramref name="gradient"/>.</summary>
    /// <param name="point">n parameters.</param>
    /// <param name="gradient">Receives the n partial derivatives.</param>
    double Evaluate(ReadOnlySpan<double> point, Span<double> gradient);
}
