using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// K-class L1 and elastic-net training (multinomial and one-vs-rest) reaches scikit-learn's optimum — saga, polished by
/// an active-set Newton method to subgradient violations below 1e-16 (fixture and script:
/// <c>Fixtures/sklearn_multiclass_l1.json</c>, <c>Fixtures/make_multiclass_l1_fixture.py</c>) — with the same zero
/// pattern, on the first 500 rows of digits, standardized with the fixture's mean and scale.
/// </summary>
public sealed class MulticlassL1AgreementTests(ITestOutputHelper output)
{
    // Stopping tolerances (Tolerance: ‖g‖ ≤ Tolerance·max(1, ‖∇f(0)‖), ‖∇f(0)‖ = 0.84 … 1.7 here). Coordinate descent
    // (proximal Newton / newGLMNET) minimizes quadratic models and reaches 1e-12 and below on every fit. OWL-QN accepts a
    // step only if the objective itself decreases, which it cannot resolve once f − f* ≈ ‖g‖²/2μ is below an ulp of f,
    // i.e. below ‖g‖ of the order √(2μ·ε·f) ≈ 2e-10 … 2e-9 on these fits: without SIMD (DOTNET_EnableHWIntrinsic=0) it stopped
    // with NoProgress at ‖g‖ = 1.9e-10 … 1.1e-9 on all four when asked for 1e-10 (with SIMD it happened to get there).
    // So OWL-QN, and Auto (OWL-QN first), are asked for 1e-9, coordinate descent for 1e-12.
    private static double ToleranceFor(Solver solver) => solver == Solver.CoordinateDescent ? 1e-12 : 1e-9;

    // Objective: FinalObjective, and the objective recomputed here from the returned model, within ObjectiveRtol of the
    // fixture's. A converged point's excess over the minimum is at most threshold²/2μ (μ: see the coefficients below):
    // 2.9e-15, i.e. 1.4e-14 relative, for OWL-QN at C = 1, below 1e-15 elsewhere; the rest is rounding (≈ 1e-15: the
    // fixture's value is a compensated sum, math.fsum, the solvers' chunked double sums over 500 rows). Measured: at
    // most 2.3e-15 relative (OWL-QN at C = 1), 4.1e-16 for coordinate descent, in every ISA configuration (AVX-512,
    // AVX2, scalar).
    private const double ObjectiveRtol = 2e-14;

    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_multiclass_l1.json"))).RootElement);

    private static readonly Lazy<DenseDataset<double>> Standardized = new(Load);

    public static TheoryData<int, Solver> Fits()
    {
        var data = new TheoryData<int, Solver>();
        for (int f = 0; f < Root.Value.GetProperty("fits").GetArrayLength(); f++)
        {
            foreach (Solver solver in new[] { Solver.CoordinateDescent, Solver.OwlQn, Solver.Auto })
            {
                data.Add(f, solver);
            }
        }

        return data;
    }

    [Fact]
    public void TheDataIsTheFixturesData()
    {
        JsonElement data = Root.Value.GetProperty("data");
        (double[] x, double[] y) = FirstRows(data.GetProperty("row_count").GetInt32());
        Assert.Equal(data.GetProperty("raw_feature_sum").GetDouble(), x.Sum());
        int[] counts = data.GetProperty("class_counts").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(counts, Enumerable.Range(0, counts.Length).Select(k => y.Count(v => v == k)).ToArray());

        // The recorded standardization is the population (ddof 0) one, constant columns at scale 1.
        JsonElement st = data.GetProperty("standardization");
        double[] mean = Doubles(st.GetProperty("mean")), scale = Doubles(st.GetProperty("scale"));
        int n = y.Length, d = mean.Length;
        int[] constant = data.GetProperty("constant_columns").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        for (int j = 0; j < d; j++)
        {
            double m = Enumerable.Range(0, n).Sum(i => x[(i * d) + j]) / n;
            double sd = Math.Sqrt(Enumerable.Range(0, n).Sum(i => (x[(i * d) + j] - m) * (x[(i * d) + j] - m)) / n);
            Close.Equal(mean[j], m, 1e-14, 1e-14, $"mean[{j}]");
            Close.Equal(constant.Contains(j) ? 1.0 : sd, scale[j], 1e-13, 0, $"scale[{j}]");
        }
    }

