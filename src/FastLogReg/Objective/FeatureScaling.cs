using System.Numerics.Tensors;
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
    /// (vectorized across columns, split into the same fixed chunks as training, partial sums reduced in chunk order).
    /// Sums are taken around the first row's values, which avoids the cancellation of the textbook E[x²] − E[x]².
    /// Columns whose standard deviation is 0 or below 10·ε·|μ| count as constant and get σ = 1 (a relative test: data of
    /// any scale, 10⁻³⁰⁰ included, standardizes alike).
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The data.</param>
    /// <param name="maxDegreeOfParallelism">Threads to use at most; null for all cores.</param>
    public static FeatureScaling Compute<T>(DenseDataset<T> data, int? maxDegreeOfParallelism = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        Data.Magnitudes.ThrowIfBeyond(data, Data.Magnitudes.StandardizedLimit(data.Rows), "Rescale that column (the model on rescaled data is the same up to the scale).", nameof(data));
        int d = data.Columns;
        int stride = ((d + 7) & ~7) + 8; // separate cache lines per chunk
        double[] shift = new double[d];
        for (int j = 0; j < d; j++)
        {
            shift[j] = FusedLossGradient.ToDouble(data.Features.Span[j]);
        }

        // Squares of values beyond 2⁵⁰⁰ overflow, and below 2⁻⁵⁰⁰ underflow: such data is summed per column in units of a
        // power of two near the column's largest deviation (exact scaling), found in a first pass that normal data never pays for.
        double magnitude = data.MaxMagnitude;
        double[]? unit = magnitude > LargeMagnitude || (magnitude > 0 && magnitude < 1 / LargeMagnitude) ? ColumnUnits(data, shift) : null;
        var partition = RowPartition.For(data.Rows, d, System.Runtime.CompilerServices.Unsafe.SizeOf<T>());
        double[] sums = new double[partition.ChunkCount * stride];
        double[] squares = new double[partition.ChunkCount * stride];
        var runner = new ChunkRunner(partition.ChunkCount, maxDegreeOfParallelism, chunk =>
        {
            (int start, int count) = partition[chunk];
            Span<double> sum = sums.AsSpan(chunk * stride, d);
            Span<double> square = squares.AsSpan(chunk * stride, d);
            Span<double> row = d <= 1024 ? stackalloc double[d] : new double[d];
            ReadOnlySpan<T> x = data.Features.Span;
            ReadOnlySpan<T> s = data.SampleWeights.Span;
            for (int i = start; i < start + count; i++)
            {
                ReadOnlySpan<T> xi = x.Slice(i * d, d);
                if (typeof(T) == typeof(double))
                {
                    TensorPrimitives.Subtract(MemoryMarshal.Cast<T, double>(xi), shift, row);
                }
                else
                {
                    TensorPrimitives.ConvertTruncating<float, double>(MemoryMarshal.Cast<T, float>(xi), row);
                    TensorPrimitives.Subtract(row, shift, row);
                }

                if (unit is not null)
                {
                    TensorPrimitives.Divide(row, unit, row);
                }

                double weight = data.HasSampleWeights ? FusedLossGradient.ToDouble(s[i]) : 1.0;
                TensorPrimitives.MultiplyAdd(row, weight, sum, sum);
                TensorPrimitives.Multiply(row, row, row);
                TensorPrimitives.MultiplyAdd(row, weight, square, square);
            }
        });
        runner.Run();

        double total = data.TotalWeight;
        double[] means = new double[d];
        double[] scales = new double[d];
        for (int j = 0; j < d; j++)
        {
            double sum = 0, square = 0;
            for (int c = 0; c < partition.ChunkCount; c++)
            {
                sum += sums[(c * stride) + j];
                square += squares[(c * stride) + j];
            }

            double meanOffset = sum / total;
            double variance = Math.Max((square / total) - (meanOffset * meanOffset), 0.0);
            double sd = Math.Sqrt(variance);
            if (unit is not null)
            {
                meanOffset *= unit[j];
                sd *= unit[j];
            }

            means[j] = shift[j] + meanOffset;
            scales[j] = sd > 0 && sd > ConstantThreshold * Math.Abs(means[j]) ? sd : 1.0;
        }

        return new FeatureScaling(means, scales);
    }

    /// <summary>Above this magnitude (2⁵⁰⁰) the moments are summed in per-column units (squares would overflow).</summary>
    internal const double LargeMagnitude = Data.Magnitudes.RawLimit;

    /// <summary>Per column, the power of two at or above max |xᵢⱼ − shiftⱼ| (1 for an all-equal column).</summary>
    private static double[] ColumnUnits<T>(DenseDataset<T> data, double[] shift)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int d = data.Columns;
        double[] largest = new double[d];
        ReadOnlySpan<T> x = data.Features.Span;
        for (int i = 0; i < data.Rows; i++)
        {
            ReadOnlySpan<T> row = x.Slice(i * d, d);
            for (int j = 0; j < d; j++)
            {
                largest[j] = Math.Max(largest[j], Math.Abs(FusedLossGradient.ToDouble(row[j]) - shift[j]));
            }
        }

        for (int j = 0; j < d; j++)
        {
            largest[j] = largest[j] > 0 && double.IsFinite(largest[j]) ? Math.Pow(2, Math.Ceiling(Math.Log2(largest[j]))) : 1.0;
        }

        return largest;
    }

    /// <summary>
    /// Standardized parameters (w, b) → the equivalent parameters on raw features: w′ⱼ = wⱼ/σⱼ, b′ = b − Σⱼ w′ⱼμⱼ.
    /// </summary>
    internal void ToRaw(ReadOnlySpan<double> w, double b, Span<double> rawWeights, out double rawBias)
    {
        TensorPrimitives.Divide(w, _scales, rawWeights);
        rawBias = b - TensorPrimitives.Dot<double>(rawWeights, _means);
    }

    /// <summary>Raw parameters → standardized: wⱼ = w′ⱼσⱼ, b = b′ + Σⱼ w′ⱼμⱼ (the inverse of <see cref="ToRaw"/>).</summary>
    internal void ToStandardized(ReadOnlySpan<double> rawWeights, double rawBias, Span<double> w, out double b)
    {
        TensorPrimitives.Multiply(rawWeights, _scales, w);
        b = rawBias + TensorPrimitives.Dot<double>(rawWeights, _means);
    }

    /// <summary>
    /// Gradient with respect to raw-space parameters → with respect to standardized ones:
    /// ∂f/∂wⱼ = (gⱼ − μⱼ·g_b)/σⱼ (g_b unchanged).
    /// </summary>
    internal void GradientToStandardized(Span<double> gradientWeights, double gradientBias)
    {
        TensorPrimitives.MultiplyAdd(_means, -gradientBias, gradientWeights, gradientWeights);
        TensorPrimitives.Divide(gradientWeights, _scales, gradientWeights);
    }
}
