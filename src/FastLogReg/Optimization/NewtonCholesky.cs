using FastLogReg.Numerics;
using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// The exact Newton method for functions whose whole Hessian is at hand (<see cref="ITwiceDifferentiableFunction.TryGetHessian"/>):
/// each iteration builds ∇²f, solves ∇²f·s = −∇f by a Cholesky factorization and steps along s with a backtracking
/// (Armijo) line search — scikit-learn's <c>newton-cholesky</c>. Quadratic convergence in a handful of iterations
/// whatever the conditioning; each costs a Hessian (for logistic regression one pass with O(n·d²) arithmetic) and an
/// O(d³/3) factorization, so it pays for small d — see <see cref="TrustRegionNewton"/> for large d.
/// </summary>
/// <remarks>
/// A Hessian that is not numerically positive definite (perfectly collinear columns without a penalty) gets a growing
/// multiple of a diagonal added until it factors (as Levenberg–Marquardt; each column's own scale, at least a typical
/// column's); when even that fails the step is −∇f. For K classes the directions the softmax cannot see are solved
/// apart first (<see cref="ShiftDeflation"/>).
/// Near the optimum, where the predicted decrease is below the rounding of f, a step is taken when it lowers the
/// gradient norm.
/// </remarks>
public static class NewtonCholesky
{
    private const double ArmijoShare = 1e-4;
    private const int MaxHalvings = 40;
    private const int MaxShifts = 12;

    /// <summary>A decrease below this share of |f| (64 ulps) is within f's rounding.</summary>
    private const double RoundingShare = 64 * 2.220446049250313e-16;

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/>.</summary>
    /// <param name="function">f, its gradient and its whole Hessian.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="options">Limits (iterations are Newton iterations), tolerance and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per iteration; cancellation returns the best point so far.</param>
    /// <returns>The point, why the solver stopped, and the history.</returns>
    /// <exception cref="NotSupportedException">The function gives no Hessian matrix.</exception>
    public static OptimizationResult Minimize(ITwiceDifferentiableFunction function, ReadOnlySpan<double> start, SolverOptions? options = null, CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        var counted = new CountingTwiceDifferentiable(function);
        return Minimize(counted, start, (options ?? new SolverOptions()).Rules(() => counted.Evaluations, cancellationToken));
    }

    internal static OptimizationResult Minimize(ITwiceDifferentiableFunction function, ReadOnlySpan<double> start, StoppingRules rules)
    {
        var monitor = new IterationMonitor(start, rules);
        int n = start.Length;
        if ((long)n * n > Array.MaxLength)
        {
            throw new NotSupportedException($"A {n} × {n} Hessian does not fit in memory: use TrustRegionNewton, which needs only Hessian-vector products.");
        }

        double[] w = start.ToArray();
        double[] g = new double[n];
        double[] wNew = new double[n];
        double[] gNew = new double[n];
        double[] s = new double[n];
        double[] hessian = new double[n * n];
        double[] factor = new double[n * n];

        ShiftDeflation? deflation = ShiftDeflation.For(function);
        double f = function.Evaluate(w, g);
        if (monitor.Check(0, w, f, g, out double gnorm) is { } immediate)
        {
            return immediate;
        }

        for (int iteration = 1; ; iteration++)
        {
            if (!function.TryGetHessian(hessian))
            {
                throw new NotSupportedException($"{((function as CountingTwiceDifferentiable)?.Inner ?? function).GetType().Name} gives no Hessian matrix (TryGetHessian returned false): use TrustRegionNewton, which needs only Hessian-vector products.");
            }

            deflation?.Deflate(hessian, n);
            if (NewtonDirection(hessian, factor, n, g, s))
            {
                deflation?.Restore(w, s);
            }

            double gs = TensorPrimitives.Dot<double>(g, s);
            if (!(gs < 0))
            {
                TensorPrimitives.Negate(g, s);
                gs = -gnorm * gnorm;
            }

            double step = 1, fNew = double.NaN, gNewNorm = double.NaN;
            bool accepted = false;
            for (int halving = 0; halving <= MaxHalvings; halving++, step *= 0.5)
            {
                TensorPrimitives.MultiplyAdd(s, step, w, wNew);
                fNew = function.Evaluate(wNew, gNew);
                if (!double.IsFinite(fNew))
                {
                    continue;
                }

                gNewNorm = TensorPrimitives.Norm<double>(gNew);
                double slack = RoundingShare * Math.Abs(f);
                if (fNew <= f + (ArmijoShare * step * gs) || (Math.Abs(fNew - f) <= slack && gNewNorm < gnorm))
                {
                    accepted = true;
                    break;
                }
            }

            if (!accepted)
            {
                // No step along s lowers f (or, within rounding, the gradient): at this precision w cannot be improved.
                return monitor.Finish(StopReason.NoProgress, w, f, gnorm);
            }

            (w, wNew) = (wNew, w);
            (g, gNew) = (gNew, g);
            f = fNew;
            if (monitor.Check(iteration, w, f, g, out gnorm) is { } done)
            {
                return done;
            }
        }
    }

    /// <summary>
    /// s = −H⁻¹g by Cholesky; if H does not factor, H + τ·S for τ growing from 10⁻¹⁰, S the diagonal max(Hⱼⱼ, median Hⱼⱼ)
    /// — each column shifted on its own scale, so one column far larger than the rest does not swamp them, and no less
    /// than a typical column, so a column with (nearly) no curvature gets the small-norm step in the data's units; −g
    /// (and false) if nothing factors.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static bool NewtonDirection(double[] hessian, double[] factor, int n, double[] g, double[] s)
    {
        double[]? scales = null;
        double shift = 0;
        for (int attempt = 0; attempt <= MaxShifts; attempt++)
        {
            hessian.CopyTo(factor, 0);
            if (shift > 0)
            {
                scales ??= ShiftScales(hessian, n);
                for (int j = 0; j < n; j++)
                {
                    factor[(j * n) + j] += shift * scales[j];
                }
            }

            if (Cholesky.Factor(factor, n))
            {
                TensorPrimitives.Negate(g, s);
                Cholesky.Solve(factor, n, s);
                if (AllFinite(s))
                {
                    return true;
                }
            }

            shift = shift == 0 ? 1e-10 : shift * 100;
        }

        TensorPrimitives.Negate(g, s);
        return false;
    }

    /// <summary>max(Hⱼⱼ, m) per column, m the median of the positive finite Hⱼⱼ (1 when there are none).</summary>
    private static double[] ShiftScales(double[] hessian, int n)
    {
        double[] scales = new double[n];
        var positive = new List<double>(n);
        for (int j = 0; j < n; j++)
        {
            double h = hessian[(j * n) + j];
            scales[j] = h > 0 && double.IsFinite(h) ? h : 0;
            if (scales[j] > 0)
            {
                positive.Add(scales[j]);
            }
        }

        positive.Sort();
        double median = positive.Count > 0 ? positive[positive.Count / 2] : 1;
        for (int j = 0; j < n; j++)
        {
            scales[j] = Math.Max(scales[j], median);
        }

        return scales;
    }

    internal static bool AllFinite(ReadOnlySpan<double> values)
    {
        foreach (double v in values)
        {
            if (!double.IsFinite(v))
            {
                return false;
            }
        }

        return true;
    }
}
