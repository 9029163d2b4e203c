using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Parallelism;

namespace FastLogReg.Benchmarks;

/// <summary>
/// The fused epoch's arithmetic without its memory traffic: each thread evaluates the fused objective, one thread each,
/// over its own slice of at most <see cref="SliceBytes"/> of rows (which stays in that core's L2) as many times as it
/// takes to cover the thread's share of the rows. Same kernel, same row count, same work per row as
/// <see cref="KernelWorkload{T}.FusedEpoch"/>; only the rows are re-read from cache instead of from L3 or memory.
/// It is the floor of the fused epoch on this machine: no layout or prefetching can make the epoch faster than its
/// arithmetic on rows already in cache. The per-slice evaluations add a small overhead (chunk reduction per slice,
/// a few per cent at 20,000 × 100), which makes this floor slightly higher than the kernel's true arithmetic.
/// </summary>
public sealed class CacheResidentEpoch<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Largest slice: three quarters of a Zen 4/5 core's 1 MiB L2, leaving room for the gradient and the stack.</summary>
    public const int SliceBytes = 768 * 1024;

    private readonly LogisticObjective<T>[] _slices;
    private readonly double[][] _gradients;
    private readonly double[] _losses;
    private readonly double[] _point;
    private readonly int _repeats;
    private readonly ChunkRunner _runner;

    public CacheResidentEpoch(DenseDataset<T> data, double[] point, int threads)
    {
        int rows = data.Rows;
        int columns = data.Columns;
        if (rows % threads != 0)
        {
            throw new ArgumentException($"{rows} rows do not split evenly over {threads} threads.", nameof(threads));
        }

        int share = rows / threads;
        long rowBytes = (long)columns * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        SliceRows = LargestDivisorAtMost(share, (int)Math.Max(1, SliceBytes / rowBytes));
        _repeats = share / SliceRows;
        _point = point;
        _slices = new LogisticObjective<T>[threads];
        _gradients = new double[threads][];
        _losses = new double[threads];
        for (int t = 0; t < threads; t++)
        {
            DenseDataset<T> slice = DenseDataset.Create(
                data.Features.Slice(t * SliceRows * columns, SliceRows * columns),
                data.Labels.Slice(t * SliceRows, SliceRows),
                columns);
            _slices[t] = new LogisticObjective<T>(slice, l2: 0, fitIntercept: true, maxDegreeOfParallelism: 1);
            _gradients[t] = new double[point.Length];
        }

        _runner = new ChunkRunner(threads, threads, Slice);
    }

    /// <summary>Rows in each thread's slice (a divisor of the thread's share of the rows).</summary>
    public int SliceRows { get; }

    /// <summary>Every thread evaluates its slice until it has covered its share of the rows.</summary>
    public double Run()
    {
        _runner.Run();
        double total = 0;
        foreach (double loss in _losses)
        {
            total += loss;
        }

        return total;
    }

    private void Slice(int thread)
    {
        double loss = 0;
        for (int r = 0; r < _repeats; r++)
        {
            loss += _slices[thread].Evaluate(_point, _gradients[thread]);
        }

        _losses[thread] = loss;
    }

    private static int LargestDivisorAtMost(int n, int limit)
    {
        for (int d = Math.Min(n, limit); d > 1; d--)
        {
            if (n % d == 0)
            {
                return d;
            }
        }

        return 1;
    }
}
