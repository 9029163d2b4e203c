using System.Globalization;
using FastLogReg.Numerics;
using System.Numerics;
using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Parallelism;

namespace FastLogReg.Objective;

/// <summary>
/// Per-column location μⱼ and scale σⱼ for standardization, (xⱼ − μⱼ)/σⱼ. <see cref="LogisticObjective{T}"/> applies it
/// inside the kernel by rescaling the parameters instead of the data: z = Σⱼ (wⱼ/σⱼ)·xⱼ + (b − Σⱼ wⱼμⱼ/σⱼ).
/// </summary>
public sealed class FeatureScaling
{
    /// <summary>10·ε (ε = 2⁻⁵² ≈ 2.2e-16): relative to |μ|, a smaller σ is rounding noise of a constant column.</summary>
    private const double ConstantThreshold = 10 * 2.220446049250313e-16;

    private readonly double[] _means;
    private readonly double[] _scales;
    private bool[]? _constant;

    /// <summary>Creates a scaling from means and scales (copied).</summary>
    /// <param name="means">μ, finite.</param>
    /// <param name="scales">σ, finite and &gt; 0.</param>
    public FeatureScaling(ReadOnlySpan<double> means, ReadOnlySpan<double> scales)
    {
        if (means.Length != scales.Length || means.IsEmpty)
        {
            throw new ArgumentException($"means ({means.Length}) and scales ({scales.Length}) must have the same, non-zero length.", nameof(scales));
        }

        for (int j = 0; j < means.Length; j++)
        {
            if (!double.IsFinite(means[j]))
            {
                throw new ArgumentException($"Mean of column {j} is {means[j]}: it must be finite.", nameof(means));
            }

            if (!(double.IsFinite(scales[j]) && scales[j] > 0))
            {
                throw new ArgumentException($"Scale of column {j} is {scales[j]}: it must be finite and > 0.", nameof(scales));
            }
        }

        _means = means.ToArray();
        _scales = scales.ToArray();
    }

    /// <summary>μⱼ, the (weighted) column means.</summary>
    public ReadOnlySpan<double> Means => _means;

    /// <summary>σⱼ, the (weighted) population standard deviations, 1 for constant columns.</summary>
    public ReadOnlySpan<double> Scales => _scales;

    /// <summary>Number of columns.</summary>
    public int Columns => _means.Length;

    /// <summary>
    /// The (sample-weighted) mean and population standard deviation of every column, in one pass over the data
    /// (split into the same fixed chunks as training, per-chunk sums merged in chunk order). Dense sums are taken around
    /// the first row's values, which avoids the cancellation of the textbook E[x²] − E[x]²; sparse data is summed over its
    /// non-zeros only. Columns whose standard deviation is 0 or below 10·ε·|μ| count as constant and get σ = 1 (a relative
    /// test: data of any scale, 10⁻³⁰⁰ included, standardizes alike — the whole set, or one column among ordinary ones:
    /// the pass also takes each column's largest deviation, and a column whose deviations all lie below 2⁻⁵⁰⁰ (not 0)
    /// has the moments summed again in per-column units).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The data (dense or sparse).</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most; null for all cores.</param>
    /// <exception cref="ArgumentException">A value is too large for the sums to stay finite (the message names it).</exception>
    public static FeatureScaling Compute<T>(Dataset<T> data, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        Magnitudes.ThrowIfBeyond(data, Magnitudes.StandardizedLimit(data.Rows), "Rescale that column (the model on rescaled data is the same up to the scale).", nameof(data));
        var layout = FeatureLayout<T>.For(data);
        int d = data.Columns;
        double[] shift = layout.MomentShift();

        // Squares of values beyond 2⁵⁰⁰ overflow, and below 2⁻⁵⁰⁰ underflow: such data is summed per column in units of a
        // power of two near the column's largest deviation (exact scaling), found in a first pass that normal data never pays for.
        double magnitude = data.MaxMagnitude;
        double[]? unit = magnitude > LargeMagnitude || (magnitude > 0 && magnitude < 1 / LargeMagnitude) ? ColumnUnits(layout, shift) : null;
        double[]? largest = unit is null ? new double[d] : null;
        ChunkMoments[] chunks = Moments(data, layout, shift, unit, largest, maxDegreeOfParallelism);

        // One column of tiny values among ordinary ones: its squares underflowed and it came out constant or near it. The
        // largest deviations (taken in the same pass) tell a constant column (none) from a tiny one, whose moments are
        // summed again, every column in its unit (the same bits for the others). The cluster's driver merges the
        // shards' largest deviations and asks UnitsFor the same question.
        (double smallestWeight, double largestWeight) = MergedWeightRange(PositiveWeightRange(data));
        if (largest is not null && UnitsFor(magnitude, largest, smallestWeight, largestWeight) is { } units)
        {
            unit = units;
            chunks = Moments(data, layout, shift, unit, null, maxDegreeOfParallelism);
        }

        return FromMoments(shift, unit, chunks);
    }

