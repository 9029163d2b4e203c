using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Reference;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary>The fused K-class kernels (multinomial and one-vs-rest, dense and sparse) against the textbook loops and the mathematics.</summary>
public class SoftmaxKernelProperties
{
    private const double Rtol = 1e-10;
    private const double Atol = 1e-13;

    public record Case(int Rows, int Columns, int Classes, int Seed, double Margin, bool Weighted, double L2, double Density, bool OneVsRest);

    public static Arbitrary<Case> Cases() =>
        (from rows in Gen.Choose(1, 300)
         from columns in Gen.Choose(1, 40)
         from classes in Gen.Choose(2, 12)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         from margin in Gen.Elements(0.0, 1.0, 10.0, 40.0, 1000.0) // 1000: most e^(z − max) underflow to 0
         from weighted in Gen.Elements(false, true)
         from l2 in Gen.Elements(0.0, 0.01)
         from density in Gen.Elements(0.0, 0.2, 1.0)
         from ovr in Gen.Elements(false, true)
         select new Case(rows, columns, classes, seed, margin, weighted, l2, density, ovr)).ToArbitrary();

    [Property(Arbitrary = [typeof(SoftmaxKernelProperties)], MaxTest = 80)]
    public void FusedKClassLossAndGradientMatchTextbookLoop_Double(Case c) => AssertMatchesTextbook<double>(c);

    [Property(Arbitrary = [typeof(SoftmaxKernelProperties)], MaxTest = 80)]
    public void FusedKClassLossAndGradientMatchTextbookLoop_Float(Case c) => AssertMatchesTextbook<float>(c);

    [Fact]
    public void EveryColumnTailAndClassGroupMatchesTextbookLoop()
    {
        // 31–33 and 75: the gradient's strips of two and four registers of columns (at 512 bits), with and without a tail;
        // 11 classes: groups of four, four, two and one.
        foreach (int d in new[] { 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 75 })
        {
            foreach (int k in new[] { 2, 3, 4, 5, 7, 8, 9, 11 })
            {
                foreach (int n in new[] { 1, 3, 4, 5, 127, 128, 129 })
                {
                    AssertMatchesTextbook<double>(new Case(n, d, k, (d * 100) + (k * 10) + n, 5.0, n % 2 == 0, 0.01, 1.0, k % 2 == 0));
                }
            }
        }
    }

    [Property(Arbitrary = [typeof(SoftmaxKernelProperties)], MaxTest = 30)]
    public void GradientMatchesCentralFiniteDifferences(Case c)
    {
        (DenseDataset<double> data, double[] point) = MulticlassData.Build<double>(c.Rows, c.Columns, c.Classes, c.Seed, Math.Min(c.Margin, 10), c.Weighted);
        var objective = new MultinomialObjective<double>(data, Penalty.L2(c.L2), c.OneVsRest, maxDegreeOfParallelism: 1);
        double[] gradient = new double[point.Length];
        objective.Evaluate(point, gradient);
        double[] scratch = new double[point.Length];
        foreach (int j in new[] { 0, point.Length / 2, point.Length - 1 })
        {
            double h = 1e-5 * Math.Max(1.0, Math.Abs(point[j]));
            double[] plus = (double[])point.Clone(), minus = (double[])point.Clone();
            plus[j] += h;
            minus[j] -= h;
            double fd = (objective.Evaluate(plus, scratch) - objective.Evaluate(minus, scratch)) / (2 * h);
            Close.Equal(fd, gradient[j], 1e-6, 1e-7, $"∂f/∂θ[{j}] vs finite difference");
        }
    }

    [Theory]
    [InlineData(1, false, false)]
    [InlineData(2, false, false)]
    [InlineData(2, false, true)]
    [InlineData(3, true, false)]
    [InlineData(3, true, true)]
    [InlineData(8, false, true)]
    public void ResultIsBitIdenticalForAnyDegreeOfParallelism(int threads, bool sparse, bool oneVsRest)
    {
        (DenseDataset<double> built, double[] point) = MulticlassData.Build<double>(30000, 23, 7, 5, 5.0, weighted: true);
        Dataset<double> data = sparse ? MulticlassData.Sparsify(built, 0.4, 3).Sparse : built;
        var one = new MultinomialObjective<double>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: 1);
        Assert.True(one.ChunkCount > 3, $"only {one.ChunkCount} chunks");
        double[] g1 = new double[point.Length], gn = new double[point.Length];
        double f1 = one.Evaluate(point, g1);
        double fn = new MultinomialObjective<double>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: threads).Evaluate(point, gn);
        Assert.Equal(f1, fn);
        Assert.Equal(g1, gn);
    }

    private static void AssertMatchesTextbook<T>(Case c)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> built, double[] point) = MulticlassData.Build<T>(c.Rows, c.Columns, c.Classes, c.Seed, c.Margin, c.Weighted);
        (DenseDataset<T> dense, SparseDataset<T> sparse) = MulticlassData.Sparsify(built, c.Density, c.Seed);
        int k = c.Classes, d = c.Columns;
        double[] gw = new double[k * d], gb = new double[k];
        double expected = TextbookSoftmax.LossAndGradient(dense, point.AsSpan(0, k * d), point.AsSpan(k * d), c.L2, c.OneVsRest, gw, gb);
        foreach (Dataset<T> data in new Dataset<T>[] { dense, sparse })
        {
            foreach (SimdWidth width in FusedKernelProperties.AllWidths)
            {
                var objective = new MultinomialObjective<T>(data, Penalty.L2(c.L2), c.OneVsRest, true, 1, width);
                double[] gradient = new double[point.Length];
                double actual = objective.Evaluate(point, gradient);
                string what = $"{typeof(T).Name} {data.GetType().Name} {width} {c}";
                Close.Equal(expected, actual, Rtol, Atol, $"objective ({what})");
                Close.Equal(gw, gradient.AsSpan(0, k * d), Rtol, Atol, $"∂f/∂W ({what})");
                Close.Equal(gb, gradient.AsSpan(k * d), Rtol, Atol, $"∂f/∂b ({what})");
            }
        }
    }
}
