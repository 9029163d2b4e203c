using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Newton;

/// <summary>Trust-region Newton reaches the optimum — scikit-learn's, and L-BFGS's at a tight tolerance — on real data.</summary>
public class NewtonSolverTests
{
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void NewtonOnSparseRowsReachesScikitLearnsOptimum(double c)
    {
        JsonElement fit = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_heart_scale.json"))).RootElement
            .GetProperty("fits").EnumerateArray().First(f => f.GetProperty("C").GetDouble() == c);
        SparseLabeledData<double> heart = LibSvmDataReader.ReadSparse<double>(Path.Combine(AppContext.BaseDirectory, "datasets", "heart_scale.libsvm"));
        var options = new TrainingOptions { Solver = Solver.Newton, L2 = TrainingOptions.L2FromScikitLearnC(c, heart.Data.Rows), Tolerance = 1e-10, MaxDegreeOfParallelism = 2 };

        TrainingResult result = LogisticRegression.Train(heart.Data, options);

        Assert.True(result.Report.Converged, result.Report.Message);
        Close.Equal(fit.GetProperty("objective").GetDouble(), result.Report.FinalObjective, 1e-12, 0, "objective");
        double[] weights = fit.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Close.Equal(weights, result.Model.Weights, 1e-7, 1e-8, "w");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void NewtonOnRawBreastCancerReachesTheOptimumLbfgsStrugglesWith(bool standardize)
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        var data = DenseDataset.Create(x, y, names.Length);
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        TrainingResult newton = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.Newton, L2 = l2, Standardize = standardize, Tolerance = 1e-10 });
        Assert.True(newton.Report.Converged, newton.Report.Message);

        // The reference: L-BFGS on standardized features (well conditioned), the same function of the raw-feature model.
        TrainingResult reference = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.Lbfgs, L2 = l2, Standardize = true, Tolerance = 1e-12, MaxIterations = 100_000 });
        Assert.True(reference.Report.Converged, reference.Report.Message);
        if (!standardize)
        {
            // The penalty is on the raw weights without standardization: compare against raw-feature L-BFGS, run long.
            reference = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.Lbfgs, L2 = l2, Tolerance = 1e-12, MaxIterations = 200_000 });
        }

        Close.Equal(reference.Report.FinalObjective, newton.Report.FinalObjective, 1e-9, 0, "objective");
        if (!standardize)
        {
            Assert.True(newton.Report.DataPasses < reference.Report.DataPasses / 5, $"Newton {newton.Report.DataPasses} passes, L-BFGS {reference.Report.DataPasses}");
        }
    }

    [Fact]
    public void NewtonMinimizesAUsersQuadratic()
    {
        // f(x) = ½ xᵀAx − bᵀx with A = diag(1 … 1000): the minimum is A⁻¹b; CG inside the trust region finds it.
        var quadratic = new Quadratic(Enumerable.Range(1, 50).Select(i => Math.Pow(1000, (i - 1) / 49.0)).ToArray());
        OptimizationResult result = TrustRegionNewton.Minimize(quadratic, new double[50], new SolverOptions { Tolerance = 1e-12 });
        Assert.True(result.Converged, result.StopReason.ToString());
        for (int i = 0; i < 50; i++)
        {
            Close.Equal(1.0 / quadratic.A[i], result.Point[i], 1e-9, 1e-12, $"x[{i}]");
        }
    }

    [Fact]
    public void NewtonTrainsKClasses_DualCoordinateDescentIsRefusedWithAClearMessage()
    {
        var data = DenseDataset.Create(new double[] { 0, 1, 2, 3, 4, 5, 1, 1, 3, 0 }, new double[] { 0, 1, 2, 0, 1 }, 2, 3);
        var options = new TrainingOptions { Lambda = 0.1, Tolerance = 1e-12 };
        TrainingResult newton = LogisticRegression.Train(data, options with { Solver = Solver.Newton });
        Assert.Equal(Solver.Newton, newton.Report.Solver);
        Assert.Equal(StopReason.Converged, newton.Report.StopReason);
        Close.Equal(LogisticRegression.Train(data, options with { Solver = Solver.NewtonCholesky }).Report.FinalObjective, newton.Report.FinalObjective, 1e-12, 0, "3-class objective");
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(data, options with { Solver = Solver.DualCoordinateDescent }));
        Assert.Contains("binary", e.Message);
    }

    private sealed class Quadratic(double[] a) : ITwiceDifferentiableFunction
    {
        public double[] A { get; } = a;

        public int Dimension => A.Length;

        public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
        {
            double f = 0;
            for (int i = 0; i < A.Length; i++)
            {
                f += (0.5 * A[i] * point[i] * point[i]) - point[i];
                gradient[i] = (A[i] * point[i]) - 1;
            }

            return f;
        }

        public void HessianVector(ReadOnlySpan<double> direction, Span<double> product)
        {
            for (int i = 0; i < A.Length; i++)
            {
                product[i] = A[i] * direction[i];
            }
        }

        public bool TryGetHessianDiagonal(Span<double> diagonal)
        {
            A.CopyTo(diagonal);
            return true;
        }
    }
}

