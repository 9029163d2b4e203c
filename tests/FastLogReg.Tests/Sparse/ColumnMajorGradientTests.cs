using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Xunit;

namespace FastLogReg.Tests.Sparse;

/// <summary>
/// The column-major gradient of wide sparse data (each chunk's rows copied column-major, its part of Xᵀr summed per
/// touched column) against the row-major scatter into per-chunk gradients: the same loss, gradient, intercept sums and
/// Hessian-vector products bit for bit — so local training stays bit-identical to sharded training — for any thread count.
/// </summary>
public class ColumnMajorGradientTests
{
    public static Arbitrary<(Problem Problem, double Density, bool ClassWeighted)> Problems() =>
        (from rows in Gen.Choose(1, 600)
         from columns in Gen.Choose(1, 70)
         from seed in Gen.Choose(0, int.MaxValue - 1)
         from margin in Gen.Elements(0.0, 0.5, 3.0, 30.0)
         from weighted in Gen.Elements(false, true)
         from classWeighted in Gen.Elements(false, true)
         from density in Gen.Elements(0.0, 0.01, 0.1, 0.5, 1.0)
         select (new Problem(rows, columns, seed, margin, weighted, 0), density, classWeighted)).ToArbitrary();

    [Property(Arbitrary = [typeof(ColumnMajorGradientTests)], MaxTest = 100)]
    public void ColumnMajorEqualsRowMajor_Double((Problem Problem, double Density, bool ClassWeighted) c) => AssertSame<double>(c.Problem, c.Density, c.ClassWeighted, emptyRows: false);

