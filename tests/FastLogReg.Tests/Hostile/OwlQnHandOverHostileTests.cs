using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of Auto's OWL-QN → coordinate descent hand-over in a single fit (LogisticRegression.Train,
/// NewGlmnet.HandOver, ContinuedProgress). The oracle: an explicit Solver.CoordinateDescent fit (and, where cheap, an
/// explicit OWL-QN fit) at a tight tolerance reaches the same objective and zero pattern.
/// </summary>
public sealed class OwlQnHandOverHostileTests(ITestOutputHelper output)
{
    internal static readonly DenseDataset<double> BreastCancer = DenseDataset.Create(TestData.BreastCancer.X, TestData.BreastCancer.Y, 30);

    internal static readonly TrainingOptions Tight = new() { Lambda = 1e-3, L1Ratio = 1, Standardize = true, Tolerance = 1e-10, MaxIterations = 100_000 };

    internal static double[] SampleWeights(int n, int seed)
    {
        var rng = new Random(seed);
        double[] s = new double[n];
        for (int i = 0; i < n; i++)
        {
            s[i] = i % 17 == 5 ? 0 : 0.25 + (2 * rng.NextDouble());
        }

        return s;
    }

    internal static int[] Support(LogisticModel m) => [.. Enumerable.Range(0, m.FeatureCount).Where(j => m.Weights[j] != 0)];

    internal static double[] Weights(LogisticModel m) => [.. m.Weights.ToArray(), m.Bias];

    /// <summary>Auto against explicit coordinate descent: the hand-over happened and both reach the same optimum.</summary>
    private void AssertHandOverMatchesCoordinateDescent<T>(Dataset<T> data, TrainingOptions options, bool requireHandOver = true, double rtol = 1e-9)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var reports = new List<IterationProgress>();
        TrainingResult auto = LogisticRegression.Train(data, options with { Progress = new InlineProgress(reports.Add) });
        TrainingResult cd = LogisticRegression.Train(data, options with { Solver = Solver.CoordinateDescent });
        output.WriteLine($"Auto: {auto.Report.Solver} {auto.Report.StopReason} {auto.Report.Iterations} it, f = {auto.Report.FinalObjective:R}, nnz {auto.Report.NonZeroWeights}; CD: {cd.Report.StopReason} {cd.Report.Iterations} it, f = {cd.Report.FinalObjective:R}, nnz {cd.Report.NonZeroWeights}");
        if (requireHandOver)
        {
            Assert.Equal(Solver.CoordinateDescent, auto.Report.Solver);
            Assert.StartsWith("OWL-QN had not converged", auto.Report.Message);
        }

