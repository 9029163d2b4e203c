using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of coordinate descent's state carried along a regularization path (NewGlmnet&lt;T&gt;): the sequential
/// strong rule and its KKT check, the Hessian snapshot reused across iterations and path points, the face solve, the
/// pooled column copy. The oracle: every path point is the optimum at its λ — a cold coordinate-descent fit and a tight
/// OWL-QN fit at the same λ reach the same objective.
/// </summary>
public sealed class CoordinateDescentPathHostileTests(ITestOutputHelper output)
{
    internal static double Normal(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    private static readonly TrainingOptions Tight = new() { L1Ratio = 1, Solver = Solver.CoordinateDescent, Tolerance = 1e-10, MaxIterations = 100_000 };

    /// <summary>n × d Gaussian columns (moved by <paramref name="offset"/>) with labels from a sparse logistic model of the unmoved values (both classes present).</summary>
    internal static (double[] X, double[] Y) Gaussian(int n, int d, int seed, double noise = 1, double offset = 0)
    {
        var rng = new Random(seed);
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double z = 0;
            for (int j = 0; j < d; j++)
            {
                double e = Normal(rng);
                x[(i * d) + j] = e + offset;
                z += j < 5 ? (j % 2 == 0 ? 1.5 : -1.0) * e : 0;
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z / noise)) ? 1 : 0;
        }

        y[0] = 1;
        if (n > 1)
        {
            y[1] = 0;
        }

