using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Tests.Sparse;
using FsCheck.Xunit;
using Xunit;

namespace FastLogReg.Tests.Newton;

/// <summary>The fused Hessian-vector kernel against a textbook X̂ᵀDX̂v and against central differences of the gradient.</summary>
public class HessianVectorProperties
{
    private const double Rtol = 1e-10;
    private const double Atol = 1e-13;

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 60)]
    public void HessianVectorMatchesTextbook_Double(Problem p) => AssertMatchesTextbook<double>(p, density: 1.0, standardize: false);

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 60)]
    public void HessianVectorMatchesTextbook_FloatSparseStandardized(Problem p) => AssertMatchesTextbook<float>(p, density: 0.3, standardize: true);

    [Fact]
    public void EveryRowAndColumnTailMatchesTextbook()
    {
        foreach (int d in new[] { 1, 2, 3, 7, 8, 9, 15, 16, 17, 33 })
        {
            foreach (int n in new[] { 1, 3, 7, 8, 9, 255, 256, 257 })
            {
                var p = new Problem(n, d, (d * 1000) + n, 5.0, Weighted: n % 2 == 1, L2: 0.01);
                AssertMatchesTextbook<double>(p, density: 1.0, standardize: n % 3 == 0);
                AssertMatchesTextbook<float>(p, density: 0.5, standardize: false);
            }
        }
    }

    [Property(Arbitrary = [typeof(Generators)], MaxTest = 30)]
    public void HessianVectorMatchesCentralDifferencesOfTheGradient(Problem p)
    {
        (DenseDataset<double> data, double[] w, double b) = TestData.Build<double>(p with { MaxMargin = Math.Min(p.MaxMargin, 5) });
        var objective = new LogisticObjective<double>(data, p.L2, maxDegreeOfParallelism: 1);
        double[] point = TestData.Point(w, b);
        double[] v = Direction(point.Length, p.Seed);
        double[] gradient = new double[point.Length], hv = new double[point.Length];
        objective.Evaluate(point, gradient);
        objective.HessianVector(v, hv);

        double h = 1e-5;
        double[] plus = new double[point.Length], minus = new double[point.Length], gPlus = new double[point.Length], gMinus = new double[point.Length];
        for (int j = 0; j < point.Length; j++)
        {
            plus[j] = point[j] + (h * v[j]);
            minus[j] = point[j] - (h * v[j]);
        }

        objective.Evaluate(plus, gPlus);
        objective.Evaluate(minus, gMinus);
        double scale = hv.Max(Math.Abs) + 1e-3;
        for (int j = 0; j < point.Length; j++)
        {
            Close.Equal((gPlus[j] - gMinus[j]) / (2 * h), hv[j], 1e-5, 1e-7 * scale, $"(∇²f·v)[{j}] vs central difference of ∇f ({p})");
        }
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(8, false)]
    public void HessianVectorIsBitIdenticalForAnyDegreeOfParallelism(int threads, bool sparse)
    {
        var p = new Problem(40000, 19, 7, 3.0, Weighted: true, L2: 0.01);
        (DenseDataset<double> built, double[] w, double b) = TestData.Build<double>(p);
        Dataset<double> data = sparse ? SparseData.Sparsify(built, 0.4, 3).Sparse : built;
        double[] point = TestData.Point(w, b);
        double[] v = Direction(point.Length, 11);
        double[] Product(int t)
        {
            var objective = new LogisticObjective<double>(data, p.L2, maxDegreeOfParallelism: t);
            Assert.True(objective.ChunkCount > 3, $"only {objective.ChunkCount} chunks");
            objective.Evaluate(point, new double[point.Length]);
            double[] hv = new double[point.Length];
            objective.HessianVector(v, hv);
            return hv;
        }

        Assert.Equal(Product(1), Product(threads));
    }

    [Fact]
    public void HessianBeforeAnyEvaluationIsAnError()
    {
        (DenseDataset<double> data, _, _) = TestData.Build<double>(new Problem(10, 3, 1, 1.0, false, 0.1));
        var objective = new LogisticObjective<double>(data, 0.1);
        var e = Assert.Throws<InvalidOperationException>(() => objective.HessianVector(new double[4], new double[4]));
        Assert.Contains("Evaluate", e.Message);
    }

    private static double[] Direction(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
    }

    private static void AssertMatchesTextbook<T>(Problem p, double density, bool standardize)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> built, double[] w, double b) = TestData.Build<T>(p);
        (DenseDataset<T> dense, SparseDataset<T> sparse) = SparseData.Sparsify(built, density, p.Seed);
        int n = dense.Rows, d = dense.Columns;
        FeatureScaling? scaling = standardize ? FeatureScaling.Compute(dense) : null;
        double[] point = TestData.Point(w, b);
        double[] v = Direction(point.Length, p.Seed + 1);

        // Textbook: on x̃ = (x − μ)/σ, H·v = (1/S) Σ sᵢ σ(zᵢ)(1 − σ(zᵢ)) x̂ᵢ (x̂ᵢ·v) + λ v_w, x̂ = (x̃, 1).
        double[] expected = new double[d + 1];
        double total = 0;
        ReadOnlySpan<T> x = dense.Features.Span;
        for (int i = 0; i < n; i++)
        {
            double[] xi = new double[d + 1];
            for (int j = 0; j < d; j++)
            {
                double value = double.CreateTruncating(x[(i * d) + j]);
                xi[j] = scaling is null ? value : (value - scaling.Means[j]) / scaling.Scales[j];
            }

            xi[d] = 1;
            double z = 0, xv = 0;
            for (int j = 0; j <= d; j++)
            {
                z += point[j] * xi[j];
                xv += v[j] * xi[j];
            }

            double s = dense.HasSampleWeights ? double.CreateTruncating(dense.SampleWeights.Span[i]) : 1.0;
            double sigma = 1 / (1 + Math.Exp(-z));
            total += s;
            for (int j = 0; j <= d; j++)
            {
                expected[j] += s * sigma * (1 - sigma) * xv * xi[j];
            }
        }

        for (int j = 0; j <= d; j++)
        {
            expected[j] /= total;
        }

        for (int j = 0; j < d; j++)
        {
            expected[j] += p.L2 * v[j];
        }

        foreach (Dataset<T> data in new Dataset<T>[] { dense, sparse })
        {
            foreach (SimdWidth width in FusedKernelProperties.AllWidths)
            {
                var objective = new LogisticObjective<T>(data, Penalty.L2(p.L2), true, 1, width, scaling);
                objective.Evaluate(point, new double[point.Length]);
                double[] actual = new double[point.Length];
                objective.HessianVector(v, actual);
                double scale = expected.Max(Math.Abs);
                Close.Equal(expected, actual, Rtol, Atol + (1e-12 * scale), $"∇²f·v ({typeof(T).Name} {data.GetType().Name} {width} standardized={standardize} {p})");
            }
        }
    }
}
