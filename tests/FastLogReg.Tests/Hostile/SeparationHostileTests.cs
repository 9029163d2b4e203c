using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Statistics;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// A hostile review of K-class Separable (false positives and negatives), the statistics' separation refusal and extreme
/// column scales, and cross-validation's fold check and C grid.
/// </summary>
public class SeparationHostileTests
{
    // ---- data ------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Three classes in 120° sectors around the origin (offsets ±55°, ±40°, ±20°, 0°; radii 1, 1.5, 2): the argmax of
    /// cos(θ − θc) classifies every row, yet no class is cut from the other two by one line (each class's hull crosses
    /// its neighbours'). Optionally shifted by (cx, cy).
    /// </summary>
    private static (double[] X, double[] Y) Sectors(double cx = 0, double cy = 0)
    {
        var x = new List<double>();
        var y = new List<double>();
        double[] offsets = [-55, -40, -20, 0, 20, 40, 55];
        double[] radii = [1, 1.5, 2];
        for (int c = 0; c < 3; c++)
        {
            foreach (double o in offsets)
            {
                foreach (double r in radii)
                {
                    double a = (120 * c + o) * Math.PI / 180;
                    x.Add(cx + (r * Math.Cos(a)));
                    x.Add(cy + (r * Math.Sin(a)));
                    y.Add(c);
                }
            }
        }

        return ([.. x], [.. y]);
    }

    /// <summary>Three strips along x0 (x1 on a grid in [0, 1]); with <paramref name="overlap"/> six mislabelled rows in the strips' middles.</summary>
    private static (double[] X, double[] Y) Strips(bool overlap, int perStrip = 30)
    {
        var x = new List<double>();
        var y = new List<double>();
        for (int c = 0; c < 3; c++)
        {
            for (int i = 0; i < perStrip; i++)
            {
                x.Add(-1.5 + c + ((i % 6) / 5.0 * 0.9) + 0.05);
                x.Add((i / 6) / (double)((perStrip / 6) - 1));
                y.Add(c);
            }
        }

        if (overlap)
        {
            foreach ((double x0, double label) in new[] { (-1.0, 1.0), (-1.0, 2.0), (0.0, 0.0), (0.0, 2.0), (1.0, 0.0), (1.0, 1.0) })
            {
                x.Add(x0);
                x.Add(0.5);
                y.Add(label);
            }
        }

        return ([.. x], [.. y]);
    }

    private static DenseDataset<double> D(double[] x, double[] y, int classes = 3, double[]? w = null) => DenseDataset.Create(x, y, 2, classes, w);

    private static SparseDataset<double> Csr(double[] x, double[] y, int columns, int classes, double[]? w = null)
    {
        var values = new List<double>();
        var idx = new List<int>();
        var offsets = new List<long> { 0 };
        for (int i = 0; i < y.Length; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (x[(i * columns) + j] != 0)
                {
                    values.Add(x[(i * columns) + j]);
                    idx.Add(j);
                }
            }

            offsets.Add(values.Count);
        }

