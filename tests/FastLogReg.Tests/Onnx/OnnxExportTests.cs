using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Onnx;
using FastLogReg.Tests.Multiclass;
using FastLogReg.Training;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace FastLogReg.Tests.Onnx;

/// <summary>
/// Exported models scored by ONNX Runtime (the real one, from NuGet) against FastLogReg's own predictions: the
/// probabilities within float rounding, the classes equal.
/// </summary>
public sealed class OnnxExportTests
{
    [Fact]
    public void BinaryStandardizedModel_ScoresLikeFastLogReg()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        var data = DenseDataset.Create(x, y, names.Length);
        LogisticModel model = LogisticRegression.Train(data, new TrainingOptions { Standardize = true, L2 = 1e-3 }).Model;
        float[] rows = x.Select(v => (float)v).ToArray();

        (long[] labels, float[,] probabilities, string[]? classes) = Score(OnnxExport.ToBytes(model, new OnnxExportOptions { FeatureNames = names, ClassLabels = ["benign", "malignant"] }), rows, names.Length);

        int d = names.Length;
        for (int i = 0; i < data.Rows; i++)
        {
            ReadOnlySpan<float> row = rows.AsSpan(i * d, d);
            double p = model.PredictProbability(row);
            Assert.Equal(1 - p, probabilities[i, 0], 5e-6);
            Assert.Equal(p, probabilities[i, 1], 5e-6);
            if (Math.Abs(model.DecisionFunction(row)) > 1e-4)
            {
                Assert.Equal(model.PredictClass(row), labels[i]);
                Assert.Equal(model.PredictClass(row) == 1 ? "malignant" : "benign", classes![i]);
            }
        }
    }

    [Theory]
    [InlineData(MultiClass.Multinomial)]
    [InlineData(MultiClass.OneVsRest)]
    public void MulticlassModel_ScoresLikeFastLogReg(MultiClass kind)
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        var data = DenseDataset.Create(x, y, 64, classCount: 10);
        var model = (MulticlassModel)LogisticRegression.Train(data, new TrainingOptions { MultiClass = kind, L2 = 1e-3, Standardize = true }).Classifier;
        float[] rows = x.Select(v => (float)v).ToArray();

        (long[] labels, float[,] probabilities, string[]? classes) = Score(OnnxExport.ToBytes(model), rows, 64);

        Assert.Null(classes);
        double[] expected = new double[10];
        double[] scores = new double[10];
        int compared = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            ReadOnlySpan<float> row = rows.AsSpan(i * 64, 64);
            model.PredictProbabilities(row, expected);
            for (int k = 0; k < 10; k++)
            {
                Assert.Equal(expected[k], probabilities[i, k], 5e-6);
            }

            model.DecisionFunction(row, scores);
            double[] sorted = scores.OrderDescending().ToArray();
            if (sorted[0] - sorted[1] > 1e-4)
            {
                Assert.Equal(model.PredictClass(row), labels[i]);
                compared++;
            }
        }

        Assert.True(compared > data.Rows * 0.99, $"only {compared} rows had a clear winner");
    }

    [Fact]
    public void SavedModel_ExportsItsNamesAndLabels_ToAFile()
    {
        using var dir = new TempDirectory();
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        var data = DenseDataset.Create(x, y, names.Length);
        LogisticModel model = LogisticRegression.Train(data, new TrainingOptions { Standardize = true, L2 = 1e-2 }).Model;
        var saved = new SavedModel(model, new FastLogReg.IO.ModelMetadata { FeatureNames = names, Labels = new LabelMapping("B", "M") });
        string path = Path.Combine(dir.Path, "model.onnx");

        OnnxExport.Save(saved, path);

        using var session = new InferenceSession(path);
        Assert.Equal("[\"B\",\"M\"]", session.ModelMetadata.CustomMetadataMap["class_labels"]);
        Assert.Contains("mean_radius", session.ModelMetadata.CustomMetadataMap["feature_names"]);
        Assert.Equal(["label", "probabilities", "class"], session.OutputMetadata.Keys.ToArray());
        Assert.Equal(new[] { -1, names.Length }, session.InputMetadata["features"].Dimensions);
    }

    [Fact]
    public void CoefficientBeyondFloat_IsRefusedNamingIt()
    {
        var model = new LogisticModel([1.0, 1e300], 0.5);

        var error = Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model));

        Assert.Contains("coefficient 1 of row 0", error.Message);
        Assert.Contains("float32", error.Message);
    }

    [Fact]
    public void NamesThatDoNotMatchTheModel_AreRefused()
    {
        var model = new LogisticModel([1.0, 2.0], 0.5);

        Assert.Contains("3 feature names", Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, new OnnxExportOptions { FeatureNames = ["a", "b", "c"] })).Message);
        Assert.Contains("1 class labels", Assert.Throws<ArgumentException>(() => OnnxExport.ToBytes(model, new OnnxExportOptions { ClassLabels = ["a"] })).Message);
    }

    /// <summary>Scores <paramref name="rows"/> (n × d) with ONNX Runtime: the labels, the probabilities and the class names (when the model has them).</summary>
    internal static (long[] Labels, float[,] Probabilities, string[]? Classes) Score(byte[] onnx, float[] rows, int d)
    {
        using var session = new InferenceSession(onnx);
        int n = rows.Length / d;
        var input = new DenseTensor<float>(rows, [n, d]);
        using IDisposableReadOnlyCollection<DisposableNamedOnnxValue> results = session.Run([NamedOnnxValue.CreateFromTensor("features", input)]);
        long[] labels = results.Single(r => r.Name == "label").AsTensor<long>().ToArray();
        Tensor<float> p = results.Single(r => r.Name == "probabilities").AsTensor<float>();
        var probabilities = new float[n, p.Dimensions[1]];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < p.Dimensions[1]; k++)
            {
                probabilities[i, k] = p[i, k];
            }
        }

        string[]? classes = results.SingleOrDefault(r => r.Name == "class")?.AsTensor<string>().ToArray();
        return (labels, probabilities, classes);
    }
}

