using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using FastLogReg.Internal;

namespace FastLogReg.Data;

/// <summary>
/// A dense, row-major view over the caller's memory: <see cref="Dataset{T}.Rows"/> × <see cref="Dataset{T}.Columns"/>
/// features, one 0/1 label per row and optional non-negative per-row sample weights. Nothing is copied.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>. Sums are always accumulated in double.</typeparam>
/// <remarks>
/// Created (and validated once, in one vectorized pass per array) by <c>DenseDataset.Create</c>. The memory stays the
/// caller's: changing it afterwards bypasses the validation. Features may live in native memory (a memory-mapped file,
/// say) and then may hold more than 2³¹ values.
/// </remarks>
public sealed class DenseDataset<T> : Dataset<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Elements<T> _features;

    internal DenseDataset(Elements<T> features, ReadOnlyMemory<T> labels, ReadOnlyMemory<T> sampleWeights, int columns, double totalWeight, double maxMagnitude = double.NaN, int classCount = 2)
        : base(labels, sampleWeights, columns, totalWeight, maxMagnitude, classCount)
    {
        _features = features;
    }

    /// <summary>The features, row-major: row <c>i</c> is <c>Features[(i * Columns)..((i + 1) * Columns)]</c>.</summary>
    /// <exception cref="NotSupportedException">The features are in native memory: use <see cref="GetRow"/>.</exception>
    public ReadOnlyMemory<T> Features => _features.Managed;

    /// <summary>Whether the features are in native memory (see <see cref="DenseDataset.Create{T}(SafeBuffer, ReadOnlyMemory{T}, int, ReadOnlyMemory{T})"/>).</summary>
    public bool IsNative => _features.IsNative;

    /// <inheritdoc/>
    public override long StoredValues => _features.Length;

    /// <summary>The features of one row.</summary>
    /// <param name="row">Zero-based row index.</param>
    public ReadOnlySpan<T> GetRow(int row)
    {
        if ((uint)row >= (uint)Rows)
        {
            ThrowHelper.ThrowRowOutOfRange(row, Rows);
        }

        return _features.Slice((long)row * Columns, Columns);
    }

    /// <summary>The features of rows [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>), row-major.</summary>
    internal ReadOnlySpan<T> RowSpan(int start, int count) => _features.Slice((long)start * Columns, checked(count * Columns));

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

        if (_features.IsNative)
        {
            throw new NotSupportedException("Slicing a data set whose features are in native memory is not supported: create a data set over the part you need.");
        }

        ReadOnlyMemory<T> weights = HasSampleWeights ? SampleWeights.Slice(start, count) : default;
        double total = HasSampleWeights ? DataValidation.SumAsDouble(weights.Span) : count;
        if (total <= 0)
        {
            throw new ArgumentException($"Every sample weight in rows [{start}, {start + count}) is zero: a slice needs at least one row with positive weight.", nameof(count));
        }

        ReadOnlyMemory<T> features = Features.Slice(checked(start * Columns), checked(count * Columns));
        return new DenseDataset<T>(new Elements<T>(features), Labels.Slice(start, count), weights, Columns, total, classCount: ClassCount);
    }

    private protected override double ComputeMaxMagnitude()
    {
        double largest = 0;
        foreach ((long start, int length) in _features.Pieces())
        {
            largest = Math.Max(largest, double.CreateTruncating(T.Abs(TensorPrimitives.MaxMagnitude(_features.Slice(start, length)))));
        }

        return largest;
    }

    internal override (int Row, int Column, double Value)? FirstBeyond(double limit)
    {
        for (int i = 0; i < Rows; i++)
        {
            ReadOnlySpan<T> row = GetRow(i);
            for (int j = 0; j < Columns; j++)
            {
                double v = double.CreateTruncating(row[j]);
                if (Math.Abs(v) > limit)
                {
                    return (i, j, v);
                }
            }
        }

        return null;
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
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Create(new Elements<T>(features), labels, columns, sampleWeights, 2);

    /// <summary>
    /// Wraps multi-class data: the same as the binary overload, but each label is a class id 0, 1, …,
    /// <paramref name="classCount"/> − 1.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Rows × <paramref name="columns"/> values, row-major; every value finite.</param>
    /// <param name="labels">One class id per row.</param>
    /// <param name="columns">Number of features per row, at least 1.</param>
    /// <param name="classCount">K, from 2 to 1000 (a class may have no rows).</param>
    /// <param name="sampleWeights">Optional per-row weights.</param>
    public static DenseDataset<T> Create<T>(ReadOnlyMemory<T> features, ReadOnlyMemory<T> labels, int columns, int classCount, ReadOnlyMemory<T> sampleWeights = default)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Create(new Elements<T>(features), labels, columns, sampleWeights, classCount);

    /// <summary>
    /// Wraps row-major features in native memory — a memory-mapped file's view
    /// (<c>MemoryMappedViewAccessor.SafeMemoryMappedViewHandle</c>) or any <see cref="SafeBuffer"/> — which may hold more
    /// than 2³¹ values. The buffer's first rows × <paramref name="columns"/> values are the features; it must stay open
    /// while the data set is used. Validated like the managed overload.
    /// </summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">The native buffer; at least rows × <paramref name="columns"/> values long.</param>
    /// <param name="labels">One 0/1 label per row.</param>
    /// <param name="columns">Number of features per row.</param>
    /// <param name="sampleWeights">Optional per-row weights.</param>
    public static DenseDataset<T> Create<T>(SafeBuffer features, ReadOnlyMemory<T> labels, int columns, ReadOnlyMemory<T> sampleWeights = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var all = new Elements<T>(features);
        long needed = (long)labels.Length * columns;
        if (all.Length < needed)
        {
            throw new ArgumentException($"The native buffer holds {all.Length} values, but {labels.Length} rows × {columns} columns need {needed}.", nameof(features));
        }

        return Create(new Elements<T>(features, needed), labels, columns, sampleWeights, 2);
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

    /// <summary>Convenience overload for arrays of multi-class data.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="features">Rows × <paramref name="columns"/> values, row-major.</param>
    /// <param name="labels">One class id per row.</param>
    /// <param name="columns">Number of features per row.</param>
    /// <param name="classCount">K.</param>
    /// <param name="sampleWeights">Optional per-row weights.</param>
    public static DenseDataset<T> Create<T>(T[] features, T[] labels, int columns, int classCount, T[]? sampleWeights = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Create<T>(features.AsMemory(), labels.AsMemory(), columns, classCount, sampleWeights is null ? default : sampleWeights.AsMemory());

    private static DenseDataset<T> Create<T>(Elements<T> features, ReadOnlyMemory<T> labels, int columns, ReadOnlyMemory<T> sampleWeights, int classCount)
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

        double maxMagnitude = 0;
        foreach ((long start, int length) in features.Pieces())
        {
            maxMagnitude = Math.Max(maxMagnitude, DataValidation.ThrowIfAnyNonFinite(features.Slice(start, length), columns, nameof(features), firstIndex: start));
        }

        double totalWeight = DataValidation.LabelsAndWeights(labels, sampleWeights, rows, classCount);
        return new DenseDataset<T>(features, labels, sampleWeights, columns, totalWeight, maxMagnitude, classCount);
    }
}
