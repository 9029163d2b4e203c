using FastLogReg.Data;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// <see cref="Solver.Auto"/>'s L1 fits on standardized or centred columns start with OWL-QN; where it has not converged
/// after <see cref="LogisticRegression.AutoOwlQnIterations"/> iterations (correlated columns), coordinate descent takes over
/// from its best point — in a fit and along the path.
/// </summary>
public class OwlQnHandOverTests
{
    private static readonly DenseDataset<double> BreastCancer = DenseDataset.Create(TestData.BreastCancer.X, TestData.BreastCancer.Y, 30);

    [Fact]
    public void ACrawlingOwlQnHandsOverAndReachesItsOptimumInAFractionOfThePasses()
    {
        var options = new TrainingOptions { Lambda = 1e-4, L1Ratio = 1, Standardize = true, Tolerance = 1e-8, MaxIterations = 100_000 };
        var reports = new List<IterationProgress>();

        TrainingResult auto = LogisticRegression.Train(BreastCancer, options with { Progress = new InlineProgress(reports.Add) });
        TrainingResult owlQn = LogisticRegression.Train(BreastCancer, options with { Solver = Solver.OwlQn });

        Assert.Equal(Solver.CoordinateDescent, auto.Report.Solver);
        Assert.Equal(StopReason.Converged, auto.Report.StopReason);
        Assert.StartsWith("OWL-QN had not converged after 30 iterations", auto.Report.Message);
        Assert.Equal(StopReason.Converged, owlQn.Report.StopReason);
        Close.Equal(owlQn.Report.FinalObjective, auto.Report.FinalObjective, 1e-9, 0, "objective");
        Assert.Equal(owlQn.Report.NonZeroWeights, auto.Report.NonZeroWeights);
        Assert.True(auto.Report.DataPasses < 0.2 * owlQn.Report.DataPasses, $"Auto {auto.Report.DataPasses} passes, OWL-QN alone {owlQn.Report.DataPasses}");

        // One report per iteration, numbered on across the hand-over; the histories joined the same way.
        Assert.Equal(Enumerable.Range(0, auto.Report.Iterations + 1), reports.Select(r => r.Iteration));
        Assert.Equal(auto.Report.Iterations + 1, auto.Report.ObjectiveHistory.Count);
        Assert.True(auto.Report.Iterations > LogisticRegression.AutoOwlQnIterations);
    }

    [Fact]
    public void NoHandOverWhenOwlQnIsAskedForOrTheDataIsSparseOrTheIterationsAreFew()
    {
        var options = new TrainingOptions { Lambda = 1e-4, L1Ratio = 1, Standardize = true };

        TrainingReport asked = LogisticRegression.Train(BreastCancer, options with { Solver = Solver.OwlQn, MaxIterations = 40 }).Report;
        TrainingReport few = LogisticRegression.Train(BreastCancer, options with { MaxIterations = LogisticRegression.AutoOwlQnIterations }).Report;
        SparseDataset<double> sparse = Sparse(TestData.BreastCancer.X, TestData.BreastCancer.Y, 30);
        TrainingReport sparseReport = LogisticRegression.Train(sparse, options with { MaxIterations = 40 }).Report;

        Assert.Equal((Solver.OwlQn, StopReason.MaxIterations, 40), (asked.Solver, asked.StopReason, asked.Iterations));
        Assert.Equal((Solver.OwlQn, StopReason.MaxIterations), (few.Solver, few.StopReason));
        Assert.Equal((Solver.OwlQn, StopReason.MaxIterations, 40), (sparseReport.Solver, sparseReport.StopReason, sparseReport.Iterations));
    }

    /// <summary>The rows in CSR form, zeros left out.</summary>
    private static SparseDataset<double> Sparse(double[] x, double[] y, int columns)
    {
        var values = new List<double>();
        var indices = new List<int>();
        long[] offsets = new long[y.Length + 1];
        for (int i = 0; i < y.Length; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (x[(i * columns) + j] != 0)
                {
                    values.Add(x[(i * columns) + j]);
                    indices.Add(j);
                }
            }

            offsets[i + 1] = values.Count;
        }

