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
/// Time to the multinomial optimum: FastLogReg's L-BFGS on the fused softmax kernel against ML.NET's
/// <c>LbfgsMaximumEntropy</c> (the baseline) on the same float rows with the same L2 strength (scikit-learn C = 1:
/// λ = 1/n on W, the intercepts unpenalized; ML.NET's L2Regularization = 1), two threads each. Data: the bundled digits
/// (1,797 × 64, 10 classes, pixels / 16) and synthetic 100,000 × 100 rows with K = 10
/// (<see cref="MulticlassWorkload.Create"/>).
/// </summary>
/// <remarks>
/// As in <see cref="TimeToOptimumBenchmarks"/>: each method's tolerance is calibrated first, in its own process —
/// tightened tenfold from 10⁻³ until its model's objective (scored by FastLogReg's double-precision objective) is within
/// 10⁻⁶ (ML.NET) or 10⁻⁹ (FastLogReg, so its objective is never the worse one) of a tight reference — then one training
/// run at that setting is timed. Gaps and settings go to the log and the side file.
/// </remarks>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 7)]
public class MulticlassTimeToOptimumBenchmarks
{
    private const int Threads = 2;
    private static readonly TimeSpan CalibrationBudget = TimeSpan.FromSeconds(60);

    private DenseDataset<float> _data = null!;
    private double _l2;
    private double _reference;
    private TrainingOptions _options = null!;
    private MLContext _ml = null!;
    private IDataView _view = null!;
    private LbfgsMaximumEntropyMulticlassTrainer.Options _mlOptions = null!;

    [Params("digits", "100000x100x10")]
    public string Data { get; set; } = "digits";

    [GlobalSetup(Target = nameof(MlNetMaximumEntropy))]
    public void SetupMlNet()
    {
        Load();
        (double tolerance, double gap) = CalibrateMlNet();
        Record("ML.NET LbfgsMaximumEntropy", Calibration.MlNetSetting(tolerance), gap, double.NaN, TimeToOptimumBenchmarks.Target);
        Calibration.WarmUp(MlNetMaximumEntropy);
    }

    /// <summary>
    /// The comparison: FastLogReg calibrated to the objective ML.NET reached (its gap, or 10⁻⁶ if smaller), not
    /// 1000× beyond it — ML.NET's calibration runs again in this process to know that gap.
    /// </summary>
    [GlobalSetup(Target = nameof(LbfgsMatched))]
    public void SetupMatched()
    {
        Load();
        (_, double mlGap) = CalibrateMlNet();
        Calibrate(Math.Min(TimeToOptimumBenchmarks.Target, mlGap), "FastLogReg L-BFGS (multinomial), to ML.NET's gap");
    }

