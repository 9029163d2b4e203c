namespace FastLogReg.Parallelism;

/// <summary>
/// A fixed split of rows into chunks that depends only on the data's shape — never on the thread count — so that
/// per-chunk partial sums, reduced in chunk order, give bit-identical results for any degree of parallelism.
/// </summary>
internal readonly struct RowPartition
{
    /// <summary>Target bytes of features per chunk: large enough to amortize scheduling, small enough to balance cores.</summary>
    private const long ChunkBytes = 1L << 20;

    private const int MinChunkRows = 64;

    /// <summary>Upper bound on chunks, which bounds the memory of the per-chunk partial gradients.</summary>
    private const int MaxChunks = 1024;

    private RowPartition(int rows, int chunkRows)
    {
        Rows = rows;
        ChunkRows = chunkRows;
        ChunkCount = (int)(((long)rows + chunkRows - 1) / chunkRows);
    }

    /// <summary>Total rows.</summary>
    public int Rows { get; }

    /// <summary>Rows per chunk (the last chunk may be shorter).</summary>
    public int ChunkRows { get; }

    /// <summary>Number of chunks, at least 1.</summary>
    public int ChunkCount { get; }

    /// <summary>The partition for a data shape.</summary>
    public static RowPartition For(int rows, int columns, int elementSize)
    {
        long rowBytes = (long)columns * elementSize;
        long chunkRows = Math.Max((ChunkBytes + rowBytes - 1) / rowBytes, MinChunkRows);
        long needed = Math.Max(((long)rows + MaxChunks - 1) / MaxChunks, 1);
        chunkRows = Math.Min(Math.Max(chunkRows, needed), Math.Max(rows, 1));
        return new RowPartition(rows, (int)chunkRows);
    }

    /// <summary>First row and row count of chunk <paramref name="chunk"/>.</summary>
    public (int Start, int Count) this[int chunk]
    {
        get
        {
            int start = chunk * ChunkRows;
            return (start, Math.Min(ChunkRows, Rows - start));
        }
    }
}
