using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// Orthant-wise limited-memory quasi-Newton (Andrew &amp; Gao 2007): L-BFGS for F(x) = f(x) + c·Σ_{j &lt; m} |xⱼ| with
/// f smooth. The direction is the two-loop recursion on the pseudo-gradient (the minimum-norm subgradient of F),
/// with components that disagree in sign with the steepest descent direction dropped; each trial point is projected
/// onto the orthant of the current point (coordinates that would cross zero become exactly zero), and a backtracking
/// search accepts the first step with sufficient decrease of F. The curvature pairs use the smooth gradient. Weights
/// that belong at zero end up exactly zero.
/// </summary>
public static class OwlQn
{
    private const double Armijo = 1e-4;
    private const int MaxBacktracks = 60;

    /// <summary>Minimizes F(x) = f(x) + <paramref name="l1"/>·Σ_{j &lt; <paramref name="penalizedCount"/>} |xⱼ|.</summary>
    /// <param name="function">
    /// Evaluates F: its value <b>includes</b> the L1 term and its gradient is that of the smooth part f alone (what
    /// FastLogReg's objectives with an elastic-net penalty return).
    /// </param>
    /// <param name="start">The starting point.</param>
    /// <param name="l1">c ≥ 0, the L1 weight.</param>
    /// <param name="penalizedCount">m: the first m coordinates carry the L1 term (the rest — an intercept, say — do not).</param>
    /// <param name="options">Limits, tolerance (on the pseudo-gradient's norm) and progress; null for the defaults.</param>
    /// <param name="history">How many recent steps approximate the curvature, 1–1000.</param>
    /// <param name="cancellationToken">Checked once per iteration.</param>
    /// <returns>The point, why the solver stopped, and the history (gradient norms are the pseudo-gradient's).</returns>
    public static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double l1, int penalizedCount, SolverOptions? options = null, int history = 10, CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        if (!(l1 >= 0 && double.IsFinite(l1)))
        {
            throw new ArgumentOutOfRangeException(nameof(l1), l1, "The L1 weight must be finite and ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(penalizedCount);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(penalizedCount, start.Length);
        ArgumentOutOfRangeException.ThrowIfLessThan(history, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(history, 1000);
        var counted = new CountingFunction(function);
        return Minimize(counted, start, l1, penalizedCount, history, (options ?? new SolverOptions()).Rules(() => counted.Evaluations, cancellationToken));
    }

    /// <summary>
    /// OWL-QN from <paramref name="start"/>. <paramref name="carried"/>: curvature pairs of the smooth part to start from
    /// (a regularization path's previous point's, shifted to this λ) — kept up to date for the next one; null for an
    /// empty memory of <paramref name="memory"/> pairs.
    /// </summary>
    internal static OptimizationResult Minimize(IDifferentiableFunction function, ReadOnlySpan<double> start, double l1, int penalizedCount, int memory, StoppingRules rules, CurvatureMemory? carried = null)
    {
        var monitor = new IterationMonitor(start, rules);
        int n = start.Length;
        double[] x = start.ToArray();
        double[] g = new double[n];       // smooth gradient
        double[] pg = new double[n];      // pseudo-gradient of F
        double[] xNew = new double[n];
        double[] gNew = new double[n];
        double[] direction = new double[n];
        CurvatureMemory pairs = CurvatureMemory.For(carried, n, memory);

        double f = function.Evaluate(x, g);
        for (int iteration = 0; ; iteration++)
        {
            PseudoGradient(x, g, l1, penalizedCount, pg);
            if (monitor.Check(iteration, x, f, pg, out double norm) is { } done)
            {
                return done;
            }

            double? accepted = null;
            for (int attempt = 0; attempt < 2 && accepted is null; attempt++)
            {
                if (pairs.Stored == 0)
                {
                    TensorPrimitives.Negate(pg, direction);
                    TensorPrimitives.Multiply(direction, 1 / norm, direction); // a first step of unit length
                }
                else
                {
                    TwoLoop(pg, pairs, direction);
                }

                // Keep only components that descend in the steepest-descent orthant.
                for (int j = 0; j < n; j++)
                {
                    if (direction[j] * pg[j] >= 0)
                    {
                        direction[j] = 0;
                    }
                }

                accepted = Backtrack(function, x, f, pg, direction, l1, penalizedCount, xNew, gNew);
                if (accepted is null)
                {
                    pairs.Stored = 0; // drop the curvature and try steepest descent once
                }
            }

            if (accepted is not { } value)
            {
                return monitor.Finish(StopReason.NoProgress, x, f, norm);
            }

            double[] sk = pairs.CandidateS, yk = pairs.CandidateY;
            TensorPrimitives.Subtract(xNew, x, sk);
            TensorPrimitives.Subtract(gNew, g, yk);
            pairs.Accept(TensorPrimitives.Dot<double>(sk, yk), TensorPrimitives.Dot<double>(yk, yk), TensorPrimitives.Dot<double>(sk, sk));
            (x, xNew) = (xNew, x);
            (g, gNew) = (gNew, g);
            f = value;
        }
    }

    /// <summary>The minimum-norm subgradient of F = f + c‖x_{..m}‖₁.</summary>
    internal static void PseudoGradient(ReadOnlySpan<double> x, ReadOnlySpan<double> g, double l1, int penalizedCount, Span<double> pg)
    {
        for (int j = 0; j < x.Length; j++)
        {
            double gj = g[j];
            if (j >= penalizedCount || l1 == 0)
            {
                pg[j] = gj;
            }
            else if (x[j] > 0)
            {
                pg[j] = gj + l1;
            }
            else if (x[j] < 0)
            {
                pg[j] = gj - l1;
            }
            else
            {
                pg[j] = gj + l1 < 0 ? gj + l1 : gj - l1 > 0 ? gj - l1 : 0;
            }
        }
    }

    /// <summary>
    /// Backtracking along the projected path x(α) = π(x + αd) onto x's orthant (the steepest-descent orthant where xⱼ = 0):
    /// accepts the first α with F(x(α)) ≤ F(x) + γ·◇F·(x(α) − x); returns F there, or null.
    /// </summary>
    private static double? Backtrack(IDifferentiableFunction function, double[] x, double f, double[] pg, double[] d, double l1, int m, double[] xNew, double[] gNew)
    {
        double step = 1;
        for (int k = 0; k < MaxBacktracks; k++, step *= 0.5)
        {
            double decrease = 0;
            bool moved = false;
            for (int j = 0; j < x.Length; j++)
            {
                double v = x[j] + (step * d[j]);
                if (j < m && l1 > 0)
                {
                    double orthant = x[j] != 0 ? Math.Sign(x[j]) : -Math.Sign(pg[j]);
                    if (v * orthant <= 0)
                    {
                        v = 0;
                    }
                }

                xNew[j] = v;
                moved |= v != x[j];
                decrease += pg[j] * (v - x[j]);
            }

            if (!moved)
            {
                return null;
            }

            double fNew = function.Evaluate(xNew, gNew);
            if (double.IsFinite(fNew) && fNew <= f + (Armijo * decrease))
            {
                return fNew;
            }
        }

        return null;
    }

    private static void TwoLoop(double[] q0, CurvatureMemory pairs, double[] direction)
    {
        double[][] s = pairs.S, y = pairs.Y;
        double[] rho = pairs.Rho, alpha = pairs.Alpha;
        q0.CopyTo(direction, 0);
        for (int k = 0; k < pairs.Stored; k++)
        {
            int i = pairs.Slot(k);
            alpha[i] = rho[i] * TensorPrimitives.Dot<double>(s[i], direction);
            TensorPrimitives.MultiplyAdd(y[i], -alpha[i], direction, direction);
        }

        TensorPrimitives.Multiply(direction, pairs.Gamma, direction);
        for (int k = pairs.Stored - 1; k >= 0; k--)
        {
            int i = pairs.Slot(k);
            double beta = rho[i] * TensorPrimitives.Dot<double>(y[i], direction);
            TensorPrimitives.MultiplyAdd(s[i], alpha[i] - beta, direction, direction);
        }

        TensorPrimitives.Negate(direction, direction);
    }
}