        return SparseDataset.Create(CsrMatrix.Create<double>(values.ToArray(), indices.ToArray(), offsets, columns), y);
    }

    [Fact]
    public void AWellConditionedFitStaysWithOwlQn()
    {
        (double[] x, double[] y) = SyntheticData.Generate(2_000, 10, 3);
        TrainingReport report = LogisticRegression.Train(DenseDataset.Create(x, y, 10), new TrainingOptions { Lambda = 1e-3, L1Ratio = 1, Standardize = true }).Report;

        Assert.Equal(Solver.OwlQn, report.Solver);
        Assert.Equal(StopReason.Converged, report.StopReason);
        Assert.True(report.Iterations < LogisticRegression.AutoOwlQnIterations, $"{report.Iterations} iterations");
    }

    [Fact]
    public void AnOwlQnThatStopsMakingProgressHandsOverToo()
    {
        // Tolerance 0: OWL-QN goes on until its line search fails on rounding (a tight tolerance meets that floor the
        // same way), well before its 30 iterations on these well-conditioned rows; coordinate descent then goes on.
        // (500 × 2: 11–15 iterations at every SIMD width.)
        (double[] x, double[] y) = SyntheticData.Generate(500, 2, 3);
        DenseDataset<double> data = DenseDataset.Create(x, y, 2);
        var options = new TrainingOptions { Lambda = 1e-2, L1Ratio = 1, Standardize = true, Tolerance = 0, MaxIterations = 500 };

        TrainingResult owlQn = LogisticRegression.Train(data, options with { Solver = Solver.OwlQn });
        TrainingResult auto = LogisticRegression.Train(data, options);

        Assert.Equal(StopReason.NoProgress, owlQn.Report.StopReason);
        Assert.True(owlQn.Report.Iterations < LogisticRegression.AutoOwlQnIterations, $"{owlQn.Report.Iterations} iterations");
        Assert.Equal(Solver.CoordinateDescent, auto.Report.Solver);
        // No worse than OWL-QN beyond rounding (both at the floor of their line searches).
        Assert.StartsWith($"OWL-QN had not converged (it stopped making progress after {owlQn.Report.Iterations} iterations)", auto.Report.Message);
        Assert.True(auto.Report.FinalObjective <= owlQn.Report.FinalObjective * (1 + 1e-13), $"{auto.Report.FinalObjective:R} against OWL-QN's {owlQn.Report.FinalObjective:R}");
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void ThePathHandsOverOnceAndMatchesOwlQnsPointByPoint(double rho)
    {
        var options = new TrainingOptions { L1Ratio = rho, Standardize = true, Tolerance = 1e-8, MaxIterations = 100_000 };
        var grid = new PathOptions { Count = 30 };

        RegularizationPath auto = RegularizationPath.Compute(BreastCancer, options, grid);
        RegularizationPath owlQn = RegularizationPath.Compute(BreastCancer, options with { Solver = Solver.OwlQn }, grid);

        for (int k = 0; k < grid.Count; k++)
        {
            Assert.Equal(StopReason.Converged, auto.Points[k].StopReason);
            Close.Equal(owlQn.Points[k].Objective, auto.Points[k].Objective, 1e-8, 0, $"objective at point {k}");
            Assert.Equal(owlQn.Points[k].NonZeroWeights, auto.Points[k].NonZeroWeights);
        }

        // Once handed over, the rest of the path is coordinate descent's: after the first point beyond OWL-QN's allowance
        // along a path, no point counts OWL-QN's 20 iterations again.
        int first = auto.Points.ToList().FindIndex(p => p.Iterations > LogisticRegression.AutoOwlQnPathIterations);
        Assert.InRange(first, 1, grid.Count - 2);
        Assert.All(auto.Points.Skip(first + 1), p => Assert.True(p.Iterations < LogisticRegression.AutoOwlQnPathIterations, $"{p.Iterations} iterations at λ = {p.Lambda:G4}"));
        double autoPasses = auto.Points.Sum(p => p.DataPasses), owlQnPasses = owlQn.Points.Sum(p => p.DataPasses);
        Assert.True(autoPasses < 0.25 * owlQnPasses, $"Auto's path {autoPasses} passes, OWL-QN's {owlQnPasses}");
    }
}
