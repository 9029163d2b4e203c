using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using FastLogReg.Data;
using FastLogReg.ML;
using FastLogReg.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace FastLogReg.Benchmarks;

/// <summary>
/// An ML.NET pipeline's fit — one-hot encoding of a categorical column, concatenation, min-max normalization, then the
/// trainer — with ML.NET's <c>LbfgsLogisticRegression</c> (the baseline) and with <c>Trainers.FastLogReg</c>, each at
/// its defaults except the same L2 strength (ML.NET's L2Regularization = 1, λ = 1/n), on the same rows: breast cancer
/// (569 standardized rows) and 100,000 rows of the 100-column synthetic set, the category binned from the first column.
/// The held-out AUC of both is printed (the fits are at their own default tolerances).
/// </summary>
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 2, iterationCount: 9)]
public class MlNetPipelineBenchmarks
{
    private MLContext _ml = null!;
    private IDataView _train = null!;
    private IEstimator<ITransformer> _prepare = null!;
    private int _rows;

    [Params("breast-cancer", "100000x100")]
    public string Data { get; set; } = "breast-cancer";

    [GlobalSetup]
    public void Setup()
    {
        _ml = new MLContext(seed: 1);
        DenseDataset<float> data = TimeToOptimumBenchmarks.Load(Data);
        int d = data.Columns;
        float[] x = data.Features.ToArray(), y = data.Labels.ToArray();
        var rows = new List<Row>(data.Rows);
        for (int i = 0; i < data.Rows; i++)
        {
            float[] numeric = x.AsSpan(i * d, d).ToArray();
            rows.Add(new Row { Label = y[i] == 1, Numeric = numeric, Category = "c" + ((int)MathF.Floor((numeric[0] + 4) * 2.5f)).ToString(CultureInfo.InvariantCulture) });
        }

        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Numeric)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, d);
        DataOperationsCatalog.TrainTestData split = _ml.Data.TrainTestSplit(_ml.Data.LoadFromEnumerable(rows, schema), testFraction: 0.2, seed: 1);
        _train = _ml.Data.Cache(split.TrainSet);
        _rows = _train.GetColumn<bool>("Label").Count();
        _prepare = _ml.Transforms.Categorical.OneHotEncoding("CategoryOneHot", "Category")
            .Append(_ml.Transforms.Concatenate("Features", "Numeric", "CategoryOneHot"))
            .Append(_ml.Transforms.NormalizeMinMax("Features"));
        double auc(ITransformer t) => _ml.BinaryClassification.Evaluate(t.Transform(split.TestSet)).AreaUnderRocCurve;
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture, "// held-out AUC ({0}): ML.NET {1:F5}, FastLogReg {2:F5}", Data, auc(MlNet()), auc(FastLogReg())));
    }

    [Benchmark(Baseline = true, Description = "ML.NET pipeline + LbfgsLogisticRegression")]
    public ITransformer MlNet() =>
        _prepare.Append(_ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = 1f })).Fit(_train);

    [Benchmark(Description = "ML.NET pipeline + Trainers.FastLogReg")]
    public ITransformer FastLogReg() =>
        _prepare.Append(_ml.BinaryClassification.Trainers.FastLogReg(options: new TrainingOptions { L2 = 1.0 / _rows })).Fit(_train);

    private sealed class Row
    {
        public bool Label { get; set; }

        public float[] Numeric { get; set; } = [];

        public string Category { get; set; } = string.Empty;
    }
}
