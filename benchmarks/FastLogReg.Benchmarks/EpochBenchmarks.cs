using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace FastLogReg.Benchmarks;

/// <summary>
/// One epoch — mean loss and full gradient at a fixed point — on the same data: the fused kernel, the textbook scalar
/// loop, the naive per-row TensorPrimitives pass (in the data's type, and with double sums as FastLogReg keeps them),
/// the streaming read of the same bytes (the baseline: an epoch cannot beat reading the features once), and the fused
/// kernel on rows that stay in cache (the floor: an epoch cannot beat its own arithmetic).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 4, iterationCount: 12)]
[IterationTime(250)]
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
public class EpochBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private KernelWorkload<T> _work = null!;

    [Params("20000x100", "20000x2000", "1000000x100")]
    public string Shape { get; set; } = "20000x100";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _work = new KernelWorkload<T>(Shape, Threads);

    [Benchmark(Baseline = true, Description = "Streaming read (Σ X)")]
    public double StreamingRead() => _work.StreamingRead();

    [Benchmark(Description = "Fused kernel")]
    public double Fused() => _work.FusedEpoch();

    [Benchmark(Description = "Naive per-row TensorPrimitives")]
    public double NaivePerRow() => _work.NaivePerRow();

    [Benchmark(Description = "Naive per-row TensorPrimitives, double sums")]
    public double NaivePerRowDoubleSums() => _work.NaivePerRowDoubleSums();

    [Benchmark(Description = "Fused kernel, rows in L2")]
    public double FusedCacheResident() => _work.FusedEpochCacheResident();

    [Benchmark(Description = "Textbook loop (1 thread)")]
    public double Textbook() => _work.Textbook();
}
