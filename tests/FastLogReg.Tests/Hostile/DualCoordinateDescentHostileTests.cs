using System.Globalization;
using System.Text;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of <see cref="Solver.DualCoordinateDescent"/> (thread counts, weights, warm starts, cancellation,
/// degenerate data, extreme λ, report fields, the path) and of the LIBSVM reader's pieces.
/// </summary>
public class DualCoordinateDescentHostileTests
{
    internal static TrainingOptions Dual(double l2, int threads = 2) => new()
    {
        Solver = Solver.DualCoordinateDescent,
        L2 = l2,
        Tolerance = 1e-9,
        MaxIterations = 3000,
        MaxDegreeOfParallelism = threads,
    };

    private static TrainingOptions Newton(double l2) => new() { Solver = Solver.Newton, L2 = l2, Tolerance = 1e-12, MaxIterations = 1000, MaxDegreeOfParallelism = 1 };

    /// <summary>Small, well-conditioned data: 120 rows × 6 columns (features scaled 1–5).</summary>
    private static (double[] X, double[] Y, int D) Small(int rows = 120, int d = 6, ulong seed = 7)
    {
        (double[] x, double[] y) = SyntheticData.Generate(rows, d, seed);
        return (x, y, d);
    }

    internal static (DenseDataset<double> Dense, SparseDataset<double> Sparse) Both(double[] x, double[] y, int d, double[]? weights = null)
    {
        var values = new List<double>();
        var indices = new List<int>();
        var offsets = new List<long> { 0 };
        int n = y.Length;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                if (x[(i * d) + j] != 0)
                {
                    values.Add(x[(i * d) + j]);
                    indices.Add(j);
                }
            }

            offsets.Add(values.Count);
        }

        var csr = CsrMatrix.Create<double>(values.ToArray(), indices.ToArray(), offsets.ToArray(), d);
        return (DenseDataset.Create(x, y, d, weights), SparseDataset.Create(csr, y, weights));
    }

    private static void SameBits(TrainingResult a, TrainingResult b, string what)
    {
        Assert.True(a.Model.Weights.ToArray().SequenceEqual(b.Model.Weights.ToArray()), $"{what}: weights differ");
        Assert.True(a.Model.Bias.Equals(b.Model.Bias), $"{what}: bias {a.Model.Bias:R} vs {b.Model.Bias:R}");
        Assert.Equal(a.Report.Iterations, b.Report.Iterations);
        Assert.Equal(a.Report.StopReason, b.Report.StopReason);
        Assert.True(a.Report.ObjectiveHistory.SequenceEqual(b.Report.ObjectiveHistory), $"{what}: objective histories differ");
        Assert.True(a.Report.GradientNormHistory.SequenceEqual(b.Report.GradientNormHistory), $"{what}: gradient histories differ");
    }

    public static TheoryData<string> ThreadVariants => ["plain", "sample weights", "balanced", "standardize", "no intercept", "warm start", "float", "dense", "zero-weight rows", "max iterations"];

    [Theory]
    [MemberData(nameof(ThreadVariants))]
    public void EveryThreadCountGivesTheSameBits(string variant)
    {
        (double[] x, double[] y, int d) = Small();
        double[] weights = y.Select((_, i) => variant == "zero-weight rows" ? (i % 4 == 0 ? 0.0 : 1.0) : 0.25 + (i % 5)).ToArray();
        bool weighted = variant is "sample weights" or "zero-weight rows";
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d, weighted ? weights : null);
        TrainingOptions options = Dual(1e-2) with
        {
            ClassWeights = variant == "balanced" ? ClassWeights.Balanced : ClassWeights.None,
            Standardize = variant == "standardize",
            FitIntercept = variant != "no intercept",
            MaxIterations = variant == "max iterations" ? 7 : 3000,
            InitialModel = variant == "warm start" ? new LogisticModel([0.3, -0.2, 0.1, 0, 0.5, -1], 0.2) : null,
        };

        Func<int, TrainingResult> fit = variant switch
        {
            "float" => t => LogisticRegression.Train(
                SparseDataset.Create(
                    CsrMatrix.Create<float>(sparse.Matrix.Values.ToArray().Select(v => (float)v).ToArray(), sparse.Matrix.ColumnIndices.ToArray(), sparse.Matrix.RowOffsets.ToArray(), d),
                    y.Select(v => (float)v).ToArray()),
                options with { MaxDegreeOfParallelism = t }),
            "dense" => t => LogisticRegression.Train(dense, options with { MaxDegreeOfParallelism = t }),
            _ => t => LogisticRegression.Train(sparse, options with { MaxDegreeOfParallelism = t }),
        };

        TrainingResult one = fit(1);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            SameBits(one, fit(threads), $"{variant}, {threads} threads");
        }
    }

    // Found by this review: with MaxDegreeOfParallelism > 1 ("overlap") the sweep that runs while the stopping point is
    // evaluated, then discarded, was counted, so Report.DataPasses (and the progress reports' passes) depended on the
    // thread count while the model and every history were bit-identical. Fixed: a discarded sweep is not counted.
    [Fact]
    public void DataPassesDoNotDependOnTheThreadCount()
    {
        (double[] x, double[] y, int d) = Small();
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        TrainingResult one = LogisticRegression.Train(sparse, Dual(1e-2, threads: 1));
        TrainingResult two = LogisticRegression.Train(sparse, Dual(1e-2, threads: 2));
        SameBits(one, two, "1 vs 2 threads");
        Assert.Equal(one.Report.DataPasses, two.Report.DataPasses);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void CancellingMidFitReturnsTheBestPointCleanly(int threads)
    {
        (double[] x, double[] y, int d) = Small();
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        using var cts = new CancellationTokenSource();
        int reports = 0;
        int afterReturn = -1;
        var progress = new InlineProgress(p =>
        {
            Interlocked.Increment(ref reports);
            if (p.Iteration == 3)
            {
                cts.Cancel();
            }
        });
        // A tight tolerance and a weak penalty: many sweeps would be needed.
        TrainingResult result = LogisticRegression.Train(sparse, Dual(1e-5, threads) with { Tolerance = 1e-14, Progress = progress }, cts.Token);
        afterReturn = Volatile.Read(ref reports);
        Thread.Sleep(200);
        Assert.Equal(afterReturn, Volatile.Read(ref reports)); // nothing reports after the fit returned
        Assert.Equal(StopReason.Cancelled, result.Report.StopReason);
        Assert.Equal(3, result.Report.Iterations);
        Assert.Equal(result.Report.Iterations + 1, result.Report.ObjectiveHistory.Count);
        Assert.All(result.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));
        Assert.Equal(result.Report.ObjectiveHistory.Min(), result.Report.FinalObjective);
    }

    [Fact]
    public void AnAlreadyCancelledTokenStopsAtTheStart()
    {
        (double[] x, double[] y, int d) = Small();
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult result = LogisticRegression.Train(sparse, Dual(1e-2, threads), cts.Token);
            Assert.Equal(StopReason.Cancelled, result.Report.StopReason);
            Assert.Equal(0, result.Report.Iterations);
            Assert.Single(result.Report.ObjectiveHistory);
            Assert.All(result.Model.Weights.ToArray(), w => Assert.Equal(0.0, w));
        }
    }

    public static TheoryData<string> NewtonVariants => ["plain", "sample weights", "balanced", "standardize", "no intercept", "strong", "huge lambda", "float"];

    [Theory]
    [MemberData(nameof(NewtonVariants))]
    public void ItReachesNewtonsOptimumOnWellConditionedData(string variant)
    {
        (double[] x, double[] y, int d) = Small();
        double[] weights = y.Select((_, i) => 0.25 + (i % 5)).ToArray();
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d, variant == "sample weights" ? weights : null);
        double l2 = variant switch { "strong" => 1, "huge lambda" => 1e6, _ => 0.05 };
        TrainingOptions common = new()
        {
            ClassWeights = variant == "balanced" ? ClassWeights.Balanced : ClassWeights.None,
            Standardize = variant == "standardize",
            FitIntercept = variant != "no intercept",
        };
        TrainingResult expected = LogisticRegression.Train(dense, Newton(l2) with { ClassWeights = common.ClassWeights, Standardize = common.Standardize, FitIntercept = common.FitIntercept });
        TrainingResult actual = variant == "float"
            ? LogisticRegression.Train(DenseDataset.Create(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), d), Dual(l2) with { Tolerance = 1e-10 })
            : LogisticRegression.Train(sparse, Dual(l2) with { ClassWeights = common.ClassWeights, Standardize = common.Standardize, FitIntercept = common.FitIntercept, Tolerance = 1e-10 });

        Assert.True(expected.Report.Converged, expected.Report.Message);
        Assert.True(actual.Report.Converged, actual.Report.Message);
        Assert.Equal(Solver.DualCoordinateDescent, actual.Report.Solver);
        double rtol = variant == "float" ? 1e-6 : 1e-11;
        Close.Equal(expected.Report.FinalObjective, actual.Report.FinalObjective, rtol, 0, "objective");
        Close.Equal(expected.Model.Weights, actual.Model.Weights, variant == "float" ? 1e-3 : 1e-6, 1e-8, "w");
        Close.Equal(expected.Model.Bias, actual.Model.Bias, variant == "float" ? 1e-3 : 1e-6, 1e-8, "b");
    }

    [Fact]
    public void ReportFieldsAreConsistent()
    {
        (double[] x, double[] y, int d) = Small();
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                var seen = new List<IterationProgress>();
                TrainingResult r = LogisticRegression.Train(data, Dual(1e-2, threads) with { Progress = new InlineProgress(seen.Add) });
                Assert.Equal(Solver.DualCoordinateDescent, r.Report.Solver);
                Assert.Equal(StopReason.Converged, r.Report.StopReason);
                Assert.Equal(r.Report.Iterations + 1, r.Report.ObjectiveHistory.Count);
                Assert.Equal(r.Report.Iterations + 1, r.Report.GradientNormHistory.Count);
                Assert.Equal(r.Report.Iterations + 1, seen.Count);
                Assert.Equal(Enumerable.Range(0, r.Report.Iterations + 1), seen.Select(p => p.Iteration));
                Assert.Equal(r.Report.ObjectiveHistory[^1], r.Report.FinalObjective);
                Assert.True(r.Report.FinalGradientNorm <= r.Report.ConvergenceThreshold);
                Assert.True(r.Report.DataPasses >= r.Report.Iterations, $"{r.Report.DataPasses} passes for {r.Report.Iterations} sweeps");
                Assert.False(string.IsNullOrWhiteSpace(r.Report.Message));
                // Data passes in the progress reports never decrease.
                for (int k = 1; k < seen.Count; k++)
                {
                    Assert.True(seen[k].DataPasses >= seen[k - 1].DataPasses);
                }
            }
        }
    }

    [Fact]
    public void AllZeroRowsAndEmptyColumnsAreHarmless()
    {
        (double[] x, double[] y, int d) = Small(80, 6);
        for (int i = 0; i < y.Length; i += 5)
        {
            Array.Clear(x, i * d, d); // all-zero rows
        }

        for (int i = 0; i < y.Length; i++)
        {
            x[(i * d) + 2] = 0; // an empty column
        }

        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (bool standardize in new[] { false, true })
        {
            TrainingResult expected = LogisticRegression.Train(dense, Newton(1e-2) with { Standardize = standardize });
            foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
            {
                TrainingResult actual = LogisticRegression.Train(data, Dual(1e-2) with { Standardize = standardize });
                Assert.True(actual.Report.Converged, actual.Report.Message);
                Close.Equal(expected.Report.FinalObjective, actual.Report.FinalObjective, 1e-10, 0, $"objective (standardize {standardize})");
                Assert.Equal(0.0, actual.Model.Weights[2]);
            }
        }
    }

    [Fact]
    public void OneRowPerClass()
    {
        double[] x = [1, 2, -1, 0.5];
        double[] y = [1, 0];
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, 2);
        foreach (double l2 in new[] { 1e-3, 1, 1e3 })
        {
            TrainingResult expected = LogisticRegression.Train(dense, Newton(l2));
            TrainingResult actual = LogisticRegression.Train(sparse, Dual(l2));
            Assert.True(actual.Report.Converged, $"λ = {l2}: {actual.Report.Message}");
            Close.Equal(expected.Report.FinalObjective, actual.Report.FinalObjective, 1e-9, 0, $"objective at λ = {l2}");
        }
    }

    [Fact]
    public void DuplicateRowsWithOppositeLabels()
    {
        // Every row twice, once per label: the optimum is w = 0, b = 0 and the loss log 2.
        (double[] x0, double[] _, int d) = Small(40, 4);
        double[] x = [.. x0, .. x0];
        double[] y = [.. Enumerable.Repeat(1.0, 40), .. Enumerable.Repeat(0.0, 40)];
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
        {
            TrainingResult r = LogisticRegression.Train(data, Dual(1e-3));
            Assert.True(r.Report.Converged, r.Report.Message);
            Close.Equal(Math.Log(2), r.Report.FinalObjective, 1e-12, 0, "objective");
            Assert.All(r.Model.Weights.ToArray(), w => Assert.True(Math.Abs(w) < 1e-6, $"w = {w}"));
            Assert.True(Math.Abs(r.Model.Bias) < 1e-6, $"b = {r.Model.Bias}");
        }
    }

    [Fact]
    public void AllRowsOfOneClassAfterWeightingGiveNoNaNAndNoFalseClaim()
    {
        // Class-1 rows weigh zero: one class is left. With a free intercept there is no optimum (b → −∞).
        (double[] x, double[] y, int d) = Small(60, 4);
        double[] weights = y.Select(v => v == 1 ? 0.0 : 1.0).ToArray();
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d, weights);
        foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                TrainingResult r;
                try
                {
                    r = LogisticRegression.Train(data, Dual(1e-2, threads) with { MaxIterations = 200 });
                }
                catch (ArgumentException e)
                {
                    Assert.Contains("class", e.Message, StringComparison.OrdinalIgnoreCase);
                    continue;
                }

                Assert.All(r.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));
                Assert.True(double.IsFinite(r.Model.Bias));
                Assert.True(double.IsFinite(r.Report.FinalObjective));
                if (r.Report.StopReason == StopReason.Converged)
                {
                    Assert.True(r.Report.FinalGradientNorm <= r.Report.ConvergenceThreshold);
                }
            }
        }
    }

    [Theory]
    [InlineData(1e-12)]
    [InlineData(1e-8)]
    [InlineData(1e6)]
    [InlineData(1e12)]
    public void ExtremeLambdasGiveFiniteResultsAndHonestReasons(double l2)
    {
        (double[] x, double[] y, int d) = Small(60, 4);
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult r = LogisticRegression.Train(sparse, Dual(l2, threads) with { MaxIterations = 200 });
            Assert.All(r.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w), $"w = {w}"));
            Assert.True(double.IsFinite(r.Model.Bias));
            Assert.DoesNotContain(r.Report.ObjectiveHistory, double.IsNaN);
            Assert.Equal(r.Report.Iterations + 1, r.Report.ObjectiveHistory.Count);
            if (r.Report.Converged)
            {
                TrainingResult newton = LogisticRegression.Train(sparse, Newton(l2));
                Assert.True(r.Report.FinalObjective <= newton.Report.FinalObjective + (1e-6 * Math.Max(1, Math.Abs(newton.Report.FinalObjective))), $"λ = {l2}: {r.Report.FinalObjective:R} vs Newton {newton.Report.FinalObjective:R}");
            }
            else
            {
                Assert.Equal(StopReason.MaxIterations, r.Report.StopReason);
            }
        }
    }

    [Theory]
    [InlineData(1e-150, false)]
    [InlineData(1e140, false)]
    [InlineData(1e140, true)]
    [InlineData(1e-150, true)]
    public void HugeAndTinyFeatureValues(double scale, bool standardize)
    {
        (double[] x0, double[] y, int d) = Small(60, 4);
        double[] x = x0.Select(v => v * scale).ToArray();
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        TrainingResult r;
        try
        {
            r = LogisticRegression.Train(sparse, Dual(1e-2) with { Standardize = standardize, MaxIterations = 300 });
        }
        catch (ArgumentException e)
        {
            // A refusal must say why (magnitudes), not crash elsewhere.
            Assert.Contains("Standardize", e.Message, StringComparison.Ordinal);
            return;
        }

        Assert.All(r.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w), $"w = {w}"));
        Assert.True(double.IsFinite(r.Model.Bias), $"b = {r.Model.Bias}");
        Assert.NotEqual(StopReason.Diverged, r.Report.StopReason);
        if (standardize)
        {
            TrainingResult newton = LogisticRegression.Train(sparse, Newton(1e-2) with { Standardize = true });
            Assert.True(r.Report.Converged, r.Report.Message);
            Close.Equal(newton.Report.FinalObjective, r.Report.FinalObjective, 1e-9, 0, "objective");
        }
    }

    [Fact]
    public void WarmStartsFromAnywhereReachTheColdOptimum()
    {
        (double[] x, double[] y, int d) = Small();
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (bool standardize in new[] { false, true })
        {
            TrainingOptions options = Dual(1e-2) with { Standardize = standardize, Tolerance = 1e-10 };
            TrainingResult cold = LogisticRegression.Train(sparse, options);
            Assert.True(cold.Report.Converged, cold.Report.Message);
            var starts = new[]
            {
                new LogisticModel([5, -5, 5, -5, 5, -5], 3), // far off: margins of ±hundreds
                new LogisticModel(new double[d], -2), // zero weights, a bias only (the "cold" branch with μ = b)
                new LogisticModel([0.1, 0, 0, 0, 0, 0], 0),
                cold.Model,
            };
            foreach (LogisticModel start in starts)
            {
                TrainingResult warm = LogisticRegression.Train(sparse, options with { InitialModel = start });
                Assert.True(warm.Report.Converged, $"standardize {standardize}, start b = {start.Bias}: {warm.Report.Message}");
                Close.Equal(cold.Report.FinalObjective, warm.Report.FinalObjective, 1e-11, 0, $"objective from b = {start.Bias} (standardize {standardize})");
                Close.Equal(cold.Model.Weights, warm.Model.Weights, 1e-5, 1e-7, "w");
            }
        }
    }

    [Fact]
    public void ToleranceZeroStopsAtTheIterationLimitWithoutClaimingConvergence()
    {
        (double[] x, double[] y, int d) = Small(60, 4);
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult r = LogisticRegression.Train(sparse, Dual(1e-2, threads) with { Tolerance = 0, MaxIterations = 30 });
            Assert.True(r.Report.StopReason is StopReason.MaxIterations or StopReason.Converged, r.Report.Message);
            if (r.Report.StopReason == StopReason.Converged)
            {
                Assert.Equal(0.0, r.Report.FinalGradientNorm);
            }

            Assert.True(r.Report.Iterations <= 30);
            Assert.Equal(r.Report.ObjectiveHistory.Min(), r.Report.FinalObjective); // at the limit, the best point
        }
    }

    [Fact]
    public void MaxIterationsOneAndTheBestPoint()
    {
        (double[] x, double[] y, int d) = Small(60, 4);
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult r = LogisticRegression.Train(sparse, Dual(1e-4, threads) with { MaxIterations = 1 });
            Assert.Equal(1, r.Report.Iterations);
            Assert.Equal(2, r.Report.ObjectiveHistory.Count);
            Assert.Equal(StopReason.MaxIterations, r.Report.StopReason);
            Assert.Equal(r.Report.ObjectiveHistory.Min(), r.Report.FinalObjective);
        }
    }

    [Fact]
    public void DenseAndCsrAgreeOnRawBreastCancerAfterEnoughSweeps()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, names.Length);
        TrainingResult a = LogisticRegression.Train(dense, Dual(1e-1) with { Standardize = true });
        TrainingResult b = LogisticRegression.Train(sparse, Dual(1e-1) with { Standardize = true });
        Assert.True(a.Report.Converged && b.Report.Converged, a.Report.Message + " | " + b.Report.Message);
        Close.Equal(a.Report.FinalObjective, b.Report.FinalObjective, 1e-10, 0, "objective");
    }

    private static SparseDataset<float> Wide()
    {
        float[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3];
        int[] indices = [0, 1, 65_535, 0, 1, 65_535, 0, 1, 65_535, 0, 1, 65_535];
        long[] offsets = [0, 3, 6, 9, 12];
        float[] labels = [0, 1, 0, 1];
        return SparseDataset.Create(CsrMatrix.Create<float>(values, indices, offsets, LogisticRegression.WideSparseColumns), labels);
    }

    [Fact]
    public void AutoFallbackReportIsConsistent()
    {
        SparseDataset<float> wide = Wide();
        var options = new TrainingOptions { L2 = 1e-2 };
        TrainingResult one = LogisticRegression.Train(wide, options with { MaxDegreeOfParallelism = 1 });
        TrainingResult two = LogisticRegression.Train(wide, options with { MaxDegreeOfParallelism = 2 });
        SameBits(one, two, "Auto fallback 1 vs 2 threads");
        Assert.Equal(Solver.Newton, one.Report.Solver);
        Assert.True(one.Report.Converged, one.Report.Message);
        Assert.Equal(one.Report.Iterations + 1, one.Report.GradientNormHistory.Count);
        Assert.Equal(one.Report.GradientNormHistory[^1], one.Report.FinalGradientNorm);
        Assert.Equal(one.Report.ObjectiveHistory[^1], one.Report.FinalObjective);
    }

    [Fact]
    public void AutoWithTheIterationLimitAtTheSweepsLeftGetsNoNewton()
    {
        SparseDataset<float> wide = Wide();
        TrainingResult r = LogisticRegression.Train(wide, new TrainingOptions { L2 = 1e-2, MaxIterations = LogisticRegression.AutoDualSweeps });
        Assert.Equal(Solver.DualCoordinateDescent, r.Report.Solver);
        Assert.Equal(StopReason.MaxIterations, r.Report.StopReason);
        Assert.Equal(LogisticRegression.AutoDualSweeps, r.Report.Iterations);
    }

    [Fact]
    public void AutoCancelledDuringTheDualDoesNotHandOverToNewton()
    {
        SparseDataset<float> wide = Wide();
        using var cts = new CancellationTokenSource();
        var progress = new InlineProgress(p =>
        {
            if (p.Iteration == 5)
            {
                cts.Cancel();
            }
        });
        TrainingResult r = LogisticRegression.Train(wide, new TrainingOptions { L2 = 1e-2, Progress = progress }, cts.Token);
        Assert.Equal(StopReason.Cancelled, r.Report.StopReason);
        Assert.Equal(Solver.DualCoordinateDescent, r.Report.Solver);
        Assert.Equal(5, r.Report.Iterations);
    }

    // Found by this review: the path picked the dual for Auto on wide sparse rows but, unlike Train, gave it no hand-over
    // to Newton: on rows far from orthogonal every point stopped at MaxIterations, where Train converges. Fixed: the path
    // hands over as Train does.
    [Fact]
    public void TheAutoPathOnWideSparseRowsConvergesAsTrainDoes()
    {
        SparseDataset<float> wide = Wide();
        var options = new TrainingOptions();
        Assert.Equal(Solver.DualCoordinateDescent, LogisticRegression.EffectiveSolverOf(wide, options with { L2 = 1e-2 }));
        RegularizationPath path = RegularizationPath.Compute(wide, options, new PathOptions { Lambdas = [1e-2] });
        foreach (PathPoint point in path.Points)
        {
            TrainingResult train = LogisticRegression.Train(wide, options with { L2 = point.Lambda });
            Assert.True(train.Report.Converged, train.Report.Message);
            Assert.True(point.StopReason == StopReason.Converged, $"λ = {point.Lambda:G4}: the path's point stopped {point.StopReason} after {point.Iterations} iterations; Train converged ({train.Report.Solver}).");
        }
    }

    [Fact]
    public void ThePathMatchesNewtonsWithWeightsAndStandardization()
    {
        (double[] x, double[] y, int d) = Small();
        double[] weights = y.Select((_, i) => i % 7 == 0 ? 0 : 0.5 + (i % 3)).ToArray();
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d, weights);
        var grid = new PathOptions { Count = 6, MinRatio = 1e-2 };
        foreach (bool standardize in new[] { false, true })
        {
            RegularizationPath dual = RegularizationPath.Compute(sparse, Dual(0) with { Standardize = standardize, Tolerance = 1e-10 }, grid);
            RegularizationPath newton = RegularizationPath.Compute(dense, Newton(0) with { Standardize = standardize }, grid);
            Assert.Equal(newton.Points.Count, dual.Points.Count);
            for (int k = 0; k < dual.Points.Count; k++)
            {
                Assert.Equal(StopReason.Converged, dual.Points[k].StopReason);
                Close.Equal(newton.Points[k].Lambda, dual.Points[k].Lambda, 1e-14, 0, $"λ #{k}");
                Close.Equal(newton.Points[k].Objective, dual.Points[k].Objective, 1e-9, 0, $"objective at λ #{k} (standardize {standardize})");
            }
        }
    }

    // Found by this review: when no feature correlates with the residual at the intercept-only optimum, λ_max is 0 and the
    // grid is all zeros; the dual threw "needs an L2 penalty λ > 0" for a grid the caller never chose. Fixed: a λ of 0 on
    // the path is fitted by trust-region Newton.
    [Fact]
    public void APathWhoseLambdaMaxIsZeroDoesNotThrow()
    {
        // x = ±1 symmetric in each class: the gradient at (0, b*) is exactly 0 for w.
        double[] x = [1, -1, 1, -1, 2, -2, 2, -2];
        double[] y = [1, 1, 0, 0, 1, 1, 0, 0];
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, 1);
        var grid = new PathOptions { Count = 3 };
        RegularizationPath newton = RegularizationPath.Compute(dense, Newton(0), grid);
        Assert.All(newton.Points, p => Assert.Equal(0.0, p.Lambda));
        RegularizationPath dual = RegularizationPath.Compute(sparse, Dual(0), grid);
        Assert.Equal(newton.Points.Count, dual.Points.Count);
    }

    [Fact]
    public void ThePathIsTheSameForAnyThreadCount()
    {
        (double[] x, double[] y, int d) = Small();
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        var grid = new PathOptions { Count = 5, MinRatio = 1e-2 };
        RegularizationPath one = RegularizationPath.Compute(sparse, Dual(0, threads: 1), grid);
        RegularizationPath three = RegularizationPath.Compute(sparse, Dual(0, threads: 3), grid);
        for (int k = 0; k < one.Points.Count; k++)
        {
            Assert.Equal(one.Points[k].Model.Weights.ToArray(), three.Points[k].Model.Weights.ToArray());
            Assert.Equal(one.Points[k].Objective, three.Points[k].Objective);
            Assert.Equal(one.Points[k].DataPasses, three.Points[k].DataPasses);
        }
    }

    // ---------------------------------------------------------------- LIBSVM reader

    private static string BigText(int seed, int rows, bool crlf, bool bom, Func<int, string?>? replace = null, int step = 500)
    {
        var rng = new Random(seed);
        var text = new StringBuilder(rows * 80);
        if (bom)
        {
            text.Append('\uFEFF');
        }

        string nl = crlf ? "\r\n" : "\n";
        for (int i = 0; i < rows; i++)
        {
            if (replace?.Invoke(i) is { } line)
            {
                text.Append(line).Append(nl);
                continue;
            }

            if (i % 53 == 0)
            {
                text.Append(nl); // empty line
                continue;
            }

            if (i % 61 == 0)
            {
                text.Append("# only a comment: 1:2 3:4 5:6 7:8 9:10 11:12").Append(nl);
                continue;
            }

            text.Append(rng.Next(2) == 0 ? "-1" : "+1");
            if (i % 7 == 0)
            {
                text.Append(" qid:").Append(i);
            }

            int j = 0;
            int count = rng.Next(0, 10);
            for (int k = 0; k < count; k++)
            {
                j += 1 + rng.Next(step);
                text.Append(' ').Append(j).Append(':').Append((rng.NextDouble() * 10 - 5).ToString("R", CultureInfo.InvariantCulture));
            }

            if (i % 11 == 0)
            {
                text.Append("   # comment with colons a:b c:d 12:13 ::::");
            }

            text.Append(i % 13 == 0 ? " \t" : string.Empty).Append(nl);
        }

        return text.ToString();
    }

    private static void SameRows(SparseLabeledData<double> expected, SparseLabeledData<double> actual, string what)
    {
        Assert.Equal(expected.Data.Rows, actual.Data.Rows);
        Assert.Equal(expected.Data.Columns, actual.Data.Columns);
        Assert.True(expected.Data.Matrix.RowOffsets.Span.SequenceEqual(actual.Data.Matrix.RowOffsets.Span), what + ": offsets");
        Assert.True(expected.Data.Matrix.ColumnIndices.Span.SequenceEqual(actual.Data.Matrix.ColumnIndices.Span), what + ": indices");
        Assert.True(expected.Data.Matrix.Values.Span.SequenceEqual(actual.Data.Matrix.Values.Span), what + ": values");
        Assert.True(expected.Data.Labels.Span.SequenceEqual(actual.Data.Labels.Span), what + ": labels");
        Assert.Equal(expected.Data.Matrix.NonZeros, actual.Data.Matrix.NonZeros);
        Assert.Equal(expected.Notes, actual.Notes);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void BigFilesWithQidCommentsCrLfAndBomReadAsTheStreamDoes(bool crlf, bool bom)
    {
        using var dir = new TempDirectory();
        string text = BigText(3, 110_000, crlf, bom);
        string path = dir.File("big.libsvm");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        Assert.True(new FileInfo(path).Length > 8 << 20, $"{new FileInfo(path).Length} bytes");
        SparseLabeledData<double> stream = LibSvmDataReader.ReadSparse<double>(new StringReader(text), path);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            SparseLabeledData<double> pieces = LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = threads });
            SameRows(stream, pieces, $"{threads} threads");
        }

        CsrMatrix<double> rows = LibSvmDataReader.ReadRows<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = 2 });
        Assert.True(stream.Data.Matrix.ColumnIndices.Span.SequenceEqual(rows.ColumnIndices.Span));
        Assert.True(stream.Data.Matrix.Values.Span.SequenceEqual(rows.Values.Span));
        Assert.Equal(stream.Data.Matrix.NonZeros, rows.NonZeros);
    }

    [Fact]
    public void APieceOfCommentsOnlyAndLinesAtTheCutsReadAsTheStreamDoes()
    {
        // The middle ~5 MB is comments full of colons (a piece whose slice holds no non-zero at all), and rows follow.
        using var dir = new TempDirectory();
        var text = new StringBuilder();
        text.Append("+1 1:1 2:2\n-1 3:3\n");
        string comment = "# " + string.Concat(Enumerable.Repeat("1:2 ", 60)) + "\n";
        while (text.Length < 9 << 20)
        {
            text.Append(comment);
        }

        for (int i = 0; i < 2000; i++)
        {
            text.Append(i % 2 == 0 ? "+1" : "-1").Append(" qid:3 ").Append(1 + (i % 17)).Append(":0.5 40:").Append(i).Append('\n');
        }

        text.Append("-1 41:1"); // no final line end
        string path = dir.Write("comments.libsvm", text.ToString());
        SparseLabeledData<double> stream = LibSvmDataReader.ReadSparse<double>(new StringReader(text.ToString()), path);
        Assert.Equal(2003, stream.Data.Rows);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            SameRows(stream, LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = threads }), $"{threads} threads");
        }
    }

    [Theory]
    [InlineData(100_000, "+1 3:abc", true)]
    [InlineData(100_000, "+1 3:abc", false)]
    [InlineData(60_000, "+1 0:1", true)]
    [InlineData(109_999, "+1 5:1 5:2", false)]
    public void ErrorsInLatePiecesNameTheFilesOwnLine(int row, string bad, bool crlf)
    {
        using var dir = new TempDirectory();
        string text = BigText(4, 110_000, crlf, bom: true, i => i == row ? bad : null);
        string path = dir.File("bad.libsvm");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        var stream = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(new StringReader(text), path));
        Assert.Equal(row + 1, stream.Line);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var pieces = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = threads }));
            Assert.Equal(stream.Message, pieces.Message);
            Assert.Equal(row + 1, pieces.Line);
        }
    }

    [Fact]
    public void OfTwoErrorsInDifferentPiecesTheFirstIsReported()
    {
        using var dir = new TempDirectory();
        string text = BigText(5, 110_000, crlf: false, bom: false, i => i == 40_000 ? "+1 2:1 1:1" : i == 105_000 ? "x 1:1" : null);
        string path = dir.Write("two.libsvm", text);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var e = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = threads }));
            Assert.Equal(40_001, e.Line);
        }
    }

    [Fact]
    public void TooManyLabelsInALatePieceNameTheFirstOffendingLine()
    {
        using var dir = new TempDirectory();
        // Labels 0..2 in most rows; from row 100,000 a new label every row.
        string text = BigText(6, 110_000, crlf: true, bom: false, i => i >= 100_000 && i % 53 != 0 ? (i - 99_990).ToString(CultureInfo.InvariantCulture) + " 1:1" : null);
        string path = dir.Write("labels.libsvm", text);
        var options = new LibSvmReadOptions { MaxClasses = 20 };
        var stream = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(new StringReader(text), path, options));
        foreach (int threads in new[] { 1, 3 })
        {
            var pieces = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(path, options with { MaxDegreeOfParallelism = threads }));
            Assert.Equal(stream.Message, pieces.Message);
            Assert.Equal(stream.Line, pieces.Line);
        }
    }

    [Fact]
    public void TheDenseReadOfABigFileEqualsTheStreamsDenseRead()
    {
        using var dir = new TempDirectory();
        string text = BigText(8, 110_000, crlf: false, bom: true, step: 4);
        string path = dir.File("dense.libsvm");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        LabeledData<double> stream = LibSvmDataReader.Read<double>(new StringReader(text), path);
        LabeledData<double> file = LibSvmDataReader.Read<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = 2 });
        Assert.True(stream.Data.Features.Span.SequenceEqual(file.Data.Features.Span));
        Assert.True(stream.Data.Labels.Span.SequenceEqual(file.Data.Labels.Span));
    }

    [Fact]
    public void ALineLongerThanAPieceReadsAsTheStreamDoes()
    {
        using var dir = new TempDirectory();
        var longLine = new StringBuilder("+1 qid:9");
        for (int j = 1; j <= 700_000; j++)
        {
            longLine.Append(' ').Append(j).Append(":1.5");
        }

        longLine.Append(" # tail: 1:1");
        string text = BigText(9, 60_000, crlf: true, bom: false, i => i == 20_000 ? longLine.ToString() : null);
        string path = dir.Write("long.libsvm", text);
        SparseLabeledData<double> stream = LibSvmDataReader.ReadSparse<double>(new StringReader(text), path);
        foreach (int threads in new[] { 1, 2, 3 })
        {
            SameRows(stream, LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = threads }), $"{threads} threads");
        }
    }

    // Found by this review (1e-319): one row of weight 1e-319 (Cᵢ = 1.6e-321 > 0) kept the dual from converging:
    // min(0.001·Cᵢ, 1e-8) underflowed to 0 and that row's curvature Cᵢ/((Cᵢ − z)z) overflowed, so it spent all 100 inner
    // steps every sweep and the inner tolerance was never tightened. Fixed: rows with Cᵢ < 10⁻²⁸⁰ are left out of the
    // sweeps as rows of weight 0 (the objective still counts them).
    [Theory]
    [InlineData(1e-319)]
    [InlineData(1e-300)]
    [InlineData(1e-200)]
    public void ATinyButPositiveSampleWeightGivesNoNaN(double tiny)
    {
        // sᵢ/(λS) so small that LIBLINEAR's start min(0.001·Cᵢ, 1e-8) underflows to 0 while Cᵢ > 0.
        (double[] x, double[] y, int d) = Small(60, 4);
        double[] weights = y.Select((_, i) => i == 5 ? tiny : 1.0).ToArray();
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d, weights);
        TrainingResult newton = LogisticRegression.Train(dense, Newton(1));
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult r = LogisticRegression.Train(sparse, Dual(1, threads) with { MaxIterations = 200 });
            (_, SparseDataset<double> zeroed) = Both(x, y, d, y.Select((_, i) => i == 5 ? 0.0 : 1.0).ToArray());
            TrainingResult z = LogisticRegression.Train(zeroed, Dual(1, threads) with { MaxIterations = 200 });
            Assert.True(z.Report.Converged, z.Report.Message); // the same row at weight exactly 0: 34 sweeps
            Assert.True(r.Report.Converged, r.Report.Message);
            Assert.All(r.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w), $"w = {w}"));
            Close.Equal(newton.Report.FinalObjective, r.Report.FinalObjective, 1e-10, 0, "objective");
        }
    }

    [Fact]
    public void MaxIterationsZeroReturnsTheStart()
    {
        (double[] x, double[] y, int d) = Small(60, 4);
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult r;
            try
            {
                r = LogisticRegression.Train(sparse, Dual(1e-2, threads) with { MaxIterations = 0 });
            }
            catch (ArgumentOutOfRangeException)
            {
                return; // refused up front: fine
            }

            Assert.Equal(0, r.Report.Iterations);
            Assert.Single(r.Report.ObjectiveHistory);
        }
    }

    [Fact]
    public void FeaturesAtTheRawLimit()
    {
        (double[] x0, double[] y, int d) = Small(60, 6);
        double[] x = x0.Select(v => v * 3e150 / 5).ToArray();
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult r = LogisticRegression.Train(sparse, Dual(1e-2, threads) with { MaxIterations = 100 });
            Assert.All(r.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w), $"w = {w}"));
            Assert.NotEqual(StopReason.Diverged, r.Report.StopReason);
        }
    }

    [Fact]
    public void AllZeroFeaturesGiveTheInterceptOnlyModel()
    {
        double[] y = [1, 0, 0, 1, 1, 1, 0, 1];
        double[] x = new double[y.Length * 3];
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, 3);
        foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
        {
            foreach (int threads in new[] { 1, 2 })
            {
                TrainingResult r = LogisticRegression.Train(data, Dual(1e-2, threads));
                Assert.True(r.Report.Converged, r.Report.Message);
                Close.Equal(Math.Log(5.0 / 3), r.Model.Bias, 1e-7, 0, "b = logit(5/8)");
                Assert.All(r.Model.Weights.ToArray(), w => Assert.Equal(0.0, w));
            }
        }
    }

    [Fact]
    public void MulticlassRequestsAreRefusedWithAClearMessage()
    {
        (double[] x, double[] y, int d) = Small(60, 4);
        double[] y3 = y.Select((v, i) => i % 3 == 0 ? 2.0 : v).ToArray();
        var data = DenseDataset.Create(x, y3, d, classCount: 3);
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(data, Dual(1e-2)));
        Assert.Contains("DualCoordinateDescent", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0, 70_000)]
    [InlineData(12_345, 80_000)]
    [InlineData(50_000, 40_003)]
    public void RangesOfABigFileReadAsTheWholeFilesRows(int first, int count)
    {
        using var dir = new TempDirectory();
        string text = BigText(10, 110_000, crlf: true, bom: true);
        string path = dir.File("ranges.libsvm");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        SparseLabeledData<double> whole = LibSvmDataReader.ReadSparse<double>(path);
        LibSvmOutline outline = LibSvmDataReader.Outline(path);
        Assert.Equal(whole.Data.Rows, outline.Rows);
        count = Math.Min(count, outline.Rows - first);
        foreach (int threads in new[] { 1, 3 })
        {
            var options = new LibSvmReadOptions { Labels = outline.Labels, Columns = outline.Columns, MaxDegreeOfParallelism = threads };
            SparseLabeledData<double> part = LibSvmDataReader.ReadRange<double>(path, outline.Range(first, count), options);
            Assert.Equal(count, part.Data.Rows);
            CsrMatrix<double> m = whole.Data.Matrix;
            long lo = m.RowOffsets.Span[first], hi = m.RowOffsets.Span[first + count];
            Assert.True(m.ColumnIndices.Span[(int)lo..(int)hi].SequenceEqual(part.Data.Matrix.ColumnIndices.Span), "indices");
            Assert.True(m.Values.Span[(int)lo..(int)hi].SequenceEqual(part.Data.Matrix.Values.Span), "values");
            Assert.True(whole.Data.Labels.Span.Slice(first, count).SequenceEqual(part.Data.Labels.Span), "labels");
            long[] offsets = part.Data.Matrix.RowOffsets.ToArray();
            Assert.Equal(m.RowOffsets.Span[(first + 1)..(first + count + 1)].ToArray().Select(o => o - lo), offsets.Skip(1));
        }
    }

    // Found by this review (1e-160, 1e160, 1e170): DualRows computed 1/σⱼ², which overflows for σ ≈ 1e-160 and underflows
    // to 0 for σ ≳ 1e154, so ‖D⁻¹xᵢ‖² was NaN and the fit Diverged where Newton and L-BFGS converge. Fixed: (xᵢⱼ/σⱼ)² and
    // δ·xᵢⱼ/σⱼ/σⱼ, from 1/σⱼ.
    [Theory]
    [InlineData(1e-170)]
    [InlineData(1e-160)]
    [InlineData(1e160)]
    [InlineData(1e170)]
    public void StandardizingAColumnOfExtremeScaleMatchesNewton(double scale)
    {
        // One column on an extreme scale, the others ordinary: Standardize makes every column O(1) for the primal solvers.
        (double[] x, double[] y, int d) = Small(80, 4);
        for (int i = 0; i < y.Length; i++)
        {
            x[(i * d) + 1] *= scale;
        }

        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d);
        TrainingResult newton;
        try
        {
            newton = LogisticRegression.Train(dense, Newton(1e-2) with { Standardize = true });
        }
        catch (ArgumentException)
        {
            return; // refused for every solver: not the dual's problem
        }

        if (!newton.Report.Converged)
        {
            // Trust-region Newton stalls at w = 0 on a 1e160 column (its own weakness); L-BFGS is the reference then.
            newton = LogisticRegression.Train(dense, Newton(1e-2) with { Solver = Solver.Lbfgs, Standardize = true });
        }

        Assert.True(newton.Report.Converged, "reference: " + newton.Report.Message);
        foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
        {
            TrainingResult r = LogisticRegression.Train(data, Dual(1e-2) with { Standardize = true, MaxIterations = 500 });
            Assert.True(r.Report.Converged, $"{data.GetType().Name}: {r.Report.StopReason} {r.Report.Message}");
            Close.Equal(newton.Report.FinalObjective, r.Report.FinalObjective, 1e-9, 0, "objective");
            // Compare on the standardized scale (w·σ): a column found constant has raw weights of ~1e-170 either way.
            for (int j = 0; j < d; j++)
            {
                double sigma = r.Standardization!.Scales[j];
                Close.Equal(newton.Model.Weights[j] * sigma, r.Model.Weights[j] * sigma, 1e-5, 1e-7, $"w[{j}]·σ");
            }
        }
    }

    [Fact]
    public void StandardizingAConstantColumn()
    {
        (double[] x, double[] y, int d) = Small(80, 4);
        for (int i = 0; i < y.Length; i++)
        {
            x[(i * d) + 2] = 5;
        }

        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d);
        TrainingResult newton = LogisticRegression.Train(dense, Newton(1e-2) with { Standardize = true });
        foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
        {
            TrainingResult r = LogisticRegression.Train(data, Dual(1e-2) with { Standardize = true, Tolerance = 1e-12 });
            Assert.True(r.Report.Converged, r.Report.Message);
            Close.Equal(newton.Report.FinalObjective, r.Report.FinalObjective, 1e-10, 0, "objective");
            Close.Equal(newton.Model.Bias, r.Model.Bias, 1e-6, 1e-8, "b");
        }
    }

    [Theory]
    [InlineData(1e-3, 1e3)]
    [InlineData(1e4, 1)]
    [InlineData(1e-6, 1)]
    public void ExtremeClassWeightsMatchNewton(double negative, double positive)
    {
        (double[] x, double[] y, int d) = Small(80, 4);
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d);
        ClassWeights weights = ClassWeights.Of(negative, positive);
        TrainingResult newton = LogisticRegression.Train(dense, Newton(1e-1) with { ClassWeights = weights, FitIntercept = true });
        foreach (int threads in new[] { 1, 2 })
        {
            TrainingResult r = LogisticRegression.Train(sparse, Dual(1e-1, threads) with { ClassWeights = weights, MaxIterations = 2000, Tolerance = 1e-12 });
            Assert.True(r.Report.Converged, r.Report.Message);
            Close.Equal(newton.Report.FinalObjective, r.Report.FinalObjective, 1e-9, 0, "objective");
        }
    }

    [Fact]
    public void BigFileAsFloatReadsAsTheStreamDoes()
    {
        using var dir = new TempDirectory();
        string text = BigText(11, 110_000, crlf: false, bom: false);
        string path = dir.Write("float.libsvm", text);
        SparseLabeledData<float> stream = LibSvmDataReader.ReadSparse<float>(new StringReader(text), path);
        SparseLabeledData<float> file = LibSvmDataReader.ReadSparse<float>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = 2 });
        Assert.True(stream.Data.Matrix.Values.Span.SequenceEqual(file.Data.Matrix.Values.Span));
        Assert.True(stream.Data.Matrix.ColumnIndices.Span.SequenceEqual(file.Data.Matrix.ColumnIndices.Span));
        Assert.True(stream.Data.Matrix.RowOffsets.Span.SequenceEqual(file.Data.Matrix.RowOffsets.Span));
    }

    [Fact]
    public void APieceCutAtTheFilesLastByteAndFilesOfOnlyComments()
    {
        using var dir = new TempDirectory();
        string comments = string.Concat(Enumerable.Repeat("# 1:2 3:4 5:6\n", 600_000)); // ~9 MB of colons, no row
        string path = dir.Write("comments-only.libsvm", comments);
        var e = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadSparse<double>(path, new LibSvmReadOptions { MaxDegreeOfParallelism = 2 }));
        Assert.Contains("no rows", e.Message, StringComparison.Ordinal);
        string rowsThenComments = "+1 1:1\n-1 2:1\n" + comments;
        string path2 = dir.Write("rows-then-comments.libsvm", rowsThenComments);
        SameRows(LibSvmDataReader.ReadSparse<double>(new StringReader(rowsThenComments), path2), LibSvmDataReader.ReadSparse<double>(path2, new LibSvmReadOptions { MaxDegreeOfParallelism = 3 }), "rows then comments");
    }

    [Fact]
    public void AnErrorInALatePieceOfARangeNamesTheFilesLine()
    {
        using var dir = new TempDirectory();
        string good = BigText(12, 110_000, crlf: true, bom: true);
        string path = dir.File("range-bad.libsvm");
        File.WriteAllText(path, good, new UTF8Encoding(false));
        LibSvmOutline outline = LibSvmDataReader.Outline(path);
        // Now break line 100,001 of the file (same length, so the outline's offsets still hold).
        string[] lines = good.Split("\r\n");
        Assert.StartsWith("\uFEFF", lines[0]);
        int bad = 100_000;
        while (lines[bad].Trim().Length < 3 || lines[bad].TrimStart().StartsWith('#'))
        {
            bad++;
        }

        lines[bad] = "x" + lines[bad][1..];
        File.WriteAllText(path, string.Join("\r\n", lines), new UTF8Encoding(false));
        var options = new LibSvmReadOptions { Labels = outline.Labels, Columns = outline.Columns, MaxDegreeOfParallelism = 2 };
        var e = Assert.Throws<DataFormatException>(() => LibSvmDataReader.ReadRange<double>(path, outline.Range(20_000, outline.Rows - 20_000), options));
        Assert.Equal(bad + 1, e.Line);
    }

    [Fact]
    public void AProgressCallbackThatThrowsPropagatesOnAnyThreadCount()
    {
        (double[] x, double[] y, int d) = Small(60, 4);
        (_, SparseDataset<double> sparse) = Both(x, y, d);
        foreach (int threads in new[] { 1, 2 })
        {
            var progress = new InlineProgress(p =>
            {
                if (p.Iteration == 2)
                {
                    throw new InvalidOperationException("stop here");
                }
            });
            var e = Assert.Throws<InvalidOperationException>(() => LogisticRegression.Train(sparse, Dual(1e-4, threads) with { Tolerance = 1e-14, Progress = progress }));
            Assert.Equal("stop here", e.Message);
        }
    }
}
