using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Newton;

/// <summary>Exact Newton (the whole Hessian, Cholesky, a line search): the optimum in a handful of iterations.</summary>
public class NewtonCholeskySolverTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OnRawBreastCancerItReachesTheOptimumInAHandfulOfIterations(bool standardize)
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        var data = DenseDataset.Create(x, y, names.Length);
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, data.Rows);
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = l2, Standardize = standardize, Tolerance = 1e-10 };
        TrainingResult exact = LogisticRegression.Train(data, options);
        TrainingResult trustRegion = LogisticRegression.Train(data, options with { Solver = Solver.Newton });
        Assert.True(exact.Report.Converged, exact.Report.Message);
        Assert.True(trustRegion.Report.Converged, trustRegion.Report.Message);
        Assert.Equal(Solver.NewtonCholesky, exact.Report.Solver);

        Close.Equal(trustRegion.Report.FinalObjective, exact.Report.FinalObjective, 1e-12, 0, "objective");
        Close.NormRelative(trustRegion.Model.Weights, exact.Model.Weights, 1e-5, "w");
        Assert.True(exact.Report.Iterations <= 15, $"{exact.Report.Iterations} iterations");

        // Each iteration: an evaluation, a curvature pass and the matrix (plus line-search trials, rare near the optimum).
        Assert.True(exact.Report.DataPasses <= (3 * exact.Report.Iterations) + 4, $"{exact.Report.DataPasses} passes for {exact.Report.Iterations} iterations");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TheModelIsBitIdenticalForAnyNumberOfThreads(int threads)
    {
        var p = new Problem(5000, 37, 13, 3.0, Weighted: true, L2: 0.001);
        (DenseDataset<double> data, _, _) = TestData.Build<double>(p);
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = p.L2, Standardize = true, Tolerance = 1e-10 };
        TrainingResult one = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = 1 });
        TrainingResult many = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = threads });
        Assert.Equal(one.Model.Weights.ToArray(), many.Model.Weights.ToArray());
        Assert.Equal(one.Model.Bias, many.Model.Bias);
        Assert.Equal(one.Report.Iterations, many.Report.Iterations);
    }

    [Fact]
    public void ADuplicatedColumnWithoutAPenaltyStillConverges()
    {
        // The Hessian is singular (two equal columns): the shifted factorization still gives a descent direction, and
        // the optimum splits the weight between the copies (only their sum is determined).
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length;
        double[] doubled = new double[y.Length * (d + 1)];
        for (int i = 0; i < y.Length; i++)
        {
            Array.Copy(x, i * d, doubled, i * (d + 1), d);
            doubled[(i * (d + 1)) + d] = x[i * d];
        }

        var data = DenseDataset.Create(doubled, y, d + 1);
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = 0, Standardize = true, Tolerance = 1e-8, MaxIterations = 200 };
        TrainingResult exact = LogisticRegression.Train(data, options);
        TrainingResult lbfgs = LogisticRegression.Train(data, options with { Solver = Solver.Lbfgs, MaxIterations = 100_000 });
        Assert.True(exact.Report.StopReason is StopReason.Converged or StopReason.Separable or StopReason.NoProgress, exact.Report.Message);
        Assert.True(exact.Report.FinalObjective <= lbfgs.Report.FinalObjective + 1e-6, $"Newton-Cholesky {exact.Report.FinalObjective}, L-BFGS {lbfgs.Report.FinalObjective}");
    }

    [Fact]
    public void ANearlyCollinearColumnWithoutAPenaltyKeepsItsCoefficientsSane()
    {
        // x3 = 10⁻⁹·x0: the Hessian's last pivot is rounding error. Taken at face value it sent w3 to −2.9·10⁸ (a
        // hostile review found it); a pivot within rounding of zero now counts as a failed factorization, and the
        // shifted one keeps the step off the (near) null direction.
        var rng = new Random(3);
        int n = 1000;
        double[] x = new double[n * 4], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 3; j++)
            {
                x[(i * 4) + j] = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
            }

            x[(i * 4) + 3] = 1e-9 * x[i * 4];
            y[i] = x[i * 4] - x[(i * 4) + 1] + rng.NextDouble() - 0.5 > 0 ? 1 : 0;
        }

        var data = DenseDataset.Create(x, y, 4);
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = 0, Tolerance = 1e-10 };
        TrainingResult exact = LogisticRegression.Train(data, options);
        TrainingResult lbfgs = LogisticRegression.Train(data, options with { Solver = Solver.Lbfgs, MaxIterations = 100_000 });
        Assert.True(exact.Model.Weights.ToArray().Max(Math.Abs) < 100, $"w = [{string.Join(", ", exact.Model.Weights.ToArray())}]");
        Assert.True(exact.Report.FinalObjective <= lbfgs.Report.FinalObjective + 1e-12, $"Newton-Cholesky {exact.Report.FinalObjective}, L-BFGS {lbfgs.Report.FinalObjective}");
    }

    [Fact]
    public void MultinomialInterceptsCarryNoArbitraryShift()
    {
        // The softmax does not change when every intercept moves alike; the result is centred (Σ bₖ = 0), as L-BFGS
        // from zero leaves it, so both solvers report the same intercepts.
        (double[] px, double[] py) = FastLogReg.Tests.Multiclass.MulticlassData.Digits();
        int[] keep = Enumerable.Range(0, py.Length).Where(i => py[i] < 3).ToArray();
        var data = DenseDataset.Create(keep.SelectMany(i => px.Skip(i * 64).Take(64)).ToArray(), keep.Select(i => py[i]).ToArray(), 64, 3);
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = 1e-3, Tolerance = 1e-10 };
        Models.MulticlassModel exact = LogisticRegression.Train(data, options).Multiclass;
        Models.MulticlassModel lbfgs = LogisticRegression.Train(data, options with { Solver = Solver.Lbfgs, MaxIterations = 100_000 }).Multiclass;
        Assert.True(Math.Abs(exact.Intercepts.ToArray().Sum()) < 1e-12, $"Σb = {exact.Intercepts.ToArray().Sum()}");
        Close.Equal(lbfgs.Intercepts.ToArray(), exact.Intercepts.ToArray(), 1e-3, 1e-4, "intercepts (the shift was O(1))");
    }

    [Fact]
    public void AUsersQuadraticIsSolvedInOneStep()
    {
        // f(x) = ½ xᵀAx − 1ᵀx with a dense, badly conditioned A: one Newton step lands on A⁻¹1.
        int n = 12;
        var rng = new Random(2);
        double[] m = Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = i == j ? Math.Pow(10, -i / 2.0) : 0;
                for (int k = 0; k < n; k++)
                {
                    sum += m[(i * n) + k] * m[(j * n) + k];
                }

                a[(i * n) + j] = sum;
            }
        }

        var quadratic = new DenseQuadratic(a, n);
        OptimizationResult result = NewtonCholesky.Minimize(quadratic, new double[n], new SolverOptions { Tolerance = 1e-10 });
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.True(result.Iterations <= 2, $"{result.Iterations} iterations");
        double[] gradient = new double[n];
        quadratic.Evaluate(result.Point, gradient);
        Assert.True(gradient.Max(Math.Abs) < 1e-8, $"‖∇f‖∞ = {gradient.Max(Math.Abs)}");
    }

    [Fact]
    public void AFunctionWithoutAHessianMatrixIsRefusedByName()
    {
        var e = Assert.Throws<NotSupportedException>(() => NewtonCholesky.Minimize(new HessianFree(), new double[2]));
        Assert.Contains("HessianFree", e.Message);
        Assert.Contains("TrustRegionNewton", e.Message);
    }

    [Fact]
    public void MoreThanItsParameterLimitIsRefusedWithAClearMessage()
    {
        int d = LogisticRegression.MaxNewtonCholeskyFeatures + 1;
        var wide = DenseDataset.Create(new double[2 * d], new double[] { 0, 1 }, d);
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(wide, new TrainingOptions { Solver = Solver.NewtonCholesky }));
        Assert.Contains("4,096 features", e.Message);
        Assert.Contains("4,097", e.Message);

        // Three classes of 1,400 features: 4,203 parameters.
        var three = DenseDataset.Create(new double[3 * 1400], new double[] { 0, 1, 2 }, 1400, 3);
        e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(three, new TrainingOptions { Solver = Solver.NewtonCholesky }));
        Assert.Contains("4,203", e.Message);
    }

    [Fact]
    public void ThePathRunsOnIt()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, Tolerance = 1e-8 };
        RegularizationPath exact = RegularizationPath.Compute(data, options, new PathOptions { Count = 8 });
        RegularizationPath lbfgs = RegularizationPath.Compute(data, options with { Solver = Solver.Lbfgs }, new PathOptions { Count = 8 });
        for (int k = 0; k < exact.Points.Count; k++)
        {
            Close.Equal(lbfgs.Points[k].Objective, exact.Points[k].Objective, 1e-7, 0, $"point {k}");
        }
    }

    private sealed class DenseQuadratic(double[] a, int n) : ITwiceDifferentiableFunction
    {
        public int Dimension => n;

        public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
        {
            double f = 0;
            for (int i = 0; i < n; i++)
            {
                double ax = 0;
                for (int k = 0; k < n; k++)
                {
                    ax += a[(i * n) + k] * point[k];
                }

                gradient[i] = ax - 1;
                f += (0.5 * point[i] * ax) - point[i];
            }

            return f;
        }

        public void HessianVector(ReadOnlySpan<double> direction, Span<double> product)
        {
            for (int i = 0; i < n; i++)
            {
                double sum = 0;
                for (int k = 0; k < n; k++)
                {
                    sum += a[(i * n) + k] * direction[k];
                }

                product[i] = sum;
            }
        }

        public bool TryGetHessianDiagonal(Span<double> diagonal) => false;

        public bool TryGetHessian(Span<double> hessian)
        {
            a.CopyTo(hessian);
            return true;
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1e6)]
    [InlineData(1e8)]
    public void OneHugeColumn_MultinomialExactNewtonStopsAtTheOptimum(double scale)
    {
        // A review's case: 10-class digits with one pixel × 10⁶ "converged" at f = 0.39 against 0.0072. The softmax's
        // Hessian is singular along equal shifts of the intercepts; a shift of the whole diagonal by a share of its
        // largest entry (that pixel's) swamped every other column (× 10⁸: 2.17 after 6 iterations). Those directions
        // are now solved apart (ShiftDeflation): 11 iterations at every scale.
        (double[] x, double[] y) = FastLogReg.Tests.Multiclass.MulticlassData.Digits();
        double[] scaled = (double[])x.Clone();
        for (int i = 0; i < y.Length; i++)
        {
            scaled[(i * 64) + 20] *= scale;
        }

        var data = DenseDataset.Create(scaled, y, 64, 10);
        var options = new TrainingOptions { Lambda = 1.0 / y.Length, Solver = Solver.NewtonCholesky };
        TrainingResult exact = LogisticRegression.Train(data, options);
        TrainingResult reference = LogisticRegression.Train(data, options with { Solver = Solver.Newton, Tolerance = 1e-10, MaxIterations = 10_000 });
        output.WriteLine($"× {scale:G3}: exact {exact.Report.FinalObjective:R} ({exact.Report.Iterations} iterations, {exact.Report.StopReason}), trust region {reference.Report.FinalObjective:R} ({reference.Report.Iterations}, {reference.Report.StopReason})");
        Assert.Equal(StopReason.Converged, exact.Report.StopReason);
        Assert.True(exact.Report.Iterations <= 20, $"{exact.Report.Iterations} iterations");
        Close.Equal(reference.Report.FinalObjective, exact.Report.FinalObjective, 1e-6, 0, "the objective against the optimum (the default tolerance)");
    }

    [Fact]
    public void AnEqualShiftOfEveryClassIsUndoneInOneNewtonStep()
    {
        // From a start whose every class carries the same extra weights (the softmax cannot see them; only the penalty
        // can, with curvature λ), the exact Newton step removes them: ShiftDeflation solves along those directions
        // with their own eigenvalue λ. Solved with the columns' mean curvature instead (1,000 times λ here), each
        // step would remove only a thousandth of the shift.
        (double[] x, double[] y) = FastLogReg.Tests.Multiclass.MulticlassData.Digits();
        var data = DenseDataset.Create(x, y, 64, 10);
        var objective = new MultinomialObjective<double>(data, Penalty.L2(1e-4));
        double[] optimum = NewtonCholesky.Minimize(objective, new double[objective.Dimension], new SolverOptions { Tolerance = 1e-10 }).Point;
        double[] shifted = (double[])optimum.Clone();
        for (int k = 0; k < 10; k++)
        {
            for (int j = 0; j < 64; j++)
            {
                shifted[(k * 64) + j] += 0.01 * (j % 7);
            }
        }

        OptimizationResult result = NewtonCholesky.Minimize(objective, shifted, new SolverOptions { Tolerance = 1e-10 });
        output.WriteLine($"{result.Iterations} iterations, {result.StopReason}");
        Assert.True(result.Converged, result.StopReason.ToString());
        Assert.True(result.Iterations <= 3, $"{result.Iterations} iterations");
        Close.NormRelative(optimum.AsSpan(0, 640), result.Point.AsSpan(0, 640), 1e-6, "W");
    }

    private sealed class HessianFree : ITwiceDifferentiableFunction
    {
        public int Dimension => 2;

        public double Evaluate(ReadOnlySpan<double> point, Span<double> gradient)
        {
            gradient[0] = point[0] - 1;
            gradient[1] = point[1] + 1;
            return (0.5 * (point[0] - 1) * (point[0] - 1)) + (0.5 * (point[1] + 1) * (point[1] + 1));
        }

        public void HessianVector(ReadOnlySpan<double> direction, Span<double> product) => direction.CopyTo(product);

        public bool TryGetHessianDiagonal(Span<double> diagonal) => false;
    }
}
