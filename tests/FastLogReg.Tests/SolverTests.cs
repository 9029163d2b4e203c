using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>Every solver reaches scikit-learn's optimum; L-BFGS does it in few passes; the shared machinery behaves.</summary>
public class SolverTests
{
    public static readonly TheoryData<Solver> ExactSolvers = new() { Solver.Lbfgs, Solver.BacktrackingGradientDescent, Solver.Nesterov, Solver.GradientDescent, Solver.NewtonCholesky };

    /// <summary>
    /// Fixed-step descent is left out at C = 100: with λ = 1/(100·569) its linear rate is about 1 − ηλ ≈ 1 − 2·10⁻⁶ per
    /// pass, so a 10⁻⁸ objective gap takes millions of passes (measured: still 1.4·10⁻⁷ off after 2·10⁶). That is the
    /// textbook method's nature, not a defect; Nesterov, backtracking and L-BFGS are tested instead.
    /// </summary>
    public static readonly TheoryData<Solver> SolversForIllConditioned = new() { Solver.Lbfgs, Solver.BacktrackingGradientDescent, Solver.Nesterov, Solver.NewtonCholesky };

    private static JsonElement Fixture(string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", name))).RootElement;

    private static JsonElement Fit(JsonElement fixture, double c, string classWeight = "none") =>
        fixture.GetProperty("fits").EnumerateArray().First(f => f.GetProperty("C").GetDouble() == c && f.GetProperty("class_weight").GetString() == classWeight);

    private static DenseDataset<double> RawBreastCancer()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        return DenseDataset.Create(x, y, names.Length);
    }

    private static DenseDataset<double> Synthetic()
    {
        JsonElement fixture = Fixture("sklearn_synthetic.json");
        (double[] x, double[] y) = SyntheticData.Generate(fixture.GetProperty("rows").GetInt32(), fixture.GetProperty("columns").GetInt32(), fixture.GetProperty("seed").GetUInt64());
        Assert.Equal(fixture.GetProperty("label_sum").GetDouble(), y.Sum());
        Close.Equal(fixture.GetProperty("feature_sum").GetDouble(), x.Sum(), 1e-12, 1e-9, "synthetic feature sum (same generator as the Python script)");
        return DenseDataset.Create(x, y, fixture.GetProperty("columns").GetInt32());
    }

    /// <summary>Trains and compares with a fixture fit, standardized space: weights ×σ, bias + Σ wμ (as scikit-learn saw them).</summary>
    private static TrainingResult AssertReachesOptimum(DenseDataset<double> data, JsonElement fit, TrainingOptions options, bool standardized, double objectiveRtol, double weightRtol)
    {
        TrainingResult result = LogisticRegression.Train(data, options);
        double[] expected = [.. fit.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()), fit.GetProperty("bias").GetDouble()];
        double[] actual;
        if (standardized)
        {
            FeatureScaling scaling = FeatureScaling.Compute(data);
            double[] w = new double[data.Columns];
            scaling.ToStandardized(result.Model.Weights, result.Model.Bias, w, out double b);
            actual = [.. w, b];
        }
        else
        {
            actual = [.. result.Model.Weights, result.Model.Bias];
        }