    private static ChunkMoments[] Moments<T>(Dataset<T> data, FeatureLayout<T> layout, double[] shift, double[]? unit, double[]? largest, int? maxDegreeOfParallelism)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = data.Columns;
        int stride = ((d + 7) & ~7) + 8; // separate cache lines per chunk
        RowPartition partition = layout.Partition;
        double[] sums = new double[partition.ChunkCount * stride];
        double[] squares = new double[partition.ChunkCount * stride];
        double[]? largestPerChunk = largest is null ? null : new double[partition.ChunkCount * stride];
        double[] weights = new double[partition.ChunkCount];
        var runner = new ChunkRunner(partition.ChunkCount, maxDegreeOfParallelism, chunk =>
        {
            (int start, int count) = partition[chunk];
            layout.Moments(start, count, shift, unit, sums.AsSpan(chunk * stride, d), squares.AsSpan(chunk * stride, d), largestPerChunk is null ? default : largestPerChunk.AsSpan(chunk * stride, d));
            ClassTotals totals = ClassTotals.Of(data, start, count);
            double weight = 0;
            foreach (double w in totals.Weights)
            {
                weight += w;
            }

            weights[chunk] = weight;
        });
        runner.Run();

        var chunks = new ChunkMoments[partition.ChunkCount];
        for (int c = 0; c < chunks.Length; c++)
        {
            chunks[c] = new ChunkMoments(sums.AsSpan(c * stride, d).ToArray(), squares.AsSpan(c * stride, d).ToArray(), weights[c]);
            if (largestPerChunk is not null)
            {
                for (int j = 0; j < d; j++)
                {
                    largest![j] = Math.Max(largest[j], largestPerChunk[(c * stride) + j]);
                }
            }
        }

