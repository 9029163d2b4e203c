using FastLogReg.Data;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// Auto's K-class L2 rule: L-BFGS first, trust-region Newton from its best point once L-BFGS has spent its allowance
/// (in a fit and at a point of the path, Newton then fitting the rest of the path) — the hand-over happens where L-BFGS
/// crawls, not where it converges, and the result is Newton's optimum.
/// </summary>
public sealed class MulticlassAutoNewtonTests(ITestOutputHelper output)
{
    /// <summary>The first <paramref name="rows"/> digits (10 classes, 64 pixels of 0–16, several constant), unstandardized.</summary>
    private static DenseDataset<double> RawDigits(int rows)
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        return DenseDataset.Create(x.AsSpan(0, rows * 64).ToArray(), y.AsSpan(0, rows).ToArray(), 64, 10);
    }

    [Theory]
    [InlineData(MultiClass.Auto)]
    [InlineData(MultiClass.OneVsRest)]
    public void AutoHandsOverToNewtonWhereLbfgsCrawls_AndReachesNewtonsOptimum(MultiClass multiClass)
    {
        // Raw pixels at C = 1: L-BFGS needs thousands of iterations (ill-conditioned), more than Auto's allowance.
        DenseDataset<double> digits = RawDigits(1000);
        var iterations = new List<int>();
        var elapsed = new List<TimeSpan>();
        var options = new TrainingOptions { Lambda = 1e-3, Tolerance = 1e-8, MultiClass = multiClass };
        TrainingResult auto = LogisticRegression.Train(digits, options with { Progress = new InlineProgress(p => { iterations.Add(p.Iteration); elapsed.Add(p.Elapsed); }) });
        output.WriteLine($"{auto.Report.Solver} {auto.Report.Iterations} iterations, {auto.Report.DataPasses} passes: {auto.Report.Message}");
        Assert.Equal(Solver.Newton, auto.Report.Solver);
        Assert.Equal(StopReason.Converged, auto.Report.StopReason);
        Assert.StartsWith($"L-BFGS had not converged after {LogisticRegression.AutoMulticlassLbfgsIterations} iterations; trust-region Newton went on", auto.Report.Message);
        Assert.True(auto.Report.Iterations > LogisticRegression.AutoMulticlassLbfgsIterations);
        Assert.Equal(auto.Report.Iterations + 1, auto.Report.ObjectiveHistory.Count);
        // The progress numbers go on where L-BFGS's stopped: 0 (the start), 1, 2, … once each.
        Assert.Equal(Enumerable.Range(0, auto.Report.Iterations + 1), iterations);
        // And the elapsed time from L-BFGS's start (a review found Newton's restarting at 0).
        Assert.All(Enumerable.Range(1, elapsed.Count - 1), i => Assert.True(elapsed[i] >= elapsed[i - 1], $"elapsed went back at report {i}"));

        TrainingResult newton = LogisticRegression.Train(digits, options with { Solver = Solver.Newton });
        Close.Equal(newton.Report.FinalObjective, auto.Report.FinalObjective, 1e-9, 0, "Auto's objective against Newton's (both at ‖∇f‖ ≤ 10⁻⁸ of the start's: gaps ~‖∇f‖²/λ)");

        // L-BFGS named explicitly is not handed over (and stops at MaxIterations here).
        TrainingResult lbfgs = LogisticRegression.Train(digits, options with { Solver = Solver.Lbfgs });
        Assert.Equal(Solver.Lbfgs, lbfgs.Report.Solver);
        Assert.Equal(StopReason.MaxIterations, lbfgs.Report.StopReason);
        Assert.True(lbfgs.Report.FinalObjective > auto.Report.FinalObjective);
    }

    [Fact]
    public void AutoKeepsLbfgsWhereItConverges_AndWithinASmallIterationLimit()
    {
        // Standardized digits: L-BFGS converges in a couple of hundred iterations and keeps the fit.
        DenseDataset<double> digits = RawDigits(1000);
        TrainingResult standardized = LogisticRegression.Train(digits, new TrainingOptions { Lambda = 1e-3, Standardize = true });
        Assert.Equal(Solver.Lbfgs, standardized.Report.Solver);
        Assert.Equal(StopReason.Converged, standardized.Report.StopReason);
        Assert.InRange(standardized.Report.Iterations, 1, LogisticRegression.AutoMulticlassLbfgsIterations);

        // A limit at or under the allowance: L-BFGS has it all, and stops at it.
        TrainingResult limited = LogisticRegression.Train(digits, new TrainingOptions { Lambda = 1e-3, MaxIterations = LogisticRegression.AutoMulticlassLbfgsIterations });
        Assert.Equal(Solver.Lbfgs, limited.Report.Solver);
        Assert.Equal(StopReason.MaxIterations, limited.Report.StopReason);
        Assert.Equal(LogisticRegression.AutoMulticlassLbfgsIterations, limited.Report.Iterations);

        // An L1 share goes to OWL-QN (and its own hand-over), never to trust-region Newton.
        Assert.NotEqual(Solver.Newton, LogisticRegression.Train(digits, new TrainingOptions { Lambda = 1e-3, L1Ratio = 0.5, MaxIterations = 600 }).Report.Solver);
    }

    [Fact]
    public void AutosRidgePathHandsOverWhereAPointCrawls_AndEveryPointIsAColdFit()
    {
        // Raw digits' ridge path: the small-λ points take L-BFGS 100–400 iterations each. Auto hands the first point
        // past its allowance to Newton, which fits the rest of the path in a few iterations a point.
        DenseDataset<double> digits = RawDigits(600);
        var options = new TrainingOptions { Tolerance = 1e-8 };
        RegularizationPath path = RegularizationPath.Compute(digits, options, new PathOptions { Count = 40 });
        int handedOver = path.Points.ToList().FindIndex(p => p.Iterations > LogisticRegression.AutoMulticlassLbfgsPathIterations);
        output.WriteLine(string.Join(" ", path.Points.Select(p => p.Iterations)) + $" (handed over at {handedOver})");
        Assert.InRange(handedOver, 1, path.Points.Count - 5);
        Assert.All(path.Points.Skip(handedOver + 1), p => Assert.InRange(p.Iterations, 0, 40));
        Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));

        foreach (int i in new[] { handedOver, handedOver + 1, path.Points.Count - 1 })
        {
            PathPoint point = path.Points[i];
            TrainingResult cold = LogisticRegression.Train(digits, options with { Lambda = point.Lambda, Solver = Solver.Newton });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-9, 0, $"point {i} against a cold Newton fit");
        }

        // A review's case: a MaxIterations between the path's allowance (100) and a fit's (500) switched the hand-over
        // off, and the points past the first crawl stopped at MaxIterations.
        RegularizationPath limited = RegularizationPath.Compute(digits, options with { MaxIterations = 150 }, new PathOptions { Count = 40 });
        Assert.All(limited.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));

        // L-BFGS named explicitly keeps every point.
        RegularizationPath lbfgs = RegularizationPath.Compute(digits, options with { Solver = Solver.Lbfgs }, new PathOptions { Count = 40 });
        Assert.True(lbfgs.Points.Skip(handedOver + 1).Max(p => p.Iterations) > 40);
    }
}
