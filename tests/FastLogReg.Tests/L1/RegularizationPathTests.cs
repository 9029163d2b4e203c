using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>The L1 path against scikit-learn's (warm-started saga, polished) and against cold fits.</summary>
public class RegularizationPathTests
{
    private static JsonElement Path() =>
        JsonDocument.Parse(File.ReadAllText(System.IO.Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_path_cv.json"))).RootElement.GetProperty("l1_path");

    [Fact]
    public void PathMatchesScikitLearnsAtEveryLambda()
    {
        JsonElement fixture = Path();
        DenseDataset<double> data = L1Fixtures.Load("breast_cancer_standardized");
        double[] lambdas = L1Fixtures.Doubles(fixture.GetProperty("lambdas"));
        RegularizationPath path = RegularizationPath.Compute(data, new TrainingOptions { L1Ratio = 1, Tolerance = 1e-10, MaxIterations = 20_000 }, new PathOptions { Lambdas = lambdas });

        Close.Equal(fixture.GetProperty("lambda_max").GetDouble(), path.LambdaMax, 1e-12, 0, "λ_max");
        Close.Equal(fixture.GetProperty("intercept_only_bias").GetDouble(), path.InterceptOnlyBias, 1e-12, 0, "b*");
        int k = 0;
        foreach (JsonElement fit in fixture.GetProperty("fits").EnumerateArray())
        {
            PathPoint point = path.Points[k++];
            Close.Equal(fit.GetProperty("lambda").GetDouble(), point.Lambda, 1e-15, 0, "λ");
            Close.Equal(fit.GetProperty("objective").GetDouble(), point.Objective, 1e-6, 0, $"objective at λ = {point.Lambda:G4}");
            int[] zeros = fit.GetProperty("zero_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            Assert.Equal(zeros, Enumerable.Range(0, data.Columns).Where(j => point.Model.Weights[j] == 0).ToArray());
        }
    }

    [Fact]
    public void DefaultPathHasOneHundredLambdasDownToTenToTheMinusFourAndItsActiveSetsAreTheColdFits()
    {
        DenseDataset<double> data = L1Fixtures.Load("breast_cancer_standardized");
        var options = new TrainingOptions { L1Ratio = 1, Tolerance = 1e-10, MaxIterations = 20_000 };
        RegularizationPath path = RegularizationPath.Compute(data, options);

        Assert.Equal(100, path.Points.Count);
        Close.Equal(path.LambdaMax, path.Points[0].Lambda, 1e-15, 0, "first λ");
        Close.Equal(path.LambdaMax * 1e-4, path.Points[^1].Lambda, 1e-12, 0, "last λ");
        Assert.Equal(0, path.Points[0].NonZeroWeights);
        Assert.True(path.Points[^1].NonZeroWeights > 20, $"{path.Points[^1].NonZeroWeights} non-zeros at λ_min");

        // The count is not monotone on these data, nor need it be: "worst perimeter" (22) enters at λ = 0.22 and leaves
        // at 0.17, when the correlated "worst radius" (20) has come in. What must hold is that each active set is the
        // optimum's — a cold fit at the same λ has the same zeros.
        for (int k = 1; k < 20; k++)
        {
            PathPoint point = path.Points[k];
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda });
            Assert.Equal(
                Enumerable.Range(0, data.Columns).Where(j => cold.Model.Weights[j] != 0),
                Enumerable.Range(0, data.Columns).Where(j => point.Model.Weights[j] != 0));
        }
    }

    [Fact]
    public void ProgressReceivesEveryPointsIterations()
    {
        // The hostile review found the path ignored TrainingOptions.Progress: no report at all on a path.
        DenseDataset<double> data = L1Fixtures.Load("breast_cancer_standardized");
        var reports = new List<FastLogReg.Optimization.IterationProgress>();
        var options = new TrainingOptions { L1Ratio = 1, Progress = new Collect(reports) };

        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 10 });

        Assert.Equal(path.Points.Sum(p => p.Iterations + 1), reports.Count); // iterations 0 … Iterations at each λ
        Assert.Equal(path.Points.Count, reports.Count(r => r.Iteration == 0));
        Assert.All(reports, r => Assert.True(double.IsFinite(r.Objective)));
    }

    private sealed class Collect(List<FastLogReg.Optimization.IterationProgress> into) : IProgress<FastLogReg.Optimization.IterationProgress>
    {
        public void Report(FastLogReg.Optimization.IterationProgress value) => into.Add(value);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void EachPointEqualsAColdFitAtItsLambda(double rho)
    {
        DenseDataset<double> data = L1Fixtures.Load("digits_3_vs_8_standardized");
        var options = new TrainingOptions { L1Ratio = rho, Tolerance = 1e-9, MaxIterations = 20_000 };
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 12 });
        foreach (PathPoint point in path.Points.Where((_, i) => i % 3 == 1))
        {
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-8, 0, $"objective at λ = {point.Lambda:G4}");
            Assert.Equal(cold.Report.NonZeroWeights, point.NonZeroWeights);
        }
    }
}
