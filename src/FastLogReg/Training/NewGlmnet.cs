using System.Numerics;
using System.Runtime.CompilerServices;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>
/// newGLMNET (Yuan, Ho &amp; Lin 2012; LIBLINEAR's <c>-s 6</c>) for the binary objective with an L1 or elastic-net
/// penalty: each outer iteration takes the Newton quadratic model of the smooth part at w, minimizes model + λρ‖w + d‖₁
/// by cyclic coordinate descent (closed-form one-dimensional steps; the intercept unpenalized), then a backtracking line
/// search on the true objective along d — which needs no pass over X, since the margins move by X d, kept as the
/// coordinates change. Coordinates at zero whose gradient lies inside ±λρ are left out of the inner sweeps (they are
/// rechecked every outer iteration; convergence is judged on the full pseudo-gradient, as OWL-QN's). When the sweeps over
/// dense columns have not solved the model after about as many sweeps as it costs to build the active columns' Hessian,
/// they build it and go on at O(active) per coordinate step (glmnet's covariance updates).
/// </summary>
/// <remarks>
/// Works on a column copy of the data (<see cref="ColumnCopy{T}"/>; dense or sparse), standardized by arithmetic (sparse
/// columns stay sparse), in double. Single-threaded and in a fixed order, so the result does not depend on the thread
/// count. Data passes are counted as column sweeps: one per outer gradient, two per inner sweep over the active columns,
/// count(count + 1)/2 column dots per Hessian built and one sweep to form X d from it.
/// Its loops are compiled fully optimized on first use (<c>AggressiveOptimization</c>; the column loops in
/// <see cref="DenseColumnArithmetic"/>, no TensorPrimitives): a fit takes
/// milliseconds, and measured in a process still compiling other code (a benchmark after ML.NET's), tier-0 code made it
/// 10–20× slower.
/// </remarks>
internal static class NewGlmnet
{
    private const int MaxInnerSweeps = 100;

    /// <summary>Up to this many active dense columns the inner sweeps may switch to their Hessian (<see cref="GramSweeps"/>).</summary>
    internal const int GramColumns = 128;

    /// <summary>The intercept's Levenberg term after a failed line search (rows' weights sum to 1, so ΣD ≤ ¼), ×100 per retry up to <see cref="MaxInterceptCurvature"/>.</summary>
    private const double MinInterceptCurvature = 1e-4;

    /// <summary>The largest Levenberg term on the intercept tried.</summary>
    private const double MaxInterceptCurvature = 1e2;

    /// <summary>A coordinate's step moves its column's part of the margins by at most this many (curvature-weighted) standard deviations.</summary>
    private const double MaxMarginStep = 10;

    /// <summary>Sweeps on the active columns' Hessian at most per outer iteration (each O(active²), no data).</summary>
    private const int MaxGramSweeps = 2_000;

    /// <summary>The inner sweeps' largest relative accuracy (the forcing term's cap, at the first outer iteration).</summary>
    private const double MaxForcing = 0.5;
    private const int MaxLineSearchSteps = 30;
    private const double Armijo = 0.01;
    private const double Nu = 1e-12;

    /// <summary>Relative size of f's rounding error (a sum of n terms): 64 ulps.</summary>
    private const double RoundingLevel = 64 * 2.220446049250313e-16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static OptimizationResult Minimize<T>(
        ColumnCopy<T> x,
        ReadOnlySpan<T> labels,
        ReadOnlySpan<double> rowWeights,
        FeatureScaling? scaling,
        double l1,
        double l2,
        bool fitIntercept,
        ReadOnlySpan<double> start,
        StoppingRules rules,
        Action<double> countPasses)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int n = x.Rows, d = x.Columns, dim = d + (fitIntercept ? 1 : 0);
        double[] mu = new double[d], inv = new double[d];
        for (int j = 0; j < d; j++)
        {
            mu[j] = scaling?.Means[j] ?? 0;
            inv[j] = 1 / (scaling?.Scales[j] ?? 1);
        }

