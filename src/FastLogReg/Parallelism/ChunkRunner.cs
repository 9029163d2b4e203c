namespace FastLogReg.Parallelism;

/// <summary>
/// Runs a body once per chunk, on up to <see cref="DegreeOfParallelism"/> threads with <see cref="Parallel.For(int, int, ParallelOptions, Action{int})"/>.
/// The body delegate and the options are created once, so a run allocates only what <c>Parallel.For</c> itself needs;
/// with one thread (or one chunk) it runs inline and allocates nothing.
/// </summary>
internal sealed class ChunkRunner
{
    private readonly Action<int> _body;
    private readonly ParallelOptions _options;

    public ChunkRunner(int chunkCount, int? maxDegreeOfParallelism, Action<int> body)
    {
        ChunkCount = chunkCount;
        DegreeOfParallelism = Math.Max(1, Math.Min(maxDegreeOfParallelism ?? Environment.ProcessorCount, chunkCount));
        _body = body;
        _options = new ParallelOptions { MaxDegreeOfParallelism = DegreeOfParallelism };
    }

    /// <summary>Number of chunks.</summary>
    public int ChunkCount { get; }

    /// <summary>Threads used at most.</summary>
    public int DegreeOfParallelism { get; }

    /// <summary>Calls the body for every chunk and returns when all are done.</summary>
    public void Run()
    {
        if (DegreeOfParallelism == 1)
        {
            for (int c = 0; c < ChunkCount; c++)
            {
                _body(c);
            }

            return;
        }

        Parallel.For(0, ChunkCount, _options, _body);
    }
}