/// <summary>The default solver (<see cref="Solver.Auto"/>) picks by the penalty and the spread of the column scales.</summary>
public sealed class AutomaticSolverTests
{
    [Fact]
    public void RawFeaturesOfVeryDifferentScales_GetNewton_ExactUpToAHundredFeatures_OtherwiseLbfgsOrForL1CoordinateDescent()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        var raw = DenseDataset.Create(x, y, names.Length); // column sds from 0.003 to 569
        var options = new TrainingOptions { L2 = 1e-3 };

        Assert.Equal(Solver.Auto, new TrainingOptions().Solver);
        Assert.Equal(Solver.NewtonCholesky, LogisticRegression.Train(raw, options).Report.Solver);
        Assert.Equal(Solver.NewtonCholesky, LogisticRegression.EffectiveSolverOf(raw, options));
        Assert.Equal(Solver.Lbfgs, LogisticRegression.Train(raw, options with { Standardize = true }).Report.Solver);
        Assert.Equal(Solver.CoordinateDescent, LogisticRegression.Train(raw, options with { L1Ratio = 1 }).Report.Solver); // L1: columns far from zero
        Assert.Equal(Solver.Lbfgs, LogisticRegression.Train(raw, options with { Solver = Solver.Lbfgs }).Report.Solver);

        // The same spread of scales over more than 100 columns: the trust-region Newton (the exact one's Hessian pass
        // would cost more than 30 gradient passes).
        foreach (int columns in new[] { 100, 101 })
        {
            var rng = new Random(columns);
            double[] wide = new double[300 * columns];
            for (int i = 0; i < wide.Length; i++)
            {
                wide[i] = (rng.NextDouble() - 0.5) * Math.Pow(10, -2 + (4.0 * (i % columns) / (columns - 1)));
            }

            var data = DenseDataset.Create(wide, Enumerable.Range(0, 300).Select(i => (double)(i % 2)).ToArray(), columns);
            Assert.Equal(columns <= 100 ? Solver.NewtonCholesky : Solver.Newton, LogisticRegression.EffectiveSolverOf(data, options));
        }

        (double[] px, double[] py) = FastLogReg.Tests.Multiclass.MulticlassData.Digits(); // pixels 0–16: scales within 10³
        var digits = DenseDataset.Create(px, py, 64, classCount: 10);
        Assert.Equal(Solver.Lbfgs, LogisticRegression.Train(digits, options with { MaxIterations = 5 }).Report.Solver);
        double[] binaryLabels = py.Select(v => v == 8 ? 1.0 : 0.0).ToArray();
        Assert.Equal(Solver.Lbfgs, LogisticRegression.EffectiveSolverOf(DenseDataset.Create(px, binaryLabels, 64), options));
    }
}
