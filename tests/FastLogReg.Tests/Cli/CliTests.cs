using System.Globalization;
using System.Text.Json;
using FastLogReg.Cli;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Cli;

/// <summary>The fastlogreg tool, run in-process with redirected output, as a script would.</summary>
public class CliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);

    private static string BreastCancerCsv(TempDirectory dir) =>
        dir.Write("bc.csv", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "breast_cancer.csv")));

    [Fact]
    public void MainJobTrainsOnTheBundledDataAndSavesTheModel()
    {
        using var dir = new TempDirectory();
        (int code, string output, string error) = Run("--model", dir.File("bc.json"));

        Assert.True(code == 0, error);
        Assert.Contains("breast-cancer", output);
        Assert.Contains("569 rows × 30 features", output);
        Assert.Contains("L-BFGS", output);
        Assert.Contains("Converged", output);
        Assert.Contains("passes over the data", output);
        Assert.Contains("held-out", output);
        Assert.Contains("saved to " + dir.File("bc.json"), output);
        SavedModel saved = ModelFile.Load(dir.File("bc.json"));
        Assert.Equal(30, saved.Model.FeatureCount);
        Assert.Equal("mean_radius", saved.Metadata.FeatureNames![0]);
    }

    [Fact]
    public void MainJobJsonReportMatchesItsText()
    {
        using var dir = new TempDirectory();
        (int code, string json, _) = Run("--model", dir.File("a.json"), "--json");
        (_, string text, _) = Run("--model", dir.File("b.json"));
        Assert.Equal(0, code);
        using JsonDocument report = JsonDocument.Parse(json);
        double heldOut = report.RootElement.GetProperty("heldOut").GetProperty("accuracy").GetDouble();
        Assert.Contains("held-out " + (100 * heldOut).ToString("F1", CultureInfo.InvariantCulture) + "%", text);
        Assert.True(heldOut > 0.95, $"held-out accuracy {heldOut}");
        Assert.Equal("Converged", report.RootElement.GetProperty("stopReason").GetString());
    }

    [Fact]
    public void PrintedAccuracyMatchesALibraryCall()
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir);
        (int code, string json, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--standardize", "--test-fraction", "0", "--json");
        Assert.True(code == 0, error);

        LabeledData<double> data = CsvDataReader.Read<double>(csv);
        var options = new TrainingOptions { L2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Data.Rows), Standardize = true, Seed = 42 };
        ModelEvaluation expected = LogisticRegression.Train(data.Data, options).Model.Evaluate(data.Data);

        using JsonDocument report = JsonDocument.Parse(json);
        Assert.Equal(expected.Accuracy, report.RootElement.GetProperty("train").GetProperty("accuracy").GetDouble());
        Assert.Equal(expected.LogLoss, report.RootElement.GetProperty("train").GetProperty("logLoss").GetDouble());
    }

    [Fact]
    public void PredictOutputRoundTrips()
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir);
        Assert.Equal(0, Run("train", "--data", csv, "--model", dir.File("m.json"), "--standardize", "--quiet").Code);
        (int code, string error) = (Run("predict", "--model", dir.File("m.json"), "--data", csv, "--output", dir.File("p.csv")) is var r ? (r.Code, r.Err) : default);
        Assert.True(code == 0, error);

        string[] lines = File.ReadAllLines(dir.File("p.csv"));
        Assert.Equal("probability,class", lines[0]);
        LogisticModel model = ModelFile.Load(dir.File("m.json")).Model;
        LabeledData<double> data = CsvDataReader.Read<double>(csv);
        double[] expected = new double[data.Data.Rows];
        model.PredictProbabilities(data.Data.Features.Span, expected);
        Assert.Equal(data.Data.Rows + 1, lines.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            string[] cells = lines[i + 1].Split(',');
            Assert.Equal(expected[i], double.Parse(cells[0], CultureInfo.InvariantCulture));
            Assert.Equal(expected[i] > 0.5 ? "1" : "0", cells[1]);
        }
    }

    [Fact]
    public void PredictSelectsTheModelsColumnsByName()
    {
        using var dir = new TempDirectory();
        string train = dir.Write("t.csv", "a,b,y\n0,1,0\n1,0,1\n0.2,0.9,0\n0.8,0.1,1\n");
        Assert.Equal(0, Run("train", "--data", train, "--model", dir.File("m.json"), "--test-fraction", "0", "--quiet").Code);
        string reordered = dir.Write("r.csv", "extra,b,a\n5,1,0\n5,0,1\n");
        (int code, string output, string error) = Run("predict", "--model", dir.File("m.json"), "--data", reordered);
        Assert.True(code == 0, error);
        string[] lines = output.Trim().Split('\n');
        Assert.Equal("0", lines[1].Split(',')[1].Trim());
        Assert.Equal("1", lines[2].Split(',')[1].Trim());
    }

    [Fact]
    public void EvaluatePrintsAccuracyLogLossConfusionMatrixAndAuc()
    {
        using var dir = new TempDirectory();
        string csv = BreastCancerCsv(dir);
        Assert.Equal(0, Run("train", "--data", csv, "--model", dir.File("m.json"), "--standardize", "--quiet").Code);
        (int code, string output, string error) = Run("evaluate", "--model", dir.File("m.json"), "--data", csv);
        Assert.True(code == 0, error);
        Assert.Contains("Accuracy", output);
        Assert.Contains("Log-loss", output);
        Assert.Contains("ROC AUC", output);
        Assert.Contains("Confusion matrix", output);

        (_, string json, _) = Run("evaluate", "--model", dir.File("m.json"), "--data", csv, "--json");
        using JsonDocument report = JsonDocument.Parse(json);
        JsonElement scores = report.RootElement.GetProperty("scores");
        double total = scores.GetProperty("truePositives").GetDouble() + scores.GetProperty("falsePositives").GetDouble() + scores.GetProperty("trueNegatives").GetDouble() + scores.GetProperty("falseNegatives").GetDouble();
        Assert.Equal(569, total);
        Assert.InRange(scores.GetProperty("rocAuc").GetDouble(), 0.98, 1.0);
    }

    [Fact]
    public void TrainsOnLibSvmAndDrawsThePlot()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("two.libsvm", "+1 1:2 2:1\n-1 1:-2 2:-1\n+1 1:1.5 2:0.2\n-1 1:-1 2:0.3\n+1 1:0.7 2:1.1\n-1 1:-0.4 2:-1.2\n");
        (int code, _, string error) = Run("train", "--data", data, "--model", dir.File("m.json"), "--l2", "0.1", "--test-fraction", "0", "--plot", dir.File("p.svg"), "--quiet");
        Assert.True(code == 0, error);
        string svg = File.ReadAllText(dir.File("p.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Contains("Objective per iteration", svg);
        Assert.Contains("Decision boundary", svg);
    }

    public static TheoryData<string, string> MalformedCsv => new()
    {
        { "a,b,y\n1,2,0\n1,2\n", "line 3" },
        { "a,b,y\n1,2,0\n1,x,1\n", "'x' in column 'b' is not a number" },
        { "a,b,y\n1,2,0\n1,3,0\n", "expected two classes" },
        { "", "empty" },
    };

    [Theory]
    [MemberData(nameof(MalformedCsv))]
    public void MalformedCsvExitsWithOneAndAMessage(string content, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.csv", content);
        (int code, _, string error) = Run("train", "--data", path, "--model", dir.File("m.json"));
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.Contains("bad.csv", error);
        Assert.DoesNotContain("   at ", error); // no stack trace
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Theory]
    [InlineData("1 2:1 1:1\n-1 1:1\n", "strictly ascending")]
    [InlineData("1 0:1\n-1 1:1\n", "not an integer ≥ 1")]
    public void MalformedLibSvmExitsWithOne(string content, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("bad.libsvm", content);
        (int code, _, string error) = Run("train", "--data", path, "--model", dir.File("m.json"));
        Assert.Equal(1, code);
        Assert.Contains(expected, error);
        Assert.Contains("line 1", error);
    }

    [Fact]
    public void MissingLabelColumnExitsWithOne()
    {
        using var dir = new TempDirectory();
        string path = BreastCancerCsv(dir);
        (int code, _, string error) = Run("train", "--data", path, "--model", dir.File("m.json"), "--label", "diagnosis");
        Assert.Equal(1, code);
        Assert.Contains("no label column 'diagnosis'", error);
    }

    [Fact]
    public void CorruptModelAndWrongFeatureCountExitWithOne()
    {
        using var dir = new TempDirectory();
        string model = dir.Write("m.json", "{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1,2],\"bias\":0");
        string data = dir.Write("d.csv", "a,b,c\n1,2,3\n");
        (int code, _, string error) = Run("predict", "--model", model, "--data", data);
        Assert.Equal(1, code);
        Assert.Contains("not a valid model file", error);

        dir.Write("m.json", "{\"kind\":\"FastLogReg.LogisticModel\",\"formatVersion\":1,\"weights\":[1,2],\"bias\":0}");
        (code, _, error) = Run("predict", "--model", model, "--data", data);
        Assert.Equal(1, code);
        Assert.Contains("3 columns, but the model needs 2 features", error);

        (code, _, error) = Run("predict", "--model", dir.File("none.json"), "--data", data);
        Assert.Equal(1, code);
        Assert.Contains("no such model file", error);
    }

    [Theory]
    [InlineData("train", "--data")]
    [InlineData("train", "--data", "x.csv")]
    [InlineData("train", "--data", "x.csv", "--model", "m.json", "--l2", "1", "--C", "1")]
    [InlineData("train", "--data", "x.csv", "--model", "m.json", "--test-fraction", "1.5")]
    [InlineData("train", "--data", "x.csv", "--model", "m.json", "--solver", "simplex")]
    [InlineData("train", "--data", "x.csv", "--model", "m.json", "--threads", "0")]
    [InlineData("frobnicate")]
    public void BadUsageExitsWithTwo(params string[] args)
    {
        (int code, _, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("error:", error);
    }

    [Fact]
    public void DecimalCommaFileTrainsWithTheOptionAndIsRefusedWithoutIt()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("eu.csv", "a;b;y\n1,5;2;0\n3;4,25;1\n5,5;6;0\n7;8,75;1\n");
        (int code, _, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--quiet", "--test-fraction", "0");
        Assert.Equal(1, code);
        Assert.Contains("--decimal-comma", error);
        (code, _, error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--quiet", "--test-fraction", "0", "--decimal-comma");
        Assert.True(code == 0, error);
    }

    [Fact]
    public void PredictAndEvaluateSelectTheModelsFeaturesByNameAndNameAnyMissingOne()
    {
        using var dir = new TempDirectory();
        string train = dir.Write("t.csv", "a,b,y\n1,5,0\n2,3,1\n3,1,0\n4,0,1\n5,2,0\n6,1,1\n");
        string model = dir.File("m.json");
        Assert.Equal(0, Run("train", "--data", train, "--model", model, "--quiet", "--test-fraction", "0").Code);

        // Columns in another order are found by name: the same probabilities.
        string swapped = dir.Write("s.csv", "b,a\n5,1\n3,2\n");
        string same = dir.Write("o.csv", "a,b\n1,5\n2,3\n");
        (int code, string bySwapped, string error) = Run("predict", "--model", model, "--data", swapped);
        Assert.True(code == 0, error);
        Assert.Equal(Run("predict", "--model", model, "--data", same).Out, bySwapped);

        // A header that names only some of the model's features: an error naming the missing one, never a silent fallback to position.
        string partial = dir.Write("p.csv", "b,z\n5,1\n3,2\n");
        (code, _, error) = Run("predict", "--model", model, "--data", partial);
        Assert.Equal(1, code);
        Assert.Contains("'a'", error);
        Assert.Contains("--by-position", error);
        (code, _, error) = Run("evaluate", "--model", model, "--data", dir.Write("pe.csv", "b,z,y\n5,1,0\n3,2,1\n"));
        Assert.Equal(1, code);
        Assert.Contains("'a'", error);

        // Position only when asked for.
        (code, string byPosition, error) = Run("predict", "--model", model, "--data", partial, "--by-position");
        Assert.True(code == 0, error);
        Assert.Equal(Run("predict", "--model", model, "--data", dir.Write("bz.csv", "a,b\n5,1\n3,2\n")).Out, byPosition);
    }
}