        string what = $"{options.Solver} ({result.Report.StopReason}, {result.Report.Iterations} iterations, {result.Report.DataPasses:G4} passes)";
        Close.Equal(fit.GetProperty("objective").GetDouble(), result.Report.FinalObjective, objectiveRtol, 0, $"objective vs scikit-learn, {what}");
        Close.NormRelative(expected, actual, weightRtol, $"(w, b) vs scikit-learn, {what}");
        return result;
    }

    private static TrainingOptions Tight(Solver solver, double l2, bool standardize) => new()
    {
        Solver = solver,
        L2 = l2,
        Standardize = standardize,
        Tolerance = 1e-9,
        MaxIterations = solver is Solver.GradientDescent or Solver.BacktrackingGradientDescent ? 2_000_000 : 200_000,
    };

    [Theory]
    [MemberData(nameof(ExactSolvers))]
    public void EverySolverReachesScikitLearnOptimumOnBreastCancerWithCOne(Solver solver)
    {
        DenseDataset<double> data = RawBreastCancer();
        JsonElement fit = Fit(Fixture("sklearn_breast_cancer.json"), 1.0);
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        AssertReachesOptimum(data, fit, Tight(solver, l2, standardize: true), standardized: true, 1e-8, 1e-5);
    }

    [Theory]
    [MemberData(nameof(SolversForIllConditioned))]
    public void EverySolverReachesScikitLearnOptimumOnBreastCancerWithCHundred(Solver solver)
    {
        DenseDataset<double> data = RawBreastCancer();
        JsonElement fit = Fit(Fixture("sklearn_breast_cancer.json"), 100.0);
        double l2 = TrainingOptions.L2FromScikitLearnC(100.0, data.Rows);
        AssertReachesOptimum(data, fit, Tight(solver, l2, standardize: true), standardized: true, 1e-8, 1e-5);
    }

    [Theory]
    [MemberData(nameof(ExactSolvers))]
    public void EverySolverReachesScikitLearnOptimumOnSyntheticData(Solver solver)
    {
        DenseDataset<double> data = Synthetic();
        JsonElement fit = Fit(Fixture("sklearn_synthetic.json"), 1.0);
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        AssertReachesOptimum(data, fit, Tight(solver, l2, standardize: false), standardized: false, 1e-8, 1e-5);
    }

    [Theory]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.NewtonCholesky)]
    public void BalancedClassWeightsMatchScikitLearn(Solver solver)
    {
        DenseDataset<double> data = RawBreastCancer();
        JsonElement fit = Fit(Fixture("sklearn_breast_cancer.json"), 1.0, "balanced");
        var options = Tight(solver, fit.GetProperty("l2").GetDouble(), standardize: true) with { ClassWeights = ClassWeights.Balanced };
        AssertReachesOptimum(data, fit, options, standardized: true, 1e-8, 1e-5);
    }

    [Fact]
    public void MiniBatchSgdGetsCloseToTheOptimum()
    {
        // Plain SGD converges sublinearly (the error falls like 1/t): a 1e-8 objective gap would take ~10⁸ epochs.
        // What it must do is get close, reproducibly.
        DenseDataset<double> data = RawBreastCancer();
        JsonElement fit = Fit(Fixture("sklearn_breast_cancer.json"), 1.0);
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        var options = new TrainingOptions { Solver = Solver.MiniBatchSgd, L2 = l2, Standardize = true, BatchSize = 32, MaxIterations = 300, Seed = 7, Tolerance = 1e-9 };
        TrainingResult result = AssertReachesOptimum(data, fit, options, standardized: true, objectiveRtol: 1e-3, weightRtol: 0.05);
        Assert.Equal(301, result.Report.ObjectiveHistory.Count);
    }

    [Fact]
    public void MiniBatchSgdIsReproducibleForASeed()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        var options = new TrainingOptions { Solver = Solver.MiniBatchSgd, L2 = 0.01, BatchSize = 50, MaxIterations = 20, Seed = 3 };
        LogisticModel a = LogisticRegression.Train(data, options).Model;
        LogisticModel b = LogisticRegression.Train(data, options).Model;
        LogisticModel c = LogisticRegression.Train(data, options with { Seed = 4 }).Model;
        Assert.Equal(a.Weights.ToArray(), b.Weights.ToArray());
        Assert.NotEqual(a.Weights.ToArray(), c.Weights.ToArray());
    }

    [Fact]
    public void LbfgsNeedsAFewDozenPassesWhereGradientDescentNeedsThousands()
    {
        DenseDataset<double> data = RawBreastCancer();
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        var lbfgs = LogisticRegression.Train(data, new TrainingOptions { L2 = l2, Standardize = true, Tolerance = 1e-6 }).Report;
        var descent = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, L2 = l2, Standardize = true, Tolerance = 1e-6, MaxIterations = 1_000_000 }).Report;

        Assert.Equal(StopReason.Converged, lbfgs.StopReason);
        Assert.Equal(StopReason.Converged, descent.StopReason);
        Assert.True(lbfgs.DataPasses <= 60, $"L-BFGS took {lbfgs.DataPasses} passes");
        Assert.True(descent.DataPasses >= 1000, $"gradient descent took {descent.DataPasses} passes");
        Close.Equal(descent.FinalObjective, lbfgs.FinalObjective, 1e-7, 0, "both reach the same objective");
    }

    [Fact]
    public void WithoutStandardizationFixedStepDescentStrugglesOnRawBreastCancer()
    {
        // Raw features span four orders of magnitude: the safe step is tiny for the small-scale columns.
        DenseDataset<double> data = RawBreastCancer();
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        var raw = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, L2 = l2, MaxIterations = 20_000 }).Report;
        var standardized = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, L2 = l2, MaxIterations = 1_000_000, Standardize = true }).Report;

        Assert.Equal(StopReason.MaxIterations, raw.StopReason);
        Assert.Contains("standardize", raw.Message);
        Assert.Contains("orders of magnitude", raw.Message);
        Assert.Equal(StopReason.Converged, standardized.StopReason);
        Assert.True(raw.FinalObjective > standardized.FinalObjective * 1.5, $"raw {raw.FinalObjective} vs standardized {standardized.FinalObjective}");
    }

    [Fact]
    public void StandardizationInsideTheKernelEqualsTrainingOnStandardizedCopies()
    {
        DenseDataset<double> raw = RawBreastCancer();
        DenseDataset<double> copy = TestData.BreastCancerStandardized();
        var options = new TrainingOptions { L2 = 0.01, Tolerance = 1e-10 };
        TrainingResult inKernel = LogisticRegression.Train(raw, options with { Standardize = true });
        TrainingResult onCopy = LogisticRegression.Train(copy, options);

        Close.Equal(onCopy.Report.FinalObjective, inKernel.Report.FinalObjective, 1e-10, 0, "objective");
        double[] p1 = new double[raw.Rows], p2 = new double[raw.Rows];
        inKernel.Model.PredictProbabilities(raw.Features.Span, p1);
        onCopy.Model.PredictProbabilities(copy.Features.Span, p2);
        Close.Equal(p2, p1, 1e-7, 1e-9, "probabilities: the folded model on raw features vs the model on standardized copies");
    }

    [Theory]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.BacktrackingGradientDescent)]
    public void WeightedTrainingEqualsTrainingOnDuplicatedRows(Solver solver)
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length, n = y.Length;
        var rng = new Random(5);
        double[] weights = Enumerable.Range(0, n).Select(_ => (double)rng.Next(0, 4)).ToArray();
        var dx = new List<double>();
        var dy = new List<double>();
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < (int)weights[i]; k++)
            {
                dx.AddRange(x.AsSpan(i * d, d).ToArray());
                dy.Add(y[i]);
            }
        }

        var options = new TrainingOptions { Solver = solver, L2 = 0.001, Standardize = true, Tolerance = 1e-10, MaxIterations = 100_000 };
        TrainingResult weighted = LogisticRegression.Train(DenseDataset.Create(x, y, d, weights), options);
        TrainingResult duplicated = LogisticRegression.Train(DenseDataset.Create(dx.ToArray(), dy.ToArray(), d), options);

        Close.Equal(duplicated.Report.FinalObjective, weighted.Report.FinalObjective, 1e-10, 0, "objective");
        Close.NormRelative([.. duplicated.Model.Weights, duplicated.Model.Bias], [.. weighted.Model.Weights, weighted.Model.Bias], 1e-6, "model");
    }

    [Theory]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.GradientDescent)]
    [InlineData(Solver.BacktrackingGradientDescent)]
    [InlineData(Solver.Nesterov)]
    public void WarmStartFromTheOptimumStopsAtOnce(Solver solver)
    {
        DenseDataset<double> data = RawBreastCancer();
        var options = new TrainingOptions { Solver = solver, L2 = 0.01, Standardize = true, MaxIterations = 100_000 };
        TrainingResult first = LogisticRegression.Train(data, options);
        Assert.Equal(StopReason.Converged, first.Report.StopReason);

        TrainingResult again = LogisticRegression.Train(data, options with { InitialModel = first.Model });
        Assert.Equal(StopReason.Converged, again.Report.StopReason);
        Assert.Equal(0, again.Report.Iterations);
        Close.NormRelative([.. first.Model.Weights, first.Model.Bias], [.. again.Model.Weights, again.Model.Bias], 1e-12, "model after the round trip through the standardized space");
    }

    [Theory]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.GradientDescent)]
    [InlineData(Solver.MiniBatchSgd)]
    public void CancellationFromTheProgressCallbackReturnsTheBestModelSoFar(Solver solver)
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        using var cts = new CancellationTokenSource();
        var seen = new List<IterationProgress>();
        var progress = new InlineProgress(p =>
        {
            seen.Add(p);
            if (p.Iteration == 5)
            {
                cts.Cancel();
            }
        });
        var options = new TrainingOptions { Solver = solver, L2 = 1e-4, Tolerance = 0, MaxIterations = 1000, Progress = progress };
        TrainingResult result = LogisticRegression.Train(data, options, cts.Token);

        Assert.Equal(StopReason.Cancelled, result.Report.StopReason);
        Assert.Equal(5, result.Report.Iterations);
        Assert.Equal(6, seen.Count);
        Assert.Equal(Enumerable.Range(0, 6), seen.Select(p => p.Iteration));
        Assert.Equal(result.Report.ObjectiveHistory.Min(), result.Report.FinalObjective);
        Assert.All(seen, p => Assert.True(p.DataPasses > 0 && double.IsFinite(p.Objective)));
    }

    [Theory]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.BacktrackingGradientDescent)]
    [InlineData(Solver.Nesterov)]
    public void SeparableDataWithoutL2StopsWithAClearReason(Solver solver)
    {
        // Two clusters, perfectly separable by x₀ > 0.
        var rng = new Random(11);
        int n = 400;
        double[] x = new double[n * 2];
        double[] y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % 2;
            x[i * 2] = (y[i] == 1 ? 1 : -1) * (0.5 + rng.NextDouble());
            x[(i * 2) + 1] = rng.NextDouble() - 0.5;
        }

        TrainingResult result = LogisticRegression.Train(DenseDataset.Create(x, y, 2), new TrainingOptions { Solver = solver, MaxIterations = 100_000 });

        Assert.Equal(StopReason.Separable, result.Report.StopReason);
        Assert.Contains("separable", result.Report.Message);
        Assert.Contains("L2 > 0", result.Report.Message);
        Assert.All(result.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));
        Assert.True(result.Report.Iterations < 100_000);
    }

    [Fact]
    public void TightToleranceEndsWithNoProgressRatherThanLoopingForever()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        TrainingResult result = LogisticRegression.Train(data, new TrainingOptions { L2 = 0.01, Tolerance = 0, MaxIterations = 1_000_000 });
        Assert.Equal(StopReason.NoProgress, result.Report.StopReason);
        Assert.True(result.Report.Iterations < 1000, $"{result.Report.Iterations} iterations");
        Assert.Contains("stopped decreasing", result.Report.Message);
    }

    [Fact]
    public void ReportCarriesHistoriesPassesAndSolver()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        TrainingReport report = LogisticRegression.Train(data, new TrainingOptions { L2 = 0.01 }).Report;
        Assert.Equal(Solver.Lbfgs, report.Solver);
        Assert.Equal(report.Iterations + 1, report.ObjectiveHistory.Count);
        Assert.Equal(report.Iterations + 1, report.GradientNormHistory.Count);
        Assert.True(report.DataPasses >= report.Iterations + 1);
        Assert.Equal(report.GradientNormHistory[^1], report.FinalGradientNorm);
        for (int k = 1; k < report.ObjectiveHistory.Count; k++)
        {
            Assert.True(report.ObjectiveHistory[k] <= report.ObjectiveHistory[k - 1], "L-BFGS with a Wolfe line search is monotone");
        }
    }

    [Fact]
    public void BalancedClassWeightsNeedBothClasses()
    {
        DenseDataset<double> data = DenseDataset.Create<double>([1, 2, 3], [1, 1, 1], 1);
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(data, new TrainingOptions { ClassWeights = ClassWeights.Balanced }));
        Assert.Contains("both classes", e.Message);
    }

    [Fact]
    public void InvalidSolverOptionsAreRejected()
    {
        Assert.Equal("LbfgsHistory", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { LbfgsHistory = 0 }).ParamName);
        Assert.Equal("BatchSize", Assert.Throws<ArgumentOutOfRangeException>(() => new TrainingOptions { BatchSize = 0 }).ParamName);
        Assert.Equal("ClassWeights", Assert.Throws<ArgumentNullException>(() => new TrainingOptions { ClassWeights = null! }).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassWeights.Of(0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ClassWeights.Of(1, double.NaN));
    }
}
