using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>
/// FastLogReg's optimum equals scikit-learn's on the bundled breast-cancer data. The reference values come from
/// Fixtures/make_sklearn_fixtures.py (committed along with its output); the test never runs Python.
/// </summary>
public class ScikitLearnAgreementTests
{
    private static JsonElement Fixture()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_breast_cancer.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement;
    }

    [Fact]
    public void StandardizationMatchesTheFixture()
    {
        JsonElement fixture = Fixture();
        (double[] x, _, string[] names) = TestData.BreastCancer;
        int d = names.Length, n = x.Length / d;
        double[] means = fixture.GetProperty("standardization").GetProperty("mean").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        for (int j = 0; j < d; j++)
        {
            double mean = Enumerable.Range(0, n).Average(i => x[(i * d) + j]);
            Close.Equal(means[j], mean, 1e-12, 0, $"mean of column {names[j]}");
        }
    }

    [Fact]
    public void GradientDescentReachesScikitLearnOptimumForCEqualsOne()
    {
        JsonElement fit = Fixture().GetProperty("fits").EnumerateArray().First(f => f.GetProperty("C").GetDouble() == 1.0);
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        Close.Equal(fit.GetProperty("l2").GetDouble(), l2, 1e-15, 0, "λ = 1/(C·n)");

        var options = new TrainingOptions
        {
            Solver = Solver.GradientDescent,
            L2 = l2,
            LearningRate = LogisticRegression.SafeLearningRate(data, l2),
            Tolerance = 1e-7,
            MaxIterations = 500_000,
        };
        TrainingResult result = LogisticRegression.Train(data, options);

        Assert.Equal(StopReason.Converged, result.Report.StopReason);
        double[] expectedWeights = fit.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        double[] actual = [.. result.Model.Weights, result.Model.Bias];
        double[] expected = [.. expectedWeights, fit.GetProperty("bias").GetDouble()];
        Close.NormRelative(expected, actual, 1e-4, "(w, b) vs scikit-learn");
        Close.Equal(fit.GetProperty("objective").GetDouble(), result.Report.FinalObjective, 1e-7, 0, "objective vs scikit-learn");
    }
}
