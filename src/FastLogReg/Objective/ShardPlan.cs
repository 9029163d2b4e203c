using FastLogReg.Parallelism;

namespace FastLogReg.Objective;

/// <summary>One shard of a <see cref="ShardPlan"/>: a run of whole chunks, so a run of rows.</summary>
/// <param name="Index">The shard's position, 0-based.</param>
/// <param name="FirstRow">The data set's row where the shard starts.</param>
/// <param name="Rows">How many rows it holds.</param>
/// <param name="FirstChunk">The data set's chunk where the shard starts.</param>
/// <param name="Chunks">How many chunks it holds (at least one).</param>
public readonly record struct ShardRange(int Index, int FirstRow, int Rows, int FirstChunk, int Chunks);

/// <summary>
/// How a dense data set's rows are cut into chunks — the fixed partition a local fit folds its sums over, which depends
/// on the data's shape alone — and how those chunks are dealt out to shards as contiguous runs. A shard that evaluates
/// its rows with <see cref="ShardLossSums{T}"/> on this plan returns each chunk's sums exactly as the local fit computes
/// them, so <see cref="ShardedLossSums"/> folding them in chunk order reproduces the local objective bit for bit, for any
/// number of shards (and any thread count on each).
/// </summary>
public sealed class ShardPlan
{
    private ShardPlan(int rows, int columns, int elementSize, int chunkRows, int chunkCount, ShardRange[] shards)
    {
        Rows = rows;
        Columns = columns;
        ElementSize = elementSize;
        ChunkRows = chunkRows;
        ChunkCount = chunkCount;
        Shards = shards;
    }

    /// <summary>The data set's rows.</summary>
    public int Rows { get; }

    /// <summary>Its columns (features).</summary>
    public int Columns { get; }

    /// <summary>Bytes per feature value: 4 (float) or 8 (double).</summary>
    public int ElementSize { get; }

    /// <summary>Rows per chunk (the last chunk may be shorter).</summary>
    public int ChunkRows { get; }

    /// <summary>Chunks in the data set.</summary>
    public int ChunkCount { get; }

    /// <summary>The shards, in order; together they hold every chunk once.</summary>
    public IReadOnlyList<ShardRange> Shards { get; }

    /// <summary>The plan for <paramref name="rows"/> × <paramref name="columns"/> dense values of <paramref name="elementSize"/> bytes, over at most <paramref name="shards"/> shards.</summary>
    /// <param name="rows">The data set's rows, ≥ 1.</param>
    /// <param name="columns">Its columns, ≥ 1.</param>
    /// <param name="elementSize">4 for float, 8 for double.</param>
    /// <param name="shards">The shards wanted, ≥ 1; fewer are made when there are fewer chunks (a chunk is never split).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value out of range.</exception>
    public static ShardPlan Dense(int rows, int columns, int elementSize, int shards)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (elementSize is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "4 (float) or 8 (double).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        RowPartition partition = RowPartition.For(rows, columns, elementSize);
        int count = Math.Min(shards, partition.ChunkCount);
        var ranges = new ShardRange[count];
        int chunk = 0;
        for (int s = 0; s < count; s++)
        {
            // As even as whole chunks allow: the first (ChunkCount mod count) shards take one chunk more.
            int chunks = (partition.ChunkCount / count) + (s < partition.ChunkCount % count ? 1 : 0);
            (int first, _) = partition[chunk];
            (int lastStart, int lastCount) = partition[chunk + chunks - 1];
            ranges[s] = new ShardRange(s, first, lastStart + lastCount - first, chunk, chunks);
            chunk += chunks;
        }

        return new ShardPlan(rows, columns, elementSize, partition.ChunkRows, partition.ChunkCount, ranges);
    }
}
