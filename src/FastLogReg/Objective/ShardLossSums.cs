using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Kernels;

namespace FastLogReg.Objective;

/// <summary>
/// One shard's rows, evaluated chunk by chunk on the whole data set's chunk boundaries (<see cref="ShardPlan"/>): each
/// chunk's <see cref="LossSums"/> are the very sums a local fit of the whole data set computes for it. The fused kernel
/// runs the chunks on this machine's cores; the result does not depend on the thread count.
/// </summary>
/// <typeparam name="T"><see cref="float"/> or <see cref="double"/>.</typeparam>
public sealed class ShardLossSums<T> : IChunkCurvatureSource
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly FeatureLayout<T> _layout;
    private readonly ChunkedBinomialLoss<T> _loss;
    private readonly LossSums[] _scratch;

    /// <summary>The shard <paramref name="shard"/> of <paramref name="plan"/>, holding exactly its rows.</summary>
    /// <param name="rows">The shard's rows (<see cref="ShardRange.Rows"/> of them, in the data set's order), with their labels and sample weights.</param>
    /// <param name="plan">The data set's plan.</param>
    /// <param name="shard">Which shard these rows are.</param>
    /// <param name="classWeight0">The weight of class 0 rows — resolved over the whole data set (<see cref="ShardedLossSums.ResolveClassWeights"/>); 1 for none.</param>
    /// <param name="classWeight1">The weight of class 1 rows.</param>
    /// <param name="maxDegreeOfParallelism">Threads on this machine; null for all cores.</param>
    /// <exception cref="ArgumentException">The rows do not match the plan's shard (count, columns, element type) or are not binary.</exception>
    public ShardLossSums(DenseDataset<T> rows, ShardPlan plan, int shard, double classWeight0 = 1, double classWeight1 = 1, int? maxDegreeOfParallelism = null)
        : this((Dataset<T>)rows, plan, shard, classWeight0, classWeight1, maxDegreeOfParallelism)
    {
    }

    /// <summary>The shard <paramref name="shard"/> of a sparse <paramref name="plan"/>, holding exactly its rows (compressed sparse rows).</summary>
    /// <param name="rows">The shard's rows, in the data set's order, with their labels and sample weights.</param>
    /// <param name="plan">The data set's plan (<see cref="ShardPlan.Sparse"/>).</param>
    /// <param name="shard">Which shard these rows are.</param>
    /// <param name="classWeight0">The weight of class 0 rows, resolved over the whole data set; 1 for none.</param>
    /// <param name="classWeight1">The weight of class 1 rows.</param>
    /// <param name="maxDegreeOfParallelism">Threads on this machine; null for all cores.</param>
    /// <exception cref="ArgumentException">The rows do not match the plan's shard, or are not binary.</exception>
    public ShardLossSums(SparseDataset<T> rows, ShardPlan plan, int shard, double classWeight0 = 1, double classWeight1 = 1, int? maxDegreeOfParallelism = null)
        : this((Dataset<T>)rows, plan, shard, classWeight0, classWeight1, maxDegreeOfParallelism)
    {
    }

    private ShardLossSums(Dataset<T> rows, ShardPlan plan, int shard, double classWeight0, double classWeight1, int? maxDegreeOfParallelism)
    {
        _layout = ShardStatistics.Layout(rows, plan, shard);
        if (rows.ClassCount != 2)
        {
            throw new ArgumentException($"Sharded evaluation is binary; the rows have {rows.ClassCount} classes.", nameof(rows));
        }

        Range = plan.Shards[shard];
        ClassWeight0 = classWeight0;
        ClassWeight1 = classWeight1;
        _loss = new ChunkedBinomialLoss<T>(_layout, maxDegreeOfParallelism, classWeight0, classWeight1, totalWeight: double.NaN);
        _scratch = Enumerable.Range(0, Range.Chunks).Select(_ => new LossSums(plan.Columns)).ToArray();
    }

    /// <summary>
    /// The SIMD width the kernels run at here ("Vector512", "Vector256", "Vector128" or "Scalar"): the sums' rounding
    /// depends on it, so every shard of one fit must run at the same width (and the local fit compared with them too).
    /// </summary>
    public string KernelWidth => _layout.Width.ToString();

    /// <summary>Which rows and chunks of the data set these are.</summary>
    public ShardRange Range { get; }

    /// <summary>The class weights the sums are taken with.</summary>
    public double ClassWeight0 { get; }

    /// <summary>The class weights the sums are taken with.</summary>
    public double ClassWeight1 { get; }

    /// <inheritdoc/>
    public int Columns => _layout.Columns;

    /// <inheritdoc/>
    public int ChunkCount => _layout.Partition.ChunkCount;

    /// <inheritdoc/>
    public bool SparseRows => _layout.Data is SparseDataset<T>;

    /// <summary>Each chunk's class counts and weights, in chunk order: merged over all shards in order, they are the data set's.</summary>
    public IReadOnlyList<ClassTotals> ChunkTotals() => ShardStatistics.ChunkTotals(_layout);

    /// <summary>The shard's first row as doubles: for shard 0, the data set's first row — the shift its moments are taken around.</summary>
    public double[] FirstRow() => _layout.MomentShift();

    /// <summary>The largest |x| of the shard's features (the data set's is the maximum over shards).</summary>
    public double MaxMagnitude => _layout.Data.MaxMagnitude;

    /// <summary>Per column, max |xᵢⱼ − shiftⱼ| over the shard's rows (into <paramref name="largest"/>; merge shards by maximum).</summary>
    public void LargestDeviations(ReadOnlySpan<double> shift, Span<double> largest) => _layout.LargestDeviations(shift, largest);

    /// <summary>
    /// Each chunk's moments around <paramref name="shift"/> (the data set's first row) in <paramref name="units"/> (or
    /// none), for <see cref="FeatureScaling.FromMoments"/> over all shards' chunks in order; checks first that the values
    /// are small enough for sums over <paramref name="dataSetRows"/> rows to stay finite.
    /// </summary>
    /// <exception cref="ArgumentException">A value too large to standardize (the message names it).</exception>
    public IReadOnlyList<ChunkMoments> Moments(ReadOnlySpan<double> shift, double[]? units, int dataSetRows) => ShardStatistics.Moments(_layout, shift, units, dataSetRows);

    /// <inheritdoc/>
    public void EvaluateChunks(ReadOnlySpan<double> weights, double bias, IReadOnlyList<LossSums> perChunk)
    {
        ArgumentNullException.ThrowIfNull(perChunk);
        if (weights.Length != Columns || perChunk.Count != ChunkCount || perChunk.Any(s => s is null || s.Columns != Columns))
        {
            throw new ArgumentException($"Expected {Columns} weights and {ChunkCount} sums of {Columns} columns.");
        }

        _loss.EvaluateChunks(weights, bias, perChunk);
    }

    /// <inheritdoc/>
    public void PrepareCurvatureChunks(ReadOnlySpan<double> weights, double bias, Span<double> totals, IReadOnlyList<double[]>? sumCx, IReadOnlyList<double[]>? sumCx2)
    {
        if (weights.Length != Columns || totals.Length != ChunkCount || (sumCx is null) != (sumCx2 is null) || (sumCx is not null && (sumCx.Count != ChunkCount || sumCx2!.Count != ChunkCount)))
        {
            throw new ArgumentException($"Expected {Columns} weights, {ChunkCount} totals, and {ChunkCount} moment vectors of each kind or none.");
        }

        _loss.PrepareCurvatureChunks(weights, bias, totals, sumCx, sumCx2);
    }

    /// <inheritdoc/>
    public void HessianVectorChunks(ReadOnlySpan<double> direction, double directionBias, IReadOnlyList<LossSums> perChunk)
    {
        ArgumentNullException.ThrowIfNull(perChunk);
        if (direction.Length != Columns || perChunk.Count != ChunkCount)
        {
            throw new ArgumentException($"Expected {Columns} direction values and {ChunkCount} sums.");
        }

        _loss.HessianVectorChunks(direction, directionBias, perChunk);
    }

    /// <summary>The shard's own sums, its chunks folded in order (the per-shard mode: one message per shard instead of one per chunk).</summary>
    public void Evaluate(ReadOnlySpan<double> weights, double bias, LossSums sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        EvaluateChunks(weights, bias, _scratch);
        sums.CopyFrom(_scratch[0]);
        for (int c = 1; c < _scratch.Length; c++)
        {
            sums.Add(_scratch[c]);
        }
    }
}