    [Theory]
    [MemberData(nameof(Fits))]
    public void KClassL1SolversReachScikitLearnsOptimumWithTheSameZeros(int fitIndex, Solver solver)
    {
        JsonElement fit = Root.Value.GetProperty("fits")[fitIndex];
        DenseDataset<double> data = Standardized.Value;
        int k = data.ClassCount, d = data.Columns;
        bool oneVsRest = fit.GetProperty("kind").GetString() == "one_vs_rest";
        double lambda = fit.GetProperty("lambda").GetDouble(), rho = fit.GetProperty("l1_ratio").GetDouble();
        Close.Equal(fit.GetProperty("lambda").GetDouble(), TrainingOptions.L2FromScikitLearnC(fit.GetProperty("C").GetDouble(), data.Rows), 1e-15, 0, "λ = 1/(C n)");
        var options = new TrainingOptions
        {
            Solver = solver,
            Lambda = lambda,
            L1Ratio = rho,
            MultiClass = oneVsRest ? MultiClass.OneVsRest : MultiClass.Multinomial,
            Tolerance = ToleranceFor(solver),
            MaxIterations = 100_000,
        };

        TrainingResult result = LogisticRegression.Train(data, options);
        MulticlassModel model = result.Multiclass;
        TrainingReport report = result.Report;

        double[] w = fit.GetProperty("W").EnumerateArray().SelectMany(Doubles).ToArray();
        double[] b = Doubles(fit.GetProperty("b"));
        double[] ours = model.Weights.ToArray(), ourB = model.Intercepts.ToArray();
        if (!oneVsRest)
        {
            // The softmax ignores a common shift of the intercepts: the fixture's sum to 0; compare ours centred alike.
            double mean = ourB.Average();
            ourB = ourB.Select(v => v - mean).ToArray();
        }

        double expected = fit.GetProperty("objective").GetDouble();
        double recomputed = Objective(data, ours, model.Intercepts.ToArray(), lambda, rho, oneVsRest);
        double maxDw = ours.Zip(w, (p, q) => Math.Abs(p - q)).Max(), maxDb = ourB.Zip(b, (p, q) => Math.Abs(p - q)).Max();
        int zerosOnlyOurs = Enumerable.Range(0, k * d).Count(i => ours[i] == 0 && w[i] != 0);
        int zerosOnlyTheirs = Enumerable.Range(0, k * d).Count(i => ours[i] != 0 && w[i] == 0);
        output.WriteLine($"{fit.GetProperty("name").GetString()} {solver} -> {report.Solver}, {report.StopReason} after {report.Iterations} iterations ({report.Elapsed.TotalMilliseconds:F0} ms), ‖g‖ {report.FinalGradientNorm:G3}");
        output.WriteLine($"  objective: fixture {expected:R}, report {report.FinalObjective:R} (rel {Math.Abs(report.FinalObjective - expected) / expected:G3}), recomputed {recomputed:R} (rel {Math.Abs(recomputed - expected) / expected:G3})");
        output.WriteLine($"  max |Δw| {maxDw:G3}, max |Δb| {maxDb:G3}; non-zeros {report.NonZeroWeights} vs {fit.GetProperty("nonzero_count").GetInt32()}; zero only in ours {zerosOnlyOurs}, only in the fixture {zerosOnlyTheirs}");

        Assert.Equal(StopReason.Converged, report.StopReason);
        Close.Equal(expected, report.FinalObjective, ObjectiveRtol, 0, $"FinalObjective ({report.Message})");
        Close.Equal(expected, recomputed, ObjectiveRtol, 0, "the objective of the returned model");

        // Zero pattern: exactly the fixture's, except for entries the fixture marks borderline (|w| < 1e-8, or a zero
        // whose KKT margin (λρ − |g|)/λρ is below 1e-6: rounding decides those) and columns along which a multinomial
        // L1 optimum is not unique (shift_degenerate_columns: only W[:, j] − mean is determined there). The fixture's
        // fits have none of either: each fit's smallest non-zero |w| (2.6e-4 … 1.2e-2) is ≥ 1,000× its coefficient
        // bound below and the smallest margin is 9.3e-4, so every entry is compared.
        var borderline = fit.GetProperty("borderline").EnumerateArray().Select(e => (e[0].GetInt32() * d) + e[1].GetInt32()).ToHashSet();
        var degenerate = fit.GetProperty("shift_degenerate_columns").EnumerateArray().Select(e => e.GetInt32()).ToHashSet();
        int[] fixtureZeros = fit.GetProperty("zero_indices").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(fixtureZeros, Enumerable.Range(0, k * d).Where(i => w[i] == 0).ToArray());
        for (int i = 0; i < k * d; i++)
        {
            if (!borderline.Contains(i) && !degenerate.Contains(i % d) && (ours[i] == 0) != (w[i] == 0))
            {
                Assert.Fail($"W[{i / d}, {i % d}]: fixture {w[i]:R}, ours {ours[i]:R} — the zero patterns differ ({zerosOnlyOurs} zeros only in ours, {zerosOnlyTheirs} only in the fixture).");
            }
        }

        if (borderline.Count == 0 && degenerate.Count == 0)
        {
            Assert.Equal(fit.GetProperty("nonzero_count").GetInt32(), report.NonZeroWeights);
        }

        double[] shift = new double[d]; // a degenerate column may differ from the fixture's by a common shift
        foreach (int j in degenerate)
        {
            shift[j] = Enumerable.Range(0, k).Average(c => ours[(c * d) + j] - w[(c * d) + j]);
        }

        // Coefficients: with the zero pattern equal, the objective restricted to the free weights (signs fixed) and the
        // intercepts is smooth with curvature ≥ μ (the fixture's free_hessian_min_eigenvalue: 3.6e-4 … 8.5e-3; for the
        // multinomial with the intercepts' common shift removed, as compared here), so a point whose (pseudo-)gradient
        // is ≤ the convergence threshold lies within threshold/μ of the optimum in the Euclidean norm, hence in every
        // entry. Measured (all ISA configurations): at most 2.3e-7 for OWL-QN / Auto (C = 1, where the bound is 4.0e-6;
        // elsewhere ≤ 7.0e-8 against 1.5e-7 … 5.1e-7), at most 2.1e-11 for coordinate descent (bounds 1.5e-10 … 4.0e-9).
        double atol = report.ConvergenceThreshold / fit.GetProperty("free_hessian_min_eigenvalue").GetDouble();
        output.WriteLine($"  coefficient tolerance threshold/μ = {atol:G3}");
        for (int i = 0; i < k * d; i++)
        {
            Close.Equal(w[i], ours[i] - shift[i % d], 0, atol, $"W[{i / d}, {i % d}]");
        }

        Close.Equal(b, ourB, 0, atol, oneVsRest ? "b" : "b − mean(b)");
    }

