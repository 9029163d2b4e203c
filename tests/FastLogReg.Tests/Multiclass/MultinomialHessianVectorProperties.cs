using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using FsCheck.Xunit;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// The K-class Hessian-vector pass without the matrix (<see cref="MultinomialObjective{T}.HessianVector"/>):
/// against the whole matrix times the direction (the matrix is itself checked against central differences in
/// <see cref="MultinomialHessianTests"/>), against central differences of the gradient along the direction, for every
/// SIMD width, dense and CSR rows, float and double, standardized or not; bit-identical for any thread count; and the
/// trust-region Newton it enables for K classes.
/// </summary>
public class MultinomialHessianVectorProperties(ITestOutputHelper output)
{
    private const double Rtol = 1e-10;
    private const double Atol = 1e-13;

    [Property(Arbitrary = [typeof(SoftmaxKernelProperties)], MaxTest = 60)]
    public void MatrixFreeProductEqualsTheWholeMatrixTimesTheDirection_Double(SoftmaxKernelProperties.Case c) => AssertMatchesMatrix<double>(c);

    [Property(Arbitrary = [typeof(SoftmaxKernelProperties)], MaxTest = 40)]
    public void MatrixFreeProductEqualsTheWholeMatrixTimesTheDirection_Float(SoftmaxKernelProperties.Case c) => AssertMatchesMatrix<float>(c);

    [Fact]
    public void EveryColumnTailAndClassGroupEqualsTheMatrixProduct()
    {
        foreach (int d in new[] { 1, 3, 4, 5, 8, 9, 16, 17, 31, 33 })
        {
            foreach (int k in new[] { 2, 3, 5, 8, 11 })
            {
                foreach (int n in new[] { 1, 5, 127, 129 })
                {
                    AssertMatchesMatrix<double>(new SoftmaxKernelProperties.Case(n, d, k, (d * 100) + (k * 10) + n, 5.0, n % 2 == 1, 0.01, d % 2 == 0 ? 1.0 : 0.3, k % 3 == 0));
                }
            }
        }
    }

    [Theory]
    [InlineData(false, false, false)]
    [InlineData(false, true, true)]
    [InlineData(true, true, false)]
    [InlineData(true, false, true)]
    public void ProductMatchesCentralDifferencesOfTheGradientAlongTheDirection(bool oneVsRest, bool standardize, bool sparse)
    {
        (DenseDataset<double> built, double[] point) = MulticlassData.Build<double>(700, 9, 4, seed: 17, margin: 3, weighted: true);
        Dataset<double> data = sparse ? MulticlassData.Sparsify(built, 0.5, 2).Sparse : built;
        var objective = new MultinomialObjective<double>(data, Penalty.L2(0.02), oneVsRest, true, 2, standardize ? FeatureScaling.Compute(data) : null, ClassWeights.Balanced);
        int n = objective.Dimension;
        var rng = new Random(5);
        double[] v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        objective.Evaluate(point, new double[n]);
        double[] hv = new double[n];
        objective.HessianVector(v, hv);

        double h = 1e-5;
        double[] plus = new double[n], minus = new double[n], gPlus = new double[n], gMinus = new double[n];
        for (int j = 0; j < n; j++)
        {
            plus[j] = point[j] + (h * v[j]);
            minus[j] = point[j] - (h * v[j]);
        }

        objective.Evaluate(plus, gPlus);
        objective.Evaluate(minus, gMinus);
        for (int r = 0; r < n; r++)
        {
            Close.Equal((gPlus[r] - gMinus[r]) / (2 * h), hv[r], 1e-6, 1e-9, $"(H·v)[{r}] (one-vs-rest {oneVsRest}, standardized {standardize}, sparse {sparse})");
        }
    }

    [Theory]
    [InlineData(2, false, false)]
    [InlineData(3, true, false)]
    [InlineData(8, false, true)]
    [InlineData(3, true, true)]
    public void ProductIsBitIdenticalForAnyDegreeOfParallelism(int threads, bool sparse, bool oneVsRest)
    {
        (DenseDataset<double> built, double[] point) = MulticlassData.Build<double>(30000, 23, 7, 5, 5.0, weighted: true);
        Dataset<double> data = sparse ? MulticlassData.Sparsify(built, 0.4, 3).Sparse : built;
        double[] v = Enumerable.Range(0, point.Length).Select(i => Math.Cos(i)).ToArray();
        double[] Product(int t)
        {
            // The product and the diagonal (the curvature pass's chunks run on the objective's threads, a wave at a time).
            var objective = new MultinomialObjective<double>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: t);
            Assert.True(t == 1 || (objective.DegreeOfParallelism > 1 && objective.ChunkCount > 2), $"{objective.DegreeOfParallelism} threads, {objective.ChunkCount} chunks");
            objective.Evaluate(point, new double[point.Length]);
            double[] hv = new double[point.Length], diagonal = new double[point.Length];
            objective.HessianVector(v, hv);
            Assert.True(objective.TryGetHessianDiagonal(diagonal));
            return [.. hv, .. diagonal];
        }