        Assert.Equal(StopReason.Converged, auto.Report.StopReason);
        Assert.Equal(StopReason.Converged, cd.Report.StopReason);
        Close.Equal(cd.Report.FinalObjective, auto.Report.FinalObjective, rtol, 0, "objective");
        Assert.Equal(Support(cd.Model), Support(auto.Model));
        Assert.Equal(Enumerable.Range(0, auto.Report.Iterations + 1), reports.Select(r => r.Iteration));
        Assert.Equal(auto.Report.Iterations + 1, auto.Report.ObjectiveHistory.Count);
        Assert.Equal(auto.Report.Iterations + 1, auto.Report.GradientNormHistory.Count);
    }

    public static TheoryData<bool, bool, double, string> Configurations() => new()
    {
        { true, true, 1.0, "none" },
        { true, true, 0.01, "none" },
        { true, true, 0.5, "none" },
        { true, true, 0.99, "none" },
        { true, false, 1.0, "none" },
        { true, false, 0.5, "none" },
        { false, false, 1.0, "none" }, // raw, no intercept: Auto keeps OWL-QN (no intercept), so it hands over
        { true, true, 1.0, "balanced" },
        { true, true, 0.5, "1:3" },
        { true, true, 1.0, "sample" },
        { true, false, 0.7, "sample+balanced" },
    };

    [Theory]
    [MemberData(nameof(Configurations))]
    public void HandOverReachesCoordinateDescentsOptimum(bool standardize, bool fitIntercept, double rho, string weighting)
    {
        DenseDataset<double> data = weighting.Contains("sample")
            ? DenseDataset.Create(TestData.BreastCancer.X, TestData.BreastCancer.Y, 30, SampleWeights(TestData.BreastCancer.Y.Length, 3))
            : BreastCancer;
        ClassWeights cw = weighting.Contains("balanced") ? ClassWeights.Balanced : weighting == "1:3" ? ClassWeights.Of(1, 3) : ClassWeights.None;
        double lambda = standardize ? 1e-3 : 1e-2;
        AssertHandOverMatchesCoordinateDescent(data, Tight with { Standardize = standardize, FitIntercept = fitIntercept, L1Ratio = rho, ClassWeights = cw, Lambda = lambda }, requireHandOver: false);
    }

    [Fact]
    public void HandOverOnFloatDataMatchesCoordinateDescent()
    {
        float[] x = [.. TestData.BreastCancer.X.Select(v => (float)v)];
        float[] y = [.. TestData.BreastCancer.Y.Select(v => (float)v)];
        AssertHandOverMatchesCoordinateDescent(DenseDataset.Create(x, y, 30), Tight);
    }

    [Fact]
    public void HandOverMatchesAnExplicitOwlQnFit()
    {
        TrainingResult auto = LogisticRegression.Train(BreastCancer, Tight);
        TrainingResult owl = LogisticRegression.Train(BreastCancer, Tight with { Solver = Solver.OwlQn, MaxIterations = 50_000 });
        Assert.Equal(Solver.CoordinateDescent, auto.Report.Solver);
        Assert.Equal(StopReason.Converged, auto.Report.StopReason);

        // OWL-QN alone reaches 10⁻¹⁰ or stops on its line search's rounding floor just short of it (with every SIMD
        // intrinsic off): either way at the optimum's objective.
        Assert.True(owl.Report.StopReason is StopReason.Converged or StopReason.NoProgress, $"OWL-QN: {owl.Report.StopReason}");
        Close.Equal(owl.Report.FinalObjective, auto.Report.FinalObjective, 1e-9, 0, "objective");
        Assert.Equal(Support(owl.Model), Support(auto.Model));
        Close.Equal(Weights(owl.Model), Weights(auto.Model), 1e-4, 1e-6, "weights");
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public void JustAboveTheAllowanceTheHandOverGetsTheIterationsLeft(int maxIterations)
    {
        var reports = new List<IterationProgress>();
        TrainingResult r = LogisticRegression.Train(BreastCancer, Tight with { MaxIterations = maxIterations, Progress = new InlineProgress(reports.Add) });
        Assert.Equal(Solver.CoordinateDescent, r.Report.Solver);
        Assert.InRange(r.Report.Iterations, LogisticRegression.AutoOwlQnIterations + 1, maxIterations);
        Assert.Equal(Enumerable.Range(0, r.Report.Iterations + 1), reports.Select(p => p.Iteration));
        Assert.Equal(r.Report.Iterations + 1, r.Report.ObjectiveHistory.Count);
        Assert.All(r.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));

        // Coordinate descent's steps must not make the objective worse than OWL-QN's 30 iterations.
        TrainingResult owl30 = LogisticRegression.Train(BreastCancer, Tight with { Solver = Solver.OwlQn, MaxIterations = 30 });
        Assert.True(r.Report.FinalObjective <= owl30.Report.FinalObjective, $"{r.Report.FinalObjective:R} > OWL-QN's {owl30.Report.FinalObjective:R}");
    }

    [Fact]
    public void CancellationDuringOwlQnStopsWithoutHandOver()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<IterationProgress>();
        TrainingResult r = LogisticRegression.Train(BreastCancer, Tight with { Progress = new InlineProgress(p => { reports.Add(p); if (p.Iteration == 10) { cts.Cancel(); } }) }, cts.Token);
        Assert.Equal(StopReason.Cancelled, r.Report.StopReason);
        Assert.Equal(10, r.Report.Iterations);
        Assert.Equal(Enumerable.Range(0, 11), reports.Select(p => p.Iteration));
    }

    /// <summary>Cancelled at OWL-QN's last allowed iteration: the iteration limit wins there, so the hand-over starts and stops at once.</summary>
    [Fact]
    public void CancellationAtTheLastOwlQnIteration()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<IterationProgress>();
        TrainingResult r = LogisticRegression.Train(BreastCancer, Tight with { Lambda = 1e-4, Progress = new InlineProgress(p => { reports.Add(p); if (p.Iteration == LogisticRegression.AutoOwlQnIterations) { cts.Cancel(); } }) }, cts.Token);
        Assert.Equal(StopReason.Cancelled, r.Report.StopReason);
        Assert.Equal(LogisticRegression.AutoOwlQnIterations, r.Report.Iterations);
        Assert.Equal(Enumerable.Range(0, LogisticRegression.AutoOwlQnIterations + 1), reports.Select(p => p.Iteration));
        Assert.Equal(r.Report.Iterations + 1, r.Report.ObjectiveHistory.Count);
        TrainingResult owl30 = LogisticRegression.Train(BreastCancer, Tight with { Lambda = 1e-4, Solver = Solver.OwlQn, MaxIterations = 30 });
        Close.Equal(owl30.Report.FinalObjective, r.Report.FinalObjective, 1e-12, 0, "objective: OWL-QN's 30th iterate");
    }

    [Fact]
    public void CancellationDuringCoordinateDescentReturnsItsBestPoint()
    {
        using var cts = new CancellationTokenSource();
        var reports = new List<IterationProgress>();
        TrainingResult r = LogisticRegression.Train(BreastCancer, Tight with { Lambda = 1e-4, Progress = new InlineProgress(p => { reports.Add(p); if (p.Iteration == 33) { cts.Cancel(); } }) }, cts.Token);
        Assert.Equal(StopReason.Cancelled, r.Report.StopReason);
        Assert.Equal(Solver.CoordinateDescent, r.Report.Solver);
        Assert.Equal(33, r.Report.Iterations);
        Assert.Equal(Enumerable.Range(0, 34), reports.Select(p => p.Iteration));
        Assert.Equal(r.Report.FinalObjective, reports.Min(p => p.Objective));
    }

    [Fact]
    public void AThrowingProgressInCoordinateDescentPropagatesAndLeavesNoDamage()
    {
        TrainingOptions options = Tight with { Lambda = 1e-4 };
        TrainingResult before = LogisticRegression.Train(BreastCancer, options);
        var boom = new InvalidOperationException("boom");
        InvalidOperationException thrown = Assert.Throws<InvalidOperationException>(() =>
            LogisticRegression.Train(BreastCancer, options with { Progress = new InlineProgress(p => { if (p.Iteration == 35) { throw boom; } }) }));
        Assert.Same(boom, thrown);
        TrainingResult after = LogisticRegression.Train(BreastCancer, options);
        Assert.Equal(Weights(before.Model), Weights(after.Model));
        Assert.Equal(before.Report.Iterations, after.Report.Iterations);
    }

    [Fact]
    public void ResultsAreBitIdenticalFor1To3Threads()
    {
        foreach (double rho in new[] { 1.0, 0.3 })
        {
            TrainingResult[] r = [.. new[] { 1, 2, 3 }.Select(t => LogisticRegression.Train(BreastCancer, Tight with { Lambda = 1e-4, L1Ratio = rho, MaxDegreeOfParallelism = t }))];
            Assert.Equal(Solver.CoordinateDescent, r[0].Report.Solver);
            for (int k = 1; k < r.Length; k++)
            {
                Assert.Equal(Weights(r[0].Model), Weights(r[k].Model));
                Assert.Equal(r[0].Report.Iterations, r[k].Report.Iterations);
                Assert.Equal(r[0].Report.ObjectiveHistory, r[k].Report.ObjectiveHistory);
            }
        }
    }

    [Fact]
    public void WarmStartedHandOverMatchesCold()
    {
        TrainingResult near = LogisticRegression.Train(BreastCancer, Tight with { Lambda = 1e-3 });
        TrainingResult warm = LogisticRegression.Train(BreastCancer, Tight with { Lambda = 1e-4, InitialModel = near.Model });
        TrainingResult cd = LogisticRegression.Train(BreastCancer, Tight with { Lambda = 1e-4, Solver = Solver.CoordinateDescent });
        Assert.Equal(StopReason.Converged, warm.Report.StopReason);
        Close.Equal(cd.Report.FinalObjective, warm.Report.FinalObjective, 1e-9, 0, "objective");
        Assert.Equal(Support(cd.Model), Support(warm.Model));
    }

    /// <summary>Breast cancer with hostile columns appended: a constant, a duplicate of column 0 and a near duplicate of 1.</summary>
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public void ConstantAndDuplicatedColumns(double rho)
    {
        (double[] x0, double[] y, _) = TestData.BreastCancer;
        int d0 = 30, d = 33, n = y.Length;
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(x0, i * d0, x, i * d, d0);
            x[(i * d) + 30] = 7.5;
            x[(i * d) + 31] = x0[i * d0];
            x[(i * d) + 32] = x0[(i * d0) + 1] * (1 + (1e-9 * (i % 3)));
        }

        var data = DenseDataset.Create(x, y, d);
        AssertHandOverMatchesCoordinateDescent(data, Tight with { L1Ratio = rho, Lambda = 1e-4 }, requireHandOver: false, rtol: 1e-9);
        TrainingResult auto = LogisticRegression.Train(data, Tight with { L1Ratio = rho, Lambda = 1e-4 });
        Assert.Equal(0, auto.Model.Weights[30]);
    }

    [Fact]
    public void OneRowPerClassAndSeparableData()
    {
        // One row per class (separable): the L1 penalty keeps the optimum finite.
        var tiny = DenseDataset.Create(new double[] { 1, 2, 3, -1, -2, -2.5 }, new double[] { 1, 0 }, 3);
        TrainingOptions tinyOptions = Tight with { Lambda = 1e-3, Standardize = false, FitIntercept = false };
        TrainingResult a = LogisticRegression.Train(tiny, tinyOptions);
        TrainingResult c = LogisticRegression.Train(tiny, tinyOptions with { Solver = Solver.CoordinateDescent });
        output.WriteLine($"tiny: Auto {a.Report.Solver} {a.Report.StopReason} {a.Report.Iterations} f {a.Report.FinalObjective:R}; CD {c.Report.StopReason} f {c.Report.FinalObjective:R}");
        Assert.Equal(StopReason.Converged, a.Report.StopReason);
        Close.Equal(c.Report.FinalObjective, a.Report.FinalObjective, 1e-9, 0, "tiny objective");

        // Separable correlated data (labels by the sign of a combination): small λ.
        AssertHandOverMatchesCoordinateDescent(CarriedCurvaturePathHostileTests.SeparableCorrelated(), Tight with { Lambda = 1e-3, L1Ratio = 0.9 }, requireHandOver: false, rtol: 1e-8);
    }
}