    /// <summary>FastLogReg's K-class objective (see the fixture's "objective"), recomputed in double from a model.</summary>
    private static double Objective(DenseDataset<double> data, double[] w, double[] b, double lambda, double rho, bool oneVsRest)
    {
        int n = data.Rows, d = data.Columns, k = data.ClassCount;
        ReadOnlySpan<double> x = data.Features.Span, y = data.Labels.Span;
        double loss = 0;
        double[] z = new double[k];
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < k; c++)
            {
                double s = b[c];
                for (int j = 0; j < d; j++)
                {
                    s += w[(c * d) + j] * x[(i * d) + j];
                }

                z[c] = s;
            }

            int label = (int)y[i];
            if (oneVsRest)
            {
                for (int c = 0; c < k; c++)
                {
                    // softplus(z) − [y = c]·z = softplus(∓z), stably
                    double t = c == label ? -z[c] : z[c];
                    loss += Math.Max(t, 0) + Math.Log(1 + Math.Exp(-Math.Abs(t)));
                }
            }
            else
            {
                double max = z.Max();
                loss += max + Math.Log(z.Sum(v => Math.Exp(v - max))) - z[label];
            }
        }

        double l1 = w.Sum(Math.Abs), l2 = w.Sum(v => v * v);
        return (loss / n) + (lambda * ((rho * l1) + ((1 - rho) / 2 * l2)));
    }

    private static double[] Doubles(JsonElement e) => e.EnumerateArray().Select(v => v.GetDouble()).ToArray();

    private static (double[] X, double[] Y) FirstRows(int rows)
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        return (x[..(rows * 64)], y[..rows]);
    }

    /// <summary>The fixture's rows standardized with its recorded mean and scale (trained with Standardize = false).</summary>
    private static DenseDataset<double> Load()
    {
        JsonElement data = Root.Value.GetProperty("data");
        JsonElement st = data.GetProperty("standardization");
        double[] mean = Doubles(st.GetProperty("mean")), scale = Doubles(st.GetProperty("scale"));
        (double[] x, double[] y) = FirstRows(data.GetProperty("row_count").GetInt32());
        int d = mean.Length;
        double[] z = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            z[i] = (x[i] - mean[i % d]) / scale[i % d];
        }

        return DenseDataset.Create(z, y, d, data.GetProperty("classes").GetInt32());
    }
}
