using System.Numerics;
using BenchmarkDotNet.Attributes;

namespace FastLogReg.Benchmarks;

/// <summary>
/// How cost grows with data size: eight shapes from 1,000 × 10 (in L1/L2) through 100,000 × 100 (beyond the caches)
/// to 1,000,000 × 100 and 20,000 × 2,000 (memory-bound), float and double, 1 and 2 threads. For each: one fused epoch,
/// the textbook loop, the streaming-read yardstick (the baseline), batch prediction, and training to convergence with
/// the default solver. Columns add rows/s, GB/s of feature data and % of the streaming read's throughput.
/// Run it all with <c>dotnet run -c Release --project benchmarks/FastLogReg.Benchmarks -- --filter '*SuiteBenchmarks*'</c>.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 4, iterationCount: 8)]
[IterationTime(100)]
[GenericTypeArguments(typeof(float))]
[GenericTypeArguments(typeof(double))]
[ThroughputColumns]
public class SuiteBenchmarks<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private KernelWorkload<T> _work = null!;

    [Params("1000x10", "1000x100", "10000x10", "10000x100", "20000x100", "100000x100", "20000x2000", "1000000x100")]
    public string Shape { get; set; } = "1000x10";

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup() => _work = new KernelWorkload<T>(Shape, Threads);

    [Benchmark(Baseline = true, Description = "Streaming read")]
    public double StreamingRead() => _work.StreamingRead();

    [Benchmark(Description = "Fused epoch")]
    public double FusedEpoch() => _work.FusedEpoch();

    [Benchmark(Description = "Textbook loop")]
    public double Textbook() => _work.Textbook();

    [Benchmark(Description = "Batch prediction")]
    public int BatchPrediction() => _work.BatchPrediction();

    [Benchmark(Description = "Train to convergence (L-BFGS)")]
    public int TrainToConvergence() => _work.TrainToConvergence();
}
