using System.Runtime.ExceptionServices;

namespace FastLogReg.Parallelism;

/// <summary>
/// Runs a body once per chunk on up to <see cref="DegreeOfParallelism"/> threads — <c>Parallel.For</c> over the fixed
/// chunks, without its per-call bookkeeping (about 1.6 KB per call, measured), so an epoch allocates nothing.
/// </summary>
/// <remarks>
/// Participant p (the caller is 0, pool threads are 1…P−1) owns the contiguous chunks [p·C/P, (p+1)·C/P) and walks them
/// in order — each thread streams through its own part of memory, as <c>Parallel.For</c>'s range partitioning does —
/// then claims what is left of the others' ranges. Which thread runs which chunk therefore varies; callers write each
/// chunk's result to that chunk's own slot and reduce in chunk order, which keeps results independent of the thread
/// count. Pool threads only help: if none is scheduled, the caller does every chunk. One <see cref="Run"/> at a time.
/// </remarks>
internal sealed class ChunkRunner
{
    /// <summary>Ints between two range cursors, so that they sit on different cache lines.</summary>
    private const int CursorStride = 16;

    private readonly Action<int> _body;
    private readonly Worker[] _workers;
    private readonly int[] _cursors; // next chunk of range p at [p * CursorStride]
    private readonly int[] _ends;    // end of range p
    private readonly ManualResetEventSlim _allDone = new(initialState: false);
    private int _remaining; // chunks of the current run not yet finished
    private ExceptionDispatchInfo? _failure;

    public ChunkRunner(int chunkCount, int? maxDegreeOfParallelism, Action<int> body)
    {
        ChunkCount = chunkCount;
        DegreeOfParallelism = Math.Max(1, Math.Min(maxDegreeOfParallelism ?? Environment.ProcessorCount, chunkCount));
        _body = body;
        _workers = new Worker[DegreeOfParallelism - 1];
        for (int i = 0; i < _workers.Length; i++)
        {
            _workers[i] = new Worker(this, i + 1);
        }

        _cursors = new int[DegreeOfParallelism * CursorStride];
        _ends = new int[DegreeOfParallelism];
        for (int p = 0; p < DegreeOfParallelism; p++)
        {
            _ends[p] = (int)((long)(p + 1) * chunkCount / DegreeOfParallelism);
        }
    }

    /// <summary>Number of chunks.</summary>
    public int ChunkCount { get; }

    /// <summary>Threads used at most, the caller's included.</summary>
    public int DegreeOfParallelism { get; }

    /// <summary>Calls the body for every chunk and returns when all calls have finished; rethrows the first failure.</summary>
    public void Run()
    {
        if (_workers.Length == 0)
        {
            for (int c = 0; c < ChunkCount; c++)
            {
                _body(c);
            }

            return;
        }

        // Completion is counted in chunks, not in threads: a helper left over from an earlier run can then neither end
        // this run early nor be waited for. Every cursor is exhausted here (the last run finished all its chunks), so no
        // chunk can be claimed before the count and the cursors are set.
        _failure = null;
        Volatile.Write(ref _remaining, ChunkCount);
        for (int p = 0; p < DegreeOfParallelism; p++)
        {
            Volatile.Write(ref _cursors[p * CursorStride], p == 0 ? 0 : _ends[p - 1]);
        }

        foreach (Worker worker in _workers)
        {
            worker.QueueUnlessPending();
        }

        Work(0);

        // The event is only a wake-up hint: a finisher of an earlier run may set it late, so the count decides. Reset
        // before re-checking, so that a set that belongs to this run is never lost (the count reaches 0 before the set).
        while (Volatile.Read(ref _remaining) != 0)
        {
            _allDone.Wait();
            _allDone.Reset();
        }

        _failure?.Throw();
    }

    /// <summary>The participant's own range first, then whatever remains of the others'.</summary>
    private void Work(int participant)
    {
        for (int k = 0; k < DegreeOfParallelism; k++)
        {
            int range = (participant + k) % DegreeOfParallelism;
            int chunk;
            while ((chunk = Interlocked.Increment(ref _cursors[range * CursorStride]) - 1) < _ends[range])
            {
                try
                {
                    _body(chunk);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref _failure, ExceptionDispatchInfo.Capture(e), null);
                }

                if (Interlocked.Decrement(ref _remaining) == 0)
                {
                    _allDone.Set();
                }
            }
        }
    }

    private sealed class Worker(ChunkRunner runner, int participant) : IThreadPoolWorkItem
    {
        private int _pending;

        /// <summary>
        /// Queues this helper unless it is already waiting in the pool's queue. When the pool is busy, helpers start late;
        /// queuing one per run regardless would pile them up and grow (allocate) the queue every epoch. A helper that
        /// starts late simply joins whichever run is current.
        /// </summary>
        public void QueueUnlessPending()
        {
            if (Interlocked.Exchange(ref _pending, 1) == 0)
            {
                ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
            }
        }

        public void Execute()
        {
            Volatile.Write(ref _pending, 0);
            runner.Work(participant);
        }
    }
}
