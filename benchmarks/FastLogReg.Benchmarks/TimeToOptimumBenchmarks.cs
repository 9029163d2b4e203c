using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Training;
using Microsoft.ML.Calibrators;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Time to reach the optimum — an objective within 10⁻⁶ (relative) of a tight reference for ML.NET, and within 10⁻⁹ for
/// FastLogReg so that its objective is never worse than ML.NET's — for FastLogReg's default
/// solver (L-BFGS) and its backtracking gradient descent, and for ML.NET's <c>LbfgsLogisticRegression</c> (the baseline) on the same float data with the same L2 strength
/// (scikit-learn C = 1: λ = 1/(C·n); ML.NET's L2Regularization = 1/C), two threads each.
/// </summary>
/// <remarks>
/// Each method's tolerance is calibrated first, in its own process: tightened tenfold from 10⁻³ until its model's
/// objective (scored by FastLogReg's double-precision objective) is within 10⁻⁶ of the reference. Then the benchmark
/// times one training run with that tolerance. Passes over the data and the final gap are written to the side file
/// <c>time-to-optimum.csv</c> (next to the results) and printed in the log. A method that cannot reach the target within
/// its budget is timed at its best setting and marked "not reached". The other solvers (fixed-step and Nesterov descent,
/// mini-batch SGD) need hundreds to thousands of passes on the large sets; <see cref="SolverSurvey"/> reports them.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class TimeToOptimumBenchmarks
{
    internal const double Target = 1e-6;

    /// <summary>
    /// FastLogReg's own target: a thousand times tighter than ML.NET's, so that every FastLogReg time is for an objective
    /// at least as good as ML.NET's (which lands between 10⁻⁹ and 10⁻⁶ of the reference).
    /// </summary>
    internal const double StrictTarget = 1e-9;
    private const int Threads = 2;
    private static readonly TimeSpan CalibrationBudget = TimeSpan.FromSeconds(40);

    private DenseDataset<float> _data = null!;
    private LogisticObjective<float> _scorer = null!;
    private double _l2;
    private double _reference;
    private TrainingOptions _options = null!;
    private MLContext _ml = null!;
    private IDataView _view = null!;
    private LbfgsLogisticRegressionBinaryTrainer.Options _mlOptions = null!;

    [Params("breast-cancer", "20000x100", "1000000x100")]
    public string Data { get; set; } = "breast-cancer";

    [GlobalSetup(Target = nameof(MlNetLbfgs))]
    public void SetupMlNet()
    {
        Load();
        _ml = new MLContext(seed: 1);
        _view = MlNetView.Create(_ml, _data);

        (double tolerance, double gap) = Calibration.MlNetTolerance(
            at =>
            {
                _mlOptions = MlNetOptions(at);
                var model = _ml.BinaryClassification.Trainers.LbfgsLogisticRegression(_mlOptions).Fit(_view);
                return (ScoreMlNet(model) - _reference) / _reference;
            },
            CalibrationBudget);
        Record("ML.NET LbfgsLogisticRegression", Calibration.MlNetSetting(tolerance), gap, double.NaN, Target);
    }

    [GlobalSetup(Target = nameof(Lbfgs))]
    public void SetupLbfgs() => SetupFastLogReg(Solver.Lbfgs);

    [GlobalSetup(Target = nameof(BacktrackingGradientDescent))]
    public void SetupBacktracking() => SetupFastLogReg(Solver.BacktrackingGradientDescent);

    [Benchmark(Baseline = true, Description = "ML.NET LbfgsLogisticRegression")]
    public object MlNetLbfgs() => _ml.BinaryClassification.Trainers.LbfgsLogisticRegression(_mlOptions).Fit(_view);

    [Benchmark(Description = "FastLogReg L-BFGS (default)")]
    public object Lbfgs() => LogisticRegression.Train(_data, _options);

    [Benchmark(Description = "FastLogReg backtracking GD")]
    public object BacktrackingGradientDescent() => LogisticRegression.Train(_data, _options);

    private void Load()
    {
        _data = Load(Data);
        _l2 = TrainingOptions.L2FromScikitLearnC(1.0, _data.Rows);
        _scorer = new LogisticObjective<float>(_data, _l2, fitIntercept: true, maxDegreeOfParallelism: Threads);
        _reference = Calibration.Reference(_data, _l2);
    }

    /// <summary>The named data set: "breast-cancer" (standardized) or "rows x columns" of structured synthetic data.</summary>
    internal static DenseDataset<float> Load(string name) => name switch
    {
        "breast-cancer" => BreastCancerStandardized(),
        _ => Structured(Workload.Parse(name)),
    };

    private LbfgsLogisticRegressionBinaryTrainer.Options MlNetOptions(double tolerance) => new()
    {
        L2Regularization = 1.0f, // = 1/C with C = 1: ML.NET minimizes (Σᵢ ℓᵢ + (L2/2)‖w‖²)/n
        L1Regularization = 0,
        OptimizationTolerance = (float)tolerance,
        MaximumNumberOfIterations = 100_000,
        NumberOfThreads = Threads,
    };

    /// <summary>The objective of an ML.NET model, scored by FastLogReg's double-precision objective.</summary>
    private double ScoreMlNet(BinaryPredictionTransformer<CalibratedModelParametersBase<LinearBinaryModelParameters, PlattCalibrator>> model)
    {
        LinearBinaryModelParameters linear = model.Model.SubModel;
        double[] point = [.. linear.Weights.Select(v => (double)v), linear.Bias];
        return _scorer.Evaluate(point, new double[point.Length]);
    }

    private void SetupFastLogReg(Solver solver)
    {
        Load();
        Calibration c = Calibration.Run(_data, _l2, _reference, solver, Threads, CalibrationBudget, StrictTarget);
        _options = c.Options;
        Record("FastLogReg " + solver, c.Setting, c.Gap, c.Passes, c.Target);
    }

    private void Record(string method, string setting, double gap, double passes, double target) => Calibration.Record(Data, method, setting, gap, passes, target);

    internal static DenseDataset<float> BreastCancerStandardized()
    {
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "breast_cancer.csv"));
        int d = lines[0].Split(',').Length - 1;
        double[][] rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        int n = rows.Length;
        float[] x = new float[n * d];
        for (int j = 0; j < d; j++)
        {
            double mean = rows.Average(r => r[j]);
            double sd = Math.Sqrt(rows.Average(r => (r[j] - mean) * (r[j] - mean)));
            for (int i = 0; i < n; i++)
            {
                x[(i * d) + j] = (float)((rows[i][j] - mean) / sd);
            }
        }

        return DenseDataset.Create(x, rows.Select(r => (float)r[d]).ToArray(), d);
    }

    /// <summary>Features uniform in [−1, 1]; labels drawn from a logistic model with wⱼ = ((j mod 7) − 3)/4, b = 0.3.</summary>
    internal static DenseDataset<float> Structured((int Rows, int Columns) shape)
    {
        (int n, int d) = shape;
        var rng = new Random(42);
        float[] x = new float[(long)n * d];
        float[] y = new float[n];
        for (int i = 0; i < n; i++)
        {
            double z = 0.3;
            for (int j = 0; j < d; j++)
            {
                float v = (float)((rng.NextDouble() * 2) - 1);
                x[((long)i * d) + j] = v;
                z += ((j % 7) - 3) / 4.0 * v;
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        return DenseDataset.Create(x, y, d);
    }
}
