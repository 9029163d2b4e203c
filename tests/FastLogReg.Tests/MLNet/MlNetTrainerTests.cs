using FastLogReg.ML;
using FastLogReg.Tests.Multiclass;
using FastLogReg.Training;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace FastLogReg.Tests.MLNet;

/// <summary>
/// The ML.NET trainers inside real ML.NET pipelines (one-hot encoding, concatenation, normalization, key mapping) against
/// ML.NET's own L-BFGS trainers on the same rows and penalty: the same held-out metrics, and PredictionEngine works.
/// </summary>
public sealed class MlNetTrainerTests
{
    private const float MlNetL2 = 1f; // ML.NET's L2Regularization: λ = L2 / n

    [Fact]
    public void BinaryPipeline_MatchesMlNetsLbfgs()
    {
        var ml = new MLContext(seed: 1);
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(BreastCancerView(ml), testFraction: 0.3, seed: 7);
        int trainRows = split.TrainSet.GetColumn<bool>("Label").Count();
        IEstimator<ITransformer> prepare = ml.Transforms.Categorical.OneHotEncoding("SizeOneHot", "Size")
            .Append(ml.Transforms.Concatenate("Features", "Numeric", "SizeOneHot"))
            .Append(ml.Transforms.NormalizeMinMax("Features"));

        ITransformer ours = prepare.Append(ml.BinaryClassification.Trainers.FastLogReg(options: new TrainingOptions { L2 = MlNetL2 / trainRows, Tolerance = 1e-9 })).Fit(split.TrainSet);
        ITransformer theirs = prepare.Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(new Microsoft.ML.Trainers.LbfgsLogisticRegressionBinaryTrainer.Options { L2Regularization = MlNetL2, L1Regularization = 0, OptimizationTolerance = 1e-8f, MaximumNumberOfIterations = 10_000 })).Fit(split.TrainSet);

        CalibratedBinaryClassificationMetrics a = ml.BinaryClassification.Evaluate(ours.Transform(split.TestSet));
        CalibratedBinaryClassificationMetrics b = ml.BinaryClassification.Evaluate(theirs.Transform(split.TestSet));
        Assert.Equal(b.AreaUnderRocCurve, a.AreaUnderRocCurve, 2e-3);
        Assert.Equal(b.Accuracy, a.Accuracy, 0.02);
        Assert.Equal(b.LogLoss, a.LogLoss, 5e-3);
        Assert.True(a.AreaUnderRocCurve > 0.98, $"AUC {a.AreaUnderRocCurve}");

        var engine = ml.Model.CreatePredictionEngine<Row, BinaryPrediction>(ours, inputSchemaDefinition: Schema());
        Row first = Rows().First();
        BinaryPrediction p = engine.Predict(first);
        Assert.Equal(1 / (1 + Math.Exp(-p.Score)), p.Probability, 1e-6);
        Assert.Equal(p.Score > 0, p.PredictedLabel);
    }

    [Fact]
    public void MulticlassPipeline_MatchesMlNetsMaximumEntropy_AndMapsKeysBack()
    {
        var ml = new MLContext(seed: 1);
        (double[] x, double[] y) = MulticlassData.Digits();
        var rows = Enumerable.Range(0, y.Length).Select(i => new DigitRow { Digit = "d" + y[i], Pixels = x.AsSpan(i * 64, 64).ToArray().Select(v => (float)v).ToArray() }).ToList();
        var schema = SchemaDefinition.Create(typeof(DigitRow));
        schema[nameof(DigitRow.Pixels)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 64);
        DataOperationsCatalog.TrainTestData split = ml.Data.TrainTestSplit(ml.Data.LoadFromEnumerable(rows, schema), testFraction: 0.3, seed: 3);
        int trainRows = split.TrainSet.GetColumn<string>("Digit").Count();
        IEstimator<ITransformer> prepare = ml.Transforms.Conversion.MapValueToKey("Label", "Digit")
            .Append(ml.Transforms.NormalizeMinMax("Features", "Pixels"));

        ITransformer ours = prepare.Append(ml.MulticlassClassification.Trainers.FastLogReg(options: new TrainingOptions { L2 = MlNetL2 / trainRows, Tolerance = 1e-8 }))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedDigit", "PredictedLabel")).Fit(split.TrainSet);
        ITransformer theirs = prepare.Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new Microsoft.ML.Trainers.LbfgsMaximumEntropyMulticlassTrainer.Options { L2Regularization = MlNetL2, L1Regularization = 0, OptimizationTolerance = 1e-8f, MaximumNumberOfIterations = 10_000 })).Fit(split.TrainSet);

        IDataView scored = ours.Transform(split.TestSet);
        MulticlassClassificationMetrics a = ml.MulticlassClassification.Evaluate(scored);
        MulticlassClassificationMetrics b = ml.MulticlassClassification.Evaluate(theirs.Transform(split.TestSet));
        Assert.Equal(b.MacroAccuracy, a.MacroAccuracy, 0.02);
        Assert.Equal(b.LogLoss, a.LogLoss, 0.02);
        Assert.True(a.MicroAccuracy > 0.93, $"accuracy {a.MicroAccuracy}");

        string[] truth = scored.GetColumn<string>("Digit").ToArray();
        string[] predicted = scored.GetColumn<string>("PredictedDigit").ToArray();
        Assert.True(truth.Zip(predicted).Count(t => t.First == t.Second) > 0.93 * truth.Length, "predicted keys must map back to the digit labels: " + string.Join(" ", truth.Zip(predicted).Take(12).Select(t => t.First + "/" + t.Second)));
        Assert.Equal(scored.GetColumn<uint>("Label").Count(), scored.GetColumn<uint>("PredictedLabel").Count(k => k >= 1 && k <= 10));
    }

    [Fact]
    public void MissingOrMistypedColumns_AreNamed()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = BreastCancerView(ml);
        var missing = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.FastLogReg(featureColumnName: "Nope").Fit(data));
        Assert.Contains("'Nope'", missing.Message);
        var mistyped = Assert.Throws<ArgumentException>(() => ml.BinaryClassification.Trainers.FastLogReg(labelColumnName: "Size", featureColumnName: "Numeric").Fit(data));
        Assert.Contains("'Size'", mistyped.Message);
        Assert.Contains("bool", mistyped.Message);
    }

    private static IEnumerable<Row> Rows()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length;
        double[] radius = Enumerable.Range(0, y.Length).Select(i => x[i * d]).Order().ToArray();
        double low = radius[radius.Length / 3], high = radius[2 * radius.Length / 3];
        for (int i = 0; i < y.Length; i++)
        {
            double r = x[i * d];
            yield return new Row
            {
                Label = y[i] == 1,
                Numeric = x.AsSpan(i * d, d).ToArray().Select(v => (float)v).ToArray(),
                Size = r < low ? "small" : r < high ? "medium" : "large",
            };
        }
    }

    private static SchemaDefinition Schema()
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Numeric)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, 30);
        return schema;
    }

    private static IDataView BreastCancerView(MLContext ml) => ml.Data.LoadFromEnumerable(Rows().ToList(), Schema());

    public sealed class Row
    {
        public bool Label { get; set; }

        public float[] Numeric { get; set; } = [];

        public string Size { get; set; } = string.Empty;
    }

    public sealed class DigitRow
    {
        public string Digit { get; set; } = string.Empty;

        public float[] Pixels { get; set; } = [];
    }

    public sealed class BinaryPrediction
    {
        public float Score { get; set; }

        public float Probability { get; set; }

        public bool PredictedLabel { get; set; }
    }
}
