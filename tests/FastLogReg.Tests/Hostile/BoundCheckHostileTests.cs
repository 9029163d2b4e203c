using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;
using static FastLogReg.Tests.Hostile.CoordinateDescentPathHostileTests;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of coordinate descent's bound check of the screened columns along a path (NewGlmnet&lt;T&gt;.CheckScreened /
/// CertifyByBound, commit 9aba67a): a column at zero is settled without summing it when |g°ⱼ| + ‖x̃ⱼ‖·‖r − r°‖ &lt; λρ.
/// Oracles: the exact KKT conditions at every point, computed here from the data (centred and scaled as the solver
/// sees it, with the normalized row weights); cold fits at each λ; bit-identity across thread counts; the same
/// standardized problem at another column scale.
/// </summary>
public sealed class BoundCheckHostileTests(ITestOutputHelper output)
{
    private static TrainingOptions Tight(double rho = 1, bool standardize = false, bool intercept = true, int? threads = 1) =>
        new() { L1Ratio = rho, Solver = Solver.CoordinateDescent, Tolerance = 1e-10, MaxIterations = 100_000, Standardize = standardize, FitIntercept = intercept, MaxDegreeOfParallelism = threads };

    /// <summary>
    /// The largest violation over the path of |gⱼ| ≤ λρ by a weight at zero, in units of λ_max: gⱼ = Σ sᵢ(pᵢ − yᵢ)(xᵢⱼ − μⱼ)/σⱼ
    /// from the row-major <paramref name="x"/> (the data set's values), s the normalized row weights, μ and σ the
    /// data set's standardization (or 0 and 1).
    /// </summary>
    internal static double KktWorst<T>(Dataset<T> data, double[] x, TrainingOptions options, RegularizationPath path, ITestOutputHelper? log = null)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        int n = data.Rows, d = data.Columns;
        double[] s = LogisticRegression.NormalizedRowWeights(data, options.ClassWeights);
        double[] y = [.. data.Labels.ToArray().Select(v => double.CreateTruncating(v))];
        FeatureScaling? scaling = options.Standardize ? FeatureScaling.Compute(data, 1) : null;
        double worst = double.NegativeInfinity;
        foreach (PathPoint point in path.Points)
        {
            ReadOnlySpan<double> w = point.Model.Weights;
            double[] gradient = new double[d];
            for (int i = 0; i < n; i++)
            {
                double z = point.Model.Bias;
                for (int j = 0; j < d; j++)
                {
                    z += w[j] * x[(i * d) + j];
                }

                double residual = s[i] * ((1 / (1 + Math.Exp(-z))) - y[i]);
                for (int j = 0; j < d; j++)
                {
                    double mu = scaling?.Means[j] ?? 0, sigma = scaling?.Scales[j] ?? 1;
                    gradient[j] += residual * ((x[(i * d) + j] - mu) / sigma);
                }
            }

            double pointWorst = double.NegativeInfinity;
            for (int j = 0; j < d; j++)
            {
                if (w[j] == 0)
                {
                    pointWorst = Math.Max(pointWorst, (Math.Abs(gradient[j]) - (point.Lambda * options.L1Ratio)) / path.LambdaMax);
                }
            }

            log?.WriteLine($"λ={point.Lambda:G4} {point.StopReason} it={point.Iterations} nz={point.NonZeroWeights} passes={point.DataPasses:F1} kkt={pointWorst:G3}");
            worst = Math.Max(worst, pointWorst);
        }

