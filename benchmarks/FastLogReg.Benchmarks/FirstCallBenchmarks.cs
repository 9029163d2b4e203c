using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// The first call against the steady state: training on the standardized breast-cancer data (the main job's problem)
/// with the default solver. The cold-start job measures the first invocation in each of ten fresh processes — JIT
/// compilation included, which is what a short real run pays; the throughput job measures warmed-up calls. The fused
/// kernel's stages are compiled fully optimized on first use (AggressiveOptimization), so a short run never executes
/// them in tier 0. For where a first fit's time goes, and for ReadyToRun builds, see benchmarks/FastLogReg.FirstFit.
/// </summary>
[SimpleJob(RunStrategy.ColdStart, launchCount: 10, warmupCount: 0, iterationCount: 1, id: "FirstCall")]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 5, iterationCount: 15, id: "SteadyState")]
public class FirstCallBenchmarks
{
    private DenseDataset<float> _data = null!;
    private TrainingOptions _options = null!;

    [GlobalSetup]
    public void Setup()
    {
        _data = TimeToOptimumBenchmarks.BreastCancerStandardized();
        _options = new TrainingOptions { L2 = TrainingOptions.L2FromScikitLearnC(1.0, _data.Rows) };
    }

    [Benchmark(Description = "Train breast cancer (L-BFGS)")]
    public int Train() => LogisticRegression.Train(_data, _options).Report.Iterations;
}
