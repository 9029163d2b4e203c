using System.Numerics;

namespace FastLogReg.Data;

/// <summary>
/// Training or evaluation data: a feature matrix in one of the supported layouts (<see cref="DenseDataset{T}"/>: dense
/// rows; <see cref="SparseDataset{T}"/>: compressed sparse rows) with one label and an optional sample weight per row.
/// Everything is a view over the caller's memory, validated once when created.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>. Sums are always accumulated in double.</typeparam>
public abstract class Dataset<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private double _maxMagnitude;

    private protected Dataset(ReadOnlyMemory<T> labels, ReadOnlyMemory<T> sampleWeights, int columns, double totalWeight, double maxMagnitude, int classCount)
    {
        ClassCount = classCount;
        Labels = labels;
        SampleWeights = sampleWeights;
        Columns = columns;
        TotalWeight = totalWeight;
        _maxMagnitude = maxMagnitude;
    }

    /// <summary>One label per row: a class id 0, 1, …, <see cref="ClassCount"/> − 1 (0 or 1 for binary data).</summary>
    public ReadOnlyMemory<T> Labels { get; }

    /// <summary>K, the number of classes (2 for binary data).</summary>
    public int ClassCount { get; }

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

    /// <summary>The values stored: rows × columns for dense data, the non-zeros for sparse data.</summary>
    public abstract long StoredValues { get; }

    /// <summary>max |xᵢⱼ| over the stored values (from the validation pass; computed on first use for a slice).</summary>
    internal double MaxMagnitude
    {
        get
        {
            if (double.IsNaN(_maxMagnitude))
            {
                _maxMagnitude = ComputeMaxMagnitude();
            }

            return _maxMagnitude;
        }
    }

    /// <summary>The feature matrix's largest magnitude (one pass over its stored values).</summary>
    private protected abstract double ComputeMaxMagnitude();

    /// <summary>Row, column and value of the first stored value beyond <paramref name="limit"/> in magnitude, if any.</summary>
    internal abstract (int Row, int Column, double Value)? FirstBeyond(double limit);
}