        double[] y = new double[n], s = rowWeights.ToArray();
        for (int i = 0; i < n; i++)
        {
            y[i] = labels[i] == T.One ? 1 : 0;
        }

        double[] point = start.ToArray();
        double[] z = new double[n];
        double[] p = new double[n], r = new double[n], curvature = new double[n];
        double[] gradient = new double[dim], pg = new double[dim], h = new double[d];
        double[] direction = new double[dim], trial = new double[dim];
        double[] xd = new double[n], zNew = new double[n], cxd = new double[n];
        double[] columnCurvature = new double[d];
        bool[] active = new bool[d];
        var monitor = new IterationMonitor(point, rules);

        Margins(x, point, fitIntercept, mu, inv, z);
        countPasses(1);
        double f = Objective(z, y, s, point, d, l1, l2);
        double pgNorm1Initial = 0;
        int[] order = new int[d];
        int gramSize = Math.Min(d, GramColumns);
        double[]? gram = null, centred = null, u = null, scratch = null; // when the inner sweeps first switch to the Hessian
        for (int iteration = 0; ; iteration++)
        {
            // The gradient and the diagonal of the Hessian at the current point: one sweep over the columns.
            double sumD = 0, sumR = 0;
            for (int i = 0; i < n; i++)
            {
                double pi = StableLogistic.Sigmoid(z[i]);
                p[i] = pi;
                r[i] = s[i] * (pi - y[i]);
                curvature[i] = s[i] * pi * (1 - pi);
                sumD += curvature[i];
                sumR += r[i];
            }

            for (int j = 0; j < d; j++)
            {
                (double gr, double hd, double cx) = GradientAndDiagonal(x, j, r, curvature, sumR, sumD, mu[j], inv[j]);
                gradient[j] = gr + (l2 * point[j]);
                h[j] = hd + l2 + Nu;
                columnCurvature[j] = cx;
            }

            if (fitIntercept)
            {
                gradient[d] = sumR;
            }

            countPasses(1);
            OwlQn.PseudoGradient(point, gradient, l1, d, pg);
            if (monitor.Check(iteration, point, f, pg, out double norm) is { } done)
            {
                return done;
            }

            double pgNorm1 = 0;
            int activeCount = 0;
            for (int j = 0; j < d; j++)
            {
                active[j] = point[j] != 0 || Math.Abs(gradient[j]) >= l1;
                if (active[j])
                {
                    activeCount++;
                    pgNorm1 += Math.Abs(pg[j]);
                }
            }

            if (fitIntercept)
            {
                pgNorm1 += Math.Abs(pg[d]);
            }

            if (iteration == 0)
            {
                pgNorm1Initial = pgNorm1;
            }

            // The active coordinates, in order (LIBLINEAR permutes them at random; cyclic order took fewer outer
            // iterations on raw breast cancer: 209 against 322 to 1e-5).
            int count = 0;
            for (int j = 0; j < d; j++)
            {
                if (active[j])
                {
                    order[count++] = j;
                }
            }

            // Coordinate descent on the quadratic model: q(Δ) = gᵀΔ + ½ΔᵀHΔ + λρ‖w + Δ‖₁, H = XᵀDX + λ(1 − ρ)I. With an
            // intercept, each coordinate's step is taken jointly with the intercept's (the intercept eliminated
            // exactly: the curvature and gradient of the column centred under D), so an offset column — raw features
            // far from zero — does not slow the sweeps down. The model is solved to a relative accuracy η that falls
            // as the outer iterations converge (inexact Newton's forcing term): an inner sweep over the active columns
            // is cheaper than an outer iteration.
            // If the line search fails — nearly every row saturated (ΣD → 0, e.g. a warm start far off), where the Newton
            // model is flat along b and its step unbounded — the model is solved again with a Levenberg term on the
            // intercept alone (its curvature raised to 10⁻⁴, then ×100), which keeps the step to what the search can shorten.
            bool accepted = false;
            double fNew = double.NaN;
            for (double interceptTau = 0; ; interceptTau = interceptTau == 0 ? MinInterceptCurvature : interceptTau * 100)
            {
                Array.Clear(direction);
                Array.Clear(xd);
                Array.Clear(cxd);
                double offset = 0, sumDxd = 0; // every row's (X d)ᵢ is xd[i] + offset; Σ Dᵢ xd[i]
                double forcing = pgNorm1Initial > 0 ? Math.Min(MaxForcing, Math.Sqrt(pgNorm1 / pgNorm1Initial)) : MaxForcing;
                double hbb = sumD + interceptTau;
                bool jointIntercept = fitIntercept && hbb > 0;
                for (int sweeps = 0; sweeps < MaxInnerSweeps; sweeps++)
                {
                    if (x.RowIndex is null && count <= GramColumns && sweeps >= Math.Max(2, count / 4))
                    {
                        // Still not solved after as many sweeps as building the active columns' Hessian X̃ᵀDX̃ costs
                        // (count²/2 column dots, about count/4 sweeps): build it and go on at O(count) per coordinate
                        // step (glmnet's covariance updates) — at most twice the better of the two. The margins'
                        // move X d is formed again from the direction at the end.
                        gram ??= new double[gramSize * gramSize];
                        centred ??= new double[gramSize];
                        u ??= new double[gramSize];
                        scratch ??= new double[n];
                        GramSweeps(x, order, count, curvature, columnCurvature, mu, inv, sumD, hbb, gradient, h, point, direction, l1, l2, d, fitIntercept, jointIntercept, forcing * pgNorm1, gram, centred, u, scratch);
                        countPasses((count * (count + 1) / 2.0 / Math.Max(d, 1)) + ((double)count / Math.Max(d, 1)));
                        Array.Clear(xd);
                        offset = fitIntercept ? direction[d] : 0;
                        for (int q = 0; q < count; q++)
                        {
                            int j = order[q];
                            if (direction[j] != 0)
                            {
                                AddColumn(x, j, direction[j] * inv[j], xd);
                                offset -= direction[j] * mu[j] * inv[j];
                            }
                        }

                        break;
                    }

                    double violation = 0;
                    for (int q = 0; q < count; q++)
                    {
                        int j = order[q];

                        double hx = ColumnDot(x, j, cxd, columnCurvature[j], offset, sumDxd, sumD, mu[j], inv[j]);
                        double g = gradient[j] + hx + (l2 * direction[j]);
                        double gb = 0, c = 0;
                        if (jointIntercept)
                        {
                            gb = gradient[d] + sumDxd + (offset * sumD) + (interceptTau * direction[d]);
                            c = (columnCurvature[j] - (mu[j] * sumD)) * inv[j];
                        }

                        double step = CoordinateStep(g, point[j] + direction[j], h[j], jointIntercept, c, gb, hbb, l1, l2, sumD, ref violation);
                        if (step == 0)
                        {
                            continue;
                        }

                        direction[j] += step;
                        AddColumn(x, j, step * inv[j], curvature, xd, cxd);
                        sumDxd += step * inv[j] * columnCurvature[j];
                        offset -= step * mu[j] * inv[j];
                        if (jointIntercept)
                        {
                            double interceptStep = -(gb + (c * step)) / hbb;
                            direction[d] += interceptStep;
                            offset += interceptStep;
                        }
                    }

                    if (fitIntercept)
                    {
                        double g = gradient[d] + sumDxd + (offset * sumD) + (interceptTau * direction[d]);
                        violation += Math.Abs(g);
                        double step = -g / (hbb + Nu);
                        direction[d] += step;
                        offset += step;
                    }

                    countPasses(2.0 * activeCount / Math.Max(d, 1));
                    if (violation <= forcing * pgNorm1)
                    {
                        break;
                    }
                }

                // Backtracking on the objective along the direction: the margins move by β·(X d) exactly.
                double decrease = 0, l1Now = 0, l1Next = 0;
                for (int j = 0; j < dim; j++)
                {
                    decrease += gradient[j] * direction[j];
                }

                for (int j = 0; j < d; j++)
                {
                    l1Now += Math.Abs(point[j]);
                    l1Next += Math.Abs(point[j] + direction[j]);
                }

                decrease += l1 * (l1Next - l1Now);
                double beta = 1;
                for (int attempt = 0; attempt < MaxLineSearchSteps; attempt++)
                {
                    for (int j = 0; j < dim; j++)
                    {
                        trial[j] = point[j] + (beta * direction[j]);
                    }

                    for (int i = 0; i < n; i++)
                    {
                        zNew[i] = z[i] + (beta * (xd[i] + offset));
                    }

                    fNew = Objective(zNew, y, s, trial, d, l1, l2);

                    // Near the optimum the predicted decrease falls below the rounding of f itself: then a full step that
                    // does not raise f beyond that rounding is taken (else the search would fail on noise).
                    bool roundingRegime = attempt == 0 && Math.Abs(decrease) <= RoundingLevel * Math.Max(1, Math.Abs(f));
                    if (fNew - f <= Armijo * beta * decrease || (roundingRegime && fNew - f <= RoundingLevel * Math.Max(1, Math.Abs(f))))
                    {
                        accepted = true;
                        break;
                    }

                    beta *= 0.5;
                }

                if (accepted || !fitIntercept || interceptTau >= MaxInterceptCurvature)
                {
                    break;
                }
            }

            if (!accepted)
            {
                return monitor.Finish(StopReason.NoProgress, point, f, norm);
            }

            trial.CopyTo(point, 0);
            (z, zNew) = (zNew, z);
            f = fNew;
        }
    }

    /// <summary>
    /// Coordinate descent on the quadratic model over the active dense columns <paramref name="order"/>[0..count), with
    /// their Hessian G = X̃ᵀDX̃ built first: (HΔ)ⱼ = (GΔ)ⱼ + cⱼΔ_b and g_b(Δ) = g_b + cᵀΔ + ΣD·Δ_b, c = X̃ᵀD1, kept up
    /// to date as u = GΔ and v = cᵀΔ — the same steps as the column sweeps, at O(count) each, continuing from the
    /// direction the column sweeps reached. Stops when the sweep's subgradient violation is at most
    /// <paramref name="target"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GramSweeps<T>(
        ColumnCopy<T> x, int[] order, int count, double[] curvature, double[] columnCurvature, double[] mu, double[] inv, double sumD, double hbb,
        double[] gradient, double[] h, double[] point, double[] direction, double l1, double l2, int d, bool fitIntercept, bool jointIntercept,
        double target, double[] gram, double[] centred, double[] u, double[] scratch)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // G̃ₐᵦ = (Σ D xₐ xᵦ − μₐ Σ D xᵦ − μᵦ Σ D xₐ + μₐμᵦ Σ D)·invₐ·invᵦ from the raw columns.
        for (int a = 0; a < count; a++)
        {
            int ja = order[a];
            ReadOnlySpan<double> columnA = x.DenseColumn(ja);
            for (int i = 0; i < scratch.Length; i++)
            {
                scratch[i] = curvature[i] * columnA[i];
            }

            for (int b = a; b < count; b++)
            {
                int jb = order[b];
                double raw = DenseColumnArithmetic.Dot(scratch, x.DenseColumn(jb));
                double value = (raw - (mu[ja] * columnCurvature[jb]) - (mu[jb] * columnCurvature[ja]) + (mu[ja] * mu[jb] * sumD)) * inv[ja] * inv[jb];
                gram[(a * count) + b] = value;
                gram[(b * count) + a] = value;
            }

            centred[a] = (columnCurvature[ja] - (mu[ja] * sumD)) * inv[ja];
        }

        // u = G̃Δ, v = cᵀΔ and the intercept's step, from the sweeps so far.
        double v = 0, db = fitIntercept ? direction[d] : 0;
        for (int a = 0; a < count; a++)
        {
            double sum = 0;
            for (int b = 0; b < count; b++)
            {
                sum += gram[(a * count) + b] * direction[order[b]];
            }

            u[a] = sum;
            v += centred[a] * direction[order[a]];
        }

        for (int sweeps = 0; sweeps < MaxGramSweeps; sweeps++)
        {
            double violation = 0;
            for (int a = 0; a < count; a++)
            {
                int j = order[a];
                double c = centred[a];
                double g = gradient[j] + u[a] + (c * db) + (l2 * direction[j]);
                double gb = jointIntercept ? gradient[d] + v + (hbb * db) : 0;
                double step = CoordinateStep(g, point[j] + direction[j], h[j], jointIntercept, c, gb, hbb, l1, l2, sumD, ref violation);
                if (step == 0)
                {
                    continue;
                }

                direction[j] += step;
                ReadOnlySpan<double> row = gram.AsSpan(a * count, count);
                for (int b = 0; b < count; b++)
                {
                    u[b] += row[b] * step;
                }

                v += c * step;
                if (jointIntercept)
                {
                    db += -(gb + (c * step)) / hbb;
                }
            }

            if (fitIntercept)
            {
                double g = gradient[d] + v + (hbb * db);
                violation += Math.Abs(g);
                db += -g / hbb;
            }

            if (violation <= target)
            {
                break;
            }
        }

        if (fitIntercept)
        {
            direction[d] = db;
        }
    }

    /// <summary>
    /// One coordinate's step on the model (the closed-form minimizer of the one-dimensional quadratic plus λρ|w + Δ|),
    /// taken jointly with the intercept when <paramref name="joint"/>: for a step δ the intercept's best step is
    /// −(g_b + c δ)/H_bb, so the coordinate sees gradient g − c g_b/H_bb and curvature h − c²/H_bb. Adds the coordinate's
    /// subgradient violation to <paramref name="violation"/>; the step is limited by <see cref="StepLimit"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double CoordinateStep(double g, double wpd, double h, bool joint, double c, double gb, double hbb, double l1, double l2, double sumD, ref double violation)
    {
        double gp = g + l1, gn = g - l1;
        violation += wpd > 0 ? Math.Abs(gp) : wpd < 0 ? Math.Abs(gn) : Math.Max(Math.Max(gn, -gp), 0);
        double hj = h, gj = g;
        if (joint)
        {
            gj = g - (c * gb / hbb);
            hj = Math.Max(h - (c * c / hbb), l2 + Nu);
        }

        double gjp = gj + l1, gjn = gj - l1;
        double step = gjp <= hj * wpd ? -gjp / hj : gjn >= hj * wpd ? -gjn / hj : -wpd;
        if (step == 0)
        {
            return 0;
        }

        double limit = StepLimit(hj, l2, sumD);
        return Math.Clamp(step, -limit, limit);
    }

    /// <summary>
    /// The largest step of a coordinate whose (intercept-eliminated) curvature is <paramref name="hj"/>: one that moves
    /// the margins by at most <see cref="MaxMarginStep"/> of the column's D-weighted spread √((hj − λ₂)/ΣD) — so a column
    /// of tiny scale (whose weight must be huge) is not held to the step of a standardized one.
    /// </summary>
    private static double StepLimit(double hj, double l2, double sumD)
    {
        double spread = sumD > 0 ? Math.Sqrt(Math.Max(hj - l2 - Nu, 0) / sumD) : 0;
        return spread > 0 ? Math.Min(MaxMarginStep / spread, double.MaxValue) : MaxMarginStep;
    }

    /// <summary>zᵢ = x̃ᵢᵀw + b from the columns (x̃ = (x − μ)/σ).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Margins<T>(ColumnCopy<T> x, ReadOnlySpan<double> point, bool fitIntercept, double[] mu, double[] inv, double[] z)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double constant = fitIntercept ? point[x.Columns] : 0;
        for (int j = 0; j < x.Columns; j++)
        {
            if (point[j] != 0)
            {
                AddColumn(x, j, point[j] * inv[j], z);
                constant -= point[j] * mu[j] * inv[j];
            }
        }

        for (int i = 0; i < z.Length; i++)
        {
            z[i] += constant;
        }
    }

    /// <summary>Σ sᵢ ℓ(zᵢ) + λρ‖w‖₁ + λ(1 − ρ)/2 ‖w‖², the loss in its stable form.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Objective(double[] z, double[] y, double[] s, ReadOnlySpan<double> point, int d, double l1, double l2)
    {
        double loss = 0;
        for (int i = 0; i < z.Length; i++)
        {
            loss += s[i] * StableLogistic.CrossEntropy(z[i], y[i]);
        }

        double absolute = 0, squares = 0;
        for (int j = 0; j < d; j++)
        {
            absolute += Math.Abs(point[j]);
            squares += point[j] * point[j];
        }

        return loss + (l1 * absolute) + (0.5 * l2 * squares);
    }

    /// <summary>(Σ rᵢ x̃ᵢⱼ, Σ Dᵢ x̃ᵢⱼ², Σ Dᵢ xᵢⱼ (raw)) for column j, from the raw column and the totals Σ r, Σ D.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Gradient, double Diagonal, double CurvatureSum) GradientAndDiagonal<T>(ColumnCopy<T> x, int j, double[] r, double[] c, double sumR, double sumD, double mu, double inv)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double rx = 0, cx = 0, cxx = 0;
        if (x.RowIndex is null)
        {
            (rx, cx, cxx) = DenseColumnArithmetic.Sums(x.DenseColumn(j), r, c);
        }
        else
        {
            double[] values = x.Values;
            int[] rows = x.RowIndex;
            for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
            {
                int i = rows[k];
                double v = values[k];
                rx += r[i] * v;
                double cv = c[i] * v;
                cx += cv;
                cxx += cv * v;
            }
        }

        // Σ r (x − μ)/σ and Σ D (x − μ)²/σ².
        return ((rx - (mu * sumR)) * inv, (cxx - (2 * mu * cx) + (mu * mu * sumD)) * inv * inv, cx);
    }

    /// <summary>Σᵢ Dᵢ x̃ᵢⱼ (X d)ᵢ with (X d)ᵢ = xd[i] + offset, from cxd = D ∘ xd and the column's Σ Dᵢ xᵢⱼ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double ColumnDot<T>(ColumnCopy<T> x, int j, double[] cxd, double cx, double offset, double sumDxd, double sumD, double mu, double inv)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double dot = 0;
        if (x.RowIndex is null)
        {
            dot = DenseColumnArithmetic.Dot(x.DenseColumn(j), cxd);
        }
        else
        {
            double[] values = x.Values;
            int[] rows = x.RowIndex;
            for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
            {
                dot += values[k] * cxd[rows[k]];
            }
        }

        // Σ D (x − μ)/σ (xd + offset) = [Σ x (D xd) + offset Σ D x − μ (Σ D xd + offset Σ D)]/σ.
        return (dot + (offset * cx) - (mu * (sumDxd + (offset * sumD)))) * inv;
    }

    /// <summary>xd += a · (raw column j) and cxd += a · D ∘ (raw column j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddColumn<T>(ColumnCopy<T> x, int j, double a, double[] c, double[] xd, double[] cxd)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.RowIndex is null)
        {
            DenseColumnArithmetic.AddScaled(x.DenseColumn(j), a, c, xd, cxd);
        }
        else
        {
            double[] values = x.Values;
            int[] rows = x.RowIndex;
            for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
            {
                int i = rows[k];
                double delta = a * values[k];
                xd[i] += delta;
                cxd[i] += c[i] * delta;
            }
        }
    }

    /// <summary>target += a · (raw column j).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddColumn<T>(ColumnCopy<T> x, int j, double a, double[] target)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (x.RowIndex is null)
        {
            DenseColumnArithmetic.AddScaled(x.DenseColumn(j), a, target);
        }
        else
        {
            double[] values = x.Values;
            int[] rows = x.RowIndex;
            for (long k = x.Start[j], to = x.Start[j + 1]; k < to; k++)
            {
                target[rows[k]] += a * values[k];
            }
        }
    }
}
