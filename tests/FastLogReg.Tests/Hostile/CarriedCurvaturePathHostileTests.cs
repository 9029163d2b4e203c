using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of the regularization path's carried curvature pairs (CurvatureMemory.ShiftL2 through Lbfgs/OwlQn)
/// and its once-only OWL-QN → coordinate descent hand-over. The oracle: every point equals a cold fit at its λ.
/// </summary>
public sealed class CarriedCurvaturePathHostileTests(ITestOutputHelper output)
{
    private static readonly DenseDataset<double> BreastCancer = OwlQnHandOverHostileTests.BreastCancer;

    private static readonly TrainingOptions Tight = new() { Standardize = true, Tolerance = 1e-10, MaxIterations = 100_000 };

    private static double[] Weights(LogisticModel m) => OwlQnHandOverHostileTests.Weights(m);

    /// <summary>Noisy (non-separable) Gaussian data with correlated columns.</summary>
    internal static DenseDataset<double> Noisy(int n, int d, int seed, double correlation = 0.8)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double common = Normal(), z = 0;
            for (int j = 0; j < d; j++)
            {
                double v = (correlation * common) + (Math.Sqrt(1 - (correlation * correlation)) * Normal());
                x[(i * d) + j] = (v * (1 + j)) + 0.3;
                z += j < 4 ? (j % 2 == 0 ? 1.0 : -0.7) * v : 0;
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        return DenseDataset.Create(x, y, d);
    }

