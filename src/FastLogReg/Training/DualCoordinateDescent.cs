using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;

namespace FastLogReg.Training;

/// <summary>
/// Dual coordinate descent for L2-regularized binary logistic regression (Yu, Huang &amp; Lin 2011; LIBLINEAR's
/// <c>-s 7</c>), with the intercept unpenalized. In the scale ½‖w‖² + Σᵢ Cᵢ·log(1 + e^(−yᵢ(wᵀxᵢ + b))), Cᵢ = sᵢ/(λS) — the
/// objective times 1/λ — the dual is
/// min over 0 &lt; αᵢ &lt; Cᵢ of ½‖Σᵢ αᵢyᵢxᵢ‖² + Σᵢ [αᵢ log αᵢ + (Cᵢ − αᵢ) log(Cᵢ − αᵢ)], with w = Σᵢ αᵢyᵢxᵢ and, because b is not
/// penalized, the constraint Σᵢ αᵢyᵢ = 0 (b is its multiplier). Each step solves one αᵢ exactly (a few safeguarded
/// Newton steps on a one-variable problem, as LIBLINEAR does) and updates w along one row: a sparse gather and a sparse
/// scatter, nothing else. The constraint is kept by the method of multipliers: the dual gets ρ/2·(Σ αᵢyᵢ)² and the linear
/// term μ·Σ αᵢyᵢ, so a row's margin uses b = μ + ρ·Σ αᵢyᵢ; after every sweep μ ← μ + ρ·Σ αᵢyᵢ (LIBLINEAR instead penalizes a
/// constant feature, which changes the optimum). One sweep visits the rows in a seeded random order.
/// <para>
/// The sweeps run on one thread and the objective is evaluated (on every thread, bit-identically) after each one for the
/// stopping rules: the result is the same for any thread count. Standardization rescales on the fly: with
/// uⱼ = wⱼ/σⱼ the margin is uᵀxᵢ + b′ and a step adds δ·xᵢⱼ/σⱼ² to uⱼ; the centring goes into the intercept, so
/// standardized fits need one.
/// </para>
/// </summary>
internal static class DualCoordinateDescent
{
    /// <summary>LIBLINEAR's limit on a coordinate's Newton steps.</summary>
    private const int MaxInnerSteps = 100;

    /// <summary>
    /// Rows whose bound Cᵢ = sᵢ/(λS) is below this are left out as rows of weight 0 (a hostile test's weight of 10⁻³¹⁹ made
    /// αᵢ's start underflow and its curvature overflow: 100 inner steps every sweep). Their loss is below 10⁻²⁷⁷ of a
    /// row of weight 1; the objective evaluated for the stopping rules still counts them.
    /// </summary>
    internal const double NegligibleBound = 1e-280;

    /// <summary>How far ahead in the sweep's order a row's non-zeros are prefetched.</summary>
    private const int PrefetchRowsAhead = 4;

    /// <summary>
    /// Minimizes <paramref name="objective"/> (its penalty λ/2‖w‖², the intercept free) by dual coordinate descent.
    /// </summary>
    /// <param name="data">The rows (dense or CSR).</param>
    /// <param name="rowWeights">sᵢ/S per row (sum 1).</param>
    /// <param name="lambda">λ &gt; 0.</param>
    /// <param name="fitIntercept">Whether b is learned.</param>
    /// <param name="scaling">Standardization, or null.</param>
    /// <param name="objective">The objective over the same rows, for the stopping rules and the result.</param>
    /// <param name="start">The starting point in the objective's parameters (all zero for a cold start).</param>
    /// <param name="seed">The seed of the row order.</param>
    /// <param name="rules">The stopping rules.</param>
    /// <param name="countPasses">Told of every sweep over the rows (the objective counts its own passes).</param>
    /// <param name="overlap">
    /// Whether to evaluate each sweep's point on another thread while the next sweep runs (the objective then uses one
    /// thread; its bits are the same for any count). A stop found there returns that point: the sweep run meanwhile is
    /// discarded, so the result is the same as without overlap.
    /// </param>
    public static OptimizationResult Minimize<T>(
        Dataset<T> data,
        double[] rowWeights,
        double lambda,
        bool fitIntercept,
        FeatureScaling? scaling,
        LogisticObjective<T> objective,
        ReadOnlySpan<double> start,
        int seed,
        StoppingRules rules,
        Action<double> countPasses,
        bool overlap)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (!(lambda > 0 && double.IsFinite(lambda)))
        {
            throw new ArgumentException($"Dual coordinate descent needs an L2 penalty λ > 0 (the dual's variables are bounded by sᵢ/(λS)); λ = {lambda:G6}.", nameof(lambda));
        }

