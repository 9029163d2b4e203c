using System.Numerics.Tensors;

namespace FastLogReg.Optimization;

/// <summary>
/// Trust-region Newton with preconditioned conjugate gradients, as in LIBLINEAR (Lin, Weng &amp; Keerthi 2008, "Trust
/// region Newton method for large-scale logistic regression") and the inexact-Newton forcing sequence for the CG
/// tolerance, preconditioned by the function's diagonal M (<see cref="ITwiceDifferentiableFunction.TryGetPreconditioner"/>:
/// LIBLINEAR's mix of Hsia, Chiang &amp; Lin 2018 by default, the Hessian's diagonal itself for FastLogReg's objectives on
/// dense rows — <see cref="Preconditioning"/>). Each iteration solves ∇²f·s = −∇f approximately by CG —
/// one Hessian-vector product (a pass over the data) per CG step — inside a trust region ‖s‖_M ≤ Δ, then accepts the
/// step when f falls by enough of the predicted reduction and adjusts Δ by the ratio. Converges quadratically near the
/// optimum: a few dozen passes where L-BFGS needs hundreds on ill-conditioned data.
/// </summary>
public static class TrustRegionNewton
{
    private const double Eta0 = 1e-4, Eta1 = 0.25, Eta2 = 0.75;
    private const double Sigma1 = 0.25, Sigma2 = 0.5, Sigma3 = 4;

    /// <summary>The largest forcing term: CG stops once the residual is below this share of the gradient (or √‖g‖ of it).</summary>
    private const double CgTolerance = 0.5;

    /// <summary>A predicted decrease below this share of |f| (64 ulps) is within f's rounding: steps are judged by the gradient norm.</summary>
    private const double RoundingShare = 64 * 2.220446049250313e-16;

    /// <summary>Consecutive rejected steps after which the iterate is taken as final.</summary>
    private const int MaxRejections = 30;

    /// <summary>Minimizes <paramref name="function"/> from <paramref name="start"/>.</summary>
    /// <param name="function">f, its gradient and Hessian-vector products.</param>
    /// <param name="start">The starting point.</param>
    /// <param name="options">Limits (iterations are Newton iterations), tolerance and progress; null for the defaults.</param>
    /// <param name="cancellationToken">Checked once per iteration; cancellation returns the best point so far.</param>
    /// <returns>The point, why the solver stopped, and the history.</returns>
    public static OptimizationResult Minimize(ITwiceDifferentiableFunction function, ReadOnlySpan<double> start, SolverOptions? options = null, CancellationToken cancellationToken = default)
    {
        CountingFunction.CheckStart(function, start);
        var counted = new CountingTwiceDifferentiable(function);
        return Minimize(counted, start, (options ?? new SolverOptions()).Rules(() => counted.Evaluations, cancellationToken));
    }

    /// <summary>
    /// Trust-region Newton going on from <paramref name="first"/>'s point (a first-order or dual solver that had not
    /// converged in its allowance): the result counts both solvers' iterations and joins their histories, and the progress
    /// reports go on numbering where the first solver's stopped.
    /// </summary>
    internal static OptimizationResult HandOver(OptimizationResult first, ITwiceDifferentiableFunction function, StoppingRules rules) =>
        OptimizationResult.Join(first, Minimize(function, first.Point, ContinuedProgress.After(rules, first.Iterations)));

