using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>The README's usage example compiles (it is this file), runs, and is the text the README shows.</summary>
public class ReadmeExampleTests
{
    private const string Start = "// README example: start";
    private const string End = "// README example: end";

    private static (TrainingResult Result, double Probability) RunExample()
    {
        // README example: start
        float[] x = [0.5f, 1.0f, -1.5f, 0.3f, 2.0f, -0.7f, -0.2f, -1.1f]; // 4 rows × 2 features, row-major
        float[] y = [1, 0, 1, 0];                                         // labels: 0 or 1
        var data = DenseDataset.Create(x, y, columns: 2);                 // a view over x and y: no copy
        var options = new TrainingOptions { L2 = 0.01 };                   // Auto solver (L-BFGS here), tolerance 1e-6 (relative)
        TrainingResult result = LogisticRegression.Train(data, options);
        Console.WriteLine(result.Report.Message);                         // why it stopped, and what to do if it did not converge
        LogisticModel model = result.Model;
        double p = model.PredictProbability<float>([0.4f, 0.9f]);         // P(y = 1 | x) = σ(wᵀx + b)
        Console.WriteLine($"P(y=1) = {p:F3}, class {model.PredictClass<float>([0.4f, 0.9f])}");
        // README example: end
        return (result, p);
    }

    [Fact]
    public void ExampleRunsAndConverges()
    {
        (TrainingResult result, double p) = RunExample();
        Assert.Equal(StopReason.Converged, result.Report.StopReason);
        Assert.InRange(p, 0.0, 1.0);
    }

    [Fact]
    public void ReadmeShowsExactlyTheTestedExample()
    {
        string[] source = File.ReadAllLines(Path.Combine(FindRepositoryRoot(), "tests", "FastLogReg.Tests", "ReadmeExampleTests.cs"));
        string[] example = source
            .SkipWhile(l => !l.Trim().Equals(Start, StringComparison.Ordinal)).Skip(1)
            .TakeWhile(l => !l.Trim().Equals(End, StringComparison.Ordinal))
            .Select(l => l.Trim())
            .ToArray();
        Assert.True(example.Length >= 8, "the example markers were not found");

        string readme = File.ReadAllText(Path.Combine(FindRepositoryRoot(), "README.md"));
        string[] readmeLines = readme.Split('\n').Select(l => l.Trim()).ToArray();
        int at = Array.IndexOf(readmeLines, example[0]);
        Assert.True(at >= 0, $"README.md does not contain the example's first line: {example[0]}");
        for (int i = 0; i < example.Length; i++)
        {
            Assert.Equal(example[i], readmeLines[at + i]);
        }
    }

    internal static string FindRepositoryRoot()
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "FastLogReg.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("FastLogReg.sln not found above " + AppContext.BaseDirectory);
    }
}
