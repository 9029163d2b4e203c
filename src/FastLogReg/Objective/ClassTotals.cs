using System.Numerics;
using FastLogReg.Data;

namespace FastLogReg.Objective;

/// <summary>
/// How many rows of each class there are, and their total sample weight — mergeable: the totals of a data set are the
/// totals of its chunks added in chunk order (and of shards, in shard order), so every machine derives the same total
/// weight S and the same balanced class weights.
/// </summary>
public sealed class ClassTotals
{
    /// <summary>Zero totals for <paramref name="classes"/> classes.</summary>
    /// <param name="classes">K ≥ 2.</param>
    public ClassTotals(int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        Counts = new long[classes];
        Weights = new double[classes];
    }

    /// <summary>Rows per class.</summary>
    public long[] Counts { get; }

    /// <summary>Σ sᵢ over the rows of each class (the count when unweighted).</summary>
    public double[] Weights { get; }

    /// <summary>Rows in all.</summary>
    public long Rows => Counts.Sum();

    /// <summary>The totals of rows [<paramref name="start"/>, +<paramref name="count"/>) of a data set, in row order.</summary>
    /// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
    /// <param name="data">The data.</param>
    /// <param name="start">First row.</param>
    /// <param name="count">Rows.</param>
    public static ClassTotals Of<T>(Dataset<T> data, int start, int count)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        var totals = new ClassTotals(data.ClassCount);
        ReadOnlySpan<T> y = data.Labels.Span.Slice(start, count);
        ReadOnlySpan<T> s = data.HasSampleWeights ? data.SampleWeights.Span.Slice(start, count) : default;
        for (int i = 0; i < y.Length; i++)
        {
            int c = int.CreateTruncating(y[i]);
            totals.Counts[c]++;
            totals.Weights[c] += s.IsEmpty ? 1.0 : double.CreateTruncating(s[i]);
        }

        return totals;
    }

    /// <summary>Adds <paramref name="other"/>'s totals to these.</summary>
    /// <param name="other">Totals over other rows.</param>
    public void Add(ClassTotals other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (int c = 0; c < Counts.Length; c++)
        {
            Counts[c] += other.Counts[c];
            Weights[c] += other.Weights[c];
        }
    }

    /// <summary>S = Σ_c (class weight of c) × (sample weight of class c).</summary>
    /// <param name="classWeights">One weight per class.</param>
    public double TotalWeight(ReadOnlySpan<double> classWeights)
    {
        double total = 0;
        for (int c = 0; c < Weights.Length; c++)
        {
            total += classWeights[c] == 1.0 ? Weights[c] : classWeights[c] * Weights[c];
        }

        return total;
    }
}