    private (double Tolerance, double Gap) CalibrateMlNet()
    {
        _ml = new MLContext(seed: 1);
        int d = _data.Columns, k = _data.ClassCount;
        float[] x = _data.Features.ToArray();
        float[] y = _data.Labels.ToArray();
        var rows = new List<MlRow>(_data.Rows);
        for (int i = 0; i < _data.Rows; i++)
        {
            rows.Add(new MlRow { Label = (uint)y[i], Features = x.AsSpan(i * d, d).ToArray() });
        }

        var schema = SchemaDefinition.Create(typeof(MlRow));
        schema[nameof(MlRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        schema[nameof(MlRow.Label)].ColumnType = new KeyDataViewType(typeof(uint), k); // ML.NET stores value v as key v + 1 (0 = missing)
        _view = _ml.Data.Cache(_ml.Data.LoadFromEnumerable(rows, schema));

        return Calibration.MlNetTolerance(
            at =>
            {
                _mlOptions = new LbfgsMaximumEntropyMulticlassTrainer.Options
                {
                    L2Regularization = 1.0f,
                    L1Regularization = 0,
                    OptimizationTolerance = (float)at,
                    MaximumNumberOfIterations = 100_000,
                    NumberOfThreads = Threads,
                };
                var model = _ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(_mlOptions).Fit(_view);
                return (Score(model.Model) - _reference) / _reference;
            },
            CalibrationBudget);
    }

    [GlobalSetup(Target = nameof(Lbfgs))]
    public void SetupLbfgs()
    {
        Load();
        Calibrate(TimeToOptimumBenchmarks.StrictTarget, "FastLogReg L-BFGS (multinomial)");
    }

    /// <summary>The two-phase fit (<see cref="TrainingOptions.FloatProducts"/>) to ML.NET's gap, as <see cref="SetupMatched"/>.</summary>
    [GlobalSetup(Target = nameof(LbfgsMatchedFloatProducts))]
    public void SetupMatchedFloatProducts()
    {
        Load();
        (_, double mlGap) = CalibrateMlNet();
        Calibrate(Math.Min(TimeToOptimumBenchmarks.Target, mlGap), "FastLogReg L-BFGS (multinomial), float products, to ML.NET's gap", floatProducts: true);
    }

    [GlobalSetup(Target = nameof(LbfgsFloatProducts))]
    public void SetupLbfgsFloatProducts()
    {
        Load();
        Calibrate(TimeToOptimumBenchmarks.StrictTarget, "FastLogReg L-BFGS (multinomial), float products", floatProducts: true);
    }

    /// <summary>Calibrates L-BFGS to <paramref name="target"/> (the loaded data), keeps its options and records it as <paramref name="method"/>.</summary>
    private void Calibrate(double target, string method, bool floatProducts = false)
    {
        Calibration c = Calibration.Run(_data, _l2, _reference, Solver.Lbfgs, Threads, CalibrationBudget, target, floatProducts: floatProducts);
        _options = c.Options;
        Record(method, c.Setting, c.Gap, c.Passes, c.Target);
        Calibration.WarmUp(() => LogisticRegression.Train(_data, _options));
    }

    [Benchmark(Baseline = true, Description = "ML.NET LbfgsMaximumEntropy")]
    public object MlNetMaximumEntropy() => _ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(_mlOptions).Fit(_view);

    [Benchmark(Description = "FastLogReg L-BFGS (multinomial)")]
    public object Lbfgs() => LogisticRegression.Train(_data, _options);

    [Benchmark(Description = "FastLogReg L-BFGS, ML.NET's gap")]
    public object LbfgsMatched() => LogisticRegression.Train(_data, _options);

    [Benchmark(Description = "FastLogReg L-BFGS, float products")]
    public object LbfgsFloatProducts() => LogisticRegression.Train(_data, _options);

    [Benchmark(Description = "FastLogReg L-BFGS, float products, ML.NET's gap")]
    public object LbfgsMatchedFloatProducts() => LogisticRegression.Train(_data, _options);

    internal static DenseDataset<float> Load(string name)
    {
        if (name == "digits")
        {
            string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv"));
            int d = lines[0].Split(',').Length - 1;
            float[][] rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',').Select(v => float.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
            float[] x = rows.SelectMany(r => r.Take(d).Select(v => v / 16f)).ToArray();
            return DenseDataset.Create(x, rows.Select(r => r[d]).ToArray(), d, 10);
        }

        int[] parts = name.Split('x').Select(int.Parse).ToArray();
        return MulticlassWorkload.Create(parts[0], parts[1], parts[2]);
    }

    private void Load()
    {
        _data = Load(Data);
        _l2 = TrainingOptions.L2FromScikitLearnC(1.0, _data.Rows);
        _reference = Calibration.Reference(_data, _l2);
    }

    /// <summary>ML.NET's model scored by FastLogReg's double-precision multinomial objective.</summary>
    private double Score(MaximumEntropyModelParameters model)
    {
        int d = _data.Columns, k = _data.ClassCount;
        VBuffer<float>[] weights = null!;
        model.GetWeights(ref weights, out int classes);
        float[] b = [.. model.GetBiases()];
        if (classes != k)
        {
            throw new InvalidOperationException($"ML.NET trained {classes} classes, expected {k}.");
        }

        double[] point = new double[(k * d) + k];
        for (int c = 0; c < k; c++)
        {
            float[] w = weights[c].DenseValues().ToArray();
            for (int j = 0; j < d; j++)
            {
                point[(c * d) + j] = w[j];
            }

            point[(k * d) + c] = b[c];
        }

        var scorer = new MultinomialObjective<float>(_data, Penalty.L2(_l2), maxDegreeOfParallelism: Threads);
        return scorer.Evaluate(point, new double[point.Length]);
    }

    private void Record(string method, string setting, double gap, double passes, double target) => Calibration.Record(Data, method, setting, gap, passes, target);

    private sealed class MlRow
    {
        public uint Label { get; set; }

        public float[] Features { get; set; } = [];
    }
}