        var m = CsrMatrix.Create<double>(values.ToArray(), idx.ToArray(), offsets.ToArray(), columns);
        return SparseDataset.Create<double>(m, y, classes, w ?? default(ReadOnlyMemory<double>));
    }

    private static TrainingOptions Unpenalized(Solver solver, MultiClass kind) => new()
    {
        Solver = solver,
        L2 = 0,
        MultiClass = kind,
        LearningRate = solver == Solver.GradientDescent ? 0.5 : null,
        MaxIterations = solver == Solver.GradientDescent ? 5000 : 1000,
    };

    public static TheoryData<Solver, MultiClass> Solvers()
    {
        var data = new TheoryData<Solver, MultiClass>();
        foreach (Solver s in new[] { Solver.Auto, Solver.Lbfgs, Solver.Newton, Solver.NewtonCholesky, Solver.CoordinateDescent, Solver.GradientDescent })
        {
            data.Add(s, MultiClass.Multinomial);
            data.Add(s, MultiClass.OneVsRest);
        }

        return data;
    }

    // ---- training: false positives -------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Solvers))]
    public void SlightOverlapIsNotSeparable(Solver solver, MultiClass kind)
    {
        (double[] x, double[] y) = Strips(overlap: true);
        TrainingResult fit = LogisticRegression.Train(D(x, y), Unpenalized(solver, kind));
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void CompletelySeparatedStripsAreSeparable(Solver solver, MultiClass kind)
    {
        (double[] x, double[] y) = Strips(overlap: false);
        TrainingResult fit = LogisticRegression.Train(D(x, y), Unpenalized(solver, kind));
        Assert.True(fit.Report.StopReason is StopReason.Separable or StopReason.MaxIterations, fit.Report.Message);
        if (fit.Report.StopReason == StopReason.Separable)
        {
            Assert.Contains("L2 = 0", fit.Report.Message);
            Assert.Contains("no minimum", fit.Report.Message);
            Assert.True(fit.Report.Message.Contains("classifies every row correctly") || fit.Report.Message.Contains("rows are cut from all the others'"), fit.Report.Message);
        }
    }

    [Theory]
    [MemberData(nameof(Solvers))]
    public void PenalizedIsNeverSeparable(Solver solver, MultiClass kind)
    {
        (double[] x, double[] y) = Strips(overlap: false);
        TrainingResult fit = LogisticRegression.Train(D(x, y), Unpenalized(solver, kind) with { L2 = 1e-9 });
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
        fit = LogisticRegression.Train(D(x, y), Unpenalized(solver, kind) with { L2 = 1e-9, L1Ratio = solver is Solver.Auto or Solver.CoordinateDescent ? 1 : 0 });
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
    }

    [Theory]
    [InlineData(Solver.Newton)]
    [InlineData(Solver.NewtonCholesky)]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.Auto)]
    public void MultinomialSectorsAreSeparableByArgmax(Solver solver)
    {
        // Multinomial: an argmax that classifies every row is a direction the softmax loss falls along for ever.
        (double[] x, double[] y) = Sectors();
        TrainingResult fit = LogisticRegression.Train(D(x, y), Unpenalized(solver, MultiClass.Multinomial));
        Assert.Equal(StopReason.Separable, fit.Report.StopReason);
        Assert.Contains("classifies every row correctly", fit.Report.Message);
    }

    [Theory]
    [InlineData(Solver.Newton)]
    [InlineData(Solver.NewtonCholesky)]
    [InlineData(Solver.Lbfgs)]
    public void OneVsRestSectorsArgmaxAloneProvesNothing_BinarySubproblemsConverge(Solver solver)
    {
        // The evidence the one-vs-rest MLE exists: each class-vs-rest binary problem, unpenalized, converges to finite weights.
        (double[] x, double[] y) = Sectors();
        for (int c = 0; c < 3; c++)
        {
            double[] yc = [.. y.Select(v => v == c ? 1.0 : 0.0)];
            TrainingResult binary = LogisticRegression.Train(DenseDataset.Create(x, yc, 2), new TrainingOptions { Solver = solver, L2 = 0, Tolerance = 1e-10 });
            Assert.Equal(StopReason.Converged, binary.Report.StopReason);
            Assert.True(binary.Model.Weights.ToArray().All(w => Math.Abs(w) < 20), string.Join(",", binary.Model.Weights.ToArray()));
        }
    }

    [Theory]
    [InlineData(Solver.Newton)]
    [InlineData(Solver.NewtonCholesky)]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.Auto)]
    [InlineData(Solver.CoordinateDescent)]
    public void OneVsRestSectorsAreNotSeparable(Solver solver)
    {
        (double[] x, double[] y) = Sectors();
        TrainingResult fit = LogisticRegression.Train(D(x, y), Unpenalized(solver, MultiClass.OneVsRest));
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
    }

    [Fact]
    public void OneVsRestSectorsNoInterceptIsNotSeparable()
    {
        (double[] x, double[] y) = Sectors();
        TrainingResult fit = LogisticRegression.Train(D(x, y), Unpenalized(Solver.Newton, MultiClass.OneVsRest) with { FitIntercept = false });
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
    }

    [Fact]
    public void TinyWeightMisclassifiedRowBreaksArgmaxSeparation()
    {
        // Sectors (multinomial: argmax-separable) plus a class-1 row deep inside class 0's sector. With weight 1e-3 the
        // MLE exists and the fit converges; with weight 1e-17 the MLE still exists, but the weighted accuracy rounds to 1.
        (double[] x, double[] y) = Sectors();
        double[] x2 = [.. x, 1.5, 0.0];
        double[] y2 = [.. y, 1.0];
        foreach (double tiny in new[] { 1e-3, 1e-8 })
        {
            double[] w = [.. Enumerable.Repeat(1.0, y.Length), tiny];
            TrainingResult fit = LogisticRegression.Train(D(x2, y2, 3, w), Unpenalized(Solver.Newton, MultiClass.Multinomial));
            Assert.True(fit.Report.StopReason != StopReason.Separable, $"weight {tiny}: {fit.Report.Message}");
        }
    }

    [Fact]
    public void TinyWeightMisclassifiedRowBreaksArgmaxSeparation_TinyOnly()
    {
        (double[] x, double[] y) = Sectors();
        double[] x2 = [.. x, 1.5, 0.0];
        double[] y2 = [.. y, 1.0];
        double[] w = [.. Enumerable.Repeat(1.0, y.Length), 1e-17];
        TrainingResult fit = LogisticRegression.Train(D(x2, y2, 3, w), Unpenalized(Solver.Newton, MultiClass.Multinomial));
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
    }

    [Theory]
    [InlineData(MultiClass.Multinomial)]
    [InlineData(MultiClass.OneVsRest)]
    public void ZeroWeightRowsDoNotBreakSeparation(MultiClass kind)
    {
        (double[] x, double[] y) = Strips(overlap: true);
        double[] w = [.. y.Select((_, i) => i >= 90 ? 0.0 : 1.0)]; // the six mislabelled rows weigh nothing
        TrainingResult fit = LogisticRegression.Train(D(x, y, 3, w), Unpenalized(Solver.Newton, kind));
        Assert.Equal(StopReason.Separable, fit.Report.StopReason);
    }

    [Theory]
    [InlineData(MultiClass.Multinomial)]
    [InlineData(MultiClass.OneVsRest)]
    public void BalancedClassWeightsOnOverlapAreNotSeparable(MultiClass kind)
    {
        (double[] x, double[] y) = Strips(overlap: true);
        double[] x2 = [.. x, .. x.Take(40)];
        double[] y2 = [.. y, .. y.Take(20)];
        TrainingResult fit = LogisticRegression.Train(D(x2, y2), Unpenalized(Solver.Newton, kind) with { ClassWeights = ClassWeights.Balanced });
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
    }

    [Theory]
    [InlineData(MultiClass.Multinomial, false)]
    [InlineData(MultiClass.Multinomial, true)]
    [InlineData(MultiClass.OneVsRest, false)]
    [InlineData(MultiClass.OneVsRest, true)]
    public void SparseAndFloatAndStandardizedAgree(MultiClass kind, bool standardize)
    {
        foreach (bool overlap in new[] { false, true })
        {
            (double[] x, double[] y) = Strips(overlap);
            // shift x1 to have exact zeros for CSR
            TrainingOptions o = Unpenalized(Solver.Newton, kind) with { Standardize = standardize };
            StopReason dense = LogisticRegression.Train(D(x, y), o).Report.StopReason;
            StopReason sparse = LogisticRegression.Train(Csr(x, y, 2, 3), o).Report.StopReason;
            StopReason single = LogisticRegression.Train(DenseDataset.Create(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), 2, 3), o).Report.StopReason;
            StopReason expected = overlap ? StopReason.Converged : StopReason.Separable;
            Assert.True(dense == expected && sparse == expected && (single == expected || (overlap && single != StopReason.Separable)), $"overlap {overlap}: dense {dense}, sparse {sparse}, float {single}");
        }
    }

    [Theory]
    [InlineData(Solver.Newton)]
    [InlineData(Solver.Lbfgs)]
    public void NoInterceptSectorsMultinomial(Solver solver)
    {
        (double[] x, double[] y) = Sectors();
        TrainingOptions o = Unpenalized(solver, MultiClass.Multinomial) with { FitIntercept = false };
        Assert.Equal(StopReason.Separable, LogisticRegression.Train(D(x, y), o).Report.StopReason);
        // A mislabelled row of weight 1 inside sector 0: no longer separable.
        double[] x2 = [.. x, 1.5, 0.0, -0.75, 1.3, -0.75, -1.3];
        double[] y2 = [.. y, 1.0, 2.0, 0.0];
        Assert.NotEqual(StopReason.Separable, LogisticRegression.Train(D(x2, y2), o).Report.StopReason);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TwoClassesMultinomial(bool overlap)
    {
        (double[] x, double[] y) = Strips(overlap);
        var keep = Enumerable.Range(0, y.Length).Where(i => y[i] != 2).ToArray();
        double[] xs = [.. keep.SelectMany(i => new[] { x[2 * i], x[(2 * i) + 1] })];
        double[] ys = [.. keep.Select(i => y[i])];
        foreach (Solver s in new[] { Solver.Newton, Solver.Lbfgs, Solver.NewtonCholesky })
        {
            TrainingResult fit = LogisticRegression.Train(D(xs, ys, 2), Unpenalized(s, MultiClass.Multinomial));
            Assert.Equal(overlap ? StopReason.Converged : StopReason.Separable, fit.Report.StopReason);
        }
    }

    [Fact]
    public void PairwiseSeparatedClassesWithAThirdEverywhereAreNotSeparable()
    {
        // Classes 0 and 1 are split by x0 = 0; class 2 lies all over both: no W classifies every row, and no class is cut from the rest.
        var x = new List<double>();
        var y = new List<double>();
        for (int i = 0; i < 40; i++)
        {
            double a = -2 + (i / 39.0 * 4), b = (i % 5) / 4.0;
            x.Add(a);
            x.Add(b);
            y.Add(a < 0 ? 0 : 1);
            x.Add(a + 0.03);
            x.Add(1 - b);
            y.Add(2);
        }

        foreach (MultiClass kind in new[] { MultiClass.Multinomial, MultiClass.OneVsRest })
        {
            TrainingResult fit = LogisticRegression.Train(D([.. x], [.. y]), Unpenalized(Solver.Newton, kind));
            Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
        }
    }

    [Theory]
    [InlineData(MultiClass.Multinomial)]
    [InlineData(MultiClass.OneVsRest)]
    public void WarmStartFromAHugeModelOnOverlapIsNotSeparable(MultiClass kind)
    {
        (double[] x, double[] y) = Strips(overlap: false);
        MulticlassModel huge = LogisticRegression.Train(D(x, y), new TrainingOptions { L2 = 1e-7, MultiClass = kind }).Multiclass;
        (double[] xo, double[] yo) = Strips(overlap: true);
        TrainingResult fit = LogisticRegression.Train(D(xo, yo), Unpenalized(Solver.Newton, kind) with { InitialModel = huge });
        Assert.NotEqual(StopReason.Separable, fit.Report.StopReason);
        TrainingResult sep = LogisticRegression.Train(D(x, y), Unpenalized(Solver.Lbfgs, kind) with { InitialModel = huge });
        Assert.True(sep.Report.StopReason is StopReason.Separable or StopReason.MaxIterations, sep.Report.Message);
    }

    [Fact]
    public void QuasiSeparatedClassIsAFalseNegativeProbe()
    {
        // Class 2 is x0 >= 0.5 with a class-1 row exactly on x0 = 0.5 (quasi-complete separation: no finite MLE).
        (double[] x, double[] y) = Strips(overlap: false);
        double[] x2 = [.. x, 0.5, 0.5, 0.5, 0.2];
        double[] y2 = [.. y, 1.0, 2.0];
        TrainingResult fit = LogisticRegression.Train(D(x2, y2), Unpenalized(Solver.Newton, MultiClass.Multinomial));
        Assert.True(fit.Report.StopReason is StopReason.Separable or StopReason.MaxIterations or StopReason.NoProgress, fit.Report.Message);
    }

    // ---- statistics ------------------------------------------------------------------------------------------------------

    [Fact]
    public void MultinomialStatisticsTableOnOverlapAndRefusalOnSectors()
    {
        (double[] x, double[] y) = Strips(overlap: true);
        var data = D(x, y);
        MulticlassModel m = LogisticRegression.Train(data, new TrainingOptions { L2 = 0, Solver = Solver.Newton, Tolerance = 1e-10 }).Multiclass;
        var table = MultinomialStatistics.Compute(m, data);
        Assert.All(table.Classes.SelectMany(c => c), r => Assert.True(double.IsFinite(r.StandardError), r.ToString()));
        (double[] xs, double[] ys) = Sectors();
        var sep = D(xs, ys);
        MulticlassModel ms = LogisticRegression.Train(sep, new TrainingOptions { L2 = 0, Solver = Solver.Newton }).Multiclass;
        var e = Assert.ThrowsAny<ArgumentException>(() => MultinomialStatistics.Compute(ms, sep));
        Assert.Contains("classifies every row correctly", e.Message);
    }

    private static (double[] X, double[] Y) BinaryOverlap(int rows = 80)
    {
        var rng = new Random(11);
        double[] x = new double[rows * 2], y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            x[2 * i] = (rng.NextDouble() * 2) - 1;
            x[(2 * i) + 1] = (rng.NextDouble() * 2) - 1;
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-(2 * x[2 * i]) + x[(2 * i) + 1])) ? 1 : 0;
        }

        return (x, y);
    }

    [Theory]
    [InlineData(1e-300, false)]
    [InlineData(1e-200, false)]
    [InlineData(1e-170, true)]
    [InlineData(3.8e-121, false)]
    [InlineData(1e-100, false)]
    [InlineData(1e100, false)]
    [InlineData(2.6e120, false)]
    [InlineData(1e150, true)]
    [InlineData(1e200, false)]
    [InlineData(1e300, true)]
    public void BinaryStandardErrorsScaleWithTheColumn(double s, bool sparse)
    {
        (double[] x, double[] y) = BinaryOverlap();
        var data = DenseDataset.Create(x, y, 2);
        LogisticModel m = LogisticRegression.Train(data, new TrainingOptions { L2 = 0, Solver = Solver.Newton, Tolerance = 1e-12 }).Model;
        CoefficientTable t = CoefficientStatistics.Compute(m, data);
        double[] xs = [.. x.Select((v, i) => i % 2 == 0 ? v * s : v)];
        var ms = new LogisticModel([m.Weights[0] / s, m.Weights[1]], m.Bias);
        Dataset<double> scaled = sparse ? SparseDataset.Create(CsrFromDense(xs, 2), y) : DenseDataset.Create(xs, y, 2);
        CoefficientTable ts = CoefficientStatistics.Compute(ms, scaled);
        Assert.Equal(t.Rows[0].StandardError / s, ts.Rows[0].StandardError, t.Rows[0].StandardError / s * 1e-8);
        Assert.Equal(t.Rows[1].StandardError, ts.Rows[1].StandardError, t.Rows[1].StandardError * 1e-8);
        Assert.Equal(t.Rows[2].StandardError, ts.Rows[2].StandardError, t.Rows[2].StandardError * 1e-8);
        Assert.Equal(t.Rows[0].Z, ts.Rows[0].Z, 1e-6);
        Assert.All(ts.Rows, r => Assert.False(double.IsNaN(r.StandardError) || double.IsNaN(r.PValue) || double.IsNaN(r.Lower), r.ToString()));
        Assert.DoesNotContain(ts.Covariance.Cast<double>(), double.IsNaN);
    }

    private static CsrMatrix<double> CsrFromDense(double[] x, int columns)
    {
        var values = new List<double>();
        var idx = new List<int>();
        var offsets = new List<long> { 0 };
        for (int i = 0; i < x.Length / columns; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (x[(i * columns) + j] != 0)
                {
                    values.Add(x[(i * columns) + j]);
                    idx.Add(j);
                }
            }

            offsets.Add(values.Count);
        }

        return CsrMatrix.Create<double>(values.ToArray(), idx.ToArray(), offsets.ToArray(), columns);
    }

    [Fact]
    public void TwoExtremeColumnsAtOppositeEndsGiveNoNaN()
    {
        (double[] x, double[] y) = BinaryOverlap();
        var data = DenseDataset.Create(x, y, 2);
        LogisticModel m = LogisticRegression.Train(data, new TrainingOptions { L2 = 0, Solver = Solver.Newton, Tolerance = 1e-12 }).Model;
        CoefficientTable t = CoefficientStatistics.Compute(m, data);
        double[] xs = [.. x.Select((v, i) => i % 2 == 0 ? v * 1e-300 : v * 1e300)];
        var ms = new LogisticModel([m.Weights[0] / 1e-300, m.Weights[1] / 1e300], m.Bias);
        CoefficientTable ts = CoefficientStatistics.Compute(ms, DenseDataset.Create(xs, y, 2));
        Assert.Equal(t.Rows[0].StandardError / 1e-300, ts.Rows[0].StandardError, t.Rows[0].StandardError / 1e-300 * 1e-8);
        Assert.Equal(t.Rows[1].StandardError / 1e300, ts.Rows[1].StandardError, t.Rows[1].StandardError / 1e300 * 1e-8);
        Assert.DoesNotContain(ts.Covariance.Cast<double>(), double.IsNaN);
    }

    [Fact]
    public void AllZeroColumnIsRefusedNamingIt()
    {
        (double[] x, double[] y) = BinaryOverlap();
        double[] x3 = new double[y.Length * 3];
        for (int i = 0; i < y.Length; i++)
        {
            x3[3 * i] = x[2 * i];
            x3[(3 * i) + 2] = x[(2 * i) + 1];
        }

        foreach (Dataset<double> data in new Dataset<double>[] { DenseDataset.Create(x3, y, 3), SparseDataset.Create(CsrFromDense(x3, 3), y) })
        {
            var m = new LogisticModel([1.0, 0.0, -0.5], 0.1);
            var e = Assert.ThrowsAny<ArgumentException>(() => CoefficientStatistics.Compute(m, data));
            Assert.Contains("x1", e.Message);
        }
    }

    [Theory]
    [InlineData(1e-170)]
    [InlineData(1e170)]
    [InlineData(1e-300)]
    public void MultinomialStandardErrorsScaleWithTheColumn(double s)
    {
        (double[] x, double[] y) = Strips(overlap: true);
        var data = D(x, y);
        MulticlassModel m = LogisticRegression.Train(data, new TrainingOptions { L2 = 0, Solver = Solver.Newton, Tolerance = 1e-12 }).Multiclass;
        var t = MultinomialStatistics.Compute(m, data);
        double[] xs = [.. x.Select((v, i) => i % 2 == 0 ? v * s : v)];
        double[] w = new double[6];
        for (int c = 0; c < 3; c++)
        {
            w[2 * c] = m.Coefficients(c)[0] / s;
            w[(2 * c) + 1] = m.Coefficients(c)[1];
        }

        var ms = new MulticlassModel(ClassificationKind.Multinomial, w, m.Intercepts.ToArray());
        var ts = MultinomialStatistics.Compute(ms, D(xs, y));
        for (int c = 1; c < 3; c++)
        {
            Assert.Equal(t.Classes[c][0].StandardError / s, ts.Classes[c][0].StandardError, t.Classes[c][0].StandardError / s * 1e-6);
            Assert.Equal(t.Classes[c][1].StandardError, ts.Classes[c][1].StandardError, t.Classes[c][1].StandardError * 1e-6);
        }
    }

    // ---- cross-validation ----------------------------------------------------------------------------------------------

    private static DenseDataset<double> Cv3(double[]? w = null)
    {
        (double[] x, double[] y) = Strips(overlap: true);
        return D(x, y, 3, w);
    }

    [Fact]
    public void ExplicitFoldHoldingAllOfAClassIsRefusedNamingFoldAndClass()
    {
        var data = Cv3();
        int[] folds = [.. Enumerable.Range(0, data.Rows).Select(i => data.Labels.Span[i] == 2 ? 1 : i % 3 == 0 ? 1 : 0)];
        var e = Assert.ThrowsAny<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 2, FoldOfRow = folds, CValues = [1.0] }));
        Assert.Equal("cv", e.ParamName);
        Assert.Contains("Fold 1", e.Message);
        Assert.Contains("class 2", e.Message);
    }

    [Fact]
    public void ZeroWeightRowsOfAClassOutsideTheFoldDoNotCount()
    {
        var data0 = Cv3();
        double[] w = new double[data0.Rows];
        int[] folds = new int[data0.Rows];
        for (int i = 0; i < w.Length; i++)
        {
            bool two = data0.Labels.Span[i] == 2;
            folds[i] = two ? (i % 2) : i % 3 == 0 ? 1 : 0;
            w[i] = two && folds[i] == 0 ? 0 : 1; // class 2's weight in fold 0 is zero: fold 1's training rows hold none of it
        }

        var data = D(data0.Features.ToArray(), data0.Labels.ToArray(), 3, w);
        var e = Assert.ThrowsAny<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 2, FoldOfRow = folds, CValues = [1.0] }));
        Assert.Equal("cv", e.ParamName);
        Assert.Contains("Fold 1", e.Message);
        Assert.Contains("class 2", e.Message);
    }

    [Fact]
    public void HugeWeightInTheFoldAndOrdinaryOutsideIsNotRefused()
    {
        // Class 2 has a row of weight 1e17 in fold 0 and rows of weight 1 in fold 1: fold 0's training rows do hold class 2.
        var data0 = Cv3();
        double[] w = [.. Enumerable.Repeat(1.0, data0.Rows)];
        int[] folds = [.. Enumerable.Range(0, data0.Rows).Select(i => i % 2)];
        int first2 = Enumerable.Range(0, data0.Rows).First(i => data0.Labels.Span[i] == 2 && folds[i] == 0);
        w[first2] = 1e17;
        var data = D(data0.Features.ToArray(), data0.Labels.ToArray(), 3, w);
        CrossValidationResult r = CrossValidation.Run(data, new TrainingOptions { L2 = 1e-2 }, new CrossValidationOptions { Folds = 2, FoldOfRow = folds, CValues = [1.0] });
        Assert.Single(r.Points);
    }

    [Fact]
    public void HugeWeightRowAloneInTheFoldAndOneOrdinaryOutsideIsNotRefused()
    {
        var data0 = Cv3();
        double[] w = [.. Enumerable.Repeat(1.0, data0.Rows)];
        int[] folds = [.. Enumerable.Range(0, data0.Rows).Select(i => data0.Labels.Span[i] == 2 ? 0 : i % 2)];
        int[] twos = [.. Enumerable.Range(0, data0.Rows).Where(i => data0.Labels.Span[i] == 2)];
        w[twos[0]] = 1e17;
        folds[twos[^1]] = 1; // one class-2 row of weight 1 outside fold 0
        var data = D(data0.Features.ToArray(), data0.Labels.ToArray(), 3, w);
        CrossValidationResult r = CrossValidation.Run(data, new TrainingOptions { L2 = 1e-2 }, new CrossValidationOptions { Folds = 2, FoldOfRow = folds, CValues = [1.0] });
        Assert.Single(r.Points);
    }

    [Fact]
    public void ClassPresentOnlyWithZeroWeightProbe()
    {
        var data0 = Cv3();
        double[] w = [.. data0.Labels.ToArray().Select(v => v == 2 ? 0.0 : 1.0)];
        var data = D(data0.Features.ToArray(), data0.Labels.ToArray(), 3, w);
        var e = Record.Exception(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 3, CValues = [1.0] }));
        Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.Contains("2", e!.Message);
    }

    [Fact]
    public void CGridIsAscendingDuplicatesKeptAndThreadsBitIdentical()
    {
        var data = Cv3();
        var cv = new CrossValidationOptions { Folds = 3, CValues = [10.0, 0.1, 1.0, 1.0, 0.01] };
        CrossValidationResult a = CrossValidation.Run(data, new TrainingOptions { MaxDegreeOfParallelism = 1 }, cv);
        CrossValidationResult b = CrossValidation.Run(data, new TrainingOptions { MaxDegreeOfParallelism = 2 }, cv);
        Assert.Equal(new[] { 0.01, 0.1, 1.0, 1.0, 10.0 }, a.Points.Select(p => p.C).ToArray());
        for (int k = 1; k < a.Points.Count; k++)
        {
            Assert.True(a.Points[k].Lambda <= a.Points[k - 1].Lambda);
        }

        Assert.Equal(a.Points[2], a.Points[3]);
        for (int k = 0; k < a.Points.Count; k++)
        {
            Assert.True(a.Points[k].Equals(b.Points[k]), $"point {k}: {a.Points[k]} vs {b.Points[k]}");
        }

        Assert.Equal(a.Best, b.Best);
    }

    [Fact]
    public void CliFoldWithoutAClassIsExitTwoNamingFolds()
    {
        using var dir = new TempDirectory();
        // 3 classes, class 2 has 2 rows: with 3 folds one fold's training rows... stratified puts them in 2 folds; 2 rows
        // of class 2 at 3 folds leaves a fold whose training rows still hold one. Use 1 row of class 2 and 2 folds.
        var lines = new List<string> { "a,b,y" };
        for (int i = 0; i < 20; i++)
        {
            lines.Add($"{i * 0.1},{(i % 4) * 0.3},{i % 2}");
        }

        lines.Add("0.5,0.5,2");
        string csv = dir.Write("d.csv", string.Join("\n", lines) + "\n");
        (int code, _, string error) = FastLogReg.Tests.Cli.Tool.Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "2", "--count", "3");
        Assert.Equal(2, code);
        Assert.Contains("--folds 2", error);
        Assert.Contains("class 2", error);
        Assert.DoesNotContain("   at ", error);
    }
}