        if (scaling is not null && !fitIntercept)
        {
            throw new ArgumentException("The DualCoordinateDescent solver standardizes by scaling alone and puts the centring into the intercept: with Standardize, FitIntercept must be true (or use Newton or L-BFGS).", nameof(fitIntercept));
        }

        int n = data.Rows, d = data.Columns;
        var rows = new DualRows<T>(data, scaling);
        double[] upper = new double[n]; // Cᵢ
        for (int i = 0; i < n; i++)
        {
            upper[i] = rowWeights[i] / lambda;
            if (!double.IsFinite(upper[i]))
            {
                throw new ArgumentException($"λ = {lambda:G6} is too small for dual coordinate descent: row {i}'s bound sᵢ/(λS) is not finite. Use a larger λ, or Newton or L-BFGS.", nameof(lambda));
            }

            if (upper[i] < NegligibleBound)
            {
                upper[i] = 0; // such a row's loss counts for nothing in double, and its dual step would under- and overflow
            }
        }

        bool cold = true; // w = 0: LIBLINEAR's start
        for (int j = 0; j < d; j++)
        {
            cold &= start[j] == 0;
        }

        // The vectors of the model's size are rented: at d = 500,000 each is 4 MB, and the page faults of fresh memory cost
        // ~10 ms per such array on the machines measured (docs/performance.md), on the fit's critical path.
        int m = start.Length;
        using var scratch = new Scratch(m, d);
        double[] gradient = scratch.Gradient, first = scratch.First, u = scratch.U, point = scratch.Point;
        // Iteration 0 is the start — for a cold start w = 0, b = 0, whose gradient sets the tolerance's reference as for
        // every solver — then one observation after each sweep. With overlap, the start is evaluated while the dual is set
        // up and the first sweep runs (nothing below throws before that evaluation is awaited).
        start.CopyTo(first);
        scratch.Evaluation = overlap ? Task.Run(() => objective.Evaluate(first.AsSpan(0, m), gradient.AsSpan(0, m))) : Task.FromResult(objective.Evaluate(first.AsSpan(0, m), gradient.AsSpan(0, m)));
        double[] evaluated = first;
        var monitor = new IterationMonitor(start, rules, primalDescent: false);

