using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FastLogReg.Tests.Sparse;

/// <summary>The sparse fused kernel against the dense one on the same rows densified, and against itself on any thread count.</summary>
public class SparseKernelProperties
{
    private const double Rtol = 1e-10;
    private const double Atol = 1e-13;

    public static Arbitrary<(Problem Problem, double Density)> SparseProblems() =>
        (from rows in Gen.Choose(1, 500)
         from columns in Gen.Choose(1, 70)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         from margin in Gen.Elements(0.0, 0.5, 3.0, 10.0, 30.0)
         from weighted in Gen.Elements(false, true)
         from l2 in Gen.Elements(0.0, 1e-3, 0.1)
         from density in Gen.Elements(0.0, 0.01, 0.1, 0.5, 0.9, 1.0)
         select (new Problem(rows, columns, seed, margin, weighted, l2), density)).ToArbitrary();

    [Property(Arbitrary = [typeof(SparseKernelProperties)], MaxTest = 100)]
    public void SparseLossAndGradientEqualTheDenseKernel_Double((Problem Problem, double Density) c) => AssertMatchesDense<double>(c.Problem, c.Density, emptyColumn: -1, emptyRows: false);

    [Property(Arbitrary = [typeof(SparseKernelProperties)], MaxTest = 100)]
    public void SparseLossAndGradientEqualTheDenseKernel_Float((Problem Problem, double Density) c) => AssertMatchesDense<float>(c.Problem, c.Density, emptyColumn: 0, emptyRows: true);

    [Fact]
    public void EveryShapeAndTailEqualsTheDenseKernel()
    {
        foreach (int d in new[] { 1, 2, 3, 7, 8, 9, 17 })
        {
            foreach (int n in new[] { 1, 7, 8, 9, 255, 256, 257 })
            {
                foreach (double density in new[] { 0.0, 0.3, 1.0 })
                {
                    var p = new Problem(n, d, (d * 1000) + n, 10.0, Weighted: n % 2 == 0, L2: 0.01);
                    AssertMatchesDense<double>(p, density, emptyColumn: d > 1 ? d - 1 : -1, emptyRows: n > 3);
                    AssertMatchesDense<float>(p, density, emptyColumn: -1, emptyRows: false);
                }
            }
        }
    }

    [Fact]
    public void LongRowsInShorterBlocksEqualTheDenseKernel()
    {
        // Rows of ~1,200 and ~3,000 non-zeros: blocks of 8–16 rows instead of 256 (their non-zeros stay in L2 for the
        // scatter), the last block partial; every SIMD width, float and double.
        foreach ((int n, int d, double density) in new[] { (203, 4000, 0.3), (61, 3001, 1.0), (9, 5000, 0.6) })
        {
            int perBlock = Kernels.SparseLossGradient.RowsPerBlock(n, (long)Math.Round(n * d * density));
            Assert.InRange(perBlock, 8, Kernels.SparseLossGradient.BlockRows / 4);
            Assert.Equal(0, perBlock % 8);
            var p = new Problem(n, d, n + d, 3.0, Weighted: n % 2 == 1, L2: 0.01);
            AssertMatchesDense<double>(p, density, emptyColumn: d - 1, emptyRows: true);
            AssertMatchesDense<float>(p, density, emptyColumn: -1, emptyRows: false);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void GradientIsBitIdenticalForAnyDegreeOfParallelism(int threads)
    {
        // ~240,000 non-zeros: several chunks of about 1 MiB of values and indices.
        (DenseDataset<double> dense, double[] w, double b) = TestData.Build<double>(new Problem(8000, 60, 11, 5.0, Weighted: true, L2: 0.01));
        (_, SparseDataset<double> sparse) = SparseData.Sparsify(dense, 0.5, 3);
        double[] point = TestData.Point(w, b);
        double[] one = new double[point.Length], many = new double[point.Length];
        var reference = new LogisticObjective<double>(sparse, 0.01, maxDegreeOfParallelism: 1);
        Assert.True(reference.ChunkCount >= 3, $"only {reference.ChunkCount} chunks");
        double f1 = reference.Evaluate(point, one);
        double fn = new LogisticObjective<double>(sparse, 0.01, maxDegreeOfParallelism: threads).Evaluate(point, many);
        Assert.Equal(f1, fn);
        Assert.Equal(one, many);
    }

    [Fact]
    public void SparseStandardizationEqualsDenseStandardization()
    {
        (DenseDataset<double> dense0, _, _) = TestData.Build<double>(new Problem(700, 23, 5, 3.0, Weighted: true, L2: 0));
        (DenseDataset<double> dense, SparseDataset<double> sparse) = SparseData.Sparsify(dense0, 0.4, 9, emptyColumn: 4);
        FeatureScaling a = FeatureScaling.Compute(dense), b = FeatureScaling.Compute(sparse);
        Close.Equal(a.Means, b.Means, 1e-12, 1e-15, "means");
        Close.Equal(a.Scales, b.Scales, 1e-10, 1e-15, "scales");
        Assert.Equal(1.0, b.Scales[4]); // the empty column is constant
    }

    private static void AssertMatchesDense<T>(Problem p, double density, int emptyColumn, bool emptyRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> built, double[] w, double b) = TestData.Build<T>(p);
        (DenseDataset<T> dense, SparseDataset<T> sparse) = SparseData.Sparsify(built, density, p.Seed, emptyColumn < p.Columns ? emptyColumn : -1, emptyRows);
        double[] point = TestData.Point(w, b);
        var reference = new LogisticObjective<T>(dense, p.L2, maxDegreeOfParallelism: 1);
        double[] expected = new double[point.Length];
        double f = reference.Evaluate(point, expected);
        foreach (SimdWidth width in FusedKernelProperties.AllWidths)
        {
            var objective = new LogisticObjective<T>(sparse, p.L2, true, 1, width);
            double[] gradient = new double[point.Length];
            double actual = objective.Evaluate(point, gradient);
            string what = $"{typeof(T).Name} {objective.Width} density {density} {p}";
            Close.Equal(f, actual, Rtol, Atol, $"objective ({what})");
            Close.Equal(expected, gradient, Rtol, Atol, $"gradient ({what})");
        }
    }
}
