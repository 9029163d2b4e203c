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
/// How a data set's rows are cut into chunks — the fixed partition a local fit folds its sums over, which depends
/// on the data's shape alone — and how those chunks are dealt out to shards as contiguous runs. A shard that evaluates
/// its rows with <see cref="ShardLossSums{T}"/> on this plan returns each chunk's sums exactly as the local fit computes
/// them, so <see cref="ShardedLossSums"/> folding them in chunk order reproduces the local objective bit for bit, for any
/// number of shards (and any thread count on each).
/// </summary>
public sealed class ShardPlan
{
    private readonly int[]? _chunkStarts; // sparse: where each chunk starts, then the row count

    private ShardPlan(int rows, int columns, int elementSize, int chunkRows, int chunkCount, ShardRange[] shards, int[]? chunkStarts = null)
    {
        Rows = rows;
        Columns = columns;
        ElementSize = elementSize;
        ChunkRows = chunkRows;
        ChunkCount = chunkCount;
        Shards = shards;
        _chunkStarts = chunkStarts;
    }

    /// <summary>Whether the rows are compressed sparse rows (chunks cut by non-zeros) rather than dense.</summary>
    public bool IsSparse => _chunkStarts is not null;

    /// <summary>Sparse plans: where each chunk starts, then the row count (<see cref="ChunkCount"/> + 1 values); empty for dense plans.</summary>
    public IReadOnlyList<int> ChunkStarts => _chunkStarts ?? [];

    /// <summary>The data set's rows.</summary>
    public int Rows { get; }

    /// <summary>Its columns (features).</summary>
    public int Columns { get; }

    /// <summary>Bytes per feature value: 4 (float) or 8 (double).</summary>
    public int ElementSize { get; }

    /// <summary>Dense plans: rows per chunk (the last chunk may be shorter); 0 for sparse plans (chunks cut by non-zeros).</summary>
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
        return new ShardPlan(rows, columns, elementSize, partition.ChunkRows, partition.ChunkCount, Deal(partition, shards));
    }

    /// <summary>
    /// The plan for compressed sparse rows with these row offsets (rows + 1 values: the running count of non-zeros), as
    /// a local fit of them cuts its chunks (by non-zeros), over at most <paramref name="shards"/> shards.
    /// </summary>
    /// <param name="rowOffsets">Rows + 1 offsets, from 0, non-decreasing (a LIBSVM file's outline gives them without reading the values).</param>
    /// <param name="columns">Columns, ≥ 1.</param>
    /// <param name="elementSize">4 for float, 8 for double.</param>
    /// <param name="shards">The shards wanted, ≥ 1.</param>
    /// <exception cref="ArgumentException">Offsets that are not rows + 1 ≥ 2 non-decreasing values from 0.</exception>
    public static ShardPlan Sparse(ReadOnlySpan<long> rowOffsets, int columns, int elementSize, int shards)
    {
        if (rowOffsets.Length < 2 || rowOffsets[0] != 0)
        {
            throw new ArgumentException("Row offsets are rows + 1 values starting at 0.", nameof(rowOffsets));
        }

        for (int i = 1; i < rowOffsets.Length; i++)
        {
            if (rowOffsets[i] < rowOffsets[i - 1])
            {
                throw new ArgumentException($"Row offsets must not decrease (row {i - 1}).", nameof(rowOffsets));
            }
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        return FromChunkStarts(RowPartition.Sparse(rowOffsets, columns, elementSize).Starts(), columns, elementSize, shards);
    }

    /// <summary>
    /// A sparse plan from the chunk boundaries another machine computed (<see cref="ChunkStarts"/> of its plan): the same
    /// plan, for a driver that never sees the rows.
    /// </summary>
    /// <exception cref="ArgumentException">Starts that are not increasing from 0.</exception>
    public static ShardPlan FromChunkStarts(IReadOnlyList<int> chunkStarts, int columns, int elementSize, int shards)
    {
        ArgumentNullException.ThrowIfNull(chunkStarts);
        if (chunkStarts.Count < 2 || chunkStarts[0] != 0 || Enumerable.Range(1, chunkStarts.Count - 1).Any(c => chunkStarts[c] <= chunkStarts[c - 1]))
        {
            throw new ArgumentException("Chunk starts are at least two increasing values from 0 (the last is the row count).", nameof(chunkStarts));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (elementSize is not (4 or 8))
        {
            throw new ArgumentOutOfRangeException(nameof(elementSize), elementSize, "4 (float) or 8 (double).");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        int[] starts = [.. chunkStarts];
        RowPartition partition = RowPartition.WithStarts(starts);
        return new ShardPlan(starts[^1], columns, elementSize, 0, partition.ChunkCount, Deal(partition, shards), starts);
    }

    /// <summary>The chunk starts of shard <paramref name="shard"/> of a sparse plan, relative to its first row.</summary>
    internal int[] ShardChunkStarts(int shard)
    {
        ShardRange range = Shards[shard];
        int[] starts = new int[range.Chunks + 1];
        for (int c = 0; c <= range.Chunks; c++)
        {
            starts[c] = _chunkStarts![range.FirstChunk + c] - range.FirstRow;
        }

        return starts;
    }

    /// <summary>The chunks dealt out to at most <paramref name="shards"/> shards as contiguous runs, as even as whole chunks allow.</summary>
    private static ShardRange[] Deal(RowPartition partition, int shards)
    {
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

        return ranges;
    }
}