        ReadOnlySpan<T> labels = data.Labels.Span;
        double[] sign = new double[n]; // yᵢ = ±1
        double[] alpha = new double[2 * n]; // αᵢ and Cᵢ − αᵢ, each kept apart (LIBLINEAR's representation: no cancellation)
        double[] squares = new double[n]; // ‖x̃ᵢ‖²
        Array.Clear(u, 0, d); // w on the rows' own scale: uⱼ = wⱼ/σⱼ
        double share = 0, meanSquare = 0, meanUpper = 0, balance = 0; // balance: Σ αᵢyᵢ
        Array.Clear(point, 0, m); // first Σ yᵢxᵢ (raw scale), for ρ; later each sweep's primal point
        int active = 0;
        // LIBLINEAR's cold start: every αᵢ tiny (w ≈ 0), αᵢ = min(Cᵢ/1000, 10⁻⁸). Where that is one value α₀ for every row (equal
        // row weights, or bounds above 10⁻⁵), u = α₀·D⁻²·Σ yᵢxᵢ comes from the one scatter that Σ yᵢxᵢ takes anyway, instead
        // of a second one per row (at 20,000 × 500,000 × 600 a scatter over the rows is ~20 ms).
        double uniform = cold ? UniformStart(upper) : double.NaN;
        for (int i = 0; i < n; i++)
        {
            sign[i] = labels[i] == T.One ? 1 : -1;
            SparseRow<T> row = rows.Get(i);
            squares[i] = rows.SquaredNorm(row);
            if (upper[i] > 0)
            {
                active++;
                meanSquare += squares[i];
                meanUpper += upper[i];
                share += sign[i] > 0 ? rowWeights[i] : 0;
                if (fitIntercept || uniform > 0)
                {
                    DualRows<T>.AddRaw(row, sign[i], point);
                }

                if (cold)
                {
                    alpha[2 * i] = Math.Min(0.001 * upper[i], 1e-8);
                    alpha[(2 * i) + 1] = upper[i] - alpha[2 * i];
                    if (!(uniform > 0))
                    {
                        rows.Add(row, sign[i] * alpha[2 * i], u);
                        balance += sign[i] * alpha[2 * i];
                    }
                    else
                    {
                        balance += sign[i];
                    }
                }
            }
        }

        if (uniform > 0)
        {
            rows.AddScaled(point, uniform, u);
            balance *= uniform;
        }

        meanSquare /= Math.Max(active, 1);
        meanUpper /= Math.Max(active, 1);

        // The multiplier's penalty ρ: the dual's curvature along its constraint's normal — the quadratic term's
        // ‖Σ yᵢx̃ᵢ‖²/m² over the m active rows, plus the entropy terms' 1/Σ αᵢ(Cᵢ − αᵢ)/Cᵢ (the primal's curvature in the
        // intercept, inverted; at αᵢ = Cᵢ/2 before the first sweep of a cold start), taken again after every sweep. A fixed
        // fraction of a row's curvature (an eighth of mean ‖x̃‖² + 4/mean C, the rule before) was far off where rows are
        // long (standardized) or bounds uneven (class weights). Sweeps to 10⁻⁸ against that rule (docs/performance.md):
        // a standardized CSR probe 36 against 1,072, 80 × 4 with class weights 10⁴ : 1 8 against 391, standardized breast
        // cancer 246 against 272; the text shapes 27 and 39 to 10⁻⁹ against 27 and 46. A row of negligible weight adds
        // nothing to Σ αᵢ(Cᵢ − αᵢ)/Cᵢ, so it cannot blow ρ up (Σ 4/Cᵢ, tried first, did).
        double along = fitIntercept ? rows.ScaledSquaredNorm(point) / ((double)active * active) : 0;
        Array.Clear(point);
        double mu;
        if (cold)
        {
            // b: the start's, or else the intercept-only optimum log(ȳ/(1 − ȳ)).
            mu = !fitIntercept ? 0
                : start[d] != 0 ? start[d]
                : share > 0 && share < 1 ? Math.Log(share / (1 - share))
                : 0;
        }
        else
        {
            // A warm start: αᵢ = Cᵢσ(−mᵢ), the dual point that the primal optimum would have (exactly w again when start is
            // optimal), kept off the bounds.
            ToRowScale(start, scaling, fitIntercept, u.AsSpan(0, d), out mu);
            for (int i = 0; i < n; i++)
            {
                double margin = sign[i] * (DualRows<T>.Dot(rows.Get(i), u) + mu);
                double a = upper[i] * StableLogistic.Sigmoid(-margin);
                double floor = Math.Min(0.001 * upper[i], 1e-8);
                alpha[2 * i] = Math.Clamp(a, floor, upper[i] - floor);
                alpha[(2 * i) + 1] = upper[i] - alpha[2 * i];
            }

            Array.Clear(u, 0, d);
            for (int i = 0; i < n; i++)
            {
                if (upper[i] > 0)
                {
                    rows.Add(rows.Get(i), sign[i] * alpha[2 * i], u);
                    balance += sign[i] * alpha[2 * i];
                }
            }
        }

