using System.Numerics;
using FastLogReg.Kernels;

namespace FastLogReg.Objective;

/// <summary>The statistics a shard reports for the global merges (class totals, column moments), shared by the binary and K-class shards.</summary>
internal static class ShardStatistics
{
    /// <summary>Each chunk's class counts and weights, in chunk order.</summary>
    public static IReadOnlyList<ClassTotals> ChunkTotals<T>(FeatureLayout<T> layout)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var totals = new ClassTotals[layout.Partition.ChunkCount];
        for (int c = 0; c < totals.Length; c++)
        {
            (int start, int count) = layout.Partition[c];
            totals[c] = ClassTotals.Of(layout.Data, start, count);
        }

        return totals;
    }

    /// <summary>Each chunk's moments around the shift (in units, or none), after checking the values are small enough to standardize.</summary>
    public static IReadOnlyList<ChunkMoments> Moments<T>(FeatureLayout<T> layout, ReadOnlySpan<double> shift, double[]? units, int dataSetRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        Data.Magnitudes.ThrowIfBeyond(layout.Data, Data.Magnitudes.StandardizedLimit(dataSetRows), "Rescale that column (the model on rescaled data is the same up to the scale).", "rows");
        int d = layout.Columns;
        var chunks = new ChunkMoments[layout.Partition.ChunkCount];
        for (int c = 0; c < chunks.Length; c++)
        {
            (int start, int count) = layout.Partition[c];
            double[] sums = new double[d], squares = new double[d];
            layout.Moments(start, count, shift, units, sums, squares);
            double weight = 0;
            foreach (double w in ClassTotals.Of(layout.Data, start, count).Weights)
            {
                weight += w;
            }

            chunks[c] = new ChunkMoments(sums, squares, weight);
        }

        return chunks;
    }
}
