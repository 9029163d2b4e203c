using BenchmarkDotNet.Attributes;

namespace FastLogReg.Benchmarks;

/// <summary>
/// The former CI gate's short run: a cache-resident (20,000 × 100) and a memory-bound (1,000,000 × 100) float shape on
/// two threads — the fused epoch and batch prediction (on one thread: a 0.1 ms parallel batch measures the thread pool's
/// wake-up more than the kernel), with the streaming read and the textbook loop as yardsticks measured in the same run,
/// so that the ratios cancel the machine's speed — but not its microarchitecture (issue 18: on Zen 4 they read +59% on
/// unchanged code). So PerfTool's <c>gate</c> compares a run with the reference stored for the CPU it runs on
/// (perf-results/gate/reference/&lt;cpu&gt;/), and CI runs the A/B gate instead (.ci/gate).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 15)]
[IterationTime(100)]
public class GateBenchmarks
{
    private KernelWorkload<float> _work = null!;

    [Params("20000x100", "1000000x100")]
    public string Shape { get; set; } = "20000x100";

    [GlobalSetup]
    public void Setup() => _work = new KernelWorkload<float>(Shape, threads: 2, predictionThreads: 1);

    [Benchmark(Baseline = true)]
    public double StreamingRead() => _work.StreamingRead();

    [Benchmark]
    public double Textbook() => _work.Textbook();

    [Benchmark]
    public double FusedEpoch() => _work.FusedEpoch();

    [Benchmark]
    public int BatchPrediction() => _work.BatchPrediction();
}