        countPasses(1);
        int[] order = new int[active];
        for (int i = 0, k = 0; i < n; i++)
        {
            if (upper[i] > 0)
            {
                order[k++] = i;
            }
        }

        double rho = !fitIntercept ? 0
            : MultiplierPenalty(along, cold ? 4 / (meanUpper * active) : 1 / InterceptCurvature(order, alpha, upper), meanSquare, meanUpper);
        var random = new Random(seed);
        double innerTolerance = 1e-2, innerFloor = Math.Min(1e-8, rules.Tolerance);
        if (!overlap && monitor.Check(0, first.AsSpan(0, m), scratch.Evaluation.GetAwaiter().GetResult(), gradient.AsSpan(0, m), out _) is { } immediate)
        {
            return immediate;
        }

        for (int iteration = 1; ; iteration++)
        {
            random.Shuffle(order);
            long newtonSteps = Sweep(rows, order, upper, sign, squares, alpha, u, mu, rho, innerTolerance, ref balance);
            if (newtonSteps <= active / 10)
            {
                innerTolerance = Math.Max(innerFloor, 0.1 * innerTolerance);
            }

            if (overlap)
            {
                // The previous point (the start, or the last sweep's), evaluated on the other core while this sweep ran.
                // A stop there discards this sweep, which is then not counted: the report is the same for any thread count.
                if (monitor.Check(iteration - 1, evaluated.AsSpan(0, m), scratch.Evaluation.GetAwaiter().GetResult(), gradient.AsSpan(0, m), out _) is { } done)
                {
                    return done;
                }
            }

            countPasses(1);

            ToObjectiveScale(u.AsSpan(0, d), mu + (rho * balance), scaling, fitIntercept, point.AsSpan(0, m));
            mu += rho * balance; // the multiplier step: the margins' intercept so far becomes the linear term's
            if (fitIntercept)
            {
                rho = MultiplierPenalty(along, 1 / InterceptCurvature(order, alpha, upper), meanSquare, meanUpper);
            }

            if (overlap)
            {
                evaluated = point;
                scratch.Evaluation = Task.Run(() => objective.Evaluate(point.AsSpan(0, m), gradient.AsSpan(0, m)));
                continue;
            }

            if (monitor.Check(iteration, point.AsSpan(0, m), objective.Evaluate(point.AsSpan(0, m), gradient.AsSpan(0, m)), gradient.AsSpan(0, m), out _) is { } stop)
            {
                return stop;
            }
        }
    }

    /// <summary>
    /// The sweeps' vectors of the model's size, rented from the shared pool (longer than asked, any contents) and given back
    /// when the fit ends — the gradient, the start's copy and the point only if no overlapped evaluation is still using them.
    /// </summary>
    private sealed class Scratch(int m, int d) : IDisposable
    {
        public double[] Gradient { get; } = ArrayPool<double>.Shared.Rent(m);

        public double[] First { get; } = ArrayPool<double>.Shared.Rent(m);

        public double[] U { get; } = ArrayPool<double>.Shared.Rent(d);

        public double[] Point { get; } = ArrayPool<double>.Shared.Rent(m);

        /// <summary>The latest evaluation (overlapped or done).</summary>
        public Task<double>? Evaluation { get; set; }

        public void Dispose()
        {
            if (Evaluation is not { IsCompleted: false })
            {
                ArrayPool<double>.Shared.Return(Gradient);
                ArrayPool<double>.Shared.Return(First);
                ArrayPool<double>.Shared.Return(Point);
            }

            ArrayPool<double>.Shared.Return(U);
        }
    }

    /// <summary>The cold start's αᵢ = min(Cᵢ/1000, 10⁻⁸) if it is the same for every row with Cᵢ &gt; 0; otherwise NaN.</summary>
    private static double UniformStart(double[] upper)
    {
        double uniform = double.NaN;
        foreach (double c in upper)
        {
            if (c > 0)
            {
                double a = Math.Min(0.001 * c, 1e-8);
                if (double.IsNaN(uniform))
                {
                    uniform = a;
                }
                else if (a != uniform)
                {
                    return double.NaN;
                }
            }
        }

        return uniform;
    }

    /// <summary>Σ αᵢ(Cᵢ − αᵢ)/Cᵢ over the active rows: the primal's curvature in the intercept, in the dual's scale.</summary>
    private static double InterceptCurvature(int[] order, double[] alpha, double[] upper)
    {
        double sum = 0;
        foreach (int i in order)
        {
            sum += alpha[2 * i] * alpha[(2 * i) + 1] / upper[i];
        }

        return sum;
    }

    /// <summary>ρ from the dual's curvature along its constraint's normal; the fraction of a row's curvature where that is not finite.</summary>
    private static double MultiplierPenalty(double along, double stiffness, double meanSquare, double meanUpper)
    {
        double rho = along + stiffness;
        return double.IsFinite(rho) && rho > 0 ? rho : (meanSquare + (4 / meanUpper)) / 8;
    }

    /// <summary>
    /// One sweep: every row of <paramref name="order"/> in turn, its dual variable solved to <paramref name="innerTolerance"/>
    /// and u moved along the row. Rows come in random order, so the next rows and their weights are prefetched.
    /// </summary>
    /// <returns>The Newton steps taken (LIBLINEAR tightens the inner tolerance when they are few).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static long Sweep<T>(DualRows<T> rows, int[] order, double[] upper, double[] sign, double[] squares, double[] alpha, double[] u, double mu, double rho, double innerTolerance, ref double balance)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long newtonSteps = 0;
        for (int k = 0; k < order.Length; k++)
        {
            if (k + PrefetchRowsAhead < order.Length)
            {
                rows.Prefetch(order[k + PrefetchRowsAhead]);
            }

            if (k + 1 < order.Length)
            {
                DualRows<T>.PrefetchWeights(rows.Get(order[k + 1]), u);
            }

            int i = order[k];
            double c = upper[i], y = sign[i];
            SparseRow<T> row = rows.Get(i);
            double yz = y * (DualRows<T>.Dot(row, u) + mu + (rho * balance));
            double a = squares[i] + rho;
            int first = 2 * i, second = (2 * i) + 1;
            double direction = 1;
            if ((0.5 * a * (alpha[second] - alpha[first])) + yz < 0)
            {
                (first, second) = (second, first);
                direction = -1;
            }

            double old = alpha[first];
            double z = old;
            if (c - z < 0.5 * c)
            {
                z *= 0.1;
            }

            double g = (a * (z - old)) + (direction * yz) + Math.Log(z / (c - z));
            int steps = 0;
            while (steps <= MaxInnerSteps && Math.Abs(g) >= innerTolerance)
            {
                double curvature = a + (c / (c - z) / z);
                double next = z - (g / curvature);
                z = next <= 0 ? z * 0.1 : next;
                g = (a * (z - old)) + (direction * yz) + Math.Log(z / (c - z));
                steps++;
            }

            newtonSteps += steps;
            if (steps > 0)
            {
                alpha[first] = z;
                alpha[second] = c - z;
                double delta = direction * (z - old) * y;
                rows.Add(row, delta, u);
                balance += delta;
            }
        }

        return newtonSteps;
    }

    /// <summary>(u, b′) on the rows' scale → the objective's (w, b): wⱼ = σⱼuⱼ, b = b′ + Σⱼ uⱼμⱼ.</summary>
    private static void ToObjectiveScale(ReadOnlySpan<double> u, double bias, FeatureScaling? scaling, bool fitIntercept, Span<double> point)
    {
        int d = u.Length;
        if (scaling is null)
        {
            u.CopyTo(point);
        }
        else
        {
            scaling.ToStandardized(u, bias, point[..d], out bias); // u is w on raw features
        }

        if (fitIntercept)
        {
            point[d] = bias;
        }
    }

    /// <summary>The objective's (w, b) → (u, b′) on the rows' scale (the inverse of <see cref="ToObjectiveScale"/>).</summary>
    private static void ToRowScale(ReadOnlySpan<double> point, FeatureScaling? scaling, bool fitIntercept, Span<double> u, out double bias)
    {
        int d = u.Length;
        bias = fitIntercept ? point[d] : 0;
        if (scaling is null)
        {
            point[..d].CopyTo(u);
        }
        else
        {
            scaling.ToRaw(point[..d], bias, u, out bias);
        }
    }
}