        return (x, y);
    }

    /// <summary>Column j of a row-major array replaced by f(row).</summary>
    private static void SetColumn(double[] x, int d, int j, Func<int, double> f)
    {
        for (int i = 0; i < x.Length / d; i++)
        {
            x[(i * d) + j] = f(i);
        }
    }

    internal static bool AllFinite(LogisticModel m) => double.IsFinite(m.Bias) && m.Weights.ToArray().All(double.IsFinite);

    internal static int[] Support(LogisticModel m) => [.. Enumerable.Range(0, m.FeatureCount).Where(j => m.Weights[j] != 0)];

    /// <summary>
    /// Every path point against a cold coordinate-descent fit and a tight OWL-QN fit at its λ: converged, finite, the
    /// objective within <paramref name="rtol"/> of the better of the two (and not worse), and (when asked) the same zeros
    /// as the cold fit.
    /// </summary>
    private void AssertPathEqualsColdFits<T>(Dataset<T> data, TrainingOptions options, PathOptions pathOptions, double rtol = 1e-8, bool pattern = true, bool owl = true)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        RegularizationPath path = RegularizationPath.Compute(data, options, pathOptions);
        var failures = new List<string>();
        foreach (PathPoint p in path.Points)
        {
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = p.Lambda });
            double reference = cold.Report.FinalObjective;
            string owlText = string.Empty;
            if (owl && p.Lambda * options.L1Ratio > 0)
            {
                TrainingResult o = LogisticRegression.Train(data, options with { Lambda = p.Lambda, Solver = Solver.OwlQn, Tolerance = 1e-12, MaxIterations = 5_000 });
                owlText = $" owl {o.Report.StopReason} f={o.Report.FinalObjective:R}";
                if (double.IsFinite(o.Report.FinalObjective))
                {
                    reference = Math.Min(reference, o.Report.FinalObjective);
                }
            }

            string line = $"λ={p.Lambda:G4} path {p.StopReason} it={p.Iterations} f={p.Objective:R} nz={p.NonZeroWeights}; cold {cold.Report.StopReason} it={cold.Report.Iterations} f={cold.Report.FinalObjective:R} nz={cold.Report.NonZeroWeights}{owlText}";
            output.WriteLine(line);
            if (!AllFinite(p.Model) || !double.IsFinite(p.Objective))
            {
                failures.Add("non-finite: " + line);
            }

            // NoProgress is an honest stop where f no longer moves by an ulp (a 10⁹-scale column near λ_max, without SIMD):
            // accepted only at an objective no worse than the references'.
            bool stalledAtOptimum = p.StopReason == StopReason.NoProgress && p.Objective - reference <= rtol * Math.Max(Math.Abs(reference), 1e-300);
            if (p.StopReason != StopReason.Converged && !stalledAtOptimum)
            {
                failures.Add("not converged: " + line);
            }

            if (!(p.Objective - reference <= rtol * Math.Max(Math.Abs(reference), 1e-300)))
            {
                failures.Add($"objective {(p.Objective - reference) / Math.Abs(reference):E2} above: " + line);
            }

            if (!(Math.Abs(p.Objective - cold.Report.FinalObjective) <= rtol * Math.Abs(cold.Report.FinalObjective)))
            {
                failures.Add($"path vs cold {(p.Objective - cold.Report.FinalObjective) / Math.Abs(cold.Report.FinalObjective):E2}: " + line);
            }

            // (at λ_max itself w = 0 is optimal, but |g| = λρ to rounding: a cold fit may keep a weight of 10⁻¹⁷)
            if (pattern && p.Lambda < path.LambdaMax * (1 - 1e-9) && !Support(p.Model).SequenceEqual(Support(cold.Model)))
            {
                failures.Add($"zeros differ: path [{string.Join(",", Support(p.Model))}] cold [{string.Join(",", Support(cold.Model))}]: " + line);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    internal static SparseDataset<double> ToCsr(double[] x, double[] y, int d, double keep, int seed)
    {
        var rng = new Random(seed);
        var values = new List<double>();
        var cols = new List<int>();
        var starts = new List<long> { 0 };
        int n = y.Length;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                if (j == 0 || rng.NextDouble() < keep)
                {
                    values.Add(x[(i * d) + j]);
                    cols.Add(j);
                }
            }

            starts.Add(values.Count);
        }

        return SparseDataset.Create(CsrMatrix.Create<double>(values.ToArray(), cols.ToArray(), starts.ToArray(), d), y);
    }

    private static DenseDataset<double> FloatRoundedCopy(int n, double offset, int seed)
    {
        int d = 4;
        var rng = new Random(seed);
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double a = Normal(rng), b = Normal(rng), c = Normal(rng);
            x[i * d] = offset + a;
            x[(i * d) + 1] = (float)(offset + a); // the same feature, stored once as float
            x[(i * d) + 2] = b;
            x[(i * d) + 3] = c;
            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-(1.5 * a) + b)) ? 1 : 0;
        }

        return DenseDataset.Create(x, y, d);
    }

    // ==== FOUND AND FIXED (these failed before the face solve stepped part-way) =======================================

    /// <summary>n × 10: columns 5..9 are columns 0..4 plus ε·(independent noise) — 1 − r² ≈ ε².</summary>
    private static DenseDataset<double> NearDuplicates(double eps, double offset = 0)
    {
        int d = 10, n = 200;
        (double[] x, double[] y) = Gaussian(n, d, 14);
        for (int j = 5; j < d; j++)
        {
            int jj = j;
            SetColumn(x, d, j, i => x[(i * d) + jj - 5] + (eps * x[(i * d) + jj]));
        }

        for (int k = 0; k < x.Length; k++)
        {
            x[k] += offset;
        }

        return DenseDataset.Create(x, y, d);
    }

    /// <summary>
    /// FOUND AND FIXED: nearly duplicated active columns (1 − r² below Cholesky's RelativePivot 10⁻¹⁰) made the face solve refuse
    /// every time, and the inner solver then ran MaxGramSweeps = 2,000 sweeps per outer iteration and crept over
    /// thousands of outer iterations. Measured (MaxIterations 100,000): ε = 10⁻⁴: 51 iterations; ε = 10⁻⁶: 4,567
    /// iterations, 36,792 passes, 2 s; ε = 10⁻⁸: MaxIterations (100,000 iterations, ~10⁶ passes, 44 s) — OWL-QN stops
    /// in 1 ms at a lower objective. Exact duplicates (ε = 0) take 10. With a face solve that accepts the tiny pivot
    /// (Nu on the diagonal regularizes it) and steps to the first sign change / step limit instead of refusing, the same
    /// fits take 4–15 outer iterations.
    /// </summary>
    [Theory]
    [InlineData(1e-6, false)]
    [InlineData(1e-8, false)]
    [InlineData(1e-6, true)]
    public void NearDuplicateColumns_CoordinateDescentConvergesInFewOuterIterations(double eps, bool standardize)
    {
        DenseDataset<double> data = NearDuplicates(eps);
        var options = Tight with { Lambda = 0.01, Standardize = standardize, MaxIterations = 300 };
        TrainingResult cd = LogisticRegression.Train(data, options);
        TrainingResult owl = LogisticRegression.Train(data, options with { Solver = Solver.OwlQn, MaxIterations = 20_000 });
        output.WriteLine($"CD {cd.Report.StopReason} it={cd.Report.Iterations} passes={cd.Report.DataPasses:F0} f={cd.Report.FinalObjective:R}; OWL-QN {owl.Report.StopReason} it={owl.Report.Iterations} f={owl.Report.FinalObjective:R}");
        Assert.True(cd.Report.StopReason == StopReason.Converged && cd.Report.Iterations <= 100, $"{cd.Report.StopReason} after {cd.Report.Iterations} outer iterations, {cd.Report.DataPasses:F0} passes (ε = 10⁻⁴ takes 51, ε = 0 takes 10)");
    }

    /// <summary>
    /// FOUND AND FIXED (the same cause, reached by the default solver): a feature stored twice, once rounded to float (relative
    /// difference ~6·10⁻⁸), sitting at 50 ± 1 — an offset column, so Auto picks coordinate descent. 1,367–1,653 outer
    /// iterations and 2.7–3.3 million Hessian sweeps per fit on 200 × 4 (6–9 iterations with the face-solve change
    /// described above).
    /// </summary>
    [Theory]
    [InlineData(0.03)]
    [InlineData(1e-3)]
    public void FloatRoundedCopyOfAnOffsetColumn_AutoConvergesInFewOuterIterations(double lambda)
    {
        DenseDataset<double> data = FloatRoundedCopy(200, 50, 52);
        TrainingResult auto = LogisticRegression.Train(data, Tight with { Solver = Solver.Auto, Lambda = lambda, MaxIterations = 300 });
        output.WriteLine($"{auto.Report.Solver} {auto.Report.StopReason} it={auto.Report.Iterations} passes={auto.Report.DataPasses:F0} f={auto.Report.FinalObjective:R}");
        Assert.Equal(Solver.CoordinateDescent, auto.Report.Solver);
        Assert.True(auto.Report.StopReason == StopReason.Converged && auto.Report.Iterations <= 100, $"{auto.Report.StopReason} after {auto.Report.Iterations} outer iterations, {auto.Report.DataPasses:F0} passes");
    }

    /// <summary>
    /// FOUND AND FIXED (the same cause, on a path): with MaxIterations 300, 7 of the 8 points stopped at MaxIterations. (With
    /// 100,000, a 15-point path to 10⁻⁶·λ_max took 9,081, 2,558, 1,074, 493, 214 … iterations per point, ~40 s with the
    /// cold fits.)
    /// </summary>
    [Fact]
    public void NearDuplicateColumns_PathPointsConverge()
    {
        RegularizationPath path = RegularizationPath.Compute(NearDuplicates(1e-6), Tight with { MaxIterations = 300 }, new PathOptions { Count = 8 });
        output.WriteLine(string.Join("\n", path.Points.Select(p => $"λ={p.Lambda:G4} {p.StopReason} it={p.Iterations} f={p.Objective:R}")));
        Assert.All(path.Points, p => Assert.True(p.StopReason == StopReason.Converged, $"λ = {p.Lambda:G4}: {p.StopReason} after {p.Iterations} iterations"));
    }

    public static TheoryData<string> Scenarios() =>
    [
        "dup", "dupStd", "scales", "scalesStd", "offset", "offsetStd", "separable", "separableEnet", "enet05", "enet001",
        "grid", "gridZero", "gridZeroEnet", "weights", "classWeights", "noIntercept", "noInterceptStd", "sparse", "sparseStd",
        "rows2", "rows3", "d1", "wide", "wideEnet",
    ];

    /// <summary>
    /// Every path point equals a cold coordinate-descent fit (objective within 10⁻⁸, same zeros where the optimum's zeros
    /// are unique) and is no worse than a tight OWL-QN fit: duplicated / multiple / constant / zero columns, scales
    /// 10⁻⁹…10⁹ at the default grid, offset columns (|μ|/σ up to 10⁵), separable data to 10⁻⁶·λ_max, elastic net 0.5 and
    /// 0.01, explicit grids with repeats, jumps, λ &gt; λ_max and λ = 0, sample and class weights, no intercept,
    /// standardized, CSR, 2–3 rows, d = 1, 20 × 200.
    /// </summary>
    [Theory]
    [MemberData(nameof(Scenarios))]
    public void PathEqualsColdFits(string kind)
    {
        (Dataset<double> data, TrainingOptions options, PathOptions path, bool pattern) = Scenario(kind);
        AssertPathEqualsColdFits(data, options, path, 1e-8, pattern);
    }

    private static (Dataset<double> Data, TrainingOptions Options, PathOptions Path, bool Pattern) Scenario(string kind)
    {
        var options = Tight;
        var path = new PathOptions { Count = 12 };
        switch (kind)
        {
            case "dup" or "dupStd":
            {
                int d = 8;
                (double[] x, double[] y) = Gaussian(150, d, 2);
                SetColumn(x, d, 5, i => x[(i * d) + 0]); // duplicate of 0
                SetColumn(x, d, 6, i => -3 * x[(i * d) + 1]); // multiple of 1
                SetColumn(x, d, 7, i => 4.5); // constant
                SetColumn(x, d, 4, i => 0); // zero
                return (DenseDataset.Create(x, y, d), options with { Standardize = kind == "dupStd" }, path, false);
            }

            case "scales" or "scalesStd":
            {
                int d = 6;
                (double[] x, double[] y) = Gaussian(200, d, 3);
                double[] scale = [1e-9, 1e9, 1, 1e-4, 1e4, 1];
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] *= scale[k % d];
                }

                return (DenseDataset.Create(x, y, d), options with { Standardize = kind == "scalesStd" }, path with { MinRatio = 1e-5 }, true);
            }

            case "offset" or "offsetStd":
            {
                int d = 5;
                (double[] x, double[] y) = Gaussian(200, d, 4);
                double[] shift = kind.Contains("Extreme", StringComparison.Ordinal) ? [1e6, -1e6, 3e5, 0, 1e6] : [1e4, -1e5, 3e3, 0, 1e5];
                double[] scale = kind.Contains("Extreme", StringComparison.Ordinal) ? [1e-2, 1, 10, 1, 1] : [0.1, 1, 10, 1, 1];
                for (int k = 0; k < x.Length; k++)
                {
                    x[k] = shift[k % d] + (scale[k % d] * x[k]);
                }

                return (DenseDataset.Create(x, y, d), options with { Standardize = kind.EndsWith("Std", StringComparison.Ordinal) }, path, true);
            }

            case "separable" or "separableEnet":
            {
                int d = 4, n = 60;
                (double[] x, double[] y) = Gaussian(n, d, 5);
                for (int i = 0; i < n; i++)
                {
                    y[i] = x[i * d] + (0.3 * x[(i * d) + 1]) > 0 ? 1 : 0;
                }

                return (DenseDataset.Create(x, y, d), options with { L1Ratio = kind == "separable" ? 1 : 0.5 }, path with { MinRatio = 1e-6, Count = 15 }, true);
            }

            case "enet05" or "enet001":
            {
                int d = 12;
                (double[] x, double[] y) = Gaussian(150, d, 6);
                SetColumn(x, d, 11, i => x[(i * d) + 2] + (0.01 * x[(i * d) + 3]));
                return (DenseDataset.Create(x, y, d), options with { L1Ratio = kind == "enet05" ? 0.5 : 0.01 }, path, true);
            }

            case "grid" or "gridZero" or "gridZeroEnet":
            {
                int d = 8;
                (double[] x, double[] y) = Gaussian(120, d, 7, noise: 3);
                double[] lambdas = kind == "grid" ? [0.05, 0.05, 0.05, 1e-4, 0.3, 1e-4, 0.02, 1e-6, 10] : [0.05, 0.0, 1e-3, 0.0, 0.2];
                return (DenseDataset.Create(x, y, d), options with { L1Ratio = kind == "gridZeroEnet" ? 0.5 : 1 }, new PathOptions { Lambdas = lambdas }, true);
            }

            case "weights" or "classWeights":
            {
                int d = 6, n = 180;
                (double[] x, double[] y) = Gaussian(n, d, 8);
                double[]? w = kind == "weights" ? [.. Enumerable.Range(0, n).Select(i => i % 7 == 0 ? 0.0 : i % 5 == 0 ? 50.0 : 1.0)] : null;
                w?[0] = 1;
                w?[1] = 1;
                return (DenseDataset.Create(x, y, d, w), options with { ClassWeights = kind == "classWeights" ? ClassWeights.Of(1, 9) : ClassWeights.None }, path, true);
            }

            case "noIntercept" or "noInterceptStd":
            {
                int d = 6;
                (double[] x, double[] y) = Gaussian(150, d, 9);
                SetColumn(x, d, 5, i => 2 + (0.1 * x[(i * d) + 5]));
                return (DenseDataset.Create(x, y, d), options with { FitIntercept = false, Standardize = kind == "noInterceptStd" }, path, true);
            }

            case "sparse" or "sparseStd":
            {
                int d = 20, n = 200;
                (double[] x, double[] y) = Gaussian(n, d, 10);
                var rng = new Random(1);
                var values = new List<double>();
                var cols = new List<int>();
                var starts = new List<long> { 0 };
                for (int i = 0; i < n; i++)
                {
                    for (int j = 0; j < d; j++)
                    {
                        if (j < 3 || rng.NextDouble() < 0.3)
                        {
                            values.Add(j == 0 ? 5 + x[(i * d) + j] : x[(i * d) + j]);
                            cols.Add(j);
                        }
                    }

                    starts.Add(values.Count);
                }

                var sparse = SparseDataset.Create(CsrMatrix.Create<double>(values.ToArray(), cols.ToArray(), starts.ToArray(), d), y);
                return (sparse, options with { Standardize = kind == "sparseStd" }, path, true);
            }

            case "rows2" or "rows3":
            {
                int n = kind == "rows2" ? 2 : 3, d = 3;
                (double[] x, double[] y) = Gaussian(n, d, 11);
                return (DenseDataset.Create(x, y, d), options, path with { MinRatio = 1e-3 }, false);
            }

            case "d1":
            {
                (double[] x, double[] y) = Gaussian(100, 1, 12);
                return (DenseDataset.Create(x, y, 1), options, path, true);
            }

            case "wide" or "wideEnet":
            {
                int n = 20, d = 200;
                (double[] x, double[] y) = Gaussian(n, d, 13);
                return (DenseDataset.Create(x, y, d), options with { L1Ratio = kind == "wide" ? 1 : 0.5 }, path with { MinRatio = 1e-2 }, false);
            }

            default:
                throw new ArgumentException(kind);
        }
    }

    /// <summary>Concurrent fits and paths on shared data (the pool must not hand one array to two fits) equal sequential ones bit for bit.</summary>
    [Fact]
    public void ConcurrentFitsAndPaths_EqualSequentialOnes()
    {
        int n = 300, d = 20;
        (double[] x, double[] y) = Gaussian(n, d, 21);
        SetColumn(x, d, 3, i => 100 + x[(i * d) + 3]);
        var dense = DenseDataset.Create(x, y, d);
        var sparse = ToCsr(x, y, d, 0.4, 3);
        double[] lambdas = [0.05, 0.01, 3e-3, 1e-3, 3e-4, 1e-4, 3e-5, 1e-5];
        Func<int, double[]> fit = k =>
        {
            TrainingOptions o = Tight with { Lambda = lambdas[k % lambdas.Length], L1Ratio = k % 3 == 0 ? 0.5 : 1, Standardize = k % 4 == 1 };
            if (k % 5 == 4)
            {
                RegularizationPath p = RegularizationPath.Compute(dense, o, new PathOptions { Count = 6 });
                return [.. p.Points.SelectMany(q => q.Model.Weights.ToArray().Append(q.Objective))];
            }

            TrainingResult r = k % 2 == 0 ? LogisticRegression.Train(dense, o) : LogisticRegression.Train(sparse, o);
            return [.. r.Model.Weights.ToArray(), r.Model.Bias, r.Report.FinalObjective, r.Report.Iterations];
        };

        const int count = 32;
        double[][] sequential = [.. Enumerable.Range(0, count).Select(fit)];
        for (int round = 0; round < 3; round++)
        {
            double[][] parallel = new double[count][];
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = 8 }, k => parallel[k] = fit(k));
            for (int k = 0; k < count; k++)
            {
                Assert.True(sequential[k].SequenceEqual(parallel[k]), $"fit {k}, round {round}");
            }
        }
    }

    /// <summary>Every pool bucket filled with NaN / out-of-range row indices: fits and paths (dense and CSR) are bit-identical, and a finished fit's results are untouched.</summary>
    [Fact]
    public void PoisonedArrayPool_FitsAndPathsAreUnchanged()
    {
        int n = 300, d = 20;
        (double[] x, double[] y) = Gaussian(n, d, 22);
        var dense = DenseDataset.Create(x, y, d);
        var sparse = ToCsr(x, y, d, 0.4, 4);
        TrainingOptions o = Tight with { Lambda = 1e-3 };
        TrainingResult denseClean = LogisticRegression.Train(dense, o), sparseClean = LogisticRegression.Train(sparse, o);
        RegularizationPath pathClean = RegularizationPath.Compute(dense, o, new PathOptions { Count = 8 });
        double[] denseWeights = denseClean.Model.Weights.ToArray(), pathObjectives = [.. pathClean.Points.Select(p => p.Objective)];
        double[] pathWeights = [.. pathClean.Points.SelectMany(p => p.Model.Weights.ToArray())];

        // Every pool bucket from 1,024 to 2²⁰ values now holds arrays of NaN / garbage row indices.
        for (int size = 1024; size <= 1 << 20; size *= 2)
        {
            var rented = new List<double[]>();
            var ints = new List<int[]>();
            for (int k = 0; k < 4; k++)
            {
                double[] a = System.Buffers.ArrayPool<double>.Shared.Rent(size);
                Array.Fill(a, double.NaN);
                rented.Add(a);
                int[] b = System.Buffers.ArrayPool<int>.Shared.Rent(size);
                Array.Fill(b, int.MaxValue);
                ints.Add(b);
            }

            rented.ForEach(a => System.Buffers.ArrayPool<double>.Shared.Return(a));
            ints.ForEach(a => System.Buffers.ArrayPool<int>.Shared.Return(a));
        }

        // nothing a finished fit returned refers to a pooled array
        Assert.Equal(denseWeights, denseClean.Model.Weights.ToArray());
        Assert.Equal(pathObjectives, pathClean.Points.Select(p => p.Objective).ToArray());
        Assert.Equal(pathWeights, pathClean.Points.SelectMany(p => p.Model.Weights.ToArray()).ToArray());

        TrainingResult denseAgain = LogisticRegression.Train(dense, o), sparseAgain = LogisticRegression.Train(sparse, o);
        RegularizationPath pathAgain = RegularizationPath.Compute(dense, o, new PathOptions { Count = 8 });
        Assert.Equal(denseClean.Model.Weights.ToArray(), denseAgain.Model.Weights.ToArray());
        Assert.Equal(sparseClean.Model.Weights.ToArray(), sparseAgain.Model.Weights.ToArray());
        Assert.Equal(pathClean.Points.Select(p => p.Objective), pathAgain.Points.Select(p => p.Objective));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void WarmStartFromAPathPoint_MatchesTheColdFit(bool standardize)
    {
        int n = 250, d = 12;
        (double[] x, double[] y) = Gaussian(n, d, 23);
        SetColumn(x, d, 2, i => 500 + (3 * x[(i * d) + 2]));
        var data = DenseDataset.Create(x, y, d);
        TrainingOptions o = Tight with { Standardize = standardize, L1Ratio = 0.7 };
        RegularizationPath path = RegularizationPath.Compute(data, o, new PathOptions { Count = 10 });
        for (int k = 1; k < path.Points.Count; k++)
        {
            PathPoint p = path.Points[k];
            TrainingResult same = LogisticRegression.Train(data, o with { Lambda = p.Lambda, InitialModel = p.Model });
            TrainingResult next = LogisticRegression.Train(data, o with { Lambda = p.Lambda * 0.7, InitialModel = p.Model });
            TrainingResult cold = LogisticRegression.Train(data, o with { Lambda = p.Lambda * 0.7 });
            output.WriteLine($"λ={p.Lambda:G4}: path f={p.Objective:R}; warm same {same.Report.StopReason} it={same.Report.Iterations} f={same.Report.FinalObjective:R}; warm next {next.Report.StopReason} it={next.Report.Iterations} f={next.Report.FinalObjective:R} cold f={cold.Report.FinalObjective:R}");
            Close.Equal(p.Objective, same.Report.FinalObjective, 1e-9, 0, $"same λ {p.Lambda}");
            Assert.True(same.Report.Iterations <= 3, $"{same.Report.Iterations} iterations from the path's own model");
            Close.Equal(cold.Report.FinalObjective, next.Report.FinalObjective, 1e-9, 0, $"next λ {p.Lambda * 0.7}");
            Assert.Equal(Support(cold.Model), Support(next.Model));
        }
    }

    [Fact]
    public void FloatData_PathEqualsColdFits()
    {
        int n = 300, d = 8;
        (double[] x, double[] y) = Gaussian(n, d, 24);
        SetColumn(x, d, 1, i => 1e4 + x[(i * d) + 1]);
        SetColumn(x, d, 2, i => 1e-3 * x[(i * d) + 2]);
        float[] xf = [.. x.Select(v => (float)v)], yf = [.. y.Select(v => (float)v)];
        AssertPathEqualsColdFits(DenseDataset.Create(xf, yf, d), Tight, new PathOptions { Count = 12 }, 1e-8, true, owl: false);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.3)]
    public void MoreColumnsThanTheSnapshotHolds_PathEqualsColdFits(double rho)
    {
        int n = 40, d = 700;
        (double[] x, double[] y) = Gaussian(n, d, 25, noise: 0.5);
        AssertPathEqualsColdFits(DenseDataset.Create(x, y, d), Tight with { L1Ratio = rho, MaxIterations = 20_000 }, new PathOptions { Count = 8, MinRatio = 1e-3 }, 1e-8, false, owl: false);
    }

    [Fact]
    public void SparseColumns_UseTheHessianSnapshot_AndConverge()
    {
        int n = 300, d = 30;
        (double[] x, double[] y) = Gaussian(n, d, 26);
        for (int j = 15; j < d; j++)
        {
            int jj = j;
            SetColumn(x, d, j, i => x[(i * d) + jj - 15] + (0.05 * x[(i * d) + jj]));
        }

        var sparse = ToCsr(x, y, d, 0.7, 5);
        using var columns = ColumnCopy<double>.From(sparse);
        var solver = new NewGlmnet<double>(columns, sparse.Labels.Span, LogisticRegression.NormalizedRowWeights(sparse, ClassWeights.None), FeatureScaling.Compute(sparse, 1), fitIntercept: true);
        var rules = new StoppingRules(100_000, 1e-10, 1.0, null, () => 0, default);
        double[] start = new double[d + 1];
        double? previous = null;
        foreach (double l1 in new[] { 0.1, 0.03, 0.01, 3e-3, 1e-3, 1e-4, 1e-5 })
        {
            OptimizationResult r = solver.Minimize(l1, 0, start, rules, _ => { }, previous);
            output.WriteLine($"l1 {l1}: {r.StopReason} it={r.Iterations} f={r.Objective:R}");
            Assert.Equal(StopReason.Converged, r.StopReason);
            start = r.Point;
            previous = l1;
        }

        // Fifteen near-duplicate column pairs (a CSR copy): the sweeps switch to the active columns' snapshot, built from
        // sparse dot products (until 2026-12-05 the snapshot was dense-only and sparse fits crept on column sweeps).
        Assert.True(solver.GramSweepCount > 0, "the sparse fit never used the snapshot");
    }

    /// <summary>Paths cancelled part-way (between or inside fits) throw or end on a Cancelled point; the column copies they return leave later paths unchanged.</summary>
    [Fact]
    public void CancelledPaths_ThenTheSamePathAgain()
    {
        int n = 400, d = 30;
        (double[] x, double[] y) = Gaussian(n, d, 27);
        var data = DenseDataset.Create(x, y, d);
        TrainingOptions o = Tight;
        RegularizationPath reference = RegularizationPath.Compute(data, o, new PathOptions { Count = 20 });
        var timer = System.Diagnostics.Stopwatch.StartNew();
        RegularizationPath.Compute(data, o, new PathOptions { Count = 100 });
        double full = timer.Elapsed.TotalMilliseconds;
        int cancelledWithin = 0;
        for (int k = 1; k <= 12; k++)
        {
            // a token that fires part-way through (inside a fit, mostly): the fit stops, the path throws
            using var cts = new CancellationTokenSource();
            var at = TimeSpan.FromMilliseconds(full * k / 14);
            using var timerThread = new Timer(_ => cts.Cancel(), null, at, Timeout.InfiniteTimeSpan);
            RegularizationPath? partial = null;
            Exception? e = Record.Exception(() => partial = RegularizationPath.Compute(data, o, new PathOptions { Count = 100 }, cts.Token));
            if (e is null && partial!.Points.Any(p => p.StopReason == StopReason.Cancelled))
            {
                cancelledWithin++;
            }

            Assert.True(e is null or OperationCanceledException, e?.ToString());
            Assert.True(e is not null || !cts.IsCancellationRequested || partial!.Points[^1].StopReason is StopReason.Cancelled or StopReason.Converged, "cancelled");
        }

        output.WriteLine($"full path {full:F1} ms; returned with a cancelled point {cancelledWithin} times");

        RegularizationPath again = RegularizationPath.Compute(data, o, new PathOptions { Count = 20 });
        Assert.Equal(reference.Points.Select(p => p.Objective), again.Points.Select(p => p.Objective));
    }

    [Fact]
    public void Path_IsInvariantToRowDuplicationColumnOrderAndUnits()
    {
        int n = 150, d = 10;
        (double[] x, double[] y) = Gaussian(n, d, 31, noise: 2);
        SetColumn(x, d, 4, i => 40 + (0.5 * x[(i * d) + 4]));
        var lambdas = new PathOptions { Lambdas = [0.08, 0.03, 0.01, 3e-3, 1e-3, 3e-4, 1e-4, 1e-5] };

        // rows duplicated = weight 2
        double[] x2 = [.. x, .. x.Take(d * 50)];
        double[] y2 = [.. y, .. y.Take(50)];
        double[] w = [.. Enumerable.Range(0, n).Select(i => i < 50 ? 2.0 : 1.0)];
        foreach (TrainingOptions o in new[] { Tight, Tight with { Standardize = true, L1Ratio = 0.4 }, Tight with { FitIntercept = false } })
        {
            RegularizationPath a = RegularizationPath.Compute(DenseDataset.Create(x2, y2, d), o, lambdas);
            RegularizationPath b = RegularizationPath.Compute(DenseDataset.Create(x, y, d, w), o, lambdas);
            for (int k = 0; k < a.Points.Count; k++)
            {
                Close.Equal(a.Points[k].Objective, b.Points[k].Objective, 1e-9, 0, $"duplicated rows vs weights at λ {a.Points[k].Lambda}");
            }

            // columns permuted (reversed)
            double[] xr = new double[x.Length];
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    xr[(i * d) + j] = x[(i * d) + (d - 1 - j)];
                }
            }

            RegularizationPath c = RegularizationPath.Compute(DenseDataset.Create(x, y, d), o, lambdas);
            RegularizationPath r = RegularizationPath.Compute(DenseDataset.Create(xr, y, d), o, lambdas);
            for (int k = 0; k < c.Points.Count; k++)
            {
                Close.Equal(c.Points[k].Objective, r.Points[k].Objective, 1e-9, 0, $"columns reversed at λ {c.Points[k].Lambda}");
                Assert.Equal(c.Points[k].Model.Weights.ToArray().Select(v => v != 0).Reverse(), r.Points[k].Model.Weights.ToArray().Select(v => v != 0));
            }
        }

        // standardized: the path does not depend on the columns' units
        double[] xs = [.. x.Select((v, k) => (k % d) switch { 0 => v * 1e6, 1 => v * 1e-6, 2 => 3e3 + v, _ => v })];
        TrainingOptions std = Tight with { Standardize = true, L1Ratio = 0.8 };
        RegularizationPath p1 = RegularizationPath.Compute(DenseDataset.Create(x, y, d), std, new PathOptions { Count = 10 });
        RegularizationPath p2 = RegularizationPath.Compute(DenseDataset.Create(xs, y, d), std, new PathOptions { Count = 10 });
        Close.Equal(p1.LambdaMax, p2.LambdaMax, 1e-9, 0, "λ_max");
        for (int k = 0; k < p1.Points.Count; k++)
        {
            Close.Equal(p1.Points[k].Objective, p2.Points[k].Objective, 1e-9, 0, $"rescaled columns at λ {p1.Points[k].Lambda}");
            Assert.Equal(p1.Points[k].NonZeroWeights, p2.Points[k].NonZeroWeights);
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void SeparableData_PathDownToLambdaZero_StaysFinite(double rho)
    {
        int d = 3, n = 40;
        (double[] x, double[] y) = Gaussian(n, d, 32);
        for (int i = 0; i < n; i++)
        {
            y[i] = x[i * d] - x[(i * d) + 1] > 0 ? 1 : 0;
        }

        var data = DenseDataset.Create(x, y, d);
        TrainingOptions o = Tight with { L1Ratio = rho, MaxIterations = 2000 };
        RegularizationPath path = RegularizationPath.Compute(data, o, new PathOptions { Lambdas = [0.1, 1e-3, 1e-6, 1e-9, 0] });
        foreach (PathPoint p in path.Points)
        {
            output.WriteLine($"λ={p.Lambda:G4} {p.StopReason} it={p.Iterations} f={p.Objective:R} w=[{string.Join(", ", p.Model.Weights.ToArray().Select(v => v.ToString("G4")))}] b={p.Model.Bias:G4}");
            Assert.True(AllFinite(p.Model) && double.IsFinite(p.Objective), "finite");
        }

        TrainingResult zero = LogisticRegression.Train(data, o with { Lambda = 0 });
        output.WriteLine($"λ=0 Train: {zero.Report.StopReason} it={zero.Report.Iterations} f={zero.Report.FinalObjective:R}");
        Assert.True(AllFinite(zero.Model) && double.IsFinite(zero.Report.FinalObjective), "finite");
    }

    [Fact]
    public void RidgeOnlyCoordinateDescentPath_MatchesExactNewton()
    {
        int n = 200, d = 10;
        (double[] x, double[] y) = Gaussian(n, d, 33);
        SetColumn(x, d, 3, i => 2e3 + x[(i * d) + 3]);
        var data = DenseDataset.Create(x, y, d);
        TrainingOptions o = Tight with { L1Ratio = 0 };
        RegularizationPath path = RegularizationPath.Compute(data, o, new PathOptions { Count = 10, MinRatio = 1e-6 });
        foreach (PathPoint p in path.Points)
        {
            TrainingResult newton = LogisticRegression.Train(data, o with { Lambda = p.Lambda, Solver = Solver.NewtonCholesky });
            output.WriteLine($"λ={p.Lambda:G4} {p.StopReason} it={p.Iterations} f={p.Objective:R}; newton {newton.Report.StopReason} f={newton.Report.FinalObjective:R}");
            Assert.Equal(StopReason.Converged, p.StopReason);
            Close.Equal(newton.Report.FinalObjective, p.Objective, 1e-9, 0, $"λ {p.Lambda}");
        }
    }

    [Fact]
    public void OnePositiveRow_PathEqualsColdFits()
    {
        int n = 500, d = 6;
        (double[] x, double[] y) = Gaussian(n, d, 34);
        Array.Clear(y);
        y[17] = 1;
        AssertPathEqualsColdFits(DenseDataset.Create(x, y, d), Tight, new PathOptions { Count = 10, MinRatio = 1e-6 }, 1e-8, true, owl: true);
    }

    [Fact]
    public void FiveThousandColumnsNineRows_MatchOwlQn()
    {
        int n = 9, d = 5000;
        (double[] x, double[] y) = Gaussian(n, d, 35);
        var data = DenseDataset.Create(x, y, d);
        foreach (double lambda in new[] { 0.1, 0.02 })
        {
            TrainingResult cd = LogisticRegression.Train(data, Tight with { Lambda = lambda });
            TrainingResult owl = LogisticRegression.Train(data, Tight with { Lambda = lambda, Solver = Solver.OwlQn });
            output.WriteLine($"λ {lambda}: CD {cd.Report.StopReason} it={cd.Report.Iterations} f={cd.Report.FinalObjective:R} nz={cd.Report.NonZeroWeights}; OWL {owl.Report.StopReason} f={owl.Report.FinalObjective:R} nz={owl.Report.NonZeroWeights}");
            Close.Equal(owl.Report.FinalObjective, cd.Report.FinalObjective, 1e-8, 0, "objective");
        }
    }

    [Fact]
    public void IterationLimitsAndSingleClassData_StayFinite()
    {
        int n = 200, d = 15;
        (double[] x, double[] y) = Gaussian(n, d, 41);
        SetColumn(x, d, 3, i => 300 + x[(i * d) + 3]);
        var data = DenseDataset.Create(x, y, d);
        foreach (int max in new[] { 0, 1, 2, 5 })
        {
            foreach (double tol in new[] { 0.0, 1e-6 })
            {
                RegularizationPath path = RegularizationPath.Compute(data, Tight with { MaxIterations = max, Tolerance = tol, L1Ratio = 0.9 }, new PathOptions { Count = 15 });
                output.WriteLine($"max {max} tol {tol}: " + string.Join("; ", path.Points.Select(p => $"{p.StopReason} it={p.Iterations} f={p.Objective:G6}")));
                Assert.All(path.Points, p => Assert.True(AllFinite(p.Model) && double.IsFinite(p.Objective) && p.Iterations <= max));
            }
        }

        foreach (int rows in new[] { 1, 2, 5 })
        {
            (double[] xs, _) = Gaussian(rows, 3, 42);
            double[] ys = [.. Enumerable.Repeat(1.0, rows)];
            foreach (var o in new[] { Tight with { Lambda = 0.01 }, Tight with { Lambda = 0.01, FitIntercept = false }, Tight with { Lambda = 0.0 } })
            {
                Exception? e = Record.Exception(() =>
                {
                    TrainingResult r = LogisticRegression.Train(DenseDataset.Create(xs, ys, 3), o with { MaxIterations = 500 });
                    output.WriteLine($"{rows} rows of one class, λ {o.Lambda}, intercept {o.FitIntercept}: {r.Report.StopReason} it={r.Report.Iterations} f={r.Report.FinalObjective:G6} b={r.Model.Bias:G4} w=[{string.Join(", ", r.Model.Weights.ToArray().Select(v => v.ToString("G4")))}]");
                    Assert.True(AllFinite(r.Model) && double.IsFinite(r.Report.FinalObjective), "finite");
                });
                output.WriteLine(e?.Message ?? "ok");
                Assert.True(e is null or ArgumentException, e?.ToString());
            }
        }
    }

    [Theory]
    [InlineData(1e-3, 1e3)]
    [InlineData(1e-2, 1e2)]
    [InlineData(1e-4, 1e4)]
    public void ScaleSpreadUpTo1e8_AutoPathEqualsColdFits(double tiny, double huge)
    {
        int d = 6;
        (double[] x, double[] y) = Gaussian(200, d, 3);
        double[] scale = [tiny, huge, 1, Math.Sqrt(tiny), Math.Sqrt(huge), 1];
        for (int k = 0; k < x.Length; k++)
        {
            x[k] *= scale[k % d];
        }

        AssertPathEqualsColdFits(DenseDataset.Create(x, y, d), Tight with { Solver = Solver.Auto }, new PathOptions { Count = 30, MinRatio = 1e-8 }, 1e-8, true, owl: false);
    }
}
