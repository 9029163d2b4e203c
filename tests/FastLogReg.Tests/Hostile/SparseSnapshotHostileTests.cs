using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using FastLogReg.Tests.Sparse;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of coordinate descent's Hessian snapshot on sparse (CSR) columns (scatter D·xⱼ, gather each column's
/// dot): CSR fits and paths against the same data densified and against OWL-QN.
/// </summary>
public sealed class SparseSnapshotHostileTests(ITestOutputHelper output)
{
    private static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static readonly TrainingOptions Tight = new() { L1Ratio = 1, Solver = Solver.CoordinateDescent, Tolerance = 1e-10, MaxIterations = 100_000, MaxDegreeOfParallelism = 1 };

    /// <summary>n × d correlated Gaussian columns (a common factor), each kept with probability density; labels from a sparse model.</summary>
    private static (double[] X, double[] Y) Data(int n, int d, double density, int seed, double common = 0.7)
    {
        var rng = new Random(seed);
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double c = Normal(rng), z = 0;
            for (int j = 0; j < d; j++)
            {
                double v = (common * c) + (Math.Sqrt(1 - (common * common)) * Normal(rng));
                if (rng.NextDouble() >= density)
                {
                    v = 0;
                }

                x[(i * d) + j] = v * (1 + (j % 3));
                z += j % 4 == 0 ? 1.2 * v : -0.3 * v;
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-2 * z)) ? 1 : 0;
        }

        y[0] = 1;
        if (n > 1)
        {
            y[1] = 0;
        }

        return (x, y);
    }

    private static T[] Cast<T>(double[] a)
        where T : unmanaged, IFloatingPointIeee754<T> => [.. a.Select(T.CreateTruncating)];

    private static DenseDataset<T> Dense<T>(double[] x, double[] y, int d, double[]? w)
        where T : unmanaged, IFloatingPointIeee754<T>
        => DenseDataset.Create(Cast<T>(x), Cast<T>(y), d, w is null ? null : Cast<T>(w));

    /// <summary>The same rows as compressed sparse rows of their non-zeros.</summary>
    private static SparseDataset<T> Csr<T>(double[] x, double[] y, int d, double[]? w)
        where T : unmanaged, IFloatingPointIeee754<T>
        => SparseData.Sparsify(Dense<T>(x, y, d, w), 1.0, 0).Sparse; // density 1: every non-zero kept

    private static int[] Signs(LogisticModel m) => [.. m.Weights.ToArray().Select(v => Math.Sign(v))];

    /// <summary>CSR coordinate descent against dense coordinate descent and dense OWL-QN on the same data.</summary>
    private void Compare<T>(double[] x, double[] y, int d, double[]? w, TrainingOptions options, bool pattern = true, double rtol = 1e-9, bool owlCheck = true)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        SparseDataset<T> sparse = Csr<T>(x, y, d, w);
        DenseDataset<T> dense = Dense<T>(x, y, d, w);
        TrainingResult s = LogisticRegression.Train(sparse, options);
        TrainingResult dn = LogisticRegression.Train(dense, options);
        TrainingResult owl = LogisticRegression.Train(dense, options with { Solver = Solver.OwlQn, Tolerance = 1e-12, MaxIterations = 20_000 });
        string line = $"csr {s.Report.StopReason} it={s.Report.Iterations} passes={s.Report.DataPasses:F0} f={s.Report.FinalObjective:R} nz={s.Report.NonZeroWeights}; dense {dn.Report.StopReason} it={dn.Report.Iterations} f={dn.Report.FinalObjective:R} nz={dn.Report.NonZeroWeights}; owl {owl.Report.StopReason} f={owl.Report.FinalObjective:R}";
        output.WriteLine(line);
        Assert.True(s.Report.StopReason == StopReason.Converged, "CSR not converged: " + line);
        Assert.True(double.IsFinite(s.Report.FinalObjective) && s.Model.Weights.ToArray().All(double.IsFinite) && double.IsFinite(s.Model.Bias), "non-finite: " + line);
        double fd = dn.Report.FinalObjective, fs = s.Report.FinalObjective;
        Assert.True(Math.Abs(fs - fd) <= rtol * Math.Abs(fd), $"CSR vs dense {(fs - fd) / Math.Abs(fd):E2}: " + line);
        if (owlCheck && double.IsFinite(owl.Report.FinalObjective))
        {
            Assert.True(fs - owl.Report.FinalObjective <= rtol * Math.Abs(owl.Report.FinalObjective), $"CSR above OWL-QN {(fs - owl.Report.FinalObjective) / Math.Abs(owl.Report.FinalObjective):E2}: " + line);
        }

        if (pattern)
        {
            Assert.True(Signs(s.Model).SequenceEqual(Signs(dn.Model)), $"signs differ: csr [{string.Join(",", Signs(s.Model))}] dense [{string.Join(",", Signs(dn.Model))}]: " + line);
        }
    }

    /// <summary>Runs the solver directly on the CSR copy over a short λ sequence and returns the Hessian sweeps it took (the snapshot really used).</summary>
    private long GramSweepsOnCsr(double[] x, double[] y, int d, bool standardize, double[] lambdas)
    {
        SparseDataset<double> sparse = Csr<double>(x, y, d, null);
        using var columns = ColumnCopy<double>.From(sparse);
        var solver = new NewGlmnet<double>(columns, sparse.Labels.Span, LogisticRegression.NormalizedRowWeights(sparse, ClassWeights.None), standardize ? FeatureScaling.Compute(sparse, 1) : null, fitIntercept: true);
        var rules = new StoppingRules(100_000, 1e-10, 1.0, null, () => 0, default);
        double[] start = new double[d + 1];
        double? previous = null;
        foreach (double l1 in lambdas)
        {
            OptimizationResult r = solver.Minimize(l1, 0, start, rules, _ => { }, previous);
            Assert.Equal(StopReason.Converged, r.StopReason);
            start = r.Point;
            previous = l1;
        }

        output.WriteLine($"Gram sweeps: {solver.GramSweepCount}");
        return solver.GramSweepCount;
    }

    // ==== the snapshot's entries ==========================================================================================

    /// <summary>The sparse snapshot (scatter/gather) against the dense one, column at a time and blocked, at the same D.</summary>
    [Theory]
    [InlineData(true, 0.3)]
    [InlineData(false, 0.3)]
    [InlineData(true, 1.0)]
    [InlineData(true, 0.02)]
    public void SparseSnapshotEntries_EqualTheDenseOnes(bool standardize, double density)
    {
        int n = 500, d = 24;
        (double[] x, double[] y) = Data(n, d, density, 3);
        // An empty column, a one-non-zero column, a duplicate and a constant-value column.
        for (int i = 0; i < n; i++)
        {
            x[(i * d) + 3] = 0;
            x[(i * d) + 4] = i == 7 ? 2.5 : 0;
            x[(i * d) + 5] = x[(i * d) + 6];
            x[(i * d) + 8] = x[(i * d) + 8] != 0 ? 1 : 0;
        }

        SparseDataset<double> sparse = Csr<double>(x, y, d, null);
        DenseDataset<double> dense = Dense<double>(x, y, d, null);
        double[] start = [.. Enumerable.Range(0, d + 1).Select(j => 0.05 * Math.Sin(j + 1))];
        var rules = new StoppingRules(0, 1e-6, null, null, () => 0, default);
        FeatureScaling? scaling = standardize ? FeatureScaling.Compute(dense, 1) : null;
        using var sc = ColumnCopy<double>.From(sparse);
        using var dc = ColumnCopy<double>.From(dense);
        var ss = new NewGlmnet<double>(sc, sparse.Labels.Span, LogisticRegression.NormalizedRowWeights(sparse, ClassWeights.None), scaling, fitIntercept: true);
        var ds = new NewGlmnet<double>(dc, dense.Labels.Span, LogisticRegression.NormalizedRowWeights(dense, ClassWeights.None), scaling, fitIntercept: true);
        ss.Minimize(1e-3, 0, start, rules, _ => { });
        ds.Minimize(1e-3, 0, start, rules, _ => { });
        int[] order = [.. Enumerable.Range(0, d).Reverse()];
        double[] s1 = ss.FreshSnapshot(order, d, blocked: false);
        double[] s2 = ss.FreshSnapshot(order, d, blocked: false); // again: the scratch must not carry the last column
        double[] d1 = ds.FreshSnapshot(order, d, blocked: true);
        double[] d2 = ds.FreshSnapshot(order, d, blocked: false);
        double scale = d1.Max(Math.Abs);
        Close.Equal(d2, d1, 1e-11, 1e-11 * scale, "dense single vs blocked");
        Close.Equal(s1, d2, 1e-11, 1e-11 * scale, "sparse vs dense");
        Assert.Equal(s1, s2);
    }

    // ==== single fits: CSR against dense and OWL-QN =======================================================================

    public static TheoryData<double, bool, bool, double> Shapes => new()
    {
        // density, standardize, intercept, L1Ratio
        { 0.5, true, true, 1.0 },
        { 0.5, false, true, 1.0 },
        { 0.5, true, false, 1.0 },
        { 0.5, false, false, 1.0 },
        { 1.0, true, true, 1.0 },
        { 1.0, false, true, 0.5 },
        { 0.05, true, true, 1.0 },
        { 0.5, true, true, 0.5 },
        { 0.5, true, true, 0.01 },
        { 0.5, false, true, 0.01 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void CorrelatedCsr_EqualsDense(double density, bool standardize, bool intercept, double rho)
    {
        int n = 400, d = 40;
        (double[] x, double[] y) = Data(n, d, density, 11);
        Compare<double>(x, y, d, null, Tight with { Lambda = 2e-3, L1Ratio = rho, Standardize = standardize, FitIntercept = intercept });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Correlated_UsesTheSparseSnapshot(bool standardize)
    {
        int n = 400, d = 40;
        (double[] x, double[] y) = Data(n, d, 0.5, 11, common: 0.95);
        Assert.True(GramSweepsOnCsr(x, y, d, standardize, [0.05, 0.01, 3e-3, 1e-3, 3e-4]) > 0, "the CSR fits never used the snapshot");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void OnePercentDensity_EqualsDense(bool standardize)
    {
        int n = 3_000, d = 60;
        (double[] x, double[] y) = Data(n, d, 0.01, 12);
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-4, Standardize = standardize }, pattern: false);
    }

    /// <summary>Empty columns, one-non-zero columns, exact and near duplicates, constant-value (indicator) columns.</summary>
    [Theory]
    [InlineData(true, true)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(false, false)]
    public void DegenerateSparseColumns_EqualDense(bool standardize, bool intercept)
    {
        int n = 300, d = 30;
        (double[] x, double[] y) = Data(n, d, 0.4, 13, common: 0.9);
        for (int i = 0; i < n; i++)
        {
            x[(i * d) + 1] = 0;                                     // empty
            x[(i * d) + 2] = i == 5 ? 3.0 : 0;                      // one non-zero
            x[(i * d) + 3] = i == 9 ? -1.0 : 0;                     // one non-zero
            x[(i * d) + 10] = x[(i * d) + 0];                       // exact duplicate of 0
            x[(i * d) + 11] = x[(i * d) + 4] * (1 + 1e-7);          // near duplicate of 4 (same pattern)
            x[(i * d) + 12] = x[(i * d) + 8] != 0 ? 1 : 0;          // indicator (constant non-zeros)
            x[(i * d) + 13] = x[(i * d) + 12];                      // duplicate indicator
            x[(i * d) + 14] = i % 2 == 0 ? 2.0 : 0;                 // constant non-zeros, dense-ish
        }

        // Duplicates have no unique optimum for the lasso: objective only.
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-3, Standardize = standardize, FitIntercept = intercept }, pattern: false);
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-3, L1Ratio = 0.5, Standardize = standardize, FitIntercept = intercept }, pattern: true);
    }

    [Fact]
    public void DenseAsCsrConstantColumn_Standardized_EqualsDense()
    {
        int n = 200, d = 10;
        (double[] x, double[] y) = Data(n, d, 1.0, 14);
        for (int i = 0; i < n; i++)
        {
            x[(i * d) + 2] = 3.0; // every row stored, all equal: zero variance
        }

        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-3, Standardize = true }, pattern: false);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SampleWeightsWithZeros_AndClassWeights_EqualDense(bool standardize)
    {
        int n = 400, d = 30;
        (double[] x, double[] y) = Data(n, d, 0.4, 15, common: 0.9);
        var rng = new Random(4);
        double[] w = [.. Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0.0 : 0.2 + (3 * rng.NextDouble()))];
        Compare<double>(x, y, d, w, Tight with { Lambda = 1e-3, Standardize = standardize });
        Compare<double>(x, y, d, w, Tight with { Lambda = 1e-3, Standardize = standardize, ClassWeights = ClassWeights.Of(0.3, 4.0) });
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-3, Standardize = standardize, ClassWeights = ClassWeights.Balanced, L1Ratio = 0.5 });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void FloatData_EqualsDense(bool standardize)
    {
        int n = 400, d = 30;
        (double[] x, double[] y) = Data(n, d, 0.5, 16, common: 0.9);
        Compare<float>(x, y, d, null, Tight with { Lambda = 1e-3, Standardize = standardize });
    }

    [Theory]
    [InlineData(1, true)]
    [InlineData(1, false)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(3, false)]
    public void TinyShapes_EqualDense(int n, bool standardize)
    {
        int d = 4;
        double[] x = [1, 0, 2, 0, 0, 3, 0, 1, 2, 1, 0, 0.5];
        double[] y = [1, 0, 1];
        x = x[..(n * d)];
        y = y[..n];
        if (n == 1)
        {
            y = [1];
        }

        // One row: a single class — the fit may be refused; only compare when dense trains.
        try
        {
            LogisticRegression.Train(Dense<double>(x, y, d, null), Tight with { Lambda = 1e-2, Standardize = standardize });
        }
        catch (ArgumentException)
        {
            return;
        }

        // One row (one class): no finite optimum (f → 0 as b → ∞), so OWL-QN's stop is not a reference.
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-2, Standardize = standardize }, pattern: false, owlCheck: n > 1);
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-2, L1Ratio = 0.01, Standardize = standardize }, pattern: n > 1, owlCheck: n > 1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SingleColumn_EqualsDense(bool standardize)
    {
        int n = 50, d = 1;
        (double[] x, double[] y) = Data(n, d, 0.5, 17);
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-3, Standardize = standardize });
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-3, Standardize = standardize, FitIntercept = false });
    }

    /// <summary>More active columns than the snapshot holds (512), few rows.</summary>
    [Theory]
    [InlineData(1.0, true)]
    [InlineData(0.3, true)]
    [InlineData(0.01, false)]
    public void MoreColumnsThanTheSnapshot_EqualsDense(double rho, bool standardize)
    {
        int n = 60, d = 600;
        (double[] x, double[] y) = Data(n, d, 0.3, 18, common: 0.5);
        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-4, L1Ratio = rho, Standardize = standardize, MaxIterations = 20_000 }, pattern: false, rtol: 1e-8);
    }

    // ==== paths =========================================================================================================

    private void ComparePaths<T>(double[] x, double[] y, int d, double[]? w, TrainingOptions options, PathOptions pathOptions, double rtol = 1e-9)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        RegularizationPath ps = RegularizationPath.Compute(Csr<T>(x, y, d, w), options, pathOptions);
        RegularizationPath pd = RegularizationPath.Compute(Dense<T>(x, y, d, w), options, pathOptions);
        Assert.Equal(pd.Points.Count, ps.Points.Count);
        var failures = new List<string>();
        for (int k = 0; k < ps.Points.Count; k++)
        {
            PathPoint a = ps.Points[k], b = pd.Points[k];
            string line = $"λ={a.Lambda:G4} csr {a.StopReason} it={a.Iterations} f={a.Objective:R} nz={a.NonZeroWeights}; dense {b.StopReason} it={b.Iterations} f={b.Objective:R} nz={b.NonZeroWeights}";
            output.WriteLine(line);
            if (a.StopReason != StopReason.Converged)
            {
                failures.Add("not converged: " + line);
            }

            if (!(Math.Abs(a.Objective - b.Objective) <= rtol * Math.Abs(b.Objective)))
            {
                failures.Add($"objective {(a.Objective - b.Objective) / Math.Abs(b.Objective):E2}: " + line);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData(1.0, true, true)]
    [InlineData(0.5, true, false)]
    [InlineData(0.01, false, true)]
    [InlineData(1.0, false, false)]
    public void CsrPath_EqualsDensePath(double rho, bool standardize, bool intercept)
    {
        int n = 400, d = 40;
        (double[] x, double[] y) = Data(n, d, 0.5, 19, common: 0.9);
        ComparePaths<double>(x, y, d, null, Tight with { L1Ratio = rho, Standardize = standardize, FitIntercept = intercept }, new PathOptions { Count = 15, MinRatio = 1e-4 });
    }

    [Fact]
    public void CsrPath_WeightedDegenerateColumns_EqualsDensePath()
    {
        int n = 300, d = 30;
        (double[] x, double[] y) = Data(n, d, 0.4, 20, common: 0.9);
        for (int i = 0; i < n; i++)
        {
            x[(i * d) + 1] = 0;
            x[(i * d) + 2] = i == 5 ? 3.0 : 0;
            x[(i * d) + 10] = x[(i * d) + 0];
            x[(i * d) + 12] = x[(i * d) + 8] != 0 ? 1 : 0;
        }

        double[] w = [.. Enumerable.Range(0, n).Select(i => i % 5 == 0 ? 0.0 : 1.0 + (i % 3))];
        ComparePaths<double>(x, y, d, w, Tight with { Standardize = true, ClassWeights = ClassWeights.Of(2, 0.5) }, new PathOptions { Count = 12, MinRatio = 1e-4 });
    }

    [Fact]
    public void CsrPath_MoreColumnsThanTheSnapshot_EqualsDensePath()
    {
        int n = 60, d = 600;
        (double[] x, double[] y) = Data(n, d, 0.3, 21, common: 0.5);
        ComparePaths<double>(x, y, d, null, Tight with { Standardize = true, L1Ratio = 0.5, MaxIterations = 20_000 }, new PathOptions { Count = 8, MinRatio = 1e-3 }, rtol: 1e-8);
    }

    [Fact]
    public void CsrPath_Float_EqualsDensePath()
    {
        int n = 300, d = 30;
        (double[] x, double[] y) = Data(n, d, 0.5, 22, common: 0.9);
        ComparePaths<float>(x, y, d, null, Tight with { Standardize = true }, new PathOptions { Count = 12, MinRatio = 1e-4 });
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void CsrPath_IsBitIdenticalFor1And2Threads(bool standardize)
    {
        int n = 2_000, d = 50;
        (double[] x, double[] y) = Data(n, d, 0.3, 23, common: 0.9);
        SparseDataset<double> data = Csr<double>(x, y, d, null);
        var options = Tight with { L1Ratio = 0.7, Standardize = standardize, Tolerance = 1e-9 };
        var path = new PathOptions { Count = 10, MinRatio = 1e-3 };
        RegularizationPath p1 = RegularizationPath.Compute(data, options, path);
        RegularizationPath p2 = RegularizationPath.Compute(data, options with { MaxDegreeOfParallelism = 2 }, path);
        Assert.Equal(p1.Points.Count, p2.Points.Count);
        for (int k = 0; k < p1.Points.Count; k++)
        {
            Assert.Equal(p1.Points[k].Objective, p2.Points[k].Objective);
            Assert.Equal(p1.Points[k].Model.Bias, p2.Points[k].Model.Bias);
            Assert.Equal(p1.Points[k].Model.Weights.ToArray(), p2.Points[k].Model.Weights.ToArray());
        }

        TrainingResult t1 = LogisticRegression.Train(data, options with { Lambda = 1e-3 });
        TrainingResult t2 = LogisticRegression.Train(data, options with { Lambda = 1e-3, MaxDegreeOfParallelism = 2 });
        Assert.Equal(t1.Model.Weights.ToArray(), t2.Model.Weights.ToArray());
        Assert.Equal(t1.Model.Bias, t2.Model.Bias);
    }

    /// <summary>Sparse columns far from zero on their non-zeros (the raw sums cancel in the centring): density 1 and 0.95.</summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(0.95)]
    [InlineData(0.5)]
    public void OffsetSparseColumns_Standardized_EqualDense(double density)
    {
        int n = 400, d = 20;
        (double[] x, double[] y) = Data(n, d, density, 24, common: 0.9);
        for (int k = 0; k < x.Length; k++)
        {
            if (x[k] != 0)
            {
                x[k] += 1e4;
            }
        }

        Compare<double>(x, y, d, null, Tight with { Lambda = 1e-3, Standardize = true }, pattern: false, rtol: 1e-9);
        Assert.True(GramSweepsOnCsr(x, y, d, true, [0.05, 0.01, 3e-3, 1e-3, 3e-4]) >= 0);
    }

    [Fact]
    public void DegenerateSparseColumns_UseTheSnapshot()
    {
        int n = 300, d = 30;
        (double[] x, double[] y) = Data(n, d, 0.4, 13, common: 0.95);
        for (int i = 0; i < n; i++)
        {
            x[(i * d) + 1] = 0;
            x[(i * d) + 2] = i == 5 ? 3.0 : 0;
            x[(i * d) + 10] = x[(i * d) + 0];
            x[(i * d) + 11] = x[(i * d) + 4] * (1 + 1e-7);
            x[(i * d) + 12] = x[(i * d) + 8] != 0 ? 1 : 0;
        }

        Assert.True(GramSweepsOnCsr(x, y, d, true, [0.05, 0.01, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5]) > 0);
        Assert.True(GramSweepsOnCsr(x, y, d, false, [0.05, 0.01, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5]) > 0);
    }
}
