using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Tests.Sparse;
using FastLogReg.Training;
using FsCheck.Xunit;
using MathNet.Numerics.LinearAlgebra;
using Xunit;

namespace FastLogReg.Tests.Newton;

/// <summary>The whole Hessian (the blocked weighted-Gram pass) against a textbook X̂ᵀCX̂, its products and its bits.</summary>
public class ExactHessianTests
{
    [Property(Arbitrary = [typeof(Generators)], MaxTest = 60)]
    public void HessianMatchesTextbook_Double(Problem p) => AssertMatchesTextbook<double>(p, density: 1.0, standardize: false);

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 60)]
    public void HessianMatchesTextbook_FloatSparseStandardized(Problem p) => AssertMatchesTextbook<float>(p, density: 0.3, standardize: true);

    [Fact]
    public void EveryPanelColumnAndBlockTailMatchesTextbook()
    {
        // Panels of 4 rows of the matrix, tiles of 4 registers, blocks of up to 512 rows: every remainder.
        foreach (int d in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33 })
        {
            foreach (int n in new[] { 1, 7, 9, 511, 513, 1100 })
            {
                var p = new Problem(n, d, (d * 1000) + n, 4.0, Weighted: n % 2 == 1, L2: 0.01);
                AssertMatchesTextbook<double>(p, density: 1.0, standardize: n % 3 == 0);
                AssertMatchesTextbook<float>(p, density: 0.5, standardize: false);
            }
        }
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(8, false)]
    public void HessianIsBitIdenticalForAnyDegreeOfParallelism(int threads, bool sparse)
    {
        var p = new Problem(6000, 45, 7, 3.0, Weighted: true, L2: 0.01);
        (DenseDataset<double> built, double[] w, double b) = TestData.Build<double>(p);
        Dataset<double> data = sparse ? SparseData.Sparsify(built, 0.4, 3).Sparse : built;
        FeatureScaling scaling = FeatureScaling.Compute(data);
        double[] point = TestData.Point(w, b);
        double[] Hessian(int t)
        {
            var objective = new LogisticObjective<double>(data, Penalty.L2(p.L2), true, t, scaling);
            objective.Evaluate(point, new double[point.Length]);
            double[] h = new double[point.Length * point.Length];
            Assert.True(objective.TryGetHessian(h));
            return h;
        }

        Assert.Equal(Hessian(1), Hessian(threads));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SeveralMatricesInOnePassEqualEachAloneBitForBit(int threads)
    {
        var p = new Problem(3000, 37, 3, 2.0, Weighted: false, L2: 0);
        (DenseDataset<float> data, _, _) = TestData.Build<float>(p);
        var layout = FastLogReg.Kernels.FeatureLayout<float>.For(data);
        var rng = new Random(1);
        double[][] weights = [.. Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, data.Rows).Select(_ => rng.NextDouble() - 0.3).ToArray())];
        FeatureScaling scaling = FeatureScaling.Compute(data);
        int size = (data.Columns + 1) * (data.Columns + 1);
        double[] together = new double[3 * size];
        new FastLogReg.Kernels.GramBuilder<float>(layout, threads).ComputeMany(weights, scaling.Means, scaling.Scales, together);
        for (int m = 0; m < 3; m++)
        {
            double[] alone = new double[size];
            new FastLogReg.Kernels.GramBuilder<float>(layout, 1).Compute(weights[m], scaling.Means, scaling.Scales, alone);
            Assert.Equal(alone, together.AsSpan(m * size, size).ToArray());
        }
    }

    [Fact]
    public void SparseRowsGiveTheDenseRowsHessianBitForBit()
    {
        var p = new Problem(700, 21, 5, 3.0, Weighted: false, L2: 0.1);
        (DenseDataset<float> built, double[] w, _) = TestData.Build<float>(p);
        (DenseDataset<float> dense, SparseDataset<float> sparse) = SparseData.Sparsify(built, 0.3, 9);

        // At w = 0 every row's curvature is the same in both layouts (the margins differ in their last bits elsewhere),
        // so this compares the matrix pass alone: sparse rows are expanded into the same blocks.
        double[] point = new double[w.Length + 1];
        point[^1] = 0.3;
        double[] Hessian(Dataset<float> data)
        {
            var objective = new LogisticObjective<float>(data, p.L2, maxDegreeOfParallelism: 2);
            objective.Evaluate(point, new double[point.Length]);
            double[] h = new double[point.Length * point.Length];
            Assert.True(objective.TryGetHessian(h));
            return h;
        }

        Assert.Equal(Hessian(dense), Hessian(sparse));
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 30)]
    public void HessianTimesAVectorIsTheHessianVectorProduct(Problem p)
    {
        (DenseDataset<double> data, double[] w, double b) = TestData.Build<double>(p);
        var objective = new LogisticObjective<double>(data, p.L2, maxDegreeOfParallelism: 2, scaling: FeatureScaling.Compute(data));
        double[] point = TestData.Point(w, b);
        int n = point.Length;
        objective.Evaluate(point, new double[n]);
        double[] h = new double[n * n];
        Assert.True(objective.TryGetHessian(h));
        var rng = new Random(p.Seed);
        double[] v = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] hv = new double[n];
        objective.HessianVector(v, hv);
        double scale = hv.Max(Math.Abs) + 1e-12;
        for (int j = 0; j < n; j++)
        {
            double row = 0;
            for (int k = 0; k < n; k++)
            {
                row += h[(j * n) + k] * v[k];
            }

            Close.Equal(hv[j], row, 1e-9, 1e-12 * scale, $"(H·v)[{j}] ({p})");
        }
    }

    [Fact]
    public void WithoutTheInterceptTheHessianDropsItsRowAndColumn()
    {
        var p = new Problem(300, 6, 3, 2.0, Weighted: false, L2: 0.5);
        (DenseDataset<double> data, double[] w, double b) = TestData.Build<double>(p);
        var with = new LogisticObjective<double>(data, p.L2, fitIntercept: true);
        var without = new LogisticObjective<double>(data, p.L2, fitIntercept: false);
        with.Evaluate([.. w, 0.0], new double[7]);
        without.Evaluate(w, new double[6]);
        double[] h7 = new double[49], h6 = new double[36];
        Assert.True(with.TryGetHessian(h7));
        Assert.True(without.TryGetHessian(h6));
        for (int j = 0; j < 6; j++)
        {
            Assert.Equal(h7.AsSpan(j * 7, 6).ToArray(), h6.AsSpan(j * 6, 6).ToArray());
        }

        Assert.Throws<ArgumentException>(() => with.TryGetHessian(new double[36]));
    }

    [Fact]
    public void CholeskyMatchesMathNet()
    {
        var rng = new Random(4);
        foreach (int n in new[] { 1, 2, 5, 17, 64, 255, 257, 300 })
        {
            double[] b = Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray();
            Matrix<double> m = Matrix<double>.Build.Dense(n, n, (i, j) => b[(i * n) + j]);
            Matrix<double> a = (m * m.Transpose()) + Matrix<double>.Build.DenseIdentity(n);
            double[] factor = new double[n * n];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    factor[(i * n) + j] = a[i, j];
                }
            }

            Assert.True(Cholesky.Factor(factor, n));
            Matrix<double> expected = a.Cholesky().Factor;
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j <= i; j++)
                {
                    Close.Equal(expected[i, j], factor[(i * n) + j], 1e-12, 1e-14, $"L[{i},{j}] (n = {n})");
                }
            }

            double[] rhs = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
            double[] x = (double[])rhs.Clone();
            Cholesky.Solve(factor, n, x);
            MathNet.Numerics.LinearAlgebra.Vector<double> solved = a.Solve(MathNet.Numerics.LinearAlgebra.Vector<double>.Build.DenseOfArray(rhs));
            Close.Equal(solved.ToArray(), x, 1e-10, 1e-12, $"x (n = {n})");
        }

        double[] indefinite = [1, 2, 2, 1];
        Assert.False(Cholesky.Factor(indefinite, 2));
        double[] singular = [1, 1, 1, 1];
        Assert.False(Cholesky.Factor(singular, 2));

        // A column that repeats an earlier one to within a relative pivot of 10⁻¹² is refused (scratch on the stack and
        // rented): the last row of B = [C; cₖ + 10⁻⁶ e] in A = BBᵀ.
        foreach (int n in new[] { 40, 276 })
        {
            double[] rows = Enumerable.Range(0, n * (n + 2)).Select(_ => rng.NextDouble() - 0.5).ToArray();
            for (int k = 0; k < n + 2; k++)
            {
                rows[((n - 1) * (n + 2)) + k] = rows[(3 * (n + 2)) + k] + (k == 0 ? 1e-6 : 0);
            }

            Assert.False(Cholesky.Factor(Gram(rows, n, n + 2, 0), n), $"n = {n}");
        }
    }

    [Fact]
    public void CholeskyIsTheSameWithoutVectors()
    {
        var rng = new Random(9);
        foreach (int n in new[] { 1, 3, 4, 9, 31, 100, 261 })
        {
            double[] a = Gram(Enumerable.Range(0, n * n).Select(_ => rng.NextDouble() - 0.5).ToArray(), n, n, 1);
            double[] vectors = (double[])a.Clone(), scalar = (double[])a.Clone();
            Assert.True(Cholesky.Factor(vectors, n, Cholesky.RelativePivot, vectors: true));
            Assert.True(Cholesky.Factor(scalar, n, Cholesky.RelativePivot, vectors: false));
            Assert.Equal(scalar, vectors);
        }
    }

    /// <summary>BBᵀ + shift·I for B of n rows × width, row-major (n × n, row-major).</summary>
    private static double[] Gram(double[] rows, int n, int width, double shift)
    {
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[(i * n) + j] = Enumerable.Range(0, width).Sum(k => rows[(i * width) + k] * rows[(j * width) + k]) + (i == j ? shift : 0);
            }
        }

        return a;
    }

    private static void AssertMatchesTextbook<T>(Problem p, double density, bool standardize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> built, double[] w, double b) = TestData.Build<T>(p);
        (DenseDataset<T> dense, SparseDataset<T> sparse) = SparseData.Sparsify(built, density, p.Seed);
        int n = dense.Rows, d = dense.Columns;
        FeatureScaling? scaling = standardize ? FeatureScaling.Compute(dense) : null;
        double[] point = TestData.Point(w, b);

        // Textbook: on x̃ = (x − μ)/σ, H = (1/S) Σ sᵢ σ(zᵢ)(1 − σ(zᵢ)) x̂ᵢx̂ᵢᵀ + λ·diag(1, …, 1, 0), x̂ = (x̃, 1).
        double[] expected = new double[(d + 1) * (d + 1)];
        double total = 0;
        ReadOnlySpan<T> x = dense.Features.Span;
        double[] xi = new double[d + 1];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                double value = double.CreateTruncating(x[(i * d) + j]);
                xi[j] = scaling is null ? value : (value - scaling.Means[j]) / scaling.Scales[j];
            }

            xi[d] = 1;
            double z = 0;
            for (int j = 0; j <= d; j++)
            {
                z += point[j] * xi[j];
            }

            double s = dense.HasSampleWeights ? double.CreateTruncating(dense.SampleWeights.Span[i]) : 1.0;
            // σ(z)(1 − σ(z)) = e/(1 + e)², e = e^−|z|: exact in the tails, where 1 − σ(z) would round to 0.
            double e = Math.Exp(-Math.Abs(z));
            double curvature = e / ((1 + e) * (1 + e));
            total += s;
            for (int j = 0; j <= d; j++)
            {
                for (int k = 0; k <= d; k++)
                {
                    expected[(j * (d + 1)) + k] += s * curvature * xi[j] * xi[k];
                }
            }
        }

        for (int j = 0; j < expected.Length; j++)
        {
            expected[j] /= total;
        }

        for (int j = 0; j < d; j++)
        {
            expected[(j * (d + 1)) + j] += p.L2;
        }

        double scale = expected.Max(Math.Abs);
        foreach (Dataset<T> data in new Dataset<T>[] { dense, sparse })
        {
            foreach (SimdWidth width in FusedKernelProperties.AllWidths)
            {
                var objective = new LogisticObjective<T>(data, Penalty.L2(p.L2), true, 2, width, scaling);
                objective.Evaluate(point, new double[point.Length]);
                double[] actual = new double[expected.Length];
                Assert.True(objective.TryGetHessian(actual));
                // Standardized, the curvature comes from margins on raw parameters, b′ = b − Σ wⱼμⱼ/σⱼ: with means far
                // from zero (up to 10⁶σ here) z is off by ~ε·Σ|wⱼμⱼ/σⱼ|, and σ(z)(1 − σ(z)) relatively by as much — seen
                // as 2·10⁻⁹ at |z| = 30 (2 × 31, float). The matrix pass itself is exact to rounding.
                Close.Equal(expected, actual, standardize ? 1e-8 : 1e-10, 1e-13 * scale, $"∇²f ({typeof(T).Name} {data.GetType().Name} {width} standardized={standardize} {p})");
                Assert.Equal(1, objective.HessianMatrices);
            }
        }
    }
}
