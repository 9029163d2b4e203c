using FastLogReg.Internal;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Data;

namespace FastLogReg.Data;

/// <summary>
/// A dense, row-major view over the caller's memory: <see cref="Rows"/> × <see cref="Columns"/> features,
/// one 0/1 label per row and optional non-negative per-row sample weights. Nothing is copied.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>. Sums are always accumulated in double.</typeparam>
/// <remarks>
/// Created (and validated once, in one vectorized pass per array) by <c>DenseDataset.Create</c>.
/// The memory stays the caller's: changing it afterwards bypasses the validation.
/// </remarks>
public sealed class DenseDataset<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _maxMagnitude;

    internal DenseDataset(ReadOnlyMemory<T> features, ReadOnlyMemory<T> labels, ReadOnlyMemory<T> sampleWeights, int columns, double totalWeight, double maxMagnitude = double.NaN)
    {
        Features = features;
        Labels = labels;
        SampleWeights = sampleWeights;
        Columns = columns;
        TotalWeight = totalWeight;
        _maxMagnitude = maxMagnitude;
    }

    /// <summary>max |xᵢⱼ| over the features (from the validation pass; computed on first use for a slice).</summary>
    internal double MaxMagnitude
    {
        get
        {
            if (double.IsNaN(_maxMagnitude))
            {
                _maxMagnitude = double.CreateTruncating(T.Abs(System.Numerics.Tensors.TensorPrimitives.MaxMagnitude(Features.Span)));
            }

            return _maxMagnitude;
        }
    }

    /// <summary>The features, row-major: row <c>i</c> is <c>Features[(i * Columns)..((i + 1) * Columns)]</c>.</summary>
    public ReadOnlyMemory<T> Features { get; }

    /// <summary>One label per row, each exactly 0 or 1.</summary>
    public ReadOnlyMemory<T> Labels { get; }

    /// <summary>One weight per row, or empty when the rows are unweighted (every weight 1).</summary>
    public ReadOnlyMemory<T> SampleWeights { get; }

    /// <summary>Whether per-row sample weights were given.</summary>
    public bool HasSampleWeights => !SampleWeights.IsEmpty;

    /// <summary>Number of rows (samples).</summary>
    public int Rows => Labels.Length;

    /// <summary>Number of columns (features) per row.</summary>
    public int Columns { get; }

    /// <summary>Σᵢ sᵢ, the sum of the sample weights (= <see cref="Rows"/> when unweighted), in double.</summary>
    public double TotalWeight { get; }

    /// <summary>The features of one row.</summary>
    /// <param name="row">Zero-based row index.</param>
    public ReadOnlySpan<T> GetRow(int row)
    {
        if ((uint)row >= (uint)Rows)
        {
            ThrowHelper.ThrowRowOutOfRange(row, Rows);
        }

        return Features.Span.Slice(row * Columns, Columns);
    }

    /// <summary>
    /// A view of the rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>) — no copy and no
    /// new validation. Useful for train/test splits of data that is already shuffled.
    /// </summary>
    /// <param name="start">First row of the slice.</param>
    /// <param name="count">Number of rows, at least 1.</param>
    public DenseDataset<T> Slice(int start, int count)
    {
        if (start < 0 || count < 1 || (long)start + count > Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(count), $"Rows [{start}, {(long)start + count}) are not a non-empty range inside the {Rows} rows of the data set.");
        }

        ReadOnlyMemory<T> weights = HasSampleWeights ? SampleWeights.Slice(start, count) : default;
        double total = HasSampleWeights ? DataValidation.SumAsDouble(weights.Span) : count;
        if (total <= 0)
        {
            throw new ArgumentException($"Every sample weight in rows [{start}, {start + count}) is zero: a slice needs at least one row with positive weight.", nameof(count));
        }

        return new DenseDataset<T>(Features.Slice(start * Columns, count * Columns), Labels.Slice(start, count), weights, Columns, total);
    }
}

/// <summary>Creates validated <see cref="DenseDataset{T}"/> views.</summary>
public static class DenseDataset
{
    /// <summary>
    /// Wraps the caller's row-major features, 0/1 labels and optional sample weights without copying, after checking
    /// them in one vectorized pass each.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Rows × <paramref name="columns"/> values, row-major; every value finite.</param>
    /// <param name="labels">One label per row, each exactly 0 or 1. Its length is the number of rows.</param>
    /// <param name="columns">Number of features per row, at least 1.</param>
    /// <param name="sampleWeights">Optional: one finite, non-negative weight per row, not all zero. Default: unweighted.</param>
    /// <exception cref="ArgumentException">A dimension does not match, the data is empty, or a value is out of its domain;
    /// the message names the row, the column and the value.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is neither float nor double.</exception>
    public static DenseDataset<T> Create<T>(ReadOnlyMemory<T> features, ReadOnlyMemory<T> labels, int columns, ReadOnlyMemory<T> sampleWeights = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ThrowHelper.ThrowIfUnsupportedElementType<T>();
        if (columns < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(columns), columns, "The data set needs at least one column (feature).");
        }

        int rows = labels.Length;
        if (rows == 0)
        {
            throw new ArgumentException("The data set has no rows: labels is empty.", nameof(labels));
        }

        long expected = (long)rows * columns;
        if (features.Length != expected)
        {
            throw new ArgumentException(
                $"features has {features.Length} values, but {rows} rows (one per label) × {columns} columns need {expected}.",
                nameof(features));
        }

        double maxMagnitude = DataValidation.ThrowIfAnyNonFinite(features.Span, columns, nameof(features));
        DataValidation.ThrowIfAnyNonBinary(labels.Span, nameof(labels));

        double totalWeight = rows;
        if (!sampleWeights.IsEmpty)
        {
            if (sampleWeights.Length != rows)
            {
                throw new ArgumentException($"sampleWeights has {sampleWeights.Length} values, but there are {rows} rows (one per label).", nameof(sampleWeights));
            }

            totalWeight = DataValidation.ValidateWeights(sampleWeights.Span, nameof(sampleWeights));
        }

        return new DenseDataset<T>(features, labels, sampleWeights, columns, totalWeight, maxMagnitude);
    }

    /// <summary>Convenience overload for arrays.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Rows × <paramref name="columns"/> values, row-major.</param>
    /// <param name="labels">One 0/1 label per row.</param>
    /// <param name="columns">Number of features per row.</param>
    /// <param name="sampleWeights">Optional per-row weights.</param>
    public static DenseDataset<T> Create<T>(T[] features, T[] labels, int columns, T[]? sampleWeights = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Create<T>(features.AsMemory(), labels.AsMemory(), columns, sampleWeights is null ? default : sampleWeights.AsMemory());
}
