using FastLogReg.Numerics;

namespace FastLogReg.Optimization;

/// <summary>
/// Limited-memory BFGS (Nocedal &amp; Wright, Algorithm 7.4 and 7.5). The direction is −H∇f with H given by the two-loop
/// recursion over the last m pairs sₖ = xₖ₊₁ − xₖ, yₖ = ∇fₖ₊₁ − ∇fₖ and H₀ = (sᵀy / yᵀy)·I; the step satisfies the strong
/// Wolfe conditions (<see cref="WolfeLineSearch"/>). Pairs with sᵀy ≤ 10⁻¹⁰·‖s‖·‖y‖ are skipped so H stays positive
/// definite. If the line search fails the memory is dropped and a steepest-descent step is tried once; if that fails too,
/// the objective cannot be decreased further at this precision (<see cref="StopReason.NoProgress"/>).
/// </summary>
public static class Lbfgs
{
    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/>.</summary>
    /// <param name="function">f and its gradient.</param>
    /// <param name="start">The starting point (finite, <see cref="IDifferentiableFunction.Dimension"/> values).</param>
    /// <param name="options">Limits, tolerance and progress; null for the defaults.</param>
    /// <param name="history">How many recent steps approximate the curvature, 1–1000. Default 10.</param>
    /// <param name="cancellationToken">Checked once per iteration; cancellation returns the best point so far.</param>
    /// <returns>The point, why the solver stopped, and the history.</returns>
    public static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, SolverOptions? options = null, int history = 10, CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        ArgumentOutOfRangeException.ThrowIfLessThan(history, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(history, 1000);
        var counted = new CountingFunction(function);
        return Minimize(counted, start, history, (options ?? new SolverOptions()).Rules(() => counted.Evaluations, cancellationToken));
    }

    /// <summary>
    /// L-BFGS from <paramref name="start"/>. <paramref name="carried"/>: curvature pairs to start from (a regularization
    /// path's previous point's, shifted to this λ) — kept up to date for the next one; null for an empty memory of
    /// <paramref name="memory"/> pairs.
    /// </summary>
    internal static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, int memory, StoppingRules rules, CurvatureMemory? carried = null)
    {
        var monitor = new IterationMonitor(start, rules);
        var lineSearch = new WolfeLineSearch(function);
        int n = start.Length;
        double[] x = start.ToArray();
        double[] g = new double[n];
        double[] previousX = new double[n];
        double[] previousG = new double[n];
        double[] direction = new double[n];
        CurvatureMemory pairs = CurvatureMemory.For(carried, n, memory);

        double f = function.Evaluate(x, g);
        for (int iteration = 0; ; iteration++)
        {
            if (monitor.Check(iteration, x, f, g, out double norm) is { } done)
            {
                return done;
            }

            x.CopyTo(previousX, 0);
            g.CopyTo(previousG, 0);
            double? accepted = null;
            for (int attempt = 0; attempt < 2 && accepted is null; attempt++)
            {
                double initialStep = 1;
                if (pairs.Stored == 0)
                {
                    // Steepest descent: a first step of unit length in parameter space.
                    SmallVectors.Negate(g, direction);
                    initialStep = 1 / norm;
                }
                else
                {
                    TwoLoop(g, pairs, direction);
                    if (SmallVectors.Dot(direction, g) >= 0)
                    {
                        pairs.Stored = 0; // not a descent direction (rounding): forget the curvature pairs
                        continue;
                    }
                }

                accepted = lineSearch.Search(x, f, g, direction, initialStep, out _);
                if (accepted is null)
                {
                    pairs.Stored = 0;
                }
            }

            if (accepted is not { } value)
            {
                return monitor.Finish(StopReason.NoProgress, x, f, norm);
            }

            f = value;
            double[] sk = pairs.CandidateS, yk = pairs.CandidateY;
            SmallVectors.Subtract(x, previousX, sk);
            SmallVectors.Subtract(g, previousG, yk);
            pairs.Accept(SmallVectors.Dot(sk, yk), SmallVectors.Dot(yk, yk), SmallVectors.Dot(sk, sk));
        }
    }

    /// <summary>direction = −H·g by the two-loop recursion over the stored pairs (newest first, then oldest first).</summary>
    private static void TwoLoop(double[] g, CurvatureMemory pairs, double[] direction)
    {
        double[][] s = pairs.S, y = pairs.Y;
        double[] rho = pairs.Rho, alpha = pairs.Alpha;
        g.CopyTo(direction, 0); // q
        for (int k = 0; k < pairs.Stored; k++)
        {
            int i = pairs.Slot(k);
            alpha[i] = rho[i] * SmallVectors.Dot(s[i], direction);
            SmallVectors.MultiplyAdd(y[i], -alpha[i], direction, direction);
        }

        SmallVectors.Multiply(direction, pairs.Gamma, direction); // r = H₀q
        for (int k = pairs.Stored - 1; k >= 0; k--)
        {
            int i = pairs.Slot(k);
            double beta = rho[i] * SmallVectors.Dot(y[i], direction);
            SmallVectors.MultiplyAdd(s[i], alpha[i] - beta, direction, direction);
        }

        SmallVectors.Negate(direction, direction);
    }
}
