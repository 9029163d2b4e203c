using FastLogReg.Parallelism;
using Xunit;

namespace FastLogReg.Tests.Parallelism;

public class ChunkRunnerTests
{
    /// <summary>
    /// Every run must return only after each of its chunks ran exactly once and finished — even when pool threads start
    /// late, or are preempted between finishing one run and the start of the next (the epoch's reduction reads the
    /// chunks' slots as soon as Run returns). Bodies of random length and extra pool work make the interleavings vary.
    /// </summary>
    [Fact]
    public void EveryRunReturnsOnlyWhenAllItsChunksHaveFinished()
    {
        const int Chunks = 7;
        int[] finishedInRun = new int[Chunks];
        int[] startedInRun = new int[Chunks];
        int run = 0;
        var rng = new ThreadLocal<Random>(() => new Random(Environment.CurrentManagedThreadId));
        var runner = new ChunkRunner(Chunks, 3, c =>
        {
            Interlocked.Exchange(ref startedInRun[c], Volatile.Read(ref run));
            Thread.SpinWait(rng.Value!.Next(0, 2000));
            Interlocked.Exchange(ref finishedInRun[c], Volatile.Read(ref run));
        });

        using var noise = new CancellationTokenSource();
        var busy = new Thread(() =>
        {
            while (!noise.IsCancellationRequested)
            {
                ThreadPool.UnsafeQueueUserWorkItem(_ => Thread.SpinWait(500), null);
                Thread.Sleep(0);
            }
        });
        busy.Start();

        try
        {
            for (int r = 1; r <= 3000; r++)
            {
                Volatile.Write(ref run, r);
                runner.Run();
                for (int c = 0; c < Chunks; c++)
                {
                    Assert.True(Volatile.Read(ref finishedInRun[c]) == r, $"run {r} returned before chunk {c} finished");
                }
            }
        }
        finally
        {
            noise.Cancel();
            busy.Join();
        }
    }

    [Fact]
    public void AFailingChunkIsRethrownAfterTheOthersFinish()
    {
        int done = 0;
        var runner = new ChunkRunner(6, 2, c =>
        {
            if (c == 4)
            {
                throw new InvalidOperationException("chunk 4");
            }

            Interlocked.Increment(ref done);
        });

        var e = Assert.Throws<InvalidOperationException>(runner.Run);
        Assert.Equal("chunk 4", e.Message);
        Assert.Equal(5, Volatile.Read(ref done));
    }
}
