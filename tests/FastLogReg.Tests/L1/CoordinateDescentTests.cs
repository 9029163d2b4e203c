using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Tests.Sparse;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// newGLMNET coordinate descent (<see cref="Solver.CoordinateDescent"/>) reaches the optimum OWL-QN reaches, on dense and
/// sparse rows, with sample and class weights, standardization (by arithmetic on sparse columns), the elastic net and
/// without an intercept; chosen on request (OWL-QN is the default for L1) and refused for K classes.
/// </summary>
public sealed class CoordinateDescentTests
{
    public static TheoryData<int, double, bool, bool, bool> Cases() => new()
    {
        { 1, 1.0, false, true, false },
        { 2, 1.0, true, true, true },
        { 3, 0.5, true, false, true },
        { 4, 1.0, true, true, false },
        { 5, 0.3, false, true, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReachesOwlQnsOptimum_DenseAndSparse(int seed, double rho, bool standardize, bool intercept, bool weighted)
    {
        DenseDataset<double> dense0 = Data(400, 25, seed, weighted);
        (DenseDataset<double> dense, SparseDataset<double> sparse) = SparseData.Sparsify(dense0, 0.3, seed);
        var options = new TrainingOptions
        {
            Lambda = 0.02,
            L1Ratio = rho,
            Standardize = standardize,
            FitIntercept = intercept,
            ClassWeights = ClassWeights.Of(1.0, 2.5),
            Tolerance = 1e-10,
            MaxIterations = 50_000,
        };

        TrainingResult reference = LogisticRegression.Train(dense, options with { Solver = Solver.OwlQn });
        foreach (Dataset<double> data in new Dataset<double>[] { dense, sparse })
        {
            TrainingResult cd = LogisticRegression.Train(data, options with { Solver = Solver.CoordinateDescent });
            Assert.Equal(StopReason.Converged, cd.Report.StopReason);
            Close.Equal(reference.Report.FinalObjective, cd.Report.FinalObjective, 1e-9, 0, $"objective on {data.GetType().Name}");
            Close.Equal(reference.Model.Weights.ToArray(), cd.Model.Weights.ToArray(), 1e-4, 1e-6, "w");
            Assert.Equal(reference.Report.NonZeroWeights, cd.Report.NonZeroWeights);
        }
    }

    private static DenseDataset<double> Data(int rows, int columns, int seed, bool weighted)
    {
        (double[] x, double[] y) = SyntheticData.Generate(rows, columns, (ulong)seed);
        for (int k = 0; k < x.Length; k++)
        {
            x[k] = (x[k] * (1 + (k % columns))) + (k % 3); // columns of different scales and means
        }

        double[]? w = weighted ? Enumerable.Range(0, rows).Select(i => 0.5 + (i % 4)).ToArray() : null;
        return DenseDataset.Create(x, y, columns, w);
    }

    [Fact]
    public void IsChosenOnRequest_AndTrainsKClassesByProximalNewton()
    {
        DenseDataset<double> data = Data(200, 5, 9, false);
        Assert.Equal(Solver.OwlQn, LogisticRegression.Train(data, new TrainingOptions { Lambda = 0.01, L1Ratio = 1 }).Report.Solver);
        Assert.Equal(Solver.CoordinateDescent, LogisticRegression.Train(data, new TrainingOptions { Lambda = 0.01, L1Ratio = 1, Solver = Solver.CoordinateDescent }).Report.Solver);
        Assert.Equal(Solver.OwlQn, LogisticRegression.EffectiveSolverOf(new TrainingOptions { Lambda = 0.01, L1Ratio = 1 }, classCount: 3));

        var three = DenseDataset.Create(data.Features, data.Labels.ToArray().Select((v, i) => (double)(i % 3)).ToArray(), data.Columns, classCount: 3);
        TrainingResult k = LogisticRegression.Train(three, new TrainingOptions { Lambda = 0.01, L1Ratio = 1, Solver = Solver.CoordinateDescent, Tolerance = 1e-10 });
        Assert.Equal(Solver.CoordinateDescent, k.Report.Solver);
        Assert.Equal(Models.ClassificationKind.Multinomial, k.Multiclass.Kind);
        TrainingResult owl = LogisticRegression.Train(three, new TrainingOptions { Lambda = 0.01, L1Ratio = 1, Solver = Solver.OwlQn, Tolerance = 1e-10 });
        Close.Equal(owl.Report.FinalObjective, k.Report.FinalObjective, 1e-9, 0, "3-class objective");
    }
}