        return worst;
    }

    private static string Fingerprint(RegularizationPath path) => string.Join("|", path.Points.Select(p =>
        $"{p.Lambda:R};{p.Objective:R};{p.Iterations};{p.DataPasses:R};{p.StopReason};{p.Model.Bias:R};{string.Join(",", p.Model.Weights.ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}"));

    /// <summary>
    /// n × d: Gaussian noise columns, with column 0 = u and column <paramref name="d"/> − 1 = 0.8u + 0.6e (a suppressor):
    /// the label's margin −0.9u + 1.2e·k makes the last column uncorrelated with the labels at λ_max (its gradient ≈ 0
    /// there) and strongly needed once column 0 is in. The last column is multiplied by <paramref name="scale"/>.
    /// </summary>
    internal static (double[] X, double[] Y) Suppressor(int n, int d, int seed, double scale)
    {
        var rng = new Random(seed);
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u = Normal(rng), e = Normal(rng);
            for (int j = 1; j < d - 1; j++)
            {
                x[(i * d) + j] = Normal(rng);
            }

            double v = (0.8 * u) + (0.6 * e);
            x[i * d] = u;
            x[(i * d) + d - 1] = v * scale;
            double z = (2 * (-2.5 * u)) + (2 * 2 * v);
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        y[0] = 1;
        y[1] = 0;
        return (x, y);
    }

    // ==== Standardized columns of extreme magnitude ================================================================

    /// <summary>
    /// A standardized column of values around 10⁻¹⁷⁰ (allowed: standardization handles data down to 10⁻³⁰⁰) is the same
    /// problem as the column at scale 1. Its ‖x̃ⱼ‖ must be ‖xⱼ − μⱼ‖/σⱼ ≈ √n; squared before the scaling the squares
    /// underflow to 0, the bound collapses to |g°ⱼ| and the column is settled at zero wherever it was small at the
    /// reference — whatever r has done since.
    /// </summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(1e150)]
    [InlineData(1e-170)] // failed with or without the bound (KKT violated by 0.002 and 0.008 λ_max) until the column
    [InlineData(1e-200)] // copy kept such columns in units of their own: the Hessian diagonal Σ D x² underflowed
    public void TinyOrHugeStandardizedData_GivesTheUnitScalePath_AndMeetsTheExactKkt(double scale)
    {
        const int n = 400, d = 30;
        (double[] x1, double[] y) = Suppressor(n, d, 3, 1.0);
        double[] x = [.. x1.Select(v => v * scale)]; // every column: the data set's magnitude decides how σ is summed
        var options = Tight(standardize: true);
        var pathOptions = new PathOptions { Count = 40 };
        DenseDataset<double> data = DenseDataset.Create(x, y, d);
        RegularizationPath path = RegularizationPath.Compute(data, options, pathOptions);
        RegularizationPath unit = RegularizationPath.Compute(DenseDataset.Create(x1, y, d), options, pathOptions);
        double worst = KktWorst(data, x, options, path, output);
        var failures = new List<string>();
        for (int k = 0; k < path.Points.Count; k++)
        {
            PathPoint a = path.Points[k], b = unit.Points[k];
            if (!(Math.Abs(a.Objective - b.Objective) <= 1e-8 * Math.Abs(b.Objective)) || !Support(a.Model).SequenceEqual(Support(b.Model)))
            {
                failures.Add($"λ={a.Lambda:G4}: f={a.Objective:R} nz=[{string.Join(",", Support(a.Model))}] vs unit scale f={b.Objective:R} nz=[{string.Join(",", Support(b.Model))}]");
            }
        }

        Assert.True(worst <= 1e-8, $"a weight at zero violates |g| <= λρ by {worst:G3} λ_max\n" + string.Join("\n", failures));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// FOUND: ‖x̃ⱼ‖ squared the raw deviations before scaling them, so standardized data of magnitude 10⁻¹⁷⁰ (accepted, and
    /// standardized through FeatureScaling's per-column units) gets ‖x̃ⱼ‖ = 0 instead of ≈ √n — the bound collapses to |g°ⱼ|
    /// and certifies a column at zero however far r has moved — and data of 10¹⁵⁰ gets ∞ (safe, but no column is ever settled).
    /// </summary>
    [Theory]
    [InlineData(1.0, false, true)]
    [InlineData(1e-170, false, true)]
    [InlineData(1e-200, false, true)]
    [InlineData(1e-170, true, true)]
    [InlineData(1e150, false, true)]
    [InlineData(1e150, true, true)]
    [InlineData(1e200, false, true)]
    [InlineData(1e200, true, true)]
    [InlineData(1e-170, false, false)] // raw columns (μ = 0, 1/σ = 1): the squares of 10⁻¹⁷⁰ underflow all the same
    [InlineData(1e-170, true, false)]
    [InlineData(1e150, false, false)]
    public void CentredColumnNormsAreRight_AtAnyMagnitude(double scale, bool sparse, bool standardized)
    {
        const int n = 200, d = 6;
        (double[] x1, double[] y) = Gaussian(n, d, 13, offset: 0.7);
        double[] unscaled = sparse ? Sparsify(x1, d) : x1;
        double[] x = [.. unscaled.Select(v => v * scale)];
        Dataset<double> data = sparse ? ToCsr(x, y, d, 1.0, 2) : DenseDataset.Create(x, y, d);
        FeatureScaling scaling = FeatureScaling.Compute(data, 1);
        double[] mu = standardized ? scaling.Means.ToArray() : new double[d];
        double[] inv = standardized ? [.. scaling.Scales.ToArray().Select(v => 1 / v)] : [.. Enumerable.Repeat(1.0, d)];
        using ColumnCopy<double> copy = ColumnCopy<double>.From(data);
        double[] copyMu = [.. mu], copyInv = [.. inv];
        for (int j = 0; j < d && copy.Offsets is { } offsets; j++)
        {
            copyMu[j] -= offsets[j];
        }

        if (copy.Units is { } units)
        {
            // The copy holds extreme columns in units of their own; the solver folds them into μ and 1/σ the same way.
            for (int j = 0; j < d; j++)
            {
                copyMu[j] /= units[j];
                copyInv[j] *= units[j];
            }
        }

        double[] norms = NewGlmnet<double>.CentredColumnNorms(copy, copyMu, copyInv, n);
        for (int j = 0; j < d; j++)
        {
            double squares = 0;
            for (int i = 0; i < n; i++)
            {
                double c = (x[(i * d) + j] - mu[j]) * inv[j];
                squares += c * c;
            }

            double expected = Math.Sqrt(squares);
            if (!standardized)
            {
                // Raw: scale·‖unscaled column‖ (its own squares would underflow or overflow as the code's did).
                squares = 0;
                for (int i = 0; i < n; i++)
                {
                    squares += unscaled[(i * d) + j] * unscaled[(i * d) + j];
                }

                expected = scale * Math.Sqrt(squares);
            }

            Assert.True(expected > 0 && double.IsFinite(expected), $"column {j}: the test's own norm {expected}");
            Assert.True(Math.Abs(norms[j] - expected) <= 1e-9 * expected, $"column {j}: ‖x̃‖ = {norms[j]:R}, expected {expected:R}");
        }
    }

    /// <summary>The same with sparse data (the centred norm adds (n − nnz)·μ² for the implicit zeros; μ ≠ 0 when standardized).</summary>
    [Theory]
    [InlineData(1.0)]
    [InlineData(1e-170)]
    public void ATinyStandardizedSparseColumn_MeetsTheExactKkt(double scale)
    {
        const int n = 400, d = 30;
        (double[] x, double[] y) = Suppressor(n, d, 5, scale);
        var rng = new Random(9);
        for (int k = 0; k < x.Length; k++)
        {
            if (k % d != 0 && k % d != d - 1 && rng.NextDouble() < 0.6)
            {
                x[k] = 0;
            }
        }

        SparseDataset<double> data = ToCsr(x, y, d, 1.0, 1);
        var options = Tight(standardize: true);
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 40 });
        double worst = KktWorst(data, x, options, path, output);
        Assert.True(worst <= 1e-8, $"a weight at zero violates |g| <= λρ by {worst:G3} λ_max");
    }

    // ==== Settings the bound must see through ========================================================================

    public static TheoryData<string> Cases => new()
    {
        "dense-raw", "dense-std", "dense-offset-raw", "sparse-raw", "sparse-std", "weights-std", "balanced-raw", "noint-raw", "noint-std",
        "noint-sparse-std", "enet0.01", "enet0.3-std", "float-raw", "float-std", "degenerate-raw", "degenerate-std", "scale1e6-raw",
        "separable-raw", "tol1e-12",
    };

    private static (Dataset<double> Data, double[] X, TrainingOptions Options) Case(string kind)
    {
        const int n = 300, d = 40;
        (double[] x, double[] y) = Gaussian(n, d, 11, offset: kind.Contains("offset") ? 3 : 0.5);
        TrainingOptions options = Tight(standardize: kind.Contains("std"), intercept: !kind.StartsWith("noint", StringComparison.Ordinal));
        double[]? weights = null;
        switch (kind)
        {
            case "weights-std":
                var rng = new Random(2);
                weights = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.2 ? 0.0 : 5 * rng.NextDouble())];
                weights[0] = weights[1] = 1;
                break;
            case "balanced-raw":
                for (int i = 2; i < n; i++)
                {
                    y[i] = i % 5 == 0 ? y[i] : 0; // imbalanced
                }

                options = options with { ClassWeights = ClassWeights.Balanced };
                break;
            case "enet0.01":
                options = options with { L1Ratio = 0.01 };
                break;
            case "enet0.3-std":
                options = options with { L1Ratio = 0.3 };
                break;
            case "degenerate-raw" or "degenerate-std":
                for (int i = 0; i < n; i++)
                {
                    x[(i * d) + 10] = 0; // all zero
                    x[(i * d) + 11] = 7.25; // constant
                    x[(i * d) + 12] = 1e-9 * x[i * d]; // a tiny copy of a model column
                    x[(i * d) + 13] = 1e6 * x[(i * d) + 2]; // a huge copy
                    x[(i * d) + 14] = x[(i * d) + 1]; // an exact duplicate
                }

                break;
            case "scale1e6-raw":
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = (x[k] * 1e3) + 1e6;
                }

                break;
            case "separable-raw":
                for (int i = 0; i < n; i++)
                {
                    y[i] = x[i * d] - x[(i * d) + 1] > 0 ? 1 : 0;
                }

                break;
            case "tol1e-12":
                options = options with { Tolerance = 1e-12 };
                break;
        }

        Dataset<double> data = kind.Contains("sparse")
            ? ToCsr(Sparsify(x, d), y, d, 1.0, 3)
            : DenseDataset.Create(x, y, d, weights);
        return (data, kind.Contains("sparse") ? Sparsify(x, d) : x, options);
    }

    /// <summary>Zeros ~half the values of columns 5 and beyond (in place; returns the array).</summary>
    private static double[] Sparsify(double[] x, int d)
    {
        var rng = new Random(17);
        for (int k = 0; k < x.Length; k++)
        {
            if (k % d >= 5 && rng.NextDouble() < 0.5)
            {
                x[k] = 0;
            }
        }

        return x;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void EveryPointMeetsTheExactKkt_AndEqualsAColdFit(string kind)
    {
        (Dataset<double> data, double[] x, TrainingOptions options) = Case(kind);
        if (kind.StartsWith("float", StringComparison.Ordinal))
        {
            float[] xf = [.. x.Select(v => (float)v)];
            float[] yf = [.. data.Labels.ToArray().Select(v => (float)v)];
            var fdata = DenseDataset.Create(xf, yf, data.Columns);
            RegularizationPath fpath = RegularizationPath.Compute(fdata, options, new PathOptions { Count = 30 });
            double fworst = KktWorst(fdata, [.. xf.Select(v => (double)v)], options, fpath, output);
            Assert.True(fworst <= 1e-8, $"a weight at zero violates |g| <= λρ by {fworst:G3} λ_max");
            Assert.Empty(PathPredictorHostileTests.ColdFitFailures(fdata, options, fpath, 1e-8, pattern: true, output));
            return;
        }

        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 30 });
        double worst = KktWorst(data, x, options, path, output);
        Assert.True(worst <= 1e-8, $"a weight at zero violates |g| <= λρ by {worst:G3} λ_max");
        bool separable = kind.StartsWith("separable", StringComparison.Ordinal);
        Assert.Empty(PathPredictorHostileTests.ColdFitFailures(data, options, path, separable ? 1e-7 : 1e-8, pattern: !kind.StartsWith("degenerate", StringComparison.Ordinal) && !separable, output));
    }

    // ==== Explicit λ lists ===========================================================================================

    public static TheoryData<string> Lists => new() { "repeats", "zeros", "abovemax", "increasing", "dense-then-sparse" };

    [Theory]
    [MemberData(nameof(Lists))]
    public void AnExplicitLambdaList_MeetsTheExactKkt(string kind)
    {
        const int n = 300, d = 40;
        (double[] x, double[] y) = Gaussian(n, d, 21, offset: 0.5);
        DenseDataset<double> data = DenseDataset.Create(x, y, d);
        TrainingOptions options = Tight();
        double max = RegularizationPath.Compute(data, options, new PathOptions { Count = 1 }).LambdaMax;
        double[] lambdas = kind switch
        {
            "repeats" => [max * 0.5, max * 0.5, max * 0.2, max * 0.2, max * 0.2, max * 0.05, max * 0.05, max * 0.01],
            "zeros" => [max * 0.3, max * 0.1, 0, 0, max * 0.03],
            "abovemax" => [max * 10, max * 2, max, max * 0.9, max * 0.3, max * 0.299, max * 0.1],
            "increasing" => [.. Enumerable.Range(0, 25).Select(k => max * Math.Pow(0.8, 25 - k))],
            _ => [max * 0.9, max * 0.8, max * 0.002, max * 0.0019, max * 0.0018, max * 0.5, max * 0.49],
        };

        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Lambdas = lambdas });
        double worst = KktWorst(data, x, options, path, output);
        Assert.True(worst <= 1e-8, $"a weight at zero violates |g| <= λρ by {worst:G3} λ_max");
        Assert.Empty(PathPredictorHostileTests.ColdFitFailures(data, options, path, 1e-8, pattern: true, output));
    }

    // ==== Thread counts, early stops, cross-validation ===============================================================

    /// <summary>Large enough that the screened columns' sums run on the pool (count × n ≥ 2²⁰): 1, 2 and 8 threads give the same bits.</summary>
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    public void ThePathIsBitIdenticalAcrossThreadCounts(bool standardize, bool sparse)
    {
        const int n = 12_000, d = 120;
        (double[] x, double[] y) = Gaussian(n, d, 31, offset: 0.3);
        Dataset<double> data = sparse ? ToCsr(Sparsify(x, d), y, d, 1.0, 4) : DenseDataset.Create(x, y, d);
        var pathOptions = new PathOptions { Count = 12, MinRatio = 0.05 };
        string one = Fingerprint(RegularizationPath.Compute(data, Tight(standardize: standardize) with { Tolerance = 1e-7 }, pathOptions));
        string two = Fingerprint(RegularizationPath.Compute(data, Tight(standardize: standardize, threads: 2) with { Tolerance = 1e-7 }, pathOptions));
        string eight = Fingerprint(RegularizationPath.Compute(data, Tight(standardize: standardize, threads: 8) with { Tolerance = 1e-7 }, pathOptions));
        Assert.Equal(one, two);
        Assert.Equal(one, eight);
    }

    /// <summary>Points stopped by MaxIterations (their screened columns checked by the stop) leave a state the next point starts from: finite, thread-independent, and the last point, given room, exact.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void EarlyStoppedPoints_AreFiniteAndThreadIndependent(int maxIterations)
    {
        const int n = 300, d = 40;
        (double[] x, double[] y) = Gaussian(n, d, 41, offset: 0.5);
        DenseDataset<double> data = DenseDataset.Create(x, y, d);
        TrainingOptions options = Tight() with { MaxIterations = maxIterations };
        RegularizationPath a = RegularizationPath.Compute(data, options, new PathOptions { Count = 30 });
        RegularizationPath b = RegularizationPath.Compute(data, options with { MaxDegreeOfParallelism = 8 }, new PathOptions { Count = 30 });
        Assert.Equal(Fingerprint(a), Fingerprint(b));
        Assert.All(a.Points, p => Assert.True(AllFinite(p.Model) && double.IsFinite(p.Objective)));
        foreach (PathPoint p in a.Points.Where(p => p.StopReason == StopReason.Converged))
        {
            // A converged point is optimal whatever the points before it did.
            TrainingResult cold = LogisticRegression.Train(data, Tight() with { Lambda = p.Lambda });
            Assert.True(Math.Abs(p.Objective - cold.Report.FinalObjective) <= 1e-6 * Math.Abs(cold.Report.FinalObjective), $"λ={p.Lambda:G4} f={p.Objective:R} cold {cold.Report.FinalObjective:R}");
        }
    }

    [Fact]
    public void CrossValidation_IsThreadIndependent_AndItsRefitMeetsTheKkt()
    {
        const int n = 400, d = 30;
        (double[] x, double[] y) = Suppressor(n, d, 8, 1.0);
        DenseDataset<double> data = DenseDataset.Create(x, y, d);
        var cv = new CrossValidationOptions { Folds = 4, Seed = 3, Path = new PathOptions { Count = 30 } };
        CrossValidationResult one = CrossValidation.Run(data, Tight(standardize: true), cv);
        CrossValidationResult eight = CrossValidation.Run(data, Tight(standardize: true, threads: 8), cv);
        Assert.Equal(
            string.Join("|", one.Points.Select(p => $"{p.Lambda:R};{p.MeanLogLoss:R};{p.MeanNonZeroWeights:R}")),
            string.Join("|", eight.Points.Select(p => $"{p.Lambda:R};{p.MeanLogLoss:R};{p.MeanNonZeroWeights:R}")));
    }
}