/// <summary>
/// One row at a time of dense or CSR data, for the dual sweeps: uᵀxᵢ, u += δ·D⁻²xᵢ and ‖D⁻¹xᵢ‖² (D the scales). A row is a
/// <see cref="SparseRow{T}"/>: a CSR row's indices and values, or a dense row's values with no indices (an empty CSR row
/// has neither, and sums to zero either way).
/// </summary>
internal readonly struct DualRows<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly DenseDataset<T>? _dense;
    private readonly CsrMatrix<T>? _sparse;
    private readonly int _columns;
    private readonly double[]? _inverseScales; // 1/σⱼ: 1/σⱼ² would overflow or underflow for σ beyond 10^±154

    public DualRows(Dataset<T> data, FeatureScaling? scaling)
    {
        _dense = data as DenseDataset<T>;
        _sparse = (data as SparseDataset<T>)?.Matrix;
        _columns = data.Columns;
        if (_dense is null && _sparse is null)
        {
            throw new ArgumentException($"Dual coordinate descent reads dense or CSR rows; {data.GetType().Name} is neither.", nameof(data));
        }

        if (scaling is not null)
        {
            _inverseScales = new double[scaling.Columns];
            for (int j = 0; j < _inverseScales.Length; j++)
            {
                _inverseScales[j] = 1 / scaling.Scales[j];
            }
        }
    }

    /// <summary>Row <paramref name="i"/>.</summary>
    public SparseRow<T> Get(int i) => _sparse is not null ? _sparse.GetRow(i) : new SparseRow<T>(default, _dense!.GetRow(i));

    /// <summary>Prefetches row <paramref name="i"/>'s non-zeros (the first 1 KB of its indices and of its values).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public unsafe void Prefetch(int i)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        // An address taken without pinning: if the collector moved the array meanwhile, the hint is merely wasted
        // (a prefetch never faults).
        SparseRow<T> row = Get(i);
        byte* values = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(row.Values));
        byte* indices = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(row.Indices));
        int valueBytes = Math.Min(row.Values.Length * sizeof(T), 1024), indexBytes = Math.Min(row.Indices.Length * sizeof(int), 1024);
        for (int b = 0; b < valueBytes; b += 64)
        {
            Sse.Prefetch0(values + b);
        }

        for (int b = 0; b < indexBytes; b += 64)
        {
            Sse.Prefetch0(indices + b);
        }
    }

    /// <summary>Prefetches the weights a CSR row reads (its first 128 non-zeros).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void PrefetchWeights(SparseRow<T> row, double[] u)
    {
        if (!Sse.IsSupported || row.Indices.Length != row.Values.Length)
        {
            return;
        }

        ReadOnlySpan<int> index = row.Indices;
        fixed (double* w = u)
        {
            for (int k = 0; k < Math.Min(index.Length, 128); k++)
            {
                Sse.Prefetch0(w + index[k]);
            }
        }
    }

    /// <summary>uᵀxᵢ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot(SparseRow<T> row, double[] u)
    {
        ref double w = ref MemoryMarshal.GetArrayDataReference(u);
        ReadOnlySpan<int> index = row.Indices;
        ReadOnlySpan<T> value = row.Values;
        double s0 = 0, s1 = 0;
        int k = 0;
        if (index.Length == value.Length)
        {
            // CSR: the indices were checked in range when the matrix was made.
            for (; k + 1 < index.Length; k += 2)
            {
                s0 += Unsafe.Add(ref w, index[k]) * double.CreateTruncating(value[k]);
                s1 += Unsafe.Add(ref w, index[k + 1]) * double.CreateTruncating(value[k + 1]);
            }

            if (k < index.Length)
            {
                s0 += Unsafe.Add(ref w, index[k]) * double.CreateTruncating(value[k]);
            }

            return s0 + s1;
        }

        ReadOnlySpan<double> dense = u.AsSpan(0, value.Length);
        for (; k + 1 < value.Length; k += 2)
        {
            s0 += dense[k] * double.CreateTruncating(value[k]);
            s1 += dense[k + 1] * double.CreateTruncating(value[k + 1]);
        }

        if (k < value.Length)
        {
            s0 += dense[k] * double.CreateTruncating(value[k]);
        }

        return s0 + s1;
    }

    /// <summary>u += δ·D⁻²xᵢ.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(SparseRow<T> row, double delta, double[] u)
    {
        ref double w = ref MemoryMarshal.GetArrayDataReference(u);
        double[]? inverse = _inverseScales;
        ReadOnlySpan<int> index = row.Indices;
        ReadOnlySpan<T> value = row.Values;
        if (index.Length == value.Length)
        {
            if (inverse is null)
            {
                for (int k = 0; k < index.Length; k++)
                {
                    Unsafe.Add(ref w, index[k]) += delta * double.CreateTruncating(value[k]);
                }
            }
            else
            {
                for (int k = 0; k < index.Length; k++)
                {
                    int j = index[k];
                    Unsafe.Add(ref w, j) += delta * double.CreateTruncating(value[k]) * inverse[j] * inverse[j];
                }
            }

            return;
        }

        Span<double> dense = u.AsSpan(0, value.Length);
        for (int j = 0; j < value.Length; j++)
        {
            double step = delta * double.CreateTruncating(value[j]);
            dense[j] += inverse is null ? step : step * inverse[j] * inverse[j];
        }
    }

    /// <summary>c += δ·xᵢ on the raw scale (no scaling).</summary>
    public static void AddRaw(SparseRow<T> row, double delta, Span<double> c)
    {
        ReadOnlySpan<int> index = row.Indices;
        ReadOnlySpan<T> value = row.Values;
        bool sparse = index.Length == value.Length;
        for (int k = 0; k < value.Length; k++)
        {
            c[sparse ? index[k] : k] += delta * double.CreateTruncating(value[k]);
        }
    }

    /// <summary>u += δ·D⁻²c over the columns (c and u may be longer): what <see cref="Add"/> gives for the rows summed in c.</summary>
    public void AddScaled(ReadOnlySpan<double> c, double delta, Span<double> u)
    {
        double[]? inverse = _inverseScales;
        for (int j = 0; j < _columns; j++)
        {
            u[j] += inverse is null ? delta * c[j] : delta * c[j] * inverse[j] * inverse[j];
        }
    }

    /// <summary>‖D⁻¹c‖² = Σⱼ (cⱼ/σⱼ)² over the columns (c may be longer).</summary>
    public double ScaledSquaredNorm(ReadOnlySpan<double> c)
    {
        double[]? inverse = _inverseScales;
        double sum = 0;
        for (int j = 0; j < _columns; j++)
        {
            double scaled = inverse is null ? c[j] : c[j] * inverse[j];
            sum += scaled * scaled;
        }

        return sum;
    }

    /// <summary>‖D⁻¹xᵢ‖².</summary>
    public double SquaredNorm(SparseRow<T> row)
    {
        double[]? inverse = _inverseScales;
        bool sparse = row.Indices.Length == row.Values.Length;
        double sum = 0;
        for (int k = 0; k < row.Values.Length; k++)
        {
            double v = double.CreateTruncating(row.Values[k]);
            double scaled = inverse is null ? v : v * inverse[sparse ? row.Indices[k] : k];
            sum += scaled * scaled;
        }

        return sum;
    }
}