/// <summary><c>fastlogreg export</c>: the exported file predicts what <c>fastlogreg predict</c> does.</summary>
public sealed class OnnxExportToolTests
{
    [Fact]
    public void ExportedMulticlassModel_PredictsTheToolsClasses()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("digits.csv", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv")));
        string model = dir.File("m.json"), onnx = dir.File("m.onnx"), predictions = dir.File("p.csv");
        Assert.Equal(0, Run("train", "--data", csv, "--model", model, "--standardize", "--quiet").Code);
        (int code, string output, string error) = Run("export", "--model", model, "--onnx", onnx);
        Assert.True(code == 0, error);
        Assert.Contains("Multinomial", output);
        Assert.Equal(0, Run("predict", "--model", model, "--data", csv, "--output", predictions).Code);

        string[] expected = File.ReadAllLines(predictions).Skip(1).Select(l => l.Split(',')[0]).ToArray();
        (double[] x, _) = MulticlassData.Digits();
        using var session = new InferenceSession(onnx);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("features", new DenseTensor<float>(x.Select(v => (float)v).ToArray(), [x.Length / 64, 64]))]);
        string[] classes = results.Single(r => r.Name == "class").AsTensor<string>().ToArray();
        Assert.Equal(expected.Length, classes.Length);
        Assert.True(expected.Zip(classes).Count(p => p.First == p.Second) >= expected.Length - 2, "ONNX classes differ from the tool's beyond float ties");
    }

    [Fact]
    public void SameFileForModelAndOnnx_IsBadUsage()
    {
        using var dir = new TempDirectory();
        string model = dir.File("m.json");
        (int code, _, string error) = Run("export", "--model", model, "--onnx", model);
        Assert.Equal(2, code);
        Assert.Contains("--onnx", error);
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);
}
