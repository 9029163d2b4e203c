using System.Numerics;

namespace FastLogReg.Data;

/// <summary>
/// Sparse training or evaluation data: a <see cref="CsrMatrix{T}"/> of features with one 0/1 label and an optional
/// sample weight per row — for high-dimensional data such as bag-of-words text, where a dense matrix would be almost all
/// zeros. Training reads only the non-zeros. Nothing is copied.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class SparseDataset<T> : Dataset<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    internal SparseDataset(CsrMatrix<T> matrix, ReadOnlyMemory<T> labels, ReadOnlyMemory<T> sampleWeights, double totalWeight, int classCount = 2)
        : base(labels, sampleWeights, matrix.Columns, totalWeight, matrix.MaxMagnitude, classCount)
    {
        Matrix = matrix;
    }

    /// <summary>The features.</summary>
    public CsrMatrix<T> Matrix { get; }

    /// <inheritdoc/>
    public override long StoredValues => Matrix.NonZeros;

    private protected override double ComputeMaxMagnitude() => Matrix.MaxMagnitude;

    internal override (int Row, int Column, double Value)? FirstBeyond(double limit)
    {
        for (int i = 0; i < Rows; i++)
        {
            SparseRow<T> row = Matrix.GetRow(i);
            ReadOnlySpan<int> indices = row.Indices;
            ReadOnlySpan<T> values = row.Values;
            for (int k = 0; k < values.Length; k++)
            {
                double v = double.CreateTruncating(values[k]);
                if (Math.Abs(v) > limit)
                {
                    return (i, indices[k], v);
                }
            }
        }

        return null;
    }
}

/// <summary>Creates validated <see cref="SparseDataset{T}"/> views.</summary>
public static class SparseDataset
{
    /// <summary>Pairs sparse features with their labels and optional sample weights (checked in one pass each).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="matrix">The features, one row per sample.</param>
    /// <param name="labels">One label per row, each exactly 0 or 1.</param>
    /// <param name="sampleWeights">Optional: one finite, non-negative weight per row, not all zero.</param>
    public static SparseDataset<T> Create<T>(CsrMatrix<T> matrix, ReadOnlyMemory<T> labels, ReadOnlyMemory<T> sampleWeights = default)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Create(matrix, labels, 2, sampleWeights);

    /// <summary>Pairs sparse features with multi-class labels (class ids 0 … <paramref name="classCount"/> − 1).</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="matrix">The features, one row per sample.</param>
    /// <param name="labels">One class id per row.</param>
    /// <param name="classCount">K, from 2 to 1000.</param>
    /// <param name="sampleWeights">Optional per-row weights.</param>
    public static SparseDataset<T> Create<T>(CsrMatrix<T> matrix, ReadOnlyMemory<T> labels, int classCount, ReadOnlyMemory<T> sampleWeights = default)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(matrix);
        double total = DataValidation.LabelsAndWeights(labels, sampleWeights, matrix.Rows, classCount);
        return new SparseDataset<T>(matrix, labels, sampleWeights, total, classCount);
    }

    /// <summary>Convenience overload for arrays.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="matrix">The features.</param>
    /// <param name="labels">One 0/1 label per row.</param>
    /// <param name="sampleWeights">Optional per-row weights.</param>
    public static SparseDataset<T> Create<T>(CsrMatrix<T> matrix, T[] labels, T[]? sampleWeights = null)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        Create(matrix, labels.AsMemory(), sampleWeights is null ? default : sampleWeights.AsMemory());
}
