using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// Coordinate descent along a path keeps its state from point to point and screens columns by the sequential strong
/// rule; every point must still be the optimum at its λ — a screened-out column that turns out to belong is found by the
/// final check and brought in.
/// </summary>
public sealed class StrongRuleTests
{
    private static DenseDataset<double> RawBreastCancer()
    {
        (double[] x, double[] y, _) = TestData.BreastCancer;
        return DenseDataset.Create(x, y, 30);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void RawPathPointsEqualColdFits(double rho)
    {
        DenseDataset<double> data = RawBreastCancer();
        var options = new TrainingOptions { L1Ratio = rho, Solver = Solver.CoordinateDescent, Tolerance = 1e-10, MaxIterations = 100_000 };
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 40 });

        foreach (PathPoint point in path.Points.Where((_, i) => i % 4 == 2))
        {
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda });
            Assert.Equal(StopReason.Converged, point.StopReason);
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-9, 0, $"objective at λ = {point.Lambda:G4}");
            Assert.Equal(
                Enumerable.Range(0, data.Columns).Where(j => cold.Model.Weights[j] != 0),
                Enumerable.Range(0, data.Columns).Where(j => point.Model.Weights[j] != 0));
        }
    }

    [Fact]
    public void ScreenedOutColumnsThatViolateOptimalityJoinTheFit()
    {
        // A previous L1 strength of 0 makes the rule's bound 2λρ: every column whose gradient at the start lies between λρ
        // and 2λρ — which the optimum needs — is screened out, and only the final check can bring it back.
        DenseDataset<double> data = RawBreastCancer();
        using var columns = ColumnCopy<double>.From(data);
        double[] weights = LogisticRegression.NormalizedRowWeights(data, ClassWeights.None);
        const double l1 = 1e-3;
        int dimension = data.Columns + 1;
        var rules = new StoppingRules(100_000, 1e-10, 1.0, null, () => 0, default);

        var screened = new NewGlmnet<double>(columns, data.Labels.Span, weights, null, fitIntercept: true);
        double[] start = screened.Minimize(2 * l1, 0, new double[dimension], rules, _ => { }).Point;
        double[] startGradient = Gradient(data, start);
        OptimizationResult result = screened.Minimize(l1, 0, start, rules, _ => { }, previousL1: 0);
        OptimizationResult plain = new NewGlmnet<double>(columns, data.Labels.Span, weights, null, fitIntercept: true).Minimize(l1, 0, start, rules, _ => { });

        int[] violators = [.. Enumerable.Range(0, data.Columns).Where(j => start[j] == 0 && Math.Abs(startGradient[j]) < 2 * l1 && result.Point[j] != 0)];
        Assert.NotEmpty(violators); // else the test shows nothing
        Assert.Equal(StopReason.Converged, result.StopReason);
        Close.Equal(plain.Objective, result.Objective, 1e-10, 0, "objective");
        Assert.Equal(
            Enumerable.Range(0, data.Columns).Where(j => plain.Point[j] != 0),
            Enumerable.Range(0, data.Columns).Where(j => result.Point[j] != 0));
    }

    [Fact]
    public void APathPointCostsAFewPassesWhenFewWeightsAreNonZero()
    {
        // Deterministic counts (single-threaded solver, fixed order). Without the carried-over state and the screening,
        // the default raw breast-cancer path took 700 column passes (each point at least one full gradient to start and
        // one per outer iteration); with them, 232.
        DenseDataset<double> data = RawBreastCancer();
        var options = new TrainingOptions { L1Ratio = 1, Solver = Solver.CoordinateDescent, MaxIterations = 100_000 };

        RegularizationPath path = RegularizationPath.Compute(data, options);

        Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));
        double passes = path.Points.Sum(p => p.DataPasses);
        Assert.True(passes <= 400, $"{passes:F0} column passes over the path");
    }

    private static double[] Gradient(DenseDataset<double> data, double[] point)
    {
        var objective = new LogisticObjective<double>(data, Penalty.None, fitIntercept: true, maxDegreeOfParallelism: 1);
        double[] gradient = new double[point.Length];
        objective.Evaluate(point, gradient);
        return gradient;
    }
}
