using System.Text.RegularExpressions;
using FastLogReg.Cli;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Cli;

/// <summary><c>evaluate --plot</c> (ROC) and <c>--calibration</c> (reliability diagram).</summary>
public sealed class EvaluationPlotTests
{
    [Fact]
    public void RocCurveArea_EqualsTheEvaluationsAuc()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        var data = DenseDataset.Create(x, y, names.Length);
        LogisticModel model = LogisticRegression.Train(data, new TrainingOptions { L2 = 1e-2, Standardize = true }).Model;
        double[] p = EvaluationPlots.Probabilities(model, data);

        (var curve, double area) = EvaluationPlots.Curve(p, y.Select(v => v == 1).ToArray());

        Assert.Equal(model.Evaluate(data).RocAuc, area, 1e-12);
        Assert.Equal((0.0, 0.0), (curve[0].X, curve[0].Y));
        Assert.Equal((1.0, 1.0), (curve[^1].X, curve[^1].Y));
        Assert.True(curve.Zip(curve.Skip(1)).All(s => s.Second.X >= s.First.X && s.Second.Y >= s.First.Y), "the curve must be monotone");
    }

    [Fact]
    public void TiedScores_AreOneDiagonalStep()
    {
        (var curve, double area) = EvaluationPlots.Curve([0.5, 0.5, 0.9], [true, false, true]);

        Assert.Equal(0.75, area, 1e-15); // one positive above everything, then a tie of one positive and one negative
        Assert.Equal(3, curve.Count);
    }

    [Fact]
    public void EvaluateDrawsBothPlots_ForBinaryAndKClassModels()
    {
        using var dir = new TempDirectory();
        foreach ((string file, int classes) in new[] { ("breast_cancer.csv", 1), ("digits.csv", 10) })
        {
            string csv = dir.Write(file, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", file)));
            string model = dir.File(file + ".json"), roc = dir.File(file + ".roc.svg"), calibration = dir.File(file + ".cal.svg");
            Assert.Equal(0, Run("train", "--data", csv, "--model", model, "--standardize", "--quiet").Code);

            (int code, _, string error) = Run("evaluate", "--model", model, "--data", csv, "--plot", roc, "--calibration", calibration);

            Assert.True(code == 0, error);
            string rocSvg = File.ReadAllText(roc), calibrationSvg = File.ReadAllText(calibration);
            Assert.Equal(classes, Regex.Matches(rocSvg, "AUC [01]\\.[0-9]{4}").Count);
            Assert.Matches("expected calibration error 0\\.[0-9]{4}", calibrationSvg);
        }
    }

    [Fact]
    public void OnePathForBothPlots_IsBadUsage()
    {
        using var dir = new TempDirectory();
        string svg = dir.File("p.svg");
        (int code, _, string error) = Run("evaluate", "--model", dir.File("m.json"), "--data", dir.File("d.csv"), "--plot", svg, "--calibration", svg);
        Assert.Equal(2, code);
        Assert.Contains("--calibration", error);
    }

    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);
}