        Assert.Equal(Product(1), Product(threads));
    }

    [Fact]
    public void TheCurvaturePassTakesAThreadPerChunkOnlyWhileItsSlotsStayWithin64MB()
    {
        // Small model: every thread (up to the chunks). 10 classes × 420,000 sparse columns (2.6 million non-zeros, four
        // chunks): one diagonal slot is 8.4 million doubles (67 MB), so the pass keeps to the caller's thread and two
        // slots, whatever the threads — and gives the same diagonal with one thread or four.
        (DenseDataset<double> small, _) = MulticlassData.Build<double>(30000, 23, 7, 5, 5.0, weighted: false);
        var narrow = new MultinomialObjective<double>(small, Penalty.L2(0.01), maxDegreeOfParallelism: 2);
        Assert.Equal(Math.Min(2, narrow.ChunkCount), narrow.CurvatureLanes);

        const int Columns = 420_000, Rows = 20_000;
        var rng = new Random(3);
        var rowStarts = new long[Rows + 1];
        var columns = new List<int>();
        var values = new List<double>();
        for (int i = 0; i < Rows; i++)
        {
            foreach (int j in Enumerable.Range(0, 130).Select(_ => rng.Next(Columns)).Distinct().Order())
            {
                columns.Add(j);
                values.Add(rng.NextDouble());
            }

            rowStarts[i + 1] = columns.Count;
        }

        double[] labels = Enumerable.Range(0, Rows).Select(i => (double)(i % 10)).ToArray();
        var wide = SparseDataset.Create(CsrMatrix.Create<double>(values.ToArray(), columns.ToArray(), rowStarts, Columns), (ReadOnlyMemory<double>)labels, classCount: 10);
        double[] Diagonal(int threads, out int lanes)
        {
            var objective = new MultinomialObjective<double>(wide, Penalty.L2(0.01), maxDegreeOfParallelism: threads);
            lanes = objective.CurvatureLanes;
            Assert.True(threads == 1 || objective.ChunkCount >= threads, $"{objective.ChunkCount} chunks");
            double[] point = Enumerable.Range(0, objective.Dimension).Select(i => 1e-3 * Math.Sin(i)).ToArray();
            objective.Evaluate(point, new double[point.Length]);
            double[] diagonal = new double[point.Length];
            Assert.True(objective.TryGetHessianDiagonal(diagonal));
            return diagonal;
        }

        double[] one = Diagonal(1, out _), four = Diagonal(4, out int wideLanes);
        Assert.Equal(1, wideLanes);
        Assert.Equal(one, four);
    }

    [Fact]
    public void BeyondTheMatrixLimitTheProductIsMatrixFree_AndTrustRegionNewtonTrainsKClasses()
    {
        // 10 classes × 500 columns + intercepts = 5,010 parameters: no whole Hessian, and before this pass no product.
        (DenseDataset<double> wide, double[] point) = MulticlassData.Build<double>(400, 500, 10, seed: 9, margin: 2, weighted: false);
        var objective = new MultinomialObjective<double>(wide, Penalty.L2(0.05), maxDegreeOfParallelism: 2);
        int n = objective.Dimension;
        Assert.True(n > RegularizedObjective.MaxHessianDimension);
        objective.Evaluate(point, new double[n]);
        double[] v = Enumerable.Range(0, n).Select(i => Math.Sin(i)).ToArray(), hv = new double[n];
        objective.HessianVector(v, hv);
        double[] plus = new double[n], minus = new double[n], gPlus = new double[n], gMinus = new double[n];
        for (int j = 0; j < n; j++)
        {
            plus[j] = point[j] + (1e-5 * v[j]);
            minus[j] = point[j] - (1e-5 * v[j]);
        }

        objective.Evaluate(plus, gPlus);
        objective.Evaluate(minus, gMinus);
        for (int r = 0; r < n; r += 37)
        {
            Close.Equal((gPlus[r] - gMinus[r]) / 2e-5, hv[r], 1e-6, 1e-9, $"(H·v)[{r}]");
        }

        var options = new TrainingOptions { Lambda = 0.05, Tolerance = 1e-9 };
        TrainingResult newton = LogisticRegression.Train(wide, options with { Solver = Solver.Newton });
        TrainingResult lbfgs = LogisticRegression.Train(wide, options with { Solver = Solver.Lbfgs });
        output.WriteLine($"Newton {newton.Report.Iterations} iterations, {newton.Report.DataPasses} passes; L-BFGS {lbfgs.Report.Iterations}, {lbfgs.Report.DataPasses}");
        Assert.Equal(StopReason.Converged, newton.Report.StopReason);
        Assert.Equal(Solver.Newton, newton.Report.Solver);
        Close.Equal(lbfgs.Report.FinalObjective, newton.Report.FinalObjective, 1e-10, 0, "objective");
    }

    [Theory]
    [InlineData(MultiClass.Multinomial)]
    [InlineData(MultiClass.OneVsRest)]
    public void TrustRegionNewtonOnRawDigitsReachesExactNewtonsOptimum(MultiClass multiClass)
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        DenseDataset<double> digits = DenseDataset.Create(x.AsSpan(0, 600 * 64).ToArray(), y.AsSpan(0, 600).ToArray(), 64, 10);
        var options = new TrainingOptions { Lambda = 1e-3, Tolerance = 1e-10, MultiClass = multiClass, MaxIterations = 10_000 };
        TrainingResult newton = LogisticRegression.Train(digits, options with { Solver = Solver.Newton });
        TrainingResult exact = LogisticRegression.Train(digits, options with { Solver = Solver.NewtonCholesky });
        output.WriteLine($"trust-region {newton.Report.Iterations} iterations, {newton.Report.DataPasses} passes; exact {exact.Report.Iterations}, {exact.Report.DataPasses}");
        Assert.Equal(StopReason.Converged, newton.Report.StopReason);
        Close.Equal(exact.Report.FinalObjective, newton.Report.FinalObjective, 1e-11, 0, "objective");
        double[] pn = new double[10], pe = new double[10];
        newton.Multiclass.PredictProbabilities(digits.Features.Span[..64], pn);
        exact.Multiclass.PredictProbabilities(digits.Features.Span[..64], pe);
        for (int c = 0; c < 10; c++)
        {
            Close.Equal(pe[c], pn[c], 1e-6, 1e-9, $"probability of class {c}");
        }
    }

    private static void AssertMatchesMatrix<T>(SoftmaxKernelProperties.Case c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> built, double[] point) = MulticlassData.Build<T>(c.Rows, c.Columns, c.Classes, c.Seed, c.Margin, c.Weighted);
        (DenseDataset<T> dense, SparseDataset<T> sparse) = MulticlassData.Sparsify(built, c.Density, c.Seed);
        var rng = new Random(c.Seed);
        double[] v = Enumerable.Range(0, point.Length).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        bool standardize = c.Seed % 3 == 0;
        foreach (Dataset<T> data in new Dataset<T>[] { dense, sparse })
        {
            FeatureScaling? scaling = standardize ? FeatureScaling.Compute(data) : null;
            foreach (SimdWidth width in FusedKernelProperties.AllWidths)
            {
                var objective = new MultinomialObjective<T>(data, Penalty.L2(c.L2), c.OneVsRest, true, 1, width, scaling);
                int n = objective.Dimension;
                objective.Evaluate(point, new double[n]);
                double[] matrix = new double[n * n];
                Assert.True(objective.TryGetHessian(matrix));
                double[] expected = new double[n];
                for (int r = 0; r < n; r++)
                {
                    double sum = 0;
                    for (int j = 0; j < n; j++)
                    {
                        sum += matrix[(r * n) + j] * v[j];
                    }

                    expected[r] = sum;
                }

                double[] actual = new double[n];
                objective.HessianVector(v, actual);
                double scale = expected.Max(Math.Abs);
                string what = $"{typeof(T).Name} {data.GetType().Name} {width} standardized {standardize} {c}";
                for (int r = 0; r < n; r++)
                {
                    Close.Equal(expected[r], actual[r], Rtol, Atol + (1e-12 * scale), $"(H·v)[{r}] ({what})");
                }
            }
        }
    }
}