    internal static OptimizationResult Minimize(ITwiceDifferentiableFunction function, ReadOnlySpan<double> start, StoppingRules rules)
    {
        var monitor = new IterationMonitor(start, rules);
        int n = start.Length;
        double[] w = start.ToArray();
        double[] g = new double[n];
        double[] wNew = new double[n];
        double[] gNew = new double[n];
        double[] s = new double[n];
        double[] r = new double[n];
        double[] m = new double[n];
        var cg = new Workspace(n);

        double f = function.Evaluate(w, g);
        Preconditioner(function, m);
        double delta = Math.Sqrt(MNorm2(g, m));
        bool first = true;
        int iteration = 0;
        if (monitor.Check(0, w, f, g, out double gnorm) is { } immediate)
        {
            return immediate;
        }

        // A cold start is its own reference: convergence is then also judged in the preconditioner's norm ‖g‖_M⁻¹, by
        // the same reduction. With the Hessian's diagonal as M that norm is blind to the columns' scales, while ‖g‖ is
        // dominated by the largest column: one column 10⁸ times the others made ‖∇f(0)‖ so large that the diagonal,
        // which settles that column in a step or two, left ‖g‖ under the threshold with the other columns unsolved.
        double scaledThreshold = rules.ReferenceGradientNorm is null && gnorm > 0 ? ScaledNorm(g, m) * (monitor.ConvergenceThreshold / gnorm) : double.PositiveInfinity;

        for (int rejected = 0; ;)
        {
            bool boundary = TruncatedCg(function, delta, g, m, s, r, cg);
            TensorPrimitives.Add(w, s, wNew);
            double gs = TensorPrimitives.Dot<double>(g, s);
            double predicted = -0.5 * (gs - TensorPrimitives.Dot<double>(s, r));
            double fNew = function.Evaluate(wNew, gNew);
            double actual = f - fNew;
            double sNorm = Math.Sqrt(MNorm2(s, m));
            if (first)
            {
                delta = Math.Min(delta, sNorm);
                first = false;
            }

            // Near the optimum the predicted decrease falls below the rounding of f, and f can no longer judge a step:
            // there a step is taken when it lowers the gradient norm (and does not raise f beyond rounding).
            double gNewNorm = TensorPrimitives.Norm<double>(gNew);
            bool roundingRegime = Math.Abs(predicted) <= RoundingShare * Math.Abs(f);
            bool accept = double.IsFinite(fNew) && (roundingRegime
                ? gNewNorm < gnorm && fNew - f <= RoundingShare * Math.Abs(f)
                : actual > Eta0 * predicted);

            double alpha = fNew - f - gs <= 0 ? Sigma3 : Math.Max(Sigma1, -0.5 * (gs / (fNew - f - gs)));
            if (roundingRegime)
            {
                delta = accept ? Math.Max(delta, Sigma3 * sNorm) : Sigma2 * Math.Min(delta, sNorm);
            }
            else if (!(actual >= Eta0 * predicted))
            {
                delta = Math.Min(alpha * sNorm, Sigma2 * delta);
            }
            else if (actual < Eta1 * predicted)
            {
                delta = Math.Max(Sigma1 * delta, Math.Min(alpha * sNorm, Sigma2 * delta));
            }
            else if (actual < Eta2 * predicted)
            {
                delta = Math.Max(Sigma1 * delta, Math.Min(alpha * sNorm, Sigma3 * delta));
            }
            else
            {
                delta = boundary ? Sigma3 * delta : Math.Max(delta, Math.Min(alpha * sNorm, Sigma3 * delta));
            }

            if (accept)
            {
                // Accepted: the new point is the iterate (its gradient is already in gNew).
                (w, wNew) = (wNew, w);
                (g, gNew) = (gNew, g);
                f = fNew;
                iteration++;
                rejected = 0;
                if (monitor.Check(iteration, w, f, g, out gnorm, confirmed: ScaledNorm(g, m) <= scaledThreshold) is { } done)
                {
                    return done;
                }

                Preconditioner(function, m);
            }
            else
            {
                // Rejected: the function was last evaluated at the trial point; evaluate the iterate again so that the
                // Hessian the next CG uses is the iterate's (the gradient there is unchanged).
                f = function.Evaluate(w, gNew);
                if (++rejected > MaxRejections || !(delta > 0))
                {
                    return monitor.Finish(StopReason.NoProgress, w, f, gnorm);
                }
            }

            if (!(predicted > 0) && !accept)
            {
                // The model predicts no decrease: at this precision the iterate cannot be improved.
                return monitor.Finish(StopReason.NoProgress, w, f, gnorm);
            }
        }
    }

