using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// Coordinate descent sums its columns and builds its Hessian snapshot on several threads when there is enough work;
/// every column sum and snapshot entry is computed by one thread in a fixed order, so the fit is bit-identical for any
/// thread count.
/// </summary>
public sealed class CoordinateDescentParallelTests
{
    [Fact]
    public void FitIsBitIdenticalForAnyThreadCount_AndUsesThePool()
    {
        // 20,000 rows × 60 correlated columns of different scales: the column sums (≥ 2²⁰ values) and the snapshot of
        // the active columns (≥ 4·10⁶ multiply-adds) both go to the pool.
        const int d = 60;
        var data = (DenseDataset<double>)Hostile.KClassAndParallelHostileTests.L1Data(20_000, d, sparse: false, weighted: false, seed: 41);
        using var columns = ColumnCopy<double>.From(data);
        double[] weights = LogisticRegression.NormalizedRowWeights(data, ClassWeights.None);
        var rules = new StoppingRules(1_000, 1e-9, null, null, () => 0, default);

        var one = new NewGlmnet<double>(columns, data.Labels.Span, weights, null, fitIntercept: true, maxDegreeOfParallelism: 1);
        OptimizationResult expected = one.Minimize(1e-4, 0, new double[d + 1], rules, _ => { });
        Assert.Equal(StopReason.Converged, expected.StopReason);
        Assert.Equal(0, one.ParallelRuns);
        Assert.True(one.GramSweepCount > 0, "the fit never used its Hessian snapshot: the test would not cover the parallel build");

        foreach (int threads in new[] { 2, 3 })
        {
            var many = new NewGlmnet<double>(columns, data.Labels.Span, weights, null, fitIntercept: true, maxDegreeOfParallelism: threads);
            OptimizationResult actual = many.Minimize(1e-4, 0, new double[d + 1], rules, _ => { });
            Assert.True(many.ParallelRuns > 0, $"{threads} threads: nothing ran on the pool");
            Assert.Equal(expected.Point, actual.Point);
            Assert.Equal(expected.Iterations, actual.Iterations);
        }

        // Through the public API too: a fit and a path at one and two threads.
        var options = new TrainingOptions { Lambda = 1e-4, L1Ratio = 1, Solver = Solver.CoordinateDescent, Tolerance = 1e-8 };
        TrainingResult fit1 = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = 1 });
        TrainingResult fit2 = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = 2 });
        Assert.Equal(fit1.Report.FinalObjective, fit2.Report.FinalObjective);
        Assert.Equal(((LogisticModel)fit1.Classifier).Weights.ToArray(), ((LogisticModel)fit2.Classifier).Weights.ToArray());
    }
}