    private void AssertPointsAreColdFits<T>(Dataset<T> data, TrainingOptions options, PathOptions grid, Solver? coldSolver, double rtol, double wtol = double.NaN, bool pattern = true)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        RegularizationPath path = RegularizationPath.Compute(data, options, grid);
        var failures = new List<string>();
        foreach (PathPoint p in path.Points)
        {
            TrainingOptions cold = options with { Lambda = p.Lambda };
            if (coldSolver is { } s)
            {
                cold = cold with { Solver = s };
            }

            TrainingResult c = LogisticRegression.Train(data, cold);
            string line = $"λ={p.Lambda:G4}: path {p.StopReason} {p.Iterations} it f={p.Objective:R} nnz {p.NonZeroWeights}; cold {c.Report.Solver} {c.Report.StopReason} {c.Report.Iterations} it f={c.Report.FinalObjective:R} nnz {c.Report.NonZeroWeights}";
            output.WriteLine(line);
            double relative = Math.Abs(p.Objective - c.Report.FinalObjective) / Math.Max(Math.Abs(c.Report.FinalObjective), 1e-300);
            // At λ_max itself w = 0 is the optimum only up to rounding (a cold fit may keep a weight of ~1e-17): no zero-pattern check there.
            bool atLambdaMax = p.Lambda >= path.LambdaMax * (1 - 1e-12);
            // At tolerance 1e-10 an objective-based line search may stall in rounding (NoProgress): accepted when the
            // objective is the cold fit's to 1e-12 and the cold fit stalled too or the objectives agree to the last bits.
            bool stalledAtOptimum = p.StopReason == StopReason.NoProgress && relative <= 1e-12;
            if (stalledAtOptimum)
            {
                output.WriteLine("  (NoProgress at the optimum's objective)");
            }

            // A cold fit that did not converge and ends above the path point is the oracle's failure, not the path's
            // (cold L-BFGS at λ = 1e9 stopped at iteration 0 on log 2 until its line search's budget was raised: ExtremeMagnitudeTests).
            bool coldWorse = c.Report.StopReason != StopReason.Converged && p.Objective < c.Report.FinalObjective;
            if (coldWorse)
            {
                output.WriteLine("  (cold fit did not converge and is worse than the path point)");
                relative = 0;
            }

            if ((p.StopReason != StopReason.Converged && !stalledAtOptimum && !coldWorse) || relative > rtol || (pattern && !atLambdaMax && p.NonZeroWeights != c.Report.NonZeroWeights))
            {
                failures.Add(line + $" rel {relative:G3}");
            }

            if (!double.IsNaN(wtol))
            {
                double[] a = Weights(p.Model), b = Weights(c.Model);
                double worst = a.Zip(b, (u, v) => Math.Abs(u - v) / Math.Max(1, Math.Abs(v))).Max();
                if (worst > wtol)
                {
                    failures.Add(line + $" weights differ by {worst:G3}");
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    public void RidgePathWithCarriedPairsEqualsColdLbfgsFits(bool standardize, bool fitIntercept)
    {
        DenseDataset<double> data = Noisy(400, 12, 1);
        var options = Tight with { L1Ratio = 0, Solver = Solver.Lbfgs, Standardize = standardize, FitIntercept = fitIntercept };
        AssertPointsAreColdFits(data, options, new PathOptions { Count = 25, MinRatio = 1e-5 }, Solver.Lbfgs, 1e-9, wtol: 1e-5);
    }

    /// <summary>A short memory (the ring full after one or two pairs) and λ jumping many orders of magnitude.</summary>
    [Theory]
    [InlineData(0.0, 1)]
    [InlineData(0.0, 2)]
    [InlineData(0.5, 1)]
    [InlineData(1.0, 2)]
    public void ShortMemoryAndHugeLambdaJumps(double rho, int history)
    {
        DenseDataset<double> data = Noisy(300, 10, 21, correlation: 0.95);
        var options = Tight with { L1Ratio = rho, Solver = rho > 0 ? Solver.OwlQn : Solver.Lbfgs, LbfgsHistory = history };
        AssertPointsAreColdFits(data, options, new PathOptions { Lambdas = [1e9, 1e3, 1e-1, 1e-7, 1e-9] }, null, 1e-9);
        AssertPointsAreColdFits(data, options, new PathOptions { Count = 12, MinRatio = 1e-4 }, null, 1e-9);
    }

    [Fact]
    public void RidgeAutoPathOnBreastCancerWithWeightsEqualsColdFits()
    {
        var data = DenseDataset.Create(TestData.BreastCancer.X, TestData.BreastCancer.Y, 30, OwlQnHandOverHostileTests.SampleWeights(TestData.BreastCancer.Y.Length, 9));
        AssertPointsAreColdFits(data, Tight with { L1Ratio = 0, ClassWeights = ClassWeights.Of(1, 2.5) }, new PathOptions { Count = 15, MinRatio = 1e-4 }, null, 1e-9, wtol: 1e-4);
    }

    [Theory]
    [InlineData(0.01)]
    [InlineData(0.3)]
    [InlineData(0.99)]
    public void OwlQnPathWithCarriedPairsEqualsColdOwlQnFits(double rho)
    {
        DenseDataset<double> data = Noisy(400, 12, 2);
        var options = Tight with { L1Ratio = rho, Solver = Solver.OwlQn };
        AssertPointsAreColdFits(data, options, new PathOptions { Count = 20, MinRatio = 1e-3 }, Solver.OwlQn, 1e-9);
    }

    [Theory]
    [InlineData(1.0, true, true, "none")]
    [InlineData(0.5, true, true, "balanced")]
    [InlineData(0.05, true, false, "none")]
    [InlineData(0.9, false, false, "sample")]
    [InlineData(0.7, true, true, "sample+1:3")]
    public void AutoPathOnBreastCancerEqualsColdCoordinateDescentFits(double rho, bool standardize, bool fitIntercept, string weighting)
    {
        DenseDataset<double> data = weighting.Contains("sample")
            ? DenseDataset.Create(TestData.BreastCancer.X, TestData.BreastCancer.Y, 30, OwlQnHandOverHostileTests.SampleWeights(TestData.BreastCancer.Y.Length, 4))
            : BreastCancer;
        ClassWeights cw = weighting.Contains("balanced") ? ClassWeights.Balanced : weighting.Contains("1:3") ? ClassWeights.Of(1, 3) : ClassWeights.None;
        var options = Tight with { L1Ratio = rho, Standardize = standardize, FitIntercept = fitIntercept, ClassWeights = cw };
        AssertPointsAreColdFits(data, options, new PathOptions { Count = 20, MinRatio = 1e-3 }, Solver.CoordinateDescent, 1e-9);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void ExplicitLambdasWithDuplicatesZeroAndIncreasingOrder(double rho)
    {
        DenseDataset<double> data = Noisy(300, 8, 3);
        var grid = new PathOptions { Lambdas = [1e-3, 1e-1, 1e-3, 0, 1e-2, 0, 0.3] };
        foreach (Solver s in new[] { Solver.Auto, rho > 0 ? Solver.OwlQn : Solver.Lbfgs })
        {
            var options = Tight with { L1Ratio = rho, Solver = s };
            RegularizationPath path = RegularizationPath.Compute(data, options, grid);
            Assert.Equal(new[] { 0.3, 1e-1, 1e-2, 1e-3, 1e-3, 0, 0 }, path.Points.Select(p => p.Lambda));
            Assert.Equal(Weights(path.Points[3].Model), Weights(path.Points[4].Model), (a, b) => Math.Abs(a - b) <= 1e-7 * Math.Max(1, Math.Abs(a)));
            AssertPointsAreColdFits(data, options, grid, null, 1e-9, pattern: rho > 0);
        }
    }

    [Theory]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(100_000)]
    public void PathProgressIsNumberedZeroToIterationsAtEveryPoint(int maxIterations)
    {
        var reports = new List<int>();
        var options = Tight with { L1Ratio = 1, MaxIterations = maxIterations, Progress = new InlineProgress(p => reports.Add(p.Iteration)) };
        RegularizationPath path = RegularizationPath.Compute(BreastCancer, options, new PathOptions { Count = 20 });
        var expected = path.Points.SelectMany(p => Enumerable.Range(0, p.Iterations + 1)).ToList();
        Assert.Equal(expected, reports);
        Assert.All(path.Points, p => Assert.InRange(p.Iterations, 0, maxIterations));
        Assert.All(path.Points, p => Assert.All(p.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w))));
        if (maxIterations > 1000)
        {
            Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));
            Assert.Contains(path.Points, p => p.Iterations > LogisticRegression.AutoOwlQnPathIterations); // a hand-over happened
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.4)]
    [InlineData(0.0)]
    public void PathIsBitIdenticalFor1To3Threads(double rho)
    {
        RegularizationPath[] paths = [.. new[] { 1, 2, 3 }.Select(t => RegularizationPath.Compute(BreastCancer, Tight with { L1Ratio = rho, MaxDegreeOfParallelism = t }, new PathOptions { Count = 25 }))];
        for (int k = 1; k < paths.Length; k++)
        {
            for (int i = 0; i < paths[0].Points.Count; i++)
            {
                Assert.Equal(Weights(paths[0].Points[i].Model), Weights(paths[k].Points[i].Model));
                Assert.Equal(paths[0].Points[i].Iterations, paths[k].Points[i].Iterations);
                Assert.Equal(paths[0].Points[i].Objective, paths[k].Points[i].Objective);
            }
        }
    }

    [Fact]
    public void FloatPathEqualsColdFitsOnFloatData()
    {
        float[] x = [.. TestData.BreastCancer.X.Select(v => (float)v)];
        float[] y = [.. TestData.BreastCancer.Y.Select(v => (float)v)];
        var data = DenseDataset.Create(x, y, 30);
        AssertPointsAreColdFits(data, Tight with { L1Ratio = 0.8 }, new PathOptions { Count = 15, MinRatio = 1e-3 }, Solver.CoordinateDescent, 1e-9);
        AssertPointsAreColdFits(data, Tight with { L1Ratio = 0 }, new PathOptions { Count = 10, MinRatio = 1e-3 }, null, 1e-9);
    }

    [Fact]
    public void CancellationDuringThePathsCoordinateDescentThrowsAndTheNextPathIsUnharmed()
    {
        var options = Tight with { L1Ratio = 1 };
        var grid = new PathOptions { Count = 20 };
        RegularizationPath before = RegularizationPath.Compute(BreastCancer, options, grid);
        int handOver = before.Points.ToList().FindIndex(p => p.Iterations > LogisticRegression.AutoOwlQnPathIterations);
        Assert.True(handOver >= 0 && handOver < grid.Count - 2);

        // Cancel in the middle of the hand-over point's coordinate descent (iteration 21 of that point).
        using var cts = new CancellationTokenSource();
        int point = -1;
        var cancelling = options with
        {
            Progress = new InlineProgress(p =>
            {
                if (p.Iteration == 0)
                {
                    point++;
                }

                if (point == handOver && p.Iteration == LogisticRegression.AutoOwlQnPathIterations + 1)
                {
                    cts.Cancel();
                }
            }),
        };
        Assert.ThrowsAny<OperationCanceledException>(() => RegularizationPath.Compute(BreastCancer, cancelling, grid, cts.Token));

        // Cancel during an OWL-QN point.
        using var cts2 = new CancellationTokenSource();
        Assert.ThrowsAny<OperationCanceledException>(() => RegularizationPath.Compute(BreastCancer, options with { Progress = new InlineProgress(p => { if (p.Iteration == 3) { cts2.Cancel(); } }) }, grid, cts2.Token));

        // A throwing progress in the coordinate descent part.
        int seen = -1;
        Assert.Throws<InvalidOperationException>(() => RegularizationPath.Compute(BreastCancer, options with
        {
            Progress = new InlineProgress(p =>
            {
                if (p.Iteration == 0)
                {
                    seen++;
                }

                if (seen == handOver + 1 && p.Iteration == 1)
                {
                    throw new InvalidOperationException("boom");
                }
            }),
        }, grid));

        RegularizationPath after = RegularizationPath.Compute(BreastCancer, options, grid);
        for (int i = 0; i < before.Points.Count; i++)
        {
            Assert.Equal(Weights(before.Points[i].Model), Weights(after.Points[i].Model));
        }
    }

    [Fact]
    public void CancelledLastPointIsReportedAsCancelled()
    {
        using var cts = new CancellationTokenSource();
        var grid = new PathOptions { Lambdas = [1e-4] };
        RegularizationPath path = RegularizationPath.Compute(BreastCancer, Tight with { L1Ratio = 1, Progress = new InlineProgress(p => { if (p.Iteration == 31) { cts.Cancel(); } }) }, grid, cts.Token);
        Assert.Equal(StopReason.Cancelled, path.Points[0].StopReason);
        Assert.Equal(31, path.Points[0].Iterations);
    }

    /// <summary>
    /// Auto with ρ &gt; 0 and a λ of 0 at the end: the λ = 0 point is L-BFGS (no L1 term) limited to the OWL-QN allowance,
    /// then handed to coordinate descent with l1 = l2 = 0. Strongly correlated columns make L-BFGS need more than 30.
    /// </summary>
    [Theory]
    [InlineData(0.5, 0.0)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.0, 0.05)]
    public void AutoPathEndingAtLambdaZeroMatchesAColdUnpenalizedFit(double rho, double before)
    {
        DenseDataset<double> data = Noisy(500, 10, 8, correlation: 0.995);
        var options = Tight with { L1Ratio = rho };
        var reports = new List<int>();
        RegularizationPath path = RegularizationPath.Compute(data, options with { Progress = new InlineProgress(p => reports.Add(p.Iteration)) }, new PathOptions { Lambdas = before > 0 ? [before, 0] : [0] });
        Assert.Equal(path.Points.SelectMany(p => Enumerable.Range(0, p.Iterations + 1)), reports);
        TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = 0 });
        PathPoint last = path.Points[^1];
        output.WriteLine($"λ=0: path {last.StopReason} {last.Iterations} it f={last.Objective:R}; cold {cold.Report.Solver} {cold.Report.StopReason} {cold.Report.Iterations} it f={cold.Report.FinalObjective:R}");
        Assert.True(before > 0 || last.Iterations > LogisticRegression.AutoOwlQnIterations, $"the λ = 0 point took {last.Iterations} iterations: no hand-over exercised");
        Assert.Equal(StopReason.Converged, last.StopReason);
        Close.Equal(cold.Report.FinalObjective, last.Objective, 1e-9, 0, "objective at λ = 0");
        Close.Equal(Weights(cold.Model), Weights(last.Model), 1e-5, 1e-7, "weights at λ = 0");
    }

    /// <summary>
    /// The ring (the review's finding): a candidate pair was written into NextSlot — the oldest stored pair when the
    /// memory is full — before Accept decided, so a rejected candidate destroyed a stored pair and left a stale ρ with it.
    /// Candidates now go to CandidateS/CandidateY and are swapped in only when accepted.
    /// </summary>
    [Fact]
    public void ARejectedPairDoesNotOverwriteAStoredOne()
    {
        const int n = 3, capacity = 2;
        var memory = new CurvatureMemory(n, capacity);
        double[][] steps = [[1, 0, 0], [0, 1, 0]];
        foreach (double[] s in steps)
        {
            s.CopyTo(memory.CandidateS, 0);
            s.CopyTo(memory.CandidateY, 0); // y = s: curvature 1
            memory.Accept(1, 1, 1);
        }

        Assert.Equal(capacity, memory.Stored);
        int oldest = memory.Slot(capacity - 1);
        double[] oldS = (double[])memory.S[oldest].Clone(), oldY = (double[])memory.Y[oldest].Clone();

        // A step with negative curvature (rounding on a flat loss), as Lbfgs/OwlQn write it: the candidate, then Accept.
        new double[] { 0, 0, 1 }.CopyTo(memory.CandidateS, 0);
        new double[] { 0, 0, -1 }.CopyTo(memory.CandidateY, 0);
        memory.Accept(-1, 1, 1);

        Assert.Equal(capacity, memory.Stored);
        // Every stored pair still has sᵀy·ρ = 1 and is the pair it was.
        for (int k = 0; k < memory.Stored; k++)
        {
            int slot = memory.Slot(k);
            double sy = memory.S[slot].Zip(memory.Y[slot], (a, b) => a * b).Sum();
            Assert.True(Math.Abs((sy * memory.Rho[slot]) - 1) < 1e-12, $"pair {k} (slot {slot}): sᵀy = {sy}, ρ = {memory.Rho[slot]}");
        }

        Assert.Equal(oldS, memory.S[oldest]);
        Assert.Equal(oldY, memory.Y[oldest]);
    }

    /// <summary>
    /// Separable data, λ = 0 with ρ &gt; 0: Auto's λ = 0 point is L-BFGS for 30 iterations, then unpenalized coordinate
    /// descent (Newton steps on a loss with no minimum). It must stop in reasonable time with finite weights, and the
    /// loss must not be worse than OWL-QN's path (L-BFGS with the whole allowance).
    /// </summary>
    [Fact]
    public void SeparableDataAtLambdaZeroTerminates()
    {
        var rng = new Random(12);
        int n = 200, d = 6;
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                x[(i * d) + j] = rng.NextDouble() - 0.5;
            }

            y[i] = x[i * d] + (0.5 * x[(i * d) + 1]) > 0 ? 1 : 0;
        }

        var data = DenseDataset.Create(x, y, d);
        var options = new TrainingOptions { L1Ratio = 1, Standardize = true, MaxIterations = 2_000, Tolerance = 1e-12 };
        RegularizationPath auto = RegularizationPath.Compute(data, options, new PathOptions { Lambdas = [0] });
        RegularizationPath owl = RegularizationPath.Compute(data, options with { Solver = Solver.OwlQn }, new PathOptions { Lambdas = [0] });
        output.WriteLine($"Auto: {auto.Points[0].StopReason} {auto.Points[0].Iterations} it f={auto.Points[0].Objective:R}; OwlQn: {owl.Points[0].StopReason} {owl.Points[0].Iterations} it f={owl.Points[0].Objective:R}");
        Assert.InRange(auto.Points[0].Iterations, 1, options.MaxIterations); // it stops within its allowance (no timing in unit tests)
        Assert.All(auto.Points[0].Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));
        Assert.True(auto.Points[0].Objective <= Math.Max(owl.Points[0].Objective, 1e-3), $"Auto {auto.Points[0].Objective} against {owl.Points[0].Objective}");
    }

    [Fact]
    public void SeparableAndTinyDataAlongTheAutoPath()
    {
        AssertPointsAreColdFits(SeparableCorrelated(), Tight with { L1Ratio = 0.9 }, new PathOptions { Count = 20, MinRatio = 1e-3 }, Solver.CoordinateDescent, 1e-8);
        var tiny = DenseDataset.Create(new double[] { 1, 2, 3, -1, -2, -2.5 }, new double[] { 1, 0 }, 3);
        AssertPointsAreColdFits(tiny, Tight with { L1Ratio = 1, Standardize = false }, new PathOptions { Count = 10 }, Solver.CoordinateDescent, 1e-8);
    }

    [Fact]
    public void HostileColumnsAlongTheAutoPath()
    {
        (double[] x0, double[] y, _) = TestData.BreastCancer;
        int d0 = 30, d = 32, n = y.Length;
        double[] x = new double[n * d];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(x0, i * d0, x, i * d, d0);
            x[(i * d) + 30] = -3;
            x[(i * d) + 31] = x0[(i * d0) + 2];
        }

        AssertPointsAreColdFits(DenseDataset.Create(x, y, d), Tight with { L1Ratio = 0.6 }, new PathOptions { Count = 15, MinRatio = 1e-3 }, Solver.CoordinateDescent, 1e-9);
    }

    [Fact]
    public void CrossValidationWithAutoL1IsIdenticalFor1And2Threads()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        var cv = new CrossValidationOptions { Folds = 4, Seed = 7, Path = new PathOptions { Count = 15 } };
        var options = new TrainingOptions { L1Ratio = 1, Tolerance = 1e-8, MaxIterations = 100_000 };
        CrossValidationResult one = CrossValidation.Run(data, options with { MaxDegreeOfParallelism = 1 }, cv);
        CrossValidationResult two = CrossValidation.Run(data, options with { MaxDegreeOfParallelism = 2 }, cv);
        Assert.Equal(one.FoldOfRow, two.FoldOfRow);
        Assert.Equal(one.Points.Count, two.Points.Count);
        for (int i = 0; i < one.Points.Count; i++)
        {
            Assert.Equal(one.Points[i], two.Points[i]);
        }

        Assert.Equal(one.Best, two.Best);
        Assert.Equal(Weights((LogisticModel)one.Refit.Model), Weights((LogisticModel)two.Refit.Model));
    }

    /// <summary>300 rows × 20 columns that share one random component (correlated), labelled by the sign of x₀ − x₁: separable.</summary>
    internal static DenseDataset<double> SeparableCorrelated()
    {
        var rng = new Random(5);
        int n = 300, d = 20;
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double common = rng.NextDouble() - 0.5;
            for (int j = 0; j < d; j++)
            {
                x[(i * d) + j] = common + (0.05 * (rng.NextDouble() - 0.5));
            }

            y[i] = x[i * d] - x[(i * d) + 1] > 0 ? 1 : 0;
        }

        return DenseDataset.Create(x, y, d);
    }
}