    /// <summary>
    /// Preconditioned CG on ∇²f·s = −g within ‖s‖_M ≤ Δ; leaves the step in <paramref name="s"/> and the residual
    /// −g − ∇²f·s in <paramref name="r"/>; returns whether the step reached the trust region's boundary.
    /// </summary>
    private static bool TruncatedCg(ITwiceDifferentiableFunction function, double delta, double[] g, double[] m, double[] s, double[] r, Workspace cg)
    {
        int n = g.Length;
        double[] d = cg.D, hd = cg.Hd, z = cg.Z;
        Array.Clear(s);
        TensorPrimitives.Negate(g, r);
        TensorPrimitives.Divide(r, m, z);
        z.CopyTo(d, 0);
        double zTr = TensorPrimitives.Dot<double>(z, r);

        // The forcing sequence of inexact Newton (Nocedal & Wright, Algorithm 7.1): stop when ‖r‖ ≤ η‖g‖ (in the
        // preconditioner's metric), η = min(½, √‖g‖) — loose far from the optimum, tightening as ‖g‖ → 0, which keeps
        // the convergence superlinear down to tight tolerances (a fixed η stalls on ill-conditioned data).
        double eta = Math.Min(CgTolerance, Math.Sqrt(Math.Sqrt(zTr)));
        double stop = eta * eta * zTr;
        int maxSteps = Math.Max(n, 5);
        for (int step = 1; step <= maxSteps; step++)
        {
            function.HessianVector(d, hd);
            double dHd = TensorPrimitives.Dot<double>(d, hd);
            if (!(dHd > 1e-300))
            {
                break;
            }

            double alpha = zTr / dHd;
            TensorPrimitives.MultiplyAdd(d, alpha, s, s);
            if (Math.Sqrt(MNorm2(s, m)) > delta)
            {
                // Back to the previous s, then to the boundary along d: ‖s + τd‖_M = Δ.
                TensorPrimitives.MultiplyAdd(d, -alpha, s, s);
                double sMd = MDot(s, d, m), sMs = MNorm2(s, m), dMd = MNorm2(d, m);
                double dsq = delta * delta;
                double rad = Math.Sqrt((sMd * sMd) + (dMd * (dsq - sMs)));
                double tau = sMd >= 0 ? (dsq - sMs) / (sMd + rad) : (rad - sMd) / dMd;
                TensorPrimitives.MultiplyAdd(d, tau, s, s);
                TensorPrimitives.MultiplyAdd(hd, -tau, r, r);
                return true;
            }

            TensorPrimitives.MultiplyAdd(hd, -alpha, r, r);
            TensorPrimitives.Divide(r, m, z);
            double zTrNew = TensorPrimitives.Dot<double>(z, r);
            if (!(zTrNew > stop))
            {
                break;
            }

            double beta = zTrNew / zTr;
            TensorPrimitives.Multiply(d, beta, d);
            TensorPrimitives.Add(d, z, d);
            zTr = zTrNew;
        }

        return false;
    }

    /// <summary>M = (1 − α)·I + α·diag(∇²f), or I when the function has no cheap diagonal.</summary>
    private static void Preconditioner(ITwiceDifferentiableFunction function, double[] m)
    {
        if (!function.TryGetPreconditioner(m))
        {
            Array.Fill(m, 1.0);
        }
    }

    private static double MNorm2(double[] u, double[] m) => MDot(u, u, m);

    /// <summary>‖u‖ in M⁻¹'s norm, √(Σ uᵢ²/mᵢ) — with M the Hessian's diagonal, free of the columns' scales.</summary>
    private static double ScaledNorm(double[] u, double[] m)
    {
        double sum = 0;
        for (int i = 0; i < u.Length; i++)
        {
            sum += u[i] * u[i] / m[i];
        }

        return Math.Sqrt(sum);
    }

    private static double MDot(double[] u, double[] v, double[] m)
    {
        double sum = 0;
        for (int i = 0; i < u.Length; i++)
        {
            sum += u[i] * m[i] * v[i];
        }

        return sum;
    }

    private sealed class Workspace(int n)
    {
        public double[] D { get; } = new double[n];

        public double[] Hd { get; } = new double[n];

        public double[] Z { get; } = new double[n];
    }
}
