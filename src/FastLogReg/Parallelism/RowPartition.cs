namespace FastLogReg.Parallelism;

/// <summary>
/// A fixed split of rows into chunks that depends only on the data — never on the thread count or the number of
/// machines — so that per-chunk partial sums, reduced in chunk order, give bit-identical results for any degree of
/// parallelism. Dense rows are cut into equal runs of about 1 MiB of features; sparse rows where the running count of
/// non-zeros crosses multiples of about 1 MiB of values and indices.
/// </summary>
internal readonly struct RowPartition
{
    /// <summary>Target bytes of data per chunk: large enough to amortize scheduling, small enough to balance cores.</summary>
    public const long ChunkBytes = 1L << 20;

    private const int MinChunkRows = 64;

    /// <summary>Upper bound on chunks, which bounds the memory of the per-chunk partial gradients.</summary>
    public const int MaxChunks = 1024;

    private readonly int[]? _starts; // chunk c is [_starts[c], _starts[c + 1]); null for equal runs of ChunkRows

    private RowPartition(int rows, int chunkRows)
    {
        Rows = rows;
        ChunkRows = chunkRows;
        ChunkCount = (int)(((long)rows + chunkRows - 1) / chunkRows);
        _starts = null;
    }

    private RowPartition(int rows, int[] starts)
    {
        Rows = rows;
        ChunkRows = 0;
        ChunkCount = starts.Length - 1;
        _starts = starts;
    }

    /// <summary>Total rows.</summary>
    public int Rows { get; }

    /// <summary>Rows per chunk for equal runs (the last chunk may be shorter); 0 when chunks are cut by non-zeros.</summary>
    public int ChunkRows { get; }

    /// <summary>Number of chunks, at least 1.</summary>
    public int ChunkCount { get; }

    /// <summary>Chunks starting at <paramref name="starts"/> (the last entry is the row count): a shard's sparse rows cut as the whole data set's are.</summary>
    public static RowPartition WithStarts(int[] starts) => new(starts[^1], starts);

    /// <summary>
    /// The partition of compressed sparse rows of <paramref name="columns"/> columns and <paramref name="elementSize"/>-byte
    /// values: chunks of about 1 MiB of non-zeros — but each chunk's partial gradient is a dense vector of d sums, and
    /// folding them costs chunks × d per pass, so wide data gets fewer, larger chunks, at most as many as keep those
    /// vectors within half the bytes of the non-zeros (a fold that costs less than half a read of the data).
    /// </summary>
    public static RowPartition Sparse(ReadOnlySpan<long> rowOffsets, int columns, int elementSize)
    {
        int bytesPerNonZero = elementSize + sizeof(int);
        long nonZeros = rowOffsets[^1];
        long byBytes = ChunkBytes / bytesPerNonZero;
        long maxChunks = Math.Max(1, nonZeros * bytesPerNonZero / (2L * columns * sizeof(double)));
        long byWidth = (nonZeros + maxChunks - 1) / maxChunks;
        return ByNonZeros(rowOffsets, Math.Max(1, Math.Max(byBytes, byWidth)));
    }

    /// <summary>
    /// The partition of compressed sparse rows for passes that always run on one thread (dual coordinate descent's
    /// objective): as few chunks as a chunk's non-zeros fit <c>int</c> spans comfortably (one below 2²⁸), because each
    /// chunk's dense partial gradient of d sums is cleared, scattered into and folded every pass and nothing runs
    /// beside it. Measured at 20,000 × 500,000 × 600 (12 chunks by <see cref="Sparse"/>): one evaluation ~40 instead of
    /// ~52 ms, a fit 12% faster.
    /// </summary>
    public static RowPartition SparseOneThread(ReadOnlySpan<long> rowOffsets) => ByNonZeros(rowOffsets, OneThreadChunkNonZeros);

    /// <summary>Non-zeros per chunk of <see cref="SparseOneThread"/>.</summary>
    internal const long OneThreadChunkNonZeros = 1L << 28;

    /// <summary>Where each chunk starts, then the row count (chunk count + 1 entries).</summary>
    public int[] Starts()
    {
        int[] starts = new int[ChunkCount + 1];
        for (int c = 0; c < ChunkCount; c++)
        {
            starts[c] = this[c].Start;
        }

        starts[ChunkCount] = Rows;
        return starts;
    }

    /// <summary>Chunks of <paramref name="chunkRows"/> rows (the last one shorter): a shard's rows cut as the whole data set's are.</summary>
    public static RowPartition WithChunkRows(int rows, int chunkRows) => new(rows, Math.Max(chunkRows, 1));

    /// <summary>The partition of dense rows of <paramref name="columns"/> elements of <paramref name="elementSize"/> bytes.</summary>
    public static RowPartition For(int rows, int columns, int elementSize)
    {
        long rowBytes = (long)columns * elementSize;
        long chunkRows = Math.Max((ChunkBytes + rowBytes - 1) / rowBytes, MinChunkRows);
        long needed = Math.Max(((long)rows + MaxChunks - 1) / MaxChunks, 1);
        chunkRows = Math.Min(Math.Max(chunkRows, needed), Math.Max(rows, 1));
        return new RowPartition(rows, (int)chunkRows);
    }

    /// <summary>
    /// The partition of sparse rows: a chunk ends at the first row boundary where its non-zeros reach
    /// <paramref name="chunkNonZeros"/> (so a chunk holds at least one row, and rows are never split).
    /// </summary>
    /// <param name="rowOffsets">Rows + 1 offsets into the non-zeros.</param>
    /// <param name="chunkNonZeros">Non-zeros per chunk to aim for, at least 1.</param>
    public static RowPartition ByNonZeros(ReadOnlySpan<long> rowOffsets, long chunkNonZeros)
    {
        int rows = rowOffsets.Length - 1;
        long total = rowOffsets[^1];
        chunkNonZeros = Math.Max(chunkNonZeros, Math.Max((total + MaxChunks - 1) / MaxChunks, 1));
        var starts = new List<int> { 0 };
        long next = chunkNonZeros;
        for (int i = 1; i < rows; i++)
        {
            if (rowOffsets[i] >= next)
            {
                starts.Add(i);
                next = rowOffsets[i] + chunkNonZeros;
            }
        }

        starts.Add(Math.Max(rows, 1));
        return new RowPartition(rows, starts.ToArray());
    }

    /// <summary>First row and row count of chunk <paramref name="chunk"/>.</summary>
    public (int Start, int Count) this[int chunk]
    {
        get
        {
            if (_starts is { } starts)
            {
                return (starts[chunk], starts[chunk + 1] - starts[chunk]);
            }

            int start = chunk * ChunkRows;
            return (start, Math.Min(ChunkRows, Rows - start));
        }
    }
}
