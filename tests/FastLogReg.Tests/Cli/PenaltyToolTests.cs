using System.Text.Json;
using FastLogReg.Cli;
using FastLogReg.IO;
using Xunit;

namespace FastLogReg.Tests.Cli;

/// <summary>The tool's L1 / elastic-net training, coefficient table, path and cross-validation.</summary>
public class PenaltyToolTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);

    private static string BreastCancerCsv(TempDirectory dir) =>
        dir.Write("bc.csv", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "breast_cancer.csv")));

    [Fact]
    public void L1TrainingSavesASparseModelAndSaysHowSparse()
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir), model = dir.File("m.json");
        (int code, string output, string error) = Run("train", "--data", csv, "--model", model, "--penalty", "l1", "--C", "0.1", "--standardize", "--json");
        Assert.True(code == 0, error);
        JsonElement report = JsonDocument.Parse(output).RootElement;
        // Auto's L1 solver: OWL-QN, handed over to coordinate descent here (correlated columns; AutoSolverToolTests).
        Assert.Equal("coordinate descent", report.GetProperty("solver").GetString());
        int nonZeros = report.GetProperty("nonZeroWeights").GetInt32();
        Assert.InRange(nonZeros, 1, 29);
        SavedModel saved = ModelFile.Load(model);
        Assert.Equal(nonZeros, saved.Model.Weights.ToArray().Count(w => w != 0));
        Assert.Equal(1.0, saved.Metadata.Training!.L1Ratio);
    }

    [Fact]
    public void StatsPrintsTheCoefficientTable()
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir);
        (int code, string output, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--standardize", "--solver", "newton", "--test-fraction", "0");
        Assert.True(code == 0, error);
        Assert.Contains("std err", output);
        Assert.Contains("P>|z|", output);
        Assert.Contains("worst_texture", output);
        Assert.Contains("(intercept)", output);

        (code, output, error) = Run("train", "--data", csv, "--model", dir.File("m2.json"), "--stats", "--standardize", "--test-fraction", "0", "--json");
        Assert.True(code == 0, error);
        Assert.Equal(31, JsonDocument.Parse(output).RootElement.GetProperty("coefficients").GetArrayLength());
    }

    [Fact]
    public void DualCoordinateDescentTrainsOnLibSvmRowsAndIsNamed()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("heart.libsvm", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "heart_scale.libsvm")));
        (int code, string output, string error) = Run("train", "--data", data, "--model", dir.File("m.json"), "--solver", "dual", "--test-fraction", "0", "--json");
        Assert.True(code == 0, error);
        JsonElement report = JsonDocument.Parse(output).RootElement;
        Assert.Equal("dual coordinate descent", report.GetProperty("solver").GetString());
        Assert.True(report.GetProperty("converged").GetBoolean(), output);

        (code, _, error) = Run("train", "--data", data, "--model", dir.File("m2.json"), "--solver", "dual", "--l2", "0", "--quiet");
        Assert.True(code is 1 or 2, $"exit {code}: {error}");
        Assert.Contains("Lambda > 0", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData("--stats", "--penalty", "l1")]
    [InlineData("--l1-ratio", "0.3")]
    [InlineData("--penalty", "elasticnet", "--l1-ratio", "1.5")]
    [InlineData("--penalty", "l1", "--solver", "newton")]
    public void PenaltyMistakesAreBadUsageNamingTheOption(params string[] extra)
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir);
        (int code, _, string error) = Run(["train", "--data", csv, "--model", dir.File("m.json"), "--quiet", .. extra]);
        Assert.True(code is 1 or 2, $"exit {code}: {error}");
        Assert.DoesNotContain("   at ", error);
        Assert.Contains(extra[0] == "--stats" ? "--stats" : extra.Contains("newton") ? "OwlQn" : "--l1-ratio", error);
    }

    [Fact]
    public void PathPrintsEveryLambdaAndDrawsTheCoefficients()
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir), plot = dir.File("path.svg");
        (int code, string output, string error) = Run("path", "--data", csv, "--standardize", "--count", "6", "--plot", plot, "--json");
        Assert.True(code == 0, error);
        JsonElement report = JsonDocument.Parse(output).RootElement;
        Assert.Equal(6, report.GetProperty("points").GetArrayLength());
        Assert.Equal(0, report.GetProperty("points")[0].GetProperty("nonZeroWeights").GetInt32());
        Assert.True(report.GetProperty("points")[5].GetProperty("nonZeroWeights").GetInt32() > 10);
        Assert.StartsWith("<?xml", File.ReadAllText(plot));
    }

    [Fact]
    public void CrossValidationPrintsTheTableAndSavesTheRefit()
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir), model = dir.File("cv.json"), plot = dir.File("cv.svg");
        (int code, string output, string error) = Run("cv", "--data", csv, "--standardize", "--count", "8", "--folds", "4", "--model", model, "--plot", plot);
        Assert.True(code == 0, error);
        Assert.Contains("← best", output);
        Assert.Contains("4-fold cross-validation", output);
        SavedModel saved = ModelFile.Load(model);
        Assert.Equal(30, saved.Model.FeatureCount);
        Assert.True(File.Exists(plot));

        (code, _, error) = Run("cv", "--data", csv, "--folds", "1", "--model", model);
        Assert.Equal(2, code);
        Assert.Contains("--folds", error);
    }

    [Fact]
    public void CrossValidationOfTenClassesSavesAMulticlassRefit()
    {
        // The first 400 digits (10 classes): the K-class path per fold, log-loss and accuracy (no ROC AUC: "–", null in JSON).
        using var dir = new TempDirectory();
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv"));
        string csv = dir.Write("digits.csv", string.Join('\n', lines.Take(401)) + "\n"), model = dir.File("cv.json");
        (int code, string output, string error) = Run("cv", "--data", csv, "--standardize", "--penalty", "l2", "--count", "4", "--min-ratio", "0.001", "--folds", "3", "--model", model);
        Assert.True(code == 0, error);
        Assert.Contains("10 classes (multinomial)", output);
        Assert.Contains("← best", output);
        Assert.Contains("–", output);
        SavedModel saved = ModelFile.Load(model);
        Assert.Equal(10, saved.Classifier.ClassCount);
        Assert.Equal(64, saved.Classifier.FeatureCount);

        (code, output, error) = Run("cv", "--data", csv, "--standardize", "--penalty", "l2", "--count", "3", "--folds", "3", "--model", model, "--json");
        Assert.True(code == 0, error);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, json.RootElement.GetProperty("points")[0].GetProperty("meanRocAuc").ValueKind);
    }

    [Fact]
    public void PathOfTenClassesReportsEveryClassRowAndDrawsAPanelPerClass()
    {
        // The first 400 digits: the multinomial path, W as K rows of d per λ in JSON, a panel per class in the plot.
        using var dir = new TempDirectory();
        string[] lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "datasets", "digits.csv"));
        string csv = dir.Write("digits.csv", string.Join('\n', lines.Take(401)) + "\n"), plot = dir.File("path.svg");
        (int code, string output, string error) = Run("path", "--data", csv, "--standardize", "--count", "5", "--min-ratio", "0.01", "--plot", plot, "--json");
        Assert.True(code == 0, error);
        JsonElement report = JsonDocument.Parse(output).RootElement;
        Assert.Equal("Multinomial", report.GetProperty("modelKind").GetString());
        Assert.Equal(Enumerable.Range(0, 10).Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)), report.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        JsonElement points = report.GetProperty("points");
        Assert.Equal(5, points.GetArrayLength());
        foreach (JsonElement point in points.EnumerateArray())
        {
            Assert.Equal(JsonValueKind.Null, point.GetProperty("weights").ValueKind);
            JsonElement rows = point.GetProperty("classWeights");
            Assert.Equal(10, rows.GetArrayLength());
            Assert.All(rows.EnumerateArray(), r => Assert.Equal(64, r.GetArrayLength()));
            Assert.Equal(10, point.GetProperty("intercepts").GetArrayLength());
            int nonZeros = rows.EnumerateArray().Sum(r => r.EnumerateArray().Count(w => w.GetDouble() != 0));
            Assert.Equal(point.GetProperty("nonZeroWeights").GetInt32(), nonZeros);
        }

        Assert.Equal(0, points[0].GetProperty("nonZeroWeights").GetInt32());
        Assert.True(points[4].GetProperty("nonZeroWeights").GetInt32() > 50);
        string svg = File.ReadAllText(plot);
        Assert.Equal(10, svg.Split("<g transform=").Length - 1);
        Assert.Contains("class 9", svg);

        (code, output, error) = Run("path", "--data", csv, "--standardize", "--penalty", "l2", "--count", "3", "--multiclass", "ovr");
        Assert.True(code == 0, error);
        Assert.Contains("10 classes (one-vs-rest)", output);
        Assert.Equal(3, output.Split('\n').Count(l => l.Length > 0 && char.IsWhiteSpace(l[0]) && char.IsDigit(l.TrimStart()[0]))); // one table row per λ
    }

    [Theory]
    [InlineData("x", "y", "z")]    // three classes: λ_max came out ~7·10⁻¹⁶, not 0
    [InlineData("0", "1", "1")]    // two unbalanced classes: ~3·10⁻¹⁶
    public void PathAndCvRefuseDataWhoseLambdaMaxIsRoundingNoise(string a, string b, string c)
    {
        // Constant columns: no feature is correlated with the label, whatever λ_max's rounding says (a hostile review: a
        // one-point "path" at C = 4.5·10¹⁴ came out, exit code 0).
        using var dir = new TempDirectory();
        string[] labels = [a, b, c];
        string csv = dir.Write("const.csv", "f1,f2,label\n" + string.Concat(Enumerable.Range(0, 31).Select(i => $"1.5,-2,{labels[i % 3]}\n")));
        // The same as LIBSVM rows, standardized: the constant columns' raw values (scale 1 kept) left λ_max at ~3·10⁻⁹.
        string libsvm = dir.Write("const.libsvm", string.Concat(Enumerable.Range(0, 31).Select(i => $"{(i % 3 == 0 ? 1 : 0)} 1:3.7 2:1000 3:-0.1\n")));
        foreach (string[] args in new[]
        {
            new[] { "path", "--data", csv },
            ["cv", "--data", csv, "--folds", "3", "--model", dir.File("m.json")],
            ["path", "--data", libsvm, "--standardize"],
        })
        {
            (int code, _, string error) = Run(args);
            Assert.True(code == 1, $"{args[0]}: exit {code}: {error}");
            Assert.Contains("no feature is correlated with the label", error);
            Assert.DoesNotContain("   at ", error);
        }
    }

    [Fact]
    public void PlotsTakeLabelsWithCharactersXmlCannotHold()
    {
        // Label values reach the panel titles and legends; a control character stopped the SVG writer with an exception
        // (exit 134, a stack trace). Now replaced by U+FFFD: every plot is well-formed XML.
        using var dir = new TempDirectory();
        string[] labels = ["a\u0001b", "c\u000Bd", "e"];
        var random = new Random(1);
        string csv = dir.Write("ctrl.csv", "x1,x2,label\n" + string.Concat(Enumerable.Range(0, 90).Select(i =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{(i % 3) + random.NextDouble():F3},{random.NextDouble() - (i % 3):F3},{labels[i % 3]}\n"))));
        string model = dir.File("m.json");
        string[][] runs =
        [
            ["path", "--data", csv, "--count", "4", "--plot", dir.File("path.svg")],
            ["train", "--data", csv, "--model", model, "--plot", dir.File("train.svg"), "--quiet"],
            ["evaluate", "--model", model, "--data", csv, "--plot", dir.File("roc.svg")],
        ];
        foreach (string[] args in runs)
        {
            (int code, _, string error) = Run(args);
            Assert.True(code == 0, $"{args[0]}: exit {code}: {error}");
            string svg = args[^1] == "--quiet" ? args[^2] : args[^1];
            System.Xml.Linq.XDocument.Load(svg); // throws on a character XML cannot hold
        }

        Assert.Contains("a\uFFFDb", File.ReadAllText(dir.File("path.svg")));
    }

    [Fact]
    public void PathTakesASmallInformativeColumnBesideALargeConstantOne()
    {
        // Not refused: a column of scale 10⁻⁸ that carries the label beside a constant column of 1000 (λ_max ~4·10⁻⁹: a
        // threshold relative to the largest |x| refused it).
        using var dir = new TempDirectory();
        string csv = dir.Write("small.csv", "tiny,big,label\n" + string.Concat(Enumerable.Range(0, 200).Select(i =>
            string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{((i % 2) + (0.3 * Math.Sin(i))) * 1e-8:R},1000,{i % 2}\n"))));
        (int code, string output, string error) = Run("path", "--data", csv, "--count", "5", "--json");
        Assert.True(code == 0, error);
        Assert.InRange(JsonDocument.Parse(output).RootElement.GetProperty("lambdaMax").GetDouble(), 1e-10, 1e-8);

        (code, output, error) = Run("path", "--data", csv, "--count", "5", "--json", "--standardize");
        Assert.True(code == 0, error);
        Assert.True(JsonDocument.Parse(output).RootElement.GetProperty("points")[4].GetProperty("nonZeroWeights").GetInt32() >= 1);
    }
}
