using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Tests.Multiclass;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of exact Newton's deflation of the softmax's equal-shift directions (ShiftDeflation) and its
/// fallback shift. The oracle: trust-region Newton (or L-BFGS) at a tight tolerance on the same objective.
/// </summary>
public sealed class ShiftDeflationHostileTests(ITestOutputHelper output)
{
    private static readonly Lazy<(double[] X, double[] Y)> DigitsRaw = new(MulticlassData.Digits);

    private static DenseDataset<double> Digits(int column = -1, double scale = 1)
    {
        (double[] x, double[] y) = DigitsRaw.Value;
        double[] scaled = (double[])x.Clone();
        if (column >= 0)
        {
            for (int i = 0; i < y.Length; i++)
            {
                scaled[(i * 64) + column] *= scale;
            }
        }

        return DenseDataset.Create(scaled, y, 64, 10);
    }

    private (TrainingResult Exact, TrainingResult Reference) Compare<T>(string name, Dataset<T> data, TrainingOptions options, Solver reference = Solver.Newton)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        TrainingResult exact = LogisticRegression.Train(data, options with { Solver = Solver.NewtonCholesky });
        TrainingResult other = LogisticRegression.Train(data, options with { Solver = reference, Tolerance = 1e-10, MaxIterations = 20_000 });
        output.WriteLine($"{name}: exact {exact.Report.FinalObjective:R} ({exact.Report.Iterations} it, {exact.Report.StopReason}, |g| {exact.Report.FinalGradientNorm:G3} <= {exact.Report.ConvergenceThreshold:G3}); {reference} {other.Report.FinalObjective:R} ({other.Report.Iterations} it, {other.Report.StopReason}); rel diff {(exact.Report.FinalObjective - other.Report.FinalObjective) / Math.Abs(other.Report.FinalObjective):G3}");
        return (exact, other);
    }

    /// <summary>Synthetic K-class data with rows edited by <paramref name="edit"/> (x, row offset, d).</summary>
    private static DenseDataset<double> Edited(int k, int d, int seed, Action<double[], int, int> edit, bool weighted = false, int rows = 600)
    {
        (DenseDataset<double> data, _) = MulticlassData.Build<double>(rows, d, k, seed, 2, weighted);
        double[] x = data.Features.ToArray();
        for (int i = 0; i < rows; i++)
        {
            edit(x, i * d, d);
        }

        return DenseDataset.Create(x, data.Labels.ToArray(), d, k, weighted ? data.SampleWeights.ToArray() : null);
    }

    private static void AtOptimum(TrainingResult exact, TrainingResult reference, double rtol)
    {
        Assert.Equal(StopReason.Converged, exact.Report.StopReason);
        // The reference may itself stop short (NoProgress on badly scaled raw data): exact Newton must not be worse.
        Assert.True(exact.Report.FinalObjective <= reference.Report.FinalObjective * (1 + rtol), $"exact {exact.Report.FinalObjective:R} vs reference {reference.Report.FinalObjective:R}");
        if (reference.Report.StopReason == StopReason.Converged)
        {
            Close.Equal(reference.Report.FinalObjective, exact.Report.FinalObjective, rtol, 0, "the objective against the reference");
        }
    }

    // ---------------------------------------------------------------- passing cases (regression tests)

    [Theory]
    [InlineData(true, 1.0)]
    [InlineData(false, 1.0)]
    [InlineData(false, 1e6)]
    [InlineData(false, 1e8)]
    [InlineData(false, 1e-6)]
    public void Digits_OneColumnScaled_ExactNewtonAtTheOptimum(bool standardize, double scale)
    {
        var data = Digits(20, scale);
        var (exact, reference) = Compare($"digits std={standardize} x{scale:G3}", data, new TrainingOptions { Lambda = 1.0 / data.Rows, Standardize = standardize });
        AtOptimum(exact, reference, 1e-6);
        Assert.True(exact.Report.Iterations <= 15, $"{exact.Report.Iterations} iterations");
    }

    [Theory]
    [InlineData(2, 0.0, true, false)]
    [InlineData(2, 1e-12, true, false)]
    [InlineData(3, 0.0, true, false)]
    [InlineData(3, 1e-9, false, false)]
    [InlineData(5, 0.0, false, true)]
    [InlineData(5, 1e-4, true, true)]
    [InlineData(7, 1e3, true, false)]
    [InlineData(12, 0.0, true, true)]
    [InlineData(12, 1e-12, true, false)]
    [InlineData(12, 1e-3, false, false)]
    public void Synthetic_KClasses_PenaltiesAndIntercepts_AtTheOptimum(int k, double lambda, bool intercept, bool standardize)
    {
        (DenseDataset<double> data, _) = MulticlassData.Build<double>(600, 8, k, 17 + k, 2, weighted: true);
        var (exact, reference) = Compare($"synthetic K={k} lambda={lambda:G3} intercept={intercept} std={standardize}", data, new TrainingOptions { Lambda = lambda, FitIntercept = intercept, Standardize = standardize, MultiClass = MultiClass.Multinomial });
        AtOptimum(exact, reference, 1e-10);
        Assert.True(exact.Report.Iterations <= 6, $"{exact.Report.Iterations} iterations");
    }

    [Theory]
    [InlineData("zero", 0.0, false)]
    [InlineData("zero", 1e-3, false)]
    [InlineData("constant", 0.0, false)]
    [InlineData("constant", 1e-3, false)]
    [InlineData("constant", 0.0, true)]
    [InlineData("duplicate", 0.0, false)]
    [InlineData("duplicate", 1e-3, true)]
    [InlineData("tiny", 0.0, false)]
    [InlineData("tiny", 1e-3, false)]
    [InlineData("huge", 0.0, false)]
    [InlineData("huge8", 1e-3, false)]
    [InlineData("small", 0.0, false)]
    public void HostileColumns_AtTheOptimum(string kind, double lambda, bool standardize)
    {
        // Before 48a7e8c "huge" (λ = 0) stopped 1.6e-3 high after 53 iterations, "huge8" 8.7e-3 high, "small" 2.3e-3 high.
        var data = Edited(4, 6, 5, Edit(kind));
        // The oracle is trust-region Newton: L-BFGS "converged" 2.6·10⁻⁷ above exact Newton on "huge8" under AVX2 (its
        // gradient test is relative to ‖∇f(0)‖, which the × 10⁸ column dominates).
        var (exact, reference) = Compare($"column {kind} lambda={lambda:G3} std={standardize}", data, new TrainingOptions { Lambda = lambda, Standardize = standardize }, Solver.Newton);
        AtOptimum(exact, reference, 1e-8);
        Assert.True(exact.Report.Iterations <= 5, $"{exact.Report.Iterations} iterations");
    }

    private static Action<double[], int, int> Edit(string kind) => kind switch
    {
        "zero" => (x, r, d) => x[r + 2] = 0,
        "constant" => (x, r, d) => x[r + 2] = 3.5,
        "duplicate" => (x, r, d) => x[r + 2] = x[r + 1],
        "tiny" => (x, r, d) => x[r + 2] = 1e-9 * x[r + 1],
        "huge" => (x, r, d) => x[r + 2] *= 1e6,
        "huge8" => (x, r, d) => x[r + 2] *= 1e8,
        "small" => (x, r, d) => x[r + 2] *= 1e-6,
        "duplicate+huge" => (x, r, d) => { x[r + 2] = x[r + 1]; x[r + 3] *= 1e6; },
        "zero+huge" => (x, r, d) => { x[r + 2] = 0; x[r + 3] *= 1e6; },
        _ => throw new ArgumentException(kind),
    };

    [Fact]
    public void ClassAndSampleWeights_AtTheOptimum()
    {
        var data = Edited(5, 7, 9, (x, r, d) => x[r + 4] *= 1e6, weighted: true);
        var (a, ra) = Compare("weights, x1e6", data, new TrainingOptions { Lambda = 1e-3, ClassWeights = ClassWeights.Of(1, 5, 0.2, 3, 1) });
        AtOptimum(a, ra, 1e-8);
        var (b, rb) = Compare("weights balanced std", data, new TrainingOptions { Lambda = 1e-3, ClassWeights = ClassWeights.Balanced, Standardize = true });
        AtOptimum(b, rb, 1e-10);
    }

    [Fact]
    public void OneVsRest_HugeColumn_NoGroupsAndAtTheOptimum()
    {
        var data = Digits(20, 1e6);
        var (exact, reference) = Compare("ovr digits x1e6", data, new TrainingOptions { Lambda = 1.0 / data.Rows, MultiClass = MultiClass.OneVsRest });
        AtOptimum(exact, reference, 1e-8);
    }

    [Fact]
    public void TwoClassMultinomial_HugeColumn_IsTheBinaryModelAtHalfTheLambda()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        double[] scaled = (double[])x.Clone();
        for (int i = 0; i < y.Length; i++)
        {
            scaled[(i * names.Length) + 3] *= 1e6;
        }

        var data = DenseDataset.Create(scaled, y, names.Length, 2);
        var (exact, reference) = Compare("bc K=2 multinomial x1e6", data, new TrainingOptions { Lambda = 1.0 / y.Length, MultiClass = MultiClass.Multinomial });
        AtOptimum(exact, reference, 1e-10);
        var binary = LogisticRegression.Train(DenseDataset.Create(scaled, y, names.Length), new TrainingOptions { Lambda = 0.5 / y.Length, Solver = Solver.Newton, Tolerance = 1e-10 });
        output.WriteLine($"binary at lambda/2: {binary.Report.FinalObjective:R}");
        Close.Equal(binary.Report.FinalObjective, exact.Report.FinalObjective, 1e-8, 0, "the K = 2 softmax against the binary model at λ/2");
    }

    [Fact]
    public void FloatFeatures_HugeColumn_AtTheOptimum()
    {
        (double[] x, double[] y) = DigitsRaw.Value;
        float[] xf = x.Select((v, i) => (float)(i % 64 == 20 ? v * 1e6 : v)).ToArray();
        float[] yf = y.Select(v => (float)v).ToArray();
        var data = DenseDataset.Create(xf, yf, 64, 10);
        var (exact, reference) = Compare("float digits x1e6", data, new TrainingOptions { Lambda = 1.0 / y.Length });
        AtOptimum(exact, reference, 1e-6);
    }

    [Fact]
    public void SparseRows_EqualTheDenseTwin()
    {
        (DenseDataset<double> dense, _) = MulticlassData.Build<double>(800, 12, 6, 3, 2, weighted: true);
        (DenseDataset<double> twin, SparseDataset<double> sparse) = MulticlassData.Sparsify(dense, 0.3, 4);
        var (a, ra) = Compare("sparse", sparse, new TrainingOptions { Lambda = 1e-3 });
        var (b, _) = Compare("dense twin", twin, new TrainingOptions { Lambda = 1e-3 });
        var (c, rc) = Compare("sparse lambda 0 no intercept", sparse, new TrainingOptions { Lambda = 0, FitIntercept = false });
        AtOptimum(a, ra, 1e-10);
        AtOptimum(c, rc, 1e-10);
        Close.Equal(b.Report.FinalObjective, a.Report.FinalObjective, 1e-12, 0, "sparse against dense");
    }

    [Fact]
    public void ThreadCounts_BitIdentical()
    {
        var data = Digits(20, 1e6);
        var m = new[] { 1, 2, 3 }.Select(t => (MulticlassModel)LogisticRegression.Train(data, new TrainingOptions { Lambda = 1.0 / data.Rows, Solver = Solver.NewtonCholesky, MaxDegreeOfParallelism = t }).Classifier).ToArray();
        for (int t = 1; t < 3; t++)
        {
            Assert.True(m[0].Weights.SequenceEqual(m[t].Weights) && m[0].Intercepts.SequenceEqual(m[t].Intercepts), $"1 thread against {t + 1}");
        }
    }

    [Fact]
    public void ElasticNet_IsRefusedByExactNewton()
    {
        var ex = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(Digits(), new TrainingOptions { Lambda = 1e-3, L1Ratio = 0.5, Solver = Solver.NewtonCholesky }));
        Assert.Contains("smooth penalty", ex.Message);
    }

    [Fact]
    public void Path_EveryPointEqualsAColdFit()
    {
        var data = Digits();
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, Standardize = true };
        var path = RegularizationPath.Compute(data, options, new PathOptions { Count = 5, MinRatio = 1e-3 });
        foreach (PathPoint p in path.Points)
        {
            var cold = LogisticRegression.Train(data, options with { Lambda = p.Lambda, Solver = Solver.Newton, Tolerance = 1e-10 });
            output.WriteLine($"path lambda {p.Lambda:G3}: {p.Objective:R} ({p.Iterations} it, {p.StopReason}) cold trust region {cold.Report.FinalObjective:R} ({cold.Report.Iterations}, {cold.Report.StopReason})");
            Assert.Equal(StopReason.Converged, p.StopReason);
            Close.Equal(cold.Report.FinalObjective, p.Objective, 1e-7, 0, $"the path at λ = {p.Lambda:G3}");
        }
    }

    [Theory]
    [InlineData(1e-9, true)]
    [InlineData(1e-9, false)]
    [InlineData(1e-12, true)]
    public void TinyLambda_TightTolerance_ReachesLbfgs(double lambda, bool standardize)
    {
        // Near-separable digits: the penalty's curvature is 10⁻⁹–10⁻¹² of the data's (L-BFGS needs 98–1,944 iterations).
        var data = Digits();
        var options = new TrainingOptions { Lambda = lambda, Standardize = standardize, Tolerance = 1e-10, MaxIterations = 200, Solver = Solver.NewtonCholesky };
        var exact = LogisticRegression.Train(data, options);
        var lbfgs = LogisticRegression.Train(data, options with { Solver = Solver.Lbfgs, MaxIterations = 100_000 });
        output.WriteLine($"digits tight lambda={lambda:G3} std={standardize}: exact {exact.Report.FinalObjective:R} ({exact.Report.Iterations} it, {exact.Report.StopReason}) lbfgs {lbfgs.Report.FinalObjective:R} ({lbfgs.Report.Iterations} it)");
        Assert.Equal(StopReason.Converged, exact.Report.StopReason);
        Assert.True(exact.Report.FinalObjective <= lbfgs.Report.FinalObjective * 1.001, $"{exact.Report.FinalObjective:R}");
    }

    [Fact]
    public void WarmStart_CommonShift_Standardized_UndoneAtOnce()
    {
        var data = Digits();
        var options = new TrainingOptions { Lambda = 1.0 / data.Rows, Standardize = true, Solver = Solver.NewtonCholesky, Tolerance = 1e-10 };
        TrainingResult cold = LogisticRegression.Train(data, options);
        var optimum = (MulticlassModel)cold.Classifier;
        double[] w = optimum.Weights.ToArray();
        double[] b = optimum.Intercepts.ToArray();
        for (int c = 0; c < 10; c++)
        {
            b[c] += 7;
            for (int j = 0; j < 64; j++)
            {
                w[(c * 64) + j] += 0.05 * ((j % 5) - 2);
            }
        }

        TrainingResult warm = LogisticRegression.Train(data, options with { InitialModel = new MulticlassModel(ClassificationKind.Multinomial, w, b) });
        output.WriteLine($"cold {cold.Report.FinalObjective:R} ({cold.Report.Iterations}); warm {warm.Report.FinalObjective:R} ({warm.Report.Iterations} it, {warm.Report.StopReason})");
        Assert.Equal(StopReason.Converged, warm.Report.StopReason);
        Assert.True(warm.Report.Iterations <= 3, $"{warm.Report.Iterations} iterations");
        Close.Equal(cold.Report.FinalObjective, warm.Report.FinalObjective, 1e-12, 0, "warm against cold");
    }

    // ------------------------------------------------- the review's two failures, mended (they fail without the mends)

    [Fact]
    public void WarmStart_CommonShiftOnHugeColumn_IsUndone()
    {
        // The column's curvature c is 10¹² times λ: the first version measured μ = uᵀHu, took it for 0 below 10⁻¹⁰·c and
        // never moved the group's mean (NoProgress at 0.01196 against 0.00918). μ is now the penalty's λ, and the step
        // along u moves the mean to 0, from the point.
        var data = Digits(20, 1e6);
        var cold = LogisticRegression.Train(data, new TrainingOptions { Lambda = 1.0 / data.Rows, Solver = Solver.NewtonCholesky, Tolerance = 1e-12 });
        var optimum = (MulticlassModel)cold.Classifier;
        double[] w = optimum.Weights.ToArray();
        for (int c = 0; c < 10; c++)
        {
            w[(c * 64) + 20] += 1.0;
        }

        var options = new TrainingOptions { Lambda = 1.0 / data.Rows, InitialModel = new MulticlassModel(ClassificationKind.Multinomial, w, optimum.Intercepts), Tolerance = 1e-12, MaxIterations = 200 };
        var exact = LogisticRegression.Train(data, options with { Solver = Solver.NewtonCholesky });
        var lbfgs = LogisticRegression.Train(data, options with { Solver = Solver.Lbfgs });
        output.WriteLine($"cold {cold.Report.FinalObjective:R}; exact {exact.Report.FinalObjective:R} ({exact.Report.Iterations} it, {exact.Report.StopReason}); lbfgs {lbfgs.Report.FinalObjective:R} ({lbfgs.Report.Iterations} it, {lbfgs.Report.StopReason})");
        Close.Equal(cold.Report.FinalObjective, exact.Report.FinalObjective, 1e-9, 0, "exact Newton from the shifted start");
        Assert.True(exact.Report.Iterations <= 3, $"{exact.Report.Iterations} iterations");
    }

    [Theory]
    [InlineData("zero+huge")]
    [InlineData("duplicate+huge")]
    public void SingularDataColumnBesideHugeColumn_Unpenalized_AtTheOptimum(string kind)
    {
        // A singular direction the data makes (not the softmax) still takes the fallback shift: as τ·max Hⱼⱼ·I, set by
        // the × 10⁶ column, it swamped the rest ("Converged" at 1.3759 against 1.3743); now each column's own scale.
        var data = Edited(4, 6, 5, Edit(kind));
        var (exact, reference) = Compare($"column {kind} lambda=0", data, new TrainingOptions { Lambda = 0 }, Solver.Newton);
        Assert.Equal(StopReason.Converged, reference.Report.StopReason);
        Assert.Equal(StopReason.Converged, exact.Report.StopReason);
        Close.Equal(reference.Report.FinalObjective, exact.Report.FinalObjective, 1e-8, 0, "the objective against trust-region Newton's");
    }
}
