using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace FastLogReg.Benchmarks;

/// <summary>
/// Time to the optimum against ML.NET's <c>LbfgsLogisticRegression</c> (the baseline) for the L2 penalty on the
/// ill-conditioned shapes (raw breast cancer, digits 3 vs 8 on raw pixels) — FastLogReg's L-BFGS and trust-region Newton
/// — and for the L1 penalty (the lasso: ML.NET's OWL-QN with <c>L1Regularization</c>, FastLogReg's OWL-QN) on those and
/// the well-conditioned shapes. C = 1 in scikit-learn's sense for both penalties: λ = 1/(C·n), ML.NET's regularization
/// weight 1/C (ML.NET divides both its weights by n). Two threads each.
/// </summary>
/// <remarks>
/// Calibrated as <see cref="TimeToOptimumBenchmarks"/>: ML.NET's tolerance tightened until its model (scored by
/// FastLogReg's double-precision objective, L1 term included) is within 10⁻⁶ of the reference; FastLogReg's until within
/// 10⁻⁹, so its objective is never the worse one. The reached gap and passes are printed and written to
/// <c>FASTLOGREG_TIME_TO_OPTIMUM_CSV</c>. The Newton row is skipped (timed as zero work) for L1, where Newton does not apply.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class PenaltyTimeToOptimumBenchmarks
{
    private const int Threads = 2;
    private static readonly TimeSpan CalibrationBudget = TimeSpan.FromSeconds(40);

    private DenseDataset<float> _data = null!;
    private double _lambda;
    private double _l1Ratio;
    private double _reference;
    private TrainingOptions? _options;
    private MLContext _ml = null!;
    private IDataView _view = null!;
    private LbfgsLogisticRegressionBinaryTrainer.Options _mlOptions = null!;

    [Params("breast-cancer-raw", "digits-3v8-raw", "breast-cancer", "20000x100")]
    public string Data { get; set; } = "breast-cancer-raw";

    [Params("L2", "L1")]
    public string Penalty { get; set; } = "L2";

    [GlobalSetup(Target = nameof(MlNetLbfgs))]
    public void SetupMlNet()
    {
        Load();
        (double tolerance, double gap) = CalibrateMlNet();
        Record("ML.NET LbfgsLogisticRegression", Calibration.MlNetSetting(tolerance), gap, double.NaN, TimeToOptimumBenchmarks.Target);
        Calibration.WarmUp(MlNetLbfgs);
    }

    /// <summary>
    /// The comparison: FastLogReg's default solver (Auto) calibrated to the objective ML.NET reached — its gap, or
    /// 10⁻⁶ where ML.NET gets closer or never gets there — rather than to 10⁻⁹. ML.NET's calibration runs again in this
    /// process to know that gap.
    /// </summary>
    [GlobalSetup(Target = nameof(Matched))]
    public void SetupMatched() => SetupMatched(Solver.Auto);

    /// <summary>As <see cref="SetupMatched()"/>, with coordinate descent (L1 only).</summary>
    [GlobalSetup(Target = nameof(MatchedCoordinateDescent))]
    public void SetupMatchedCoordinateDescent()
    {
        if (Penalty == "L1")
        {
            SetupMatched(Solver.CoordinateDescent);
        }
        else
        {
            _options = null;
        }
    }

    private void SetupMatched(Solver solver)
    {
        Load();
        (_, double mlGap) = CalibrateMlNet();
        Calibrate(solver, Math.Min(TimeToOptimumBenchmarks.Target, mlGap), "FastLogReg " + solver + ", ML.NET's gap");
    }

    private (double Tolerance, double Gap) CalibrateMlNet()
    {
        _ml = new MLContext(seed: 1);
        _view = MlNetView.Create(_ml, _data);
        return Calibration.MlNetTolerance(
            at =>
            {
                _mlOptions = new LbfgsLogisticRegressionBinaryTrainer.Options
                {
                    L2Regularization = _l1Ratio > 0 ? 0 : 1.0f,
                    L1Regularization = _l1Ratio > 0 ? 1.0f : 0,
                    OptimizationTolerance = (float)at,
                    MaximumNumberOfIterations = 100_000,
                    NumberOfThreads = Threads,
                };
                var model = _ml.BinaryClassification.Trainers.LbfgsLogisticRegression(_mlOptions).Fit(_view);
                LinearBinaryModelParameters linear = model.Model.SubModel;
                return (Score([.. linear.Weights.Select(v => (double)v), linear.Bias]) - _reference) / _reference;
            },
            CalibrationBudget);
    }

    [GlobalSetup(Target = nameof(Default))]
    public void SetupDefault() => SetupFastLogReg(L1RatioFor(Penalty) > 0 ? Solver.OwlQn : Solver.Lbfgs);

    [GlobalSetup(Target = nameof(Newton))]
    public void SetupNewton()
    {
        if (Penalty == "L2")
        {
            SetupFastLogReg(Solver.Newton);
        }
        else
        {
            _options = null;
        }
    }

    [Benchmark(Baseline = true, Description = "ML.NET LbfgsLogisticRegression")]
    public object MlNetLbfgs() => _ml.BinaryClassification.Trainers.LbfgsLogisticRegression(_mlOptions).Fit(_view);

    [Benchmark(Description = "FastLogReg default (L-BFGS; OWL-QN for L1)")]
    public object Default() => LogisticRegression.Train(_data, _options!);

    [Benchmark(Description = "FastLogReg Newton (L2)")]
    public object? Newton() => _options is null ? null : LogisticRegression.Train(_data, _options);

    [Benchmark(Description = "FastLogReg Auto, ML.NET's gap")]
    public object Matched() => LogisticRegression.Train(_data, _options!);

    [Benchmark(Description = "FastLogReg CD, ML.NET's gap (L1)")]
    public object? MatchedCoordinateDescent() => _options is null ? null : LogisticRegression.Train(_data, _options);

    private static double L1RatioFor(string penalty) => penalty == "L1" ? 1 : 0;

    private void Load()
    {
        _data = IllConditioned.Load(Data);
        _lambda = TrainingOptions.L2FromScikitLearnC(1.0, _data.Rows);
        _l1Ratio = L1RatioFor(Penalty);
        _reference = Calibration.Reference(_data, _lambda, _l1Ratio);
    }

    /// <summary>The objective at (w, b), L1 term included, in double precision.</summary>
    private double Score(double[] point)
    {
        var loss = new LogisticObjective<float>(_data, _l1Ratio > 0 ? 0 : _lambda, fitIntercept: true, maxDegreeOfParallelism: Threads);
        double value = loss.Evaluate(point, new double[point.Length]);
        if (_l1Ratio > 0)
        {
            for (int j = 0; j < point.Length - 1; j++)
            {
                value += _lambda * Math.Abs(point[j]);
            }
        }

        return value;
    }

    private void SetupFastLogReg(Solver solver)
    {
        Load();
        Calibrate(solver, TimeToOptimumBenchmarks.StrictTarget, "FastLogReg " + solver);
    }

    /// <summary>Calibrates <paramref name="solver"/> to <paramref name="target"/> (the loaded data), keeps its options and records it as <paramref name="method"/>.</summary>
    private void Calibrate(Solver solver, double target, string method)
    {
        Calibration c = Calibration.Run(_data, _lambda, _reference, solver, Threads, CalibrationBudget, target, _l1Ratio);
        _options = c.Options;
        Record(method, c.Setting, c.Gap, c.Passes, c.Target);
        Calibration.WarmUp(() => LogisticRegression.Train(_data, _options));
    }

    private void Record(string method, string setting, double gap, double passes, double target) => Calibration.Record($"{Data},{Penalty}", method, setting, gap, passes, target);
}

/// <summary>An ML.NET view (Label: bool, Features: a fixed-size float vector) over a dense binary data set.</summary>
internal static class MlNetView
{
    public static IDataView Create(MLContext ml, DenseDataset<float> data)
    {
        int d = data.Columns;
        float[] x = data.Features.ToArray();
        float[] y = data.Labels.ToArray();
        var rows = new List<Row>(data.Rows);
        for (int i = 0; i < data.Rows; i++)
        {
            rows.Add(new Row { Label = y[i] == 1, Features = x.AsSpan(i * d, d).ToArray() });
        }

        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    private sealed class Row
    {
        public bool Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
