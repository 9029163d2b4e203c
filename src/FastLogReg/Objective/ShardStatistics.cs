using System.Numerics;
using System.Runtime.CompilerServices;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Parallelism;

namespace FastLogReg.Objective;

/// <summary>
/// What the binary and the K-class shards share: their rows laid out on the plan's chunk boundaries, and the statistics
/// a shard reports for the global merges (class totals, column moments).
/// </summary>
internal static class ShardStatistics
{
    /// <summary>
    /// The layout of shard <paramref name="shard"/>'s rows cut as the whole data set's are (dense: the plan's chunk rows;
    /// sparse: its chunk starts), after checking the rows are that shard's.
    /// </summary>
    /// <exception cref="ArgumentException">The rows do not match the plan's shard (count, columns, element type, dense or sparse).</exception>
    public static FeatureLayout<T> Layout<T>(Dataset<T> rows, ShardPlan plan, int shard)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, plan.Shards.Count);
        ShardRange range = plan.Shards[shard];
        bool sparse = rows is SparseDataset<T>;
        if (rows.Rows != range.Rows || rows.Columns != plan.Columns || Unsafe.SizeOf<T>() != plan.ElementSize || sparse != plan.IsSparse)
        {
            throw new ArgumentException($"Shard {shard} of the plan is {range.Rows} {(plan.IsSparse ? "sparse" : "dense")} rows × {plan.Columns} columns of {plan.ElementSize}-byte values; these rows are {rows.Rows} {(sparse ? "sparse" : "dense")} × {rows.Columns} of {Unsafe.SizeOf<T>()}.", nameof(rows));
        }

        FeatureLayout<T> layout = rows is SparseDataset<T> csr
            ? new CsrLayout<T>(csr, null, RowPartition.WithStarts(plan.ShardChunkStarts(shard)))
            : new DenseLayout<T>((DenseDataset<T>)rows, null, RowPartition.WithChunkRows(rows.Rows, plan.ChunkRows));
        if (layout.Partition.ChunkCount != range.Chunks)
        {
            throw new InvalidOperationException($"Shard {shard} cut into {layout.Partition.ChunkCount} chunks, the plan says {range.Chunks}.");
        }

        return layout;
    }

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