    [Property(Arbitrary = [typeof(ColumnMajorGradientTests)], MaxTest = 100)]
    public void ColumnMajorEqualsRowMajor_Float((Problem Problem, double Density, bool ClassWeighted) c) => AssertSame<float>(c.Problem, c.Density, c.ClassWeighted, emptyRows: true);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(8)]
    public void ColumnMajorIsBitIdenticalForAnyDegreeOfParallelism(int threads)
    {
        // ~240,000 non-zeros: several row chunks.
        (DenseDataset<double> dense, double[] w, double b) = TestData.Build<double>(new Problem(8000, 60, 11, 5.0, Weighted: true, L2: 0));
        (_, SparseDataset<double> sparse) = SparseData.Sparsify(dense, 0.5, 3);
        var layout = FeatureLayout<double>.For(sparse);
        var one = new ChunkedBinomialLoss<double>(layout, 1, 1.0, 2.0, sparse.Rows, columnMajor: true);
        var many = new ChunkedBinomialLoss<double>(layout, threads, 1.0, 2.0, sparse.Rows, columnMajor: true);
        Assert.True(one.ChunkCount >= 3, $"only {one.ChunkCount} chunks");
        double[] g1 = new double[w.Length], gn = new double[w.Length];
        one.Evaluate(w, b, g1, out double l1, out double r1);
        many.Evaluate(w, b, gn, out double ln, out double rn);
        Assert.Equal((l1, r1), (ln, rn));
        Assert.Equal(g1, gn);

        one.PrepareCurvature(w, b, default, default);
        many.PrepareCurvature(w, b, default, default);
        double[] u = w.Select((v, j) => Math.Cos(j) - v).ToArray();
        one.HessianVector(u, 0.25, g1, out double q1);
        many.HessianVector(u, 0.25, gn, out double qn);
        Assert.Equal(q1, qn);
        Assert.Equal(g1, gn);
    }

    [Fact]
    public void WideSparseDataGetTheColumnMajorGradient_NarrowAndDenseDoNot()
    {
        Assert.True(Loss(SparseRows(50, ChunkedBinomialLoss<float>.ColumnMajorColumns)).ColumnMajor);
        Assert.False(Loss(SparseRows(50, ChunkedBinomialLoss<float>.ColumnMajorColumns - 1)).ColumnMajor);
        (DenseDataset<float> dense, _, _) = TestData.Build<float>(new Problem(50, 5, 1, 1.0, Weighted: false, L2: 0));
        Assert.False(new ChunkedBinomialLoss<float>(FeatureLayout<float>.For(dense), 2, 1, 1, dense.Rows).ColumnMajor);

        static ChunkedBinomialLoss<float> Loss(SparseDataset<float> data) => new(FeatureLayout<float>.For(data), 2, 1, 1, data.Rows);
    }

    [Fact]
    public void TrainingOnWideSparseData_IsBitIdenticalForAnyThreadCount_AndTheRowMajorGradientIsTheSameThere()
    {
        SparseDataset<float> data = SparseRows(3000, ChunkedBinomialLoss<float>.ColumnMajorColumns + 1);
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-8, MaxIterations = 300 };
        LogisticModel one = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = 1 }).Model;
        LogisticModel two = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = 2 }).Model;
        Assert.Equal(one.Weights.ToArray(), two.Weights.ToArray());
        Assert.Equal(one.Bias, two.Bias);

        // At the fitted point the row-major scatter (forced) gives the same bits.
        var rowMajor = new ChunkedBinomialLoss<float>(FeatureLayout<float>.For(data), 2, 1, 1, data.Rows, columnMajor: false);
        var columnMajor = new ChunkedBinomialLoss<float>(FeatureLayout<float>.For(data), 2, 1, 1, data.Rows);
        Assert.True(columnMajor.ColumnMajor);
        double[] w = one.Weights.ToArray();
        double[] ga = new double[w.Length], gb = new double[w.Length];
        rowMajor.Evaluate(w, one.Bias, ga, out double la, out _);
        columnMajor.Evaluate(w, one.Bias, gb, out double lb, out _);
        Assert.Equal(la, lb);
        Assert.Equal(ga, gb);
    }

    [Theory]
    [InlineData(0.0)] // (L1 shares the same objective code; OWL-QN over 524,298 weights took 41 s here)
    public void ThePathOnWideSparseData_EachPointEqualsAColdFit(double rho)
    {
        // Every λ's objective shares the first one's rows' sums (LogisticObjective.WithPenalty), so the column copy is
        // built once; the points must still be the cold fits.
        SparseDataset<float> data = SparseRows(400, ChunkedBinomialLoss<float>.ColumnMajorColumns + 10);
        var options = new TrainingOptions { Solver = rho > 0 ? Solver.OwlQn : Solver.Lbfgs, L1Ratio = rho, Tolerance = 1e-9, MaxIterations = 5000 };
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 5, MinRatio = 0.1 });
        foreach (PathPoint point in path.Points.Skip(1))
        {
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-8, 0, $"objective at λ = {point.Lambda:G4}");
        }
    }

    private static void AssertSame<T>(Problem p, double density, bool classWeighted, bool emptyRows)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (DenseDataset<T> dense, double[] w, double b) = TestData.Build<T>(p);
        (_, SparseDataset<T> sparse) = SparseData.Sparsify(dense, density, p.Seed % 1000, emptyColumn: p.Columns > 2 ? 1 : -1, emptyRows);
        var layout = FeatureLayout<T>.For(sparse);
        double cw1 = classWeighted ? 3.5 : 1.0;
        var rows = new ChunkedBinomialLoss<T>(layout, 2, 1.0, cw1, sparse.Rows, columnMajor: false);
        var columns = new ChunkedBinomialLoss<T>(layout, 2, 1.0, cw1, sparse.Rows, columnMajor: true);
        Assert.True(columns.ColumnMajor);
        Assert.False(rows.ColumnMajor);
        double[] ga = new double[p.Columns], gb = new double[p.Columns];
        rows.Evaluate(w, b, ga, out double la, out double ra);
        columns.Evaluate(w, b, gb, out double lb, out double rb);
        Assert.Equal(la, lb);
        Assert.Equal(ra, rb);
        Assert.Equal(ga, gb);

        // The curvature's column moments (the Newton preconditioner's), then the Hessian-vector product.
        double[] cxa = new double[p.Columns], cx2a = new double[p.Columns], cxb = new double[p.Columns], cx2b = new double[p.Columns];
        Assert.Equal(rows.PrepareCurvature(w, b, cxa, cx2a), columns.PrepareCurvature(w, b, cxb, cx2b));
        Assert.Equal(cxa, cxb);
        Assert.Equal(cx2a, cx2b);
        double[] u = w.Select((v, j) => Math.Sin(j + 1) * 2 - v).ToArray();
        rows.HessianVector(u, -0.5, ga, out double qa);
        columns.HessianVector(u, -0.5, gb, out double qb);
        Assert.Equal(qa, qb);
        Assert.Equal(ga, gb);
    }

    internal static SparseDataset<float> SparseRows(int rows, int columns)
    {
        var rng = new Random(5);
        var values = new List<float>();
        var indices = new List<int>();
        long[] offsets = new long[rows + 1];
        float[] labels = new float[rows];
        for (int i = 0; i < rows; i++)
        {
            var row = new SortedSet<int>();
            while (row.Count < 20)
            {
                row.Add(rng.Next(i % 2 == 0 ? Math.Min(columns, 200) : columns));
            }

            double z = 0;
            foreach (int j in row)
            {
                float v = (float)rng.NextDouble();
                indices.Add(j);
                values.Add(v);
                z += (j % 7 - 3) * v;
            }

            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1f : 0f;
            offsets[i + 1] = values.Count;
        }

        return SparseDataset.Create(CsrMatrix.Create<float>(values.ToArray(), indices.ToArray(), offsets, columns), labels);
    }
}
