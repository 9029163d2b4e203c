using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.Data;
using FastLogReg.Training;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Where exact Newton (the whole Hessian and a Cholesky solve, <see cref="Solver.NewtonCholesky"/>) wins against
/// trust-region Newton-CG (the baseline) and L-BFGS: time to within 10⁻⁸ of the optimum (C = 1, two threads) on the
/// ill-conditioned shapes — raw breast cancer (d = 30), digits 3 vs 8 on raw pixels (64), correlated columns scaled
/// 10⁻² … 10² (<see cref="IllConditioned"/>: 200,000 × 30, 20,000 × 100, 50,000 × 500) — and two well-conditioned ones.
/// </summary>
/// <remarks>
/// Each solver is calibrated as in <see cref="TimeToOptimumBenchmarks"/> (the loosest tolerance reaching the gap, within
/// a budget); the reached gap and passes are written to <c>FASTLOGREG_TIME_TO_OPTIMUM_CSV</c>. L-BFGS is skipped (timed
/// as zero work) on 50,000 × 500, where it does not get within 10⁻³ in a minute (docs/performance.md).
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ExactNewtonBenchmarks
{
    private const int Threads = 2;
    private const double Gap = 1e-8;
    private static readonly TimeSpan CalibrationBudget = TimeSpan.FromSeconds(60);

    /// <summary>The optimum per data set: the lower of both Newtons at 10⁻¹⁴ (L-BFGS at 10⁻¹² takes minutes on 50,000 × 500 and gets no lower).</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, double> References = new();

    private DenseDataset<float> _data = null!;
    private TrainingOptions? _options;

    [Params("breast-cancer-raw", "digits-3v8-raw", "correlated-200000x30", "correlated-20000x100", "correlated-50000x500", "breast-cancer", "20000x100")]
    public string Data { get; set; } = "breast-cancer-raw";

    [GlobalSetup(Target = nameof(TrustRegionNewton))]
    public void SetupNewton() => Setup(Solver.Newton);

    [GlobalSetup(Target = nameof(NewtonCholesky))]
    public void SetupNewtonCholesky() => Setup(Solver.NewtonCholesky);

    [GlobalSetup(Target = nameof(Lbfgs))]
    public void SetupLbfgs()
    {
        if (Data == "correlated-50000x500")
        {
            _options = null;
            return;
        }

        Setup(Solver.Lbfgs);
    }

    [Benchmark(Baseline = true, Description = "trust-region Newton")]
    public object? TrustRegionNewton() => LogisticRegression.Train(_data, _options!);

    [Benchmark(Description = "Newton-Cholesky")]
    public object? NewtonCholesky() => LogisticRegression.Train(_data, _options!);

    [Benchmark(Description = "L-BFGS")]
    public object? Lbfgs() => _options is null ? null : LogisticRegression.Train(_data, _options);

    private void Setup(Solver solver)
    {
        _data = IllConditioned.Load(Data);
        double lambda = TrainingOptions.L2FromScikitLearnC(1.0, _data.Rows);
        double reference = References.GetOrAdd(Data, _ => Math.Min(
            LogisticRegression.Train(_data, new TrainingOptions { Solver = Solver.NewtonCholesky, Lambda = lambda, Tolerance = 1e-14, MaxIterations = 200 }).Report.FinalObjective,
            LogisticRegression.Train(_data, new TrainingOptions { Solver = Solver.Newton, Lambda = lambda, Tolerance = 1e-14, MaxIterations = 10_000 }).Report.FinalObjective));
        Calibration c = Calibration.Run(_data, lambda, reference, solver, Threads, CalibrationBudget, Gap);
        _options = c.Options;
        Calibration.Record(Data, "FastLogReg " + solver, c.Setting, c.Gap, c.Passes, c.Target);
    }
}
