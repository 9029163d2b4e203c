using System.Text.Json;
using FastLogReg.Cli;
using FastLogReg.IO;
using FastLogReg.Models;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary>The tool on K classes: train detects them, predict writes the class and K probabilities, evaluate the K × K matrix.</summary>
public class MulticlassToolTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);

    private static string DigitsCsv => Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv");

    [Theory]
    [InlineData("auto", "Multinomial")]
    [InlineData("ovr", "OneVsRest")]
    public void TrainDetectsTenClassesAndPredictAndEvaluateUseThem(string mode, string kind)
    {
        using var dir = new TempDirectory();
        string model = dir.File("digits.json");
        (int code, string json, string error) = Run("train", "--data", DigitsCsv, "--label", "digit", "--model", model, "--multiclass", mode, "--standardize", "--json");
        Assert.True(code == 0, error);
        using (JsonDocument report = JsonDocument.Parse(json))
        {
            Assert.Equal(kind, report.RootElement.GetProperty("modelKind").GetString());
            Assert.Equal(10, report.RootElement.GetProperty("classes").GetArrayLength());
            Assert.True(report.RootElement.GetProperty("heldOut").GetProperty("accuracy").GetDouble() > 0.9);
            Assert.True(report.RootElement.GetProperty("heldOut").GetProperty("macroF1").GetDouble() > 0.9);
        }

        SavedModel saved = ModelFile.Load(model);
        Assert.Equal(10, saved.Classifier.ClassCount);
        Assert.Equal(kind, saved.Classifier.Kind.ToString());
        Assert.Equal(Enumerable.Range(0, 10).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)), saved.Metadata.Labels!.Classes);

        (code, string predictions, error) = Run("predict", "--model", model, "--data", DigitsCsv);
        Assert.True(code == 0, error);
        string[] lines = predictions.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("class,p(0),p(1),p(2),p(3),p(4),p(5),p(6),p(7),p(8),p(9)", lines[0]);
        Assert.Equal(1798, lines.Length);
        double[] p = lines[1].Split(',').Skip(1).Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Close.Equal(1.0, p.Sum(), 1e-12, 0, "the probabilities of a row sum to 1");

        (code, string evaluation, error) = Run("evaluate", "--model", model, "--data", DigitsCsv);
        Assert.True(code == 0, error);
        Assert.Contains("10 classes", evaluation);
        Assert.Contains("Confusion matrix", evaluation);
        Assert.Contains("macro", evaluation);
    }

    [Fact]
    public void StatsPrintsEachClassAgainstTheFirstForAnUnpenalizedMultinomialFit()
    {
        // Digits 3, 5 and 8 on six pixel columns (the statsmodels MNLogit fixture's data): not separable.
        using var dir = new TempDirectory();
        string[] lines = File.ReadAllLines(DigitsCsv);
        string[] header = lines[0].Split(',');
        int[] columns = [10, 20, 28, 36, 44, 52];
        var rows = new List<string> { string.Join(',', columns.Select(j => header[j]).Append("digit")) };
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(',');
            if (f[^1] is "3" or "5" or "8")
            {
                rows.Add(string.Join(',', columns.Select(j => f[j]).Append(f[^1])));
            }
        }

        string csv = dir.File("358.csv");
        File.WriteAllLines(csv, rows);
        (int code, string output, string error) = Run("train", "--data", csv, "--label", "digit", "--model", dir.File("m.json"), "--stats", "--l2", "0", "--solver", "newton-cholesky", "--test-fraction", "0");
        Assert.True(code == 0, error);
        Assert.Contains("class 1 against class 0", output);
        Assert.Contains("class 2 against class 0", output);
        Assert.Contains("RRR", output);
        Assert.Contains("0 = 3", output);

        (code, string json, error) = Run("train", "--data", csv, "--label", "digit", "--model", dir.File("m2.json"), "--stats", "--l2", "0", "--test-fraction", "0", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(14, System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("coefficients").GetArrayLength());

        (code, _, error) = Run("train", "--data", csv, "--label", "digit", "--model", dir.File("m3.json"), "--stats", "--test-fraction", "0");
        Assert.Equal(2, code);
        Assert.Contains("--l2 0", error);
        (code, _, error) = Run("train", "--data", csv, "--label", "digit", "--model", dir.File("m4.json"), "--stats", "--l2", "0", "--multiclass", "ovr", "--test-fraction", "0");
        Assert.Equal(2, code);
        Assert.Contains("--multiclass multinomial", error);
    }

    [Fact]
    public void MultinomialModelFilesRoundTripBitForBit()
    {
        using var dir = new TempDirectory();
        var model = new MulticlassModel(ClassificationKind.Multinomial, [1.5, -2, 0, 0.25, 3, -1], [0.5, -0.5, 0.125]);
        ModelFile.Save(new SavedModel(model, new ModelMetadata { Labels = new LabelMapping(["a", "b", "c"]), FeatureNames = ["x", "y"] }), dir.File("m.json"));
        SavedModel loaded = ModelFile.Load(dir.File("m.json"));
        var back = Assert.IsType<MulticlassModel>(loaded.Classifier);
        Assert.Equal(model.Weights.ToArray(), back.Weights.ToArray());
        Assert.Equal(model.Intercepts.ToArray(), back.Intercepts.ToArray());
        Assert.Equal(["a", "b", "c"], loaded.Metadata.Labels!.Classes);
        Assert.Throws<InvalidOperationException>(() => loaded.Model);
    }
}