        return chunks;
    }

    /// <summary>
    /// The standardization from per-chunk moments merged in the data set's order — what <see cref="Compute{T}"/> does
    /// after its pass, and what a driver does with the moments its shards sent (ShardLossSums.Moments): the same
    /// chunks in the same order give the same bits.
    /// </summary>
    /// <param name="shift">The values the moments are taken around (the data set's first row; zeros for sparse data).</param>
    /// <param name="units">Per-column units the deviations were divided by (<see cref="UnitsFor"/>), or null.</param>
    /// <param name="chunks">Every chunk's moments, in the data set's order.</param>
    /// <exception cref="ArgumentException">No chunks, or moments of another width.</exception>
    public static FeatureScaling FromMoments(ReadOnlySpan<double> shift, double[]? units, IReadOnlyList<ChunkMoments> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        int d = shift.Length;
        if (chunks.Count == 0 || chunks.Any(c => c is null || c.Sums.Length != d || c.Squares.Length != d) || (units is not null && units.Length != d))
        {
            throw new ArgumentException($"Expected at least one chunk of {d} sums and squares (and {d} units, if any).", nameof(chunks));
        }

        double total = chunks[0].Weight;
        for (int c = 1; c < chunks.Count; c++)
        {
            total += chunks[c].Weight;
        }

        double[] means = new double[d];
        double[] scales = new double[d];
        bool[] constant = new bool[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0, square = 0;
            for (int c = 0; c < chunks.Count; c++)
            {
                sum += chunks[c].Sums[j];
                square += chunks[c].Squares[j];
            }

            double meanOffset = sum / total;
            double variance = Math.Max((square / total) - (meanOffset * meanOffset), 0.0);
            double sd = Math.Sqrt(variance);
            if (units is not null)
            {
                meanOffset *= units[j];
                sd *= units[j];
            }

            means[j] = shift[j] + meanOffset;
            constant[j] = !(sd > 0 && sd > ConstantThreshold * Math.Abs(means[j]));
            scales[j] = constant[j] ? 1.0 : sd;
            if (!constant[j] && sd < SmallestScale)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Column {j} varies by σ = {sd:G3} only: below 2⁻¹⁰¹⁰ ({SmallestScale:G2}) a weight for it on the data's scale (w/σ) cannot be represented. Rescale that column (the model on rescaled data is the same up to the scale), or drop it."), nameof(chunks));
            }
        }

        return new FeatureScaling(means, scales) { _constant = constant };
    }

    /// <summary>
    /// Whether <see cref="Compute"/> found column <paramref name="j"/> constant (its σ set to 1) — not the same as σ = 1:
    /// a column of 2019s and 2021s has σ = 1 too. False for a scaling made from given values.
    /// </summary>
    internal bool IsConstant(int j) => _constant?[j] ?? false;

    /// <summary>
    /// Per-column units for data of extreme magnitude (largest |x| above 2⁵⁰⁰ or below 2⁻⁵⁰⁰, where squares would overflow
    /// or underflow) or with a column whose deviations all lie below 2⁻⁵⁰⁰ (not 0): the power of two at or above each
    /// column's largest deviation from the shift; null for normal data.
    /// </summary>
    /// <param name="maxMagnitude">The largest |x| of the data set.</param>
    /// <param name="largestDeviations">Per column, max |xᵢⱼ − shiftⱼ| over all rows (a maximum: merge shards in any order).</param>
    /// <param name="smallestWeight">The smallest positive sample weight (1 without weights; a minimum over shards).</param>
    /// <param name="largestWeight">The largest sample weight (1 without weights; a maximum over shards).</param>
    /// <remarks>
    /// With sample weights a column's weighted squares sᵢ·uᵢⱼ² can leave the range where plain ones would not (weights of
    /// 10⁻³⁰ and deviations of 10⁻¹⁵⁰: 10⁻³³⁰); units are used too when the largest deviation squared times the smallest
    /// or largest weight lies outside [2⁻¹⁰⁰⁰, 2¹⁰⁰⁰].
    /// </remarks>
    public static double[]? UnitsFor(double maxMagnitude, ReadOnlySpan<double> largestDeviations, double smallestWeight = 1, double largestWeight = 1)
    {
        bool tinyColumn = false;
        foreach (double largest in largestDeviations)
        {
            double square = largest * largest;
            tinyColumn |= largest > 0 && (largest < 1 / LargeMagnitude || square * smallestWeight < SmallestWeightedSquare || square * largestWeight > 1 / SmallestWeightedSquare);
        }

        if (!(tinyColumn || maxMagnitude > LargeMagnitude || (maxMagnitude > 0 && maxMagnitude < 1 / LargeMagnitude)))
        {
            return null;
        }

        double[] units = largestDeviations.ToArray();
        for (int j = 0; j < units.Length; j++)
        {
            units[j] = units[j] > 0 && double.IsFinite(units[j]) ? Math.Pow(2, Math.Ceiling(Math.Log2(units[j]))) : 1.0;
        }

        return units;
    }

    /// <summary>2⁻¹⁰⁰⁰: a weighted square below it (or above its inverse) makes <see cref="UnitsFor"/> use units.</summary>
    private const double SmallestWeightedSquare = 9.332636185032189e-302;

    /// <summary>
    /// The weights' range <see cref="UnitsFor"/> takes, from a <see cref="PositiveWeightRange"/> (of the whole data set, or
    /// of every shard merged by minimum and maximum): (1, 1) when no row had a positive weight (largest 0).
    /// </summary>
    public static (double Smallest, double Largest) MergedWeightRange((double Smallest, double Largest) range) => range.Largest > 0 ? range : (1, 1);

    /// <summary>The smallest positive and the largest weight ((∞, 0) when no weight is positive; (1, 1) without weights).</summary>
    public static (double Smallest, double Largest) PositiveWeightRange<T>(Dataset<T> data)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        if (!data.HasSampleWeights)
        {
            return (1, 1);
        }

        double smallest = double.PositiveInfinity, largest = 0;
        foreach (T s in data.SampleWeights.Span)
        {
            double w = double.CreateTruncating(s);
            if (w > 0)
            {
                smallest = Math.Min(smallest, w);
                largest = Math.Max(largest, w);
            }
        }

        return (smallest, largest);
    }

    /// <summary>The smallest σ a varying column may have (2⁻¹⁰¹⁰ ≈ 9·10⁻³⁰⁵): below it σ loses precision (subnormal) and the raw weight w/σ of a standardized weight overflows before |w| reaches 1.6·10⁴.</summary>
    private const double SmallestScale = 9.113902524445497e-305;

    /// <summary>Above this magnitude (2⁵⁰⁰) the moments are summed in per-column units (squares would overflow).</summary>
    internal const double LargeMagnitude = Magnitudes.RawLimit;

    /// <summary>Per column, the power of two at or above max |xᵢⱼ − shiftⱼ| (1 for an all-equal column).</summary>
    private static double[] ColumnUnits<T>(FeatureLayout<T> layout, double[] shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        double[] largest = new double[layout.Columns];
        layout.LargestDeviations(shift, largest);
        return UnitsFor(double.PositiveInfinity, largest)!;
    }

    /// <summary>
    /// Standardized parameters (w, b) → the equivalent parameters on raw features: w′ⱼ = wⱼ/σⱼ, b′ = b − Σⱼ w′ⱼμⱼ.
    /// </summary>
    /// <param name="w">Weights on standardized features.</param>
    /// <param name="b">Intercept on standardized features.</param>
    /// <param name="rawWeights">Receives the weights on raw features (may be <paramref name="w"/> itself).</param>
    /// <param name="rawBias">Receives the intercept on raw features.</param>
    public void ToRaw(ReadOnlySpan<double> w, double b, Span<double> rawWeights, out double rawBias)
    {
        SmallVectors.Divide(w, _scales, rawWeights);
        rawBias = b - SmallVectors.Dot(rawWeights, _means);
    }

    /// <summary>Raw parameters → standardized: wⱼ = w′ⱼσⱼ, b = b′ + Σⱼ w′ⱼμⱼ (the inverse of <see cref="ToRaw"/>).</summary>
    /// <param name="rawWeights">Weights on raw features.</param>
    /// <param name="rawBias">Intercept on raw features.</param>
    /// <param name="w">Receives the weights on standardized features.</param>
    /// <param name="b">Receives the intercept on standardized features.</param>
    public void ToStandardized(ReadOnlySpan<double> rawWeights, double rawBias, Span<double> w, out double b)
    {
        SmallVectors.Multiply(rawWeights, _scales, w);
        b = rawBias + SmallVectors.Dot(rawWeights, _means);
    }

    /// <summary>
    /// Gradient with respect to raw-space parameters → with respect to standardized ones:
    /// ∂f/∂wⱼ = (gⱼ − μⱼ·g_b)/σⱼ (g_b unchanged).
    /// </summary>
    internal void GradientToStandardized(Span<double> gradientWeights, double gradientBias)
    {
        SmallVectors.MultiplyAdd(_means, -gradientBias, gradientWeights, gradientWeights);
        SmallVectors.Divide(gradientWeights, _scales, gradientWeights);
    }
}

/// <summary>One chunk's moments for a standardization: Σ sᵢ·uᵢⱼ and Σ sᵢ·uᵢⱼ² per column (uᵢⱼ the deviation from the shift, in units), and Σ sᵢ.</summary>
/// <param name="Sums">Per column, the weighted sum of the deviations.</param>
/// <param name="Squares">Per column, the weighted sum of their squares.</param>
/// <param name="Weight">The chunk's total sample weight.</param>
public sealed record ChunkMoments(double[] Sums, double[] Squares, double Weight);
