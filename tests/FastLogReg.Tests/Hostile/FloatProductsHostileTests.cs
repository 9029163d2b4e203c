using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review (2026-12-05) of K-class float products: <see cref="MultinomialObjective{T}.FloatProducts"/> (the float
/// kernel) and <see cref="TrainingOptions.FloatProducts"/> (float phase then double), always against the same run with
/// float products off.
/// </summary>
public sealed class FloatProductsHostileTests
{
    // ---------------------------------------------------------------- data

    /// <summary>Features in [−1, 1] times a per-column scale, labels from a random softmax-ish model on the unscaled features.</summary>
    private static DenseDataset<float> Data(int rows, int columns, int classes, int seed, Func<int, double>? scale = null, float[]? weights = null)
    {
        var rng = new Random(seed);
        float[] x = new float[rows * columns];
        float[] y = new float[rows];
        double[] w = new double[classes * columns];
        for (int i = 0; i < w.Length; i++)
        {
            w[i] = (rng.NextDouble() * 2) - 1;
        }

        for (int i = 0; i < rows; i++)
        {
            double best = double.NegativeInfinity;
            int label = 0;
            double[] u = new double[columns];
            for (int j = 0; j < columns; j++)
            {
                u[j] = (rng.NextDouble() * 2) - 1;
                x[(i * columns) + j] = (float)(u[j] * (scale?.Invoke(j) ?? 1.0));
            }

            for (int c = 0; c < classes; c++)
            {
                double z = -Math.Log(-Math.Log(rng.NextDouble() + 1e-300)); // Gumbel noise: a softmax draw
                for (int j = 0; j < columns; j++)
                {
                    z += 2 * w[(c * columns) + j] * u[j];
                }

                if (z > best)
                {
                    best = z;
                    label = c;
                }
            }

            y[i] = i < classes ? i : label; // every class present
        }

        return DenseDataset.Create(x, y, columns, classes, weights);
    }

    private static TrainingOptions Options(bool floatProducts, double l2 = 1e-3) => new()
    {
        L2 = l2,
        Tolerance = 1e-9,
        MaxIterations = 3000,
        MaxDegreeOfParallelism = 2,
        FloatProducts = floatProducts,
    };

    private static (TrainingResult Exact, TrainingResult Mixed) Both(DenseDataset<float> data, TrainingOptions options) =>
        (LogisticRegression.Train(data, options with { FloatProducts = false }), LogisticRegression.Train(data, options with { FloatProducts = true }));

    /// <summary>Both fits converged, the same objective to 1e-9 relative, and finite weights.</summary>
    private static void AssertSameOptimum(TrainingResult exact, TrainingResult mixed, string what, double rtol = 1e-9, double atol = 1e-15)
    {
        Assert.All(mixed.Multiclass.Weights.ToArray(), v => Assert.True(double.IsFinite(v), $"{what}: non-finite weight"));
        Assert.All(mixed.Multiclass.Intercepts.ToArray(), v => Assert.True(double.IsFinite(v), $"{what}: non-finite intercept"));
        Assert.True(exact.Report.StopReason == mixed.Report.StopReason, $"{what}: exact stopped {exact.Report.StopReason} ({exact.Report.Message}), mixed {mixed.Report.StopReason} ({mixed.Report.Message})");
        Close.Equal(exact.Report.FinalObjective, mixed.Report.FinalObjective, rtol, atol, $"{what}: objective");
    }

    private static double Evaluate(DenseDataset<float> data, double[] point, bool floatProducts, out double[] gradient, bool oneVsRest = false, int threads = 1)
    {
        var objective = new MultinomialObjective<float>(data, Penalty.L2(1e-3), oneVsRest, maxDegreeOfParallelism: threads) { FloatProducts = floatProducts };
        gradient = new double[point.Length];
        return objective.Evaluate(point, gradient);
    }

    private static double[] RandomPoint(int length, int seed, double magnitude)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, length).Select(_ => ((rng.NextDouble() * 2) - 1) * magnitude).ToArray();
    }

    private static bool FloatProductsRun(DenseDataset<float> data) =>
        new MultinomialObjective<float>(data, Penalty.None).FloatProductsSupported;

    // ---------------------------------------------------------------- 1. the objective at extreme magnitudes

    [Theory]
    [InlineData(1e20, 1e19)]   // x·w = 1e39: beyond float, far inside double
    [InlineData(3e38, 10.0)]   // the largest floats times a moderate weight
    [InlineData(1e-30, 1e-20)] // x·w = 1e-50: below float's subnormals
    public void Objective_ProductsOutsideFloatRange_AreFiniteWhereTheDoublePassIsFinite(double featureScale, double weightScale)
    {
        DenseDataset<float> data = Data(40, 16, 3, 1, _ => featureScale);
        double[] point = RandomPoint((3 * 16) + 3, 2, weightScale);
        for (int i = 3 * 16; i < point.Length; i++)
        {
            point[i] = 0;
        }

        double exact = Evaluate(data, point, false, out double[] g0);
        double fast = Evaluate(data, point, true, out double[] g1);
        Assert.True(double.IsFinite(exact) && g0.All(double.IsFinite), "the double pass itself is finite here");
        Assert.True(double.IsFinite(fast), $"float products: objective {fast:R} where the double pass gives {exact:R}");
        Assert.True(g1.All(double.IsFinite), $"float products: gradient has {g1.Count(v => !double.IsFinite(v))} non-finite entries where the double pass's is finite");
        Close.Equal(exact, fast, 1e-6, 0, "objective");
    }

    [Fact]
    public void Objective_HugeSampleWeightsTimesLargeFeatures_GradientStaysFinite()
    {
        // At W = 0 (the start of every fit) the residuals are s·(p − y) with s = 1e10, the features 1e29: each product
        // 1e39 overflows float while the double gradient (1/S)Σ s·r·x ≈ 1e29 is ordinary.
        float[] s = Enumerable.Repeat(1e10f, 64).ToArray();
        DenseDataset<float> data = Data(64, 16, 3, 3, _ => 1e29, s);
        double[] point = new double[(3 * 16) + 3];
        double exact = Evaluate(data, point, false, out double[] g0);
        double fast = Evaluate(data, point, true, out double[] g1);
        Assert.True(g0.All(double.IsFinite));
        int bad = Array.FindIndex(g1, v => !double.IsFinite(v));
        Assert.True(bad < 0, bad < 0 ? string.Empty : $"float products: gradient has {g1.Count(v => !double.IsFinite(v))} non-finite entries; e.g. {g1[bad]} vs {g0[bad]:R}");
        Close.Equal(exact, fast, 1e-6, 0, "objective");
        Close.Equal(g0, g1, 1e-5, 1e-6 * g0.Max(Math.Abs), "gradient");
    }

    [Fact]
    public void Objective_ZeroWeightRowWithHugeFeatures_ContributesNothing()
    {
        // A row of weight 0 holding the largest floats: the double pass ignores it; float products must not turn it into NaN.
        DenseDataset<float> clean = Data(30, 16, 3, 4);
        float[] x = clean.Features.ToArray();
        float[] y = clean.Labels.ToArray();
        float[] s = Enumerable.Repeat(1f, 30).ToArray();
        s[5] = 0;
        for (int j = 0; j < 16; j++)
        {
            x[(5 * 16) + j] = j % 2 == 0 ? float.MaxValue : -float.MaxValue;
        }

        var data = DenseDataset.Create(x, y, 16, 3, s);
        double[] point = RandomPoint((3 * 16) + 3, 5, 1.0);
        double exact = Evaluate(data, point, false, out double[] g0);
        double fast = Evaluate(data, point, true, out double[] g1);
        Assert.True(double.IsFinite(exact) && g0.All(double.IsFinite), "double pass");
        Assert.True(double.IsFinite(fast) && g1.All(double.IsFinite), $"float products: objective {fast:R}, {g1.Count(v => !double.IsFinite(v))} non-finite gradient entries, where the double pass gives {exact:R}");
        Close.Equal(exact, fast, 1e-6, 0, "objective");
    }

    [Fact]
    public void Objective_HugeClassWeights_ResidualsStayFinite()
    {
        // Class weights 1e20 with sample weights 1e20: row weight 1e40 exceeds float; the double pass is finite.
        float[] s = Enumerable.Repeat(1e20f, 50).ToArray();
        DenseDataset<float> data = Data(50, 16, 3, 6, null, s);
        var objective0 = new MultinomialObjective<float>(data, Penalty.L2(1e-3), classWeights: ClassWeights.Of(1e20, 1e20, 1e20), maxDegreeOfParallelism: 1);
        var objective1 = new MultinomialObjective<float>(data, Penalty.L2(1e-3), classWeights: ClassWeights.Of(1e20, 1e20, 1e20), maxDegreeOfParallelism: 1) { FloatProducts = true };
        double[] point = RandomPoint((3 * 16) + 3, 7, 1.0);
        double[] g0 = new double[point.Length], g1 = new double[point.Length];
        double exact = objective0.Evaluate(point, g0);
        double fast = objective1.Evaluate(point, g1);
        Assert.True(double.IsFinite(exact) && g0.All(double.IsFinite), "double pass");
        Assert.True(double.IsFinite(fast) && g1.All(double.IsFinite), $"float products: objective {fast:R}, {g1.Count(v => !double.IsFinite(v))} non-finite gradient entries, double {exact:R}");
        Close.Equal(exact, fast, 1e-6, 0, "objective");
        Close.Equal(g0, g1, 1e-5, 1e-6 * g0.Max(Math.Abs), "gradient");
    }

    [Fact]
    public void Objective_SmallShapes_AgreeWithDoubleAndAreThreadCountInvariant()
    {
        foreach (int d in new[] { 7, 8, 9, 15, 16, 17, 24, 31, 32, 33 })
        {
            foreach (int n in new[] { 1, 2, 3, 7, 8, 9, 20 })
            {
                foreach (int k in new[] { 2, 3 })
                {
                    foreach (bool ovr in new[] { false, true })
                    {
                        DenseDataset<float> data = Data(n, d, k, (d * 1000) + (n * 10) + k);
                        double[] point = RandomPoint((k * d) + k, d + n, 3.0);
                        double exact = Evaluate(data, point, false, out double[] g0, ovr);
                        double fast = Evaluate(data, point, true, out double[] g1, ovr);
                        double fast3 = Evaluate(data, point, true, out double[] g3, ovr, threads: 3);
                        string what = $"n={n} d={d} k={k} ovr={ovr}";
                        Close.Equal(exact, fast, 1e-6, 1e-12, what + " objective");
                        Close.Equal(g0, g1, 1e-4, 1e-6 * Math.Max(1, g0.Max(Math.Abs)), what + " gradient");
                        Assert.Equal(fast, fast3);
                        Assert.Equal(g1, g3);
                    }
                }
            }
        }
    }

    // ---------------------------------------------------------------- 2. training at extreme magnitudes

    [Theory]
    [InlineData(1e30, false)]
    [InlineData(1e-30, false)]
    [InlineData(1e30, true)]
    [InlineData(1e-30, true)]
    public void Train_UniformExtremeFeatureScale_MatchesDoubleFit(double scale, bool standardize)
    {
        DenseDataset<float> data = Data(300, 16, 4, 8, _ => scale);
        (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false) with { Standardize = standardize, L2 = 1e-3 });
        AssertSameOptimum(exact, mixed, $"scale {scale}, standardize {standardize}", rtol: 1e-7);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Train_MixedMagnitudeColumns_MatchesDoubleFit(bool standardize)
    {
        // Columns at 1e30, 1, 1e-30 alternately: products span 60 decades.
        DenseDataset<float> data = Data(300, 17, 3, 9, j => (j % 3) switch { 0 => 1e30, 1 => 1.0, _ => 1e-30 });
        (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false) with { Standardize = standardize, L2 = 1e-3, MaxIterations = 500 });
        Assert.All(mixed.Multiclass.Weights.ToArray(), v => Assert.True(double.IsFinite(v)));
        Assert.True(double.IsFinite(mixed.Report.FinalObjective), mixed.Report.Message);
        if (standardize)
        {
            AssertSameOptimum(exact, mixed, "mixed, standardized");
        }
        else
        {
            // Badly scaled: demand only that the float phase leaves the fit no worse than the double fit by more than 1e-7.
            Assert.True(mixed.Report.FinalObjective <= exact.Report.FinalObjective * (1 + 1e-7) + 1e-12,
                $"mixed {mixed.Report.FinalObjective:R} ({mixed.Report.StopReason}: {mixed.Report.Message}) vs exact {exact.Report.FinalObjective:R} ({exact.Report.StopReason})");
        }
    }

    [Fact]
    public void Train_HugeSampleWeightsAndFeatures_MatchesDoubleFit()
    {
        float[] s = Enumerable.Repeat(1e10f, 200).ToArray();
        DenseDataset<float> data = Data(200, 16, 3, 10, _ => 1e29, s);
        (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false) with { Standardize = true });
        AssertSameOptimum(exact, mixed, "s = 1e10, x = 1e29, standardized");
    }

    // ---------------------------------------------------------------- 3. shapes and options

    [Theory]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(15)]
    [InlineData(16)]
    [InlineData(17)]
    public void Train_KEquals2_RegisterEdgeColumns_SmallRowCounts_MatchDoubleFit(int columns)
    {
        foreach (int rows in new[] { 1, 2, 3, 5, 8, 9, 20 })
        {
            DenseDataset<float> data = Data(rows, columns, 2, rows + (columns * 100));
            (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false) with { L2 = 1e-2, MultiClass = MultiClass.Multinomial });
            // One row (one class): the unpenalized intercept runs off and the infimum is 0; "converged" means within the
            // tolerance of it in absolute terms.
            AssertSameOptimum(exact, mixed, $"K=2 rows={rows} columns={columns}", atol: rows == 1 ? 1e-9 : 1e-15);
            (exact, mixed) = Both(data, Options(false) with { L2 = 1e-2, MultiClass = MultiClass.OneVsRest });
            AssertSameOptimum(exact, mixed, $"OvR K=2 rows={rows} columns={columns}", atol: rows == 1 ? 1e-9 : 1e-15);
        }
    }

    public static TheoryData<string> OptionCases() => ["zero-weights", "balanced", "standardize", "no-intercept", "ovr", "ovr-balanced-standardize", "loose-tolerance"];

    [Theory]
    [MemberData(nameof(OptionCases))]
    public void Train_Options_MatchDoubleFit(string name)
    {
        var rng = new Random(11);
        float[] s = Enumerable.Range(0, 500).Select(i => i % 7 == 0 ? 0f : (float)(rng.NextDouble() * 3)).ToArray();
        DenseDataset<float> plain = Data(500, 24, 5, 12, j => 1 + j);
        DenseDataset<float> weighted = Data(500, 24, 5, 12, j => 1 + j, s);
        TrainingOptions o = Options(false);
        (DenseDataset<float> data, TrainingOptions options) = name switch
        {
            "zero-weights" => (weighted, o),
            "balanced" => (plain, o with { ClassWeights = ClassWeights.Balanced }),
            "standardize" => (weighted, o with { Standardize = true }),
            "no-intercept" => (plain, o with { FitIntercept = false }),
            "ovr" => (weighted, o with { MultiClass = MultiClass.OneVsRest }),
            "ovr-balanced-standardize" => (weighted, o with { MultiClass = MultiClass.OneVsRest, ClassWeights = ClassWeights.Balanced, Standardize = true }),
            "loose-tolerance" => (plain, o with { Tolerance = 1e-3 }),
            _ => throw new ArgumentException(name),
        };

        (TrainingResult exact, TrainingResult mixed) = Both(data, options);
        AssertSameOptimum(exact, mixed, name, options.Tolerance > 1e-4 ? 1e-4 : 1e-9);
        if (options.Tolerance > 1e-4)
        {
            // The relative gradient meets the loose tolerance as measured in double.
            Assert.True(mixed.Report.FinalGradientNorm <= mixed.Report.ConvergenceThreshold, $"{mixed.Report.FinalGradientNorm:R} > {mixed.Report.ConvergenceThreshold:R}");
        }
    }

    [Fact]
    public void Train_WarmStartFromTheOptimum_AndFromAnotherModel()
    {
        DenseDataset<float> data = Data(400, 20, 4, 13);
        TrainingOptions o = Options(false);
        TrainingResult exact = LogisticRegression.Train(data, o);
        TrainingResult again = LogisticRegression.Train(data, o with { FloatProducts = true, InitialModel = exact.Classifier });
        Assert.Equal(StopReason.Converged, again.Report.StopReason);
        Close.Equal(exact.Report.FinalObjective, again.Report.FinalObjective, 1e-12, 0, "warm start at the optimum");
        Assert.True(again.Report.Iterations <= 3, $"{again.Report.Iterations} iterations from the optimum: {again.Report.Message}");

        // From the optimum of another L2.
        TrainingResult other = LogisticRegression.Train(data, o with { L2 = 0.3 });
        TrainingResult warm0 = LogisticRegression.Train(data, o with { InitialModel = other.Classifier });
        TrainingResult warm1 = LogisticRegression.Train(data, o with { InitialModel = other.Classifier, FloatProducts = true });
        AssertSameOptimum(warm0, warm1, "warm start from L2 = 0.3");
        Close.Equal(exact.Report.FinalObjective, warm1.Report.FinalObjective, 1e-9, 0, "warm vs cold");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    public void Train_TinyIterationLimits(int limit)
    {
        DenseDataset<float> data = Data(300, 16, 3, 14);
        var reports = new List<IterationProgress>();
        (TrainingResult exact, _) = Both(data, Options(false) with { MaxIterations = limit });
        TrainingResult mixed = LogisticRegression.Train(data, Options(true) with { MaxIterations = limit, Progress = new InlineProgress(reports.Add) });
        Assert.Equal(limit, mixed.Report.Iterations);
        Assert.Equal(exact.Report.StopReason, mixed.Report.StopReason);
        Assert.Equal(StopReason.MaxIterations, mixed.Report.StopReason);
        Assert.Equal(Enumerable.Range(0, limit + 1), reports.Select(r => r.Iteration));
        Assert.Equal(limit + 1, mixed.Report.ObjectiveHistory.Count);
        Assert.Equal(limit + 1, mixed.Report.GradientNormHistory.Count);
        Assert.True(mixed.Report.FinalObjective == mixed.Report.ObjectiveHistory[^1], $"FinalObjective {mixed.Report.FinalObjective:R} but ObjectiveHistory[^1] {mixed.Report.ObjectiveHistory[^1]:R}; exact fit: {exact.Report.FinalObjective:R}; {mixed.Report.Message}");
        Assert.All(mixed.Multiclass.Weights.ToArray(), v => Assert.True(double.IsFinite(v)));
        if (limit == 0)
        {
            // Nothing moved: the start, the same objective (in double) as the double fit reports.
            Assert.True(exact.Report.FinalObjective == mixed.Report.FinalObjective, $"at the start: FinalObjective {mixed.Report.FinalObjective:R}, the double fit's {exact.Report.FinalObjective:R}");
            Assert.True(exact.Report.FinalGradientNorm == mixed.Report.FinalGradientNorm, $"at the start: gradient norm {mixed.Report.FinalGradientNorm:R}, the double fit's {exact.Report.FinalGradientNorm:R}");
        }

        // The first step is taken from the same start; the float phase's step agrees to float precision.
        Close.Equal(exact.Report.FinalObjective, mixed.Report.FinalObjective, 1e-5, 0, "objective after the first steps");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Train_CancelledFromProgressDuringTheFloatPhase(int cancelAt)
    {
        DenseDataset<float> data = Data(2000, 32, 6, 15);
        TrainingResult Run(bool floatProducts, out List<int> seen)
        {
            using var cts = new CancellationTokenSource();
            var list = new List<int>();
            seen = list;
            return LogisticRegression.Train(data, Options(floatProducts) with
            {
                Progress = new InlineProgress(p =>
                {
                    list.Add(p.Iteration);
                    if (p.Iteration == cancelAt)
                    {
                        cts.Cancel();
                    }
                }),
            }, cts.Token);
        }

        TrainingResult exact = Run(false, out List<int> seen0);
        TrainingResult mixed = Run(true, out List<int> seen1);
        Assert.Equal(StopReason.Cancelled, exact.Report.StopReason);
        Assert.Equal(StopReason.Cancelled, mixed.Report.StopReason);
        Assert.Equal(exact.Report.Iterations, mixed.Report.Iterations);
        Assert.Equal(seen0, seen1);
        Assert.Equal(Enumerable.Range(0, seen1.Count), seen1);
        Assert.Equal(mixed.Report.Iterations + 1, mixed.Report.ObjectiveHistory.Count);
        Assert.True(double.IsFinite(mixed.Report.FinalObjective));
        Close.Equal(exact.Report.FinalObjective, mixed.Report.FinalObjective, 1e-5, 0, "objective at cancellation");
    }

    [Fact]
    public void Train_PreCancelledToken_StopsAtTheStartLikeTheDoubleFit()
    {
        DenseDataset<float> data = Data(300, 16, 3, 16);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        TrainingResult exact = LogisticRegression.Train(data, Options(false), cts.Token);
        TrainingResult mixed = LogisticRegression.Train(data, Options(true), cts.Token);
        Assert.Equal(exact.Report.StopReason, mixed.Report.StopReason);
        Assert.Equal(exact.Report.Iterations, mixed.Report.Iterations);
        Assert.Equal(exact.Report.FinalObjective, mixed.Report.FinalObjective);
    }

    [Theory]
    [InlineData(MultiClass.Auto)]
    [InlineData(MultiClass.OneVsRest)]
    public void Train_ThreadCount_BitIdentical(MultiClass multiClass)
    {
        // Enough rows for several chunks and parts.
        DenseDataset<float> data = Data(30000, 40, 5, 17);
        TrainingOptions o = Options(true) with { MultiClass = multiClass, Tolerance = 1e-7 };
        TrainingResult one = LogisticRegression.Train(data, o with { MaxDegreeOfParallelism = 1 });
        TrainingResult three = LogisticRegression.Train(data, o with { MaxDegreeOfParallelism = 3 });
        Assert.Equal(one.Report.Iterations, three.Report.Iterations);
        Assert.Equal(one.Report.FinalObjective, three.Report.FinalObjective);
        Assert.Equal(one.Multiclass.Weights.ToArray(), three.Multiclass.Weights.ToArray());
        Assert.Equal(one.Multiclass.Intercepts.ToArray(), three.Multiclass.Intercepts.ToArray());
        Assert.Equal(one.Report.Message.Split('.')[0], three.Report.Message.Split('.')[0]);
        if (FloatProductsRun(data))
        {
            Assert.Contains("float products", one.Report.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Train_BelowOneRegisterOfColumns_IsTheDoubleFitBitForBit()
    {
        // 7 columns: fewer than 8 float lanes, the option does not apply at all.
        DenseDataset<float> data = Data(300, 7, 4, 18);
        (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false));
        Assert.Equal(exact.Report.FinalObjective, mixed.Report.FinalObjective);
        Assert.Equal(exact.Report.Iterations, mixed.Report.Iterations);
        Assert.DoesNotContain("float products", mixed.Report.Message, StringComparison.Ordinal);
        Assert.False(FloatProductsRun(data));
    }

    [Fact]
    public void Train_MessageCountMatchesProgressAcrossTheSwitch()
    {
        DenseDataset<float> data = Data(3000, 48, 7, 19);
        var reports = new List<IterationProgress>();
        TrainingResult mixed = LogisticRegression.Train(data, Options(true) with { Progress = new InlineProgress(reports.Add) });
        Assert.Equal(Enumerable.Range(0, mixed.Report.Iterations + 1), reports.Select(r => r.Iteration));
        if (!Vector256.IsHardwareAccelerated)
        {
            Assert.Equal(mixed.Report.ObjectiveHistory.ToArray(), reports.Select(r => r.Objective).ToArray());
            Assert.DoesNotContain("float products", mixed.Report.Message, StringComparison.Ordinal);
            return;
        }

        Assert.StartsWith("The first ", mixed.Report.Message, StringComparison.Ordinal);
        int floatIterations = int.Parse(mixed.Report.Message.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(floatIterations, 1, mixed.Report.Iterations);

        // The history restates the switch point in double (the function the result is reported in); the progress
        // report of that iteration carried the float pass's value, the same to about 10⁻⁷.
        double[] history = mixed.Report.ObjectiveHistory.ToArray(), progress = reports.Select(r => r.Objective).ToArray();
        Assert.Equal(history.Length, progress.Length);
        for (int i = 0; i < history.Length; i++)
        {
            if (i == floatIterations)
            {
                Close.Equal(history[i], progress[i], 1e-6, 0, "the switch point");
            }
            else
            {
                Assert.Equal(history[i], progress[i]);
            }
        }
        TrainingResult exact = LogisticRegression.Train(data, Options(false));
        AssertSameOptimum(exact, mixed, "7 classes × 48");
    }

    // ---------------------------------------------------------------- 4. training where the float kernel overflows

    [Fact]
    public void Train_ZeroWeightRowOfLargestFloats_MatchesDoubleFit()
    {
        DenseDataset<float> clean = Data(300, 16, 3, 20);
        float[] x = clean.Features.ToArray();
        float[] s = Enumerable.Repeat(1f, 300).ToArray();
        s[7] = 0;
        for (int j = 0; j < 16; j++)
        {
            x[(7 * 16) + j] = j % 2 == 0 ? float.MaxValue : -float.MaxValue;
        }

        var data = DenseDataset.Create(x, clean.Labels.ToArray(), 16, 3, s);
        (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false));
        AssertSameOptimum(exact, mixed, "zero-weight row of ±float.MaxValue");
    }

    [Fact]
    public void Train_HugeSampleWeightsAndFeatures_Unstandardized_MatchesDoubleFit()
    {
        float[] s = Enumerable.Repeat(1e10f, 200).ToArray();
        DenseDataset<float> data = Data(200, 16, 3, 21, _ => 1e29, s);
        (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false) with { L2 = 1e-60 });
        AssertSameOptimum(exact, mixed, "s = 1e10, x = 1e29", rtol: 1e-7);
    }

    [Fact]
    public void Train_HugeClassWeights_MatchesDoubleFit()
    {
        float[] s = Enumerable.Repeat(1e20f, 300).ToArray();
        DenseDataset<float> data = Data(300, 16, 3, 22, null, s);
        (TrainingResult exact, TrainingResult mixed) = Both(data, Options(false) with { ClassWeights = ClassWeights.Of(1e20, 1e20, 1e20) });
        AssertSameOptimum(exact, mixed, "class weights 1e20, sample weights 1e20");
    }

    [Fact]
    public void Objective_WellFitRows_SmallLossKeepsItsRelativeAccuracy()
    {
        // Every row fitted with a margin of ~12: each row's loss log(1 + Σ_{k≠y} e^(z_k − z_y)) ≈ 1e-5. Formed as log Σe in
        // float (Σe ≈ 1 + 1e-5), it carries an absolute error of ~6e-8, a relative one of ~1e-2: far from the stated 1e-7.
        int n = 64, d = 16, k = 3;
        var rng = new Random(23);
        float[] x = new float[n * d];
        float[] y = new float[n];
        double[] point = new double[(k * d) + k];
        for (int i = 0; i < n; i++)
        {
            y[i] = i % k;
            x[(i * d) + (i % k)] = 1; // one-hot in the first k columns
            for (int j = k; j < d; j++)
            {
                x[(i * d) + j] = (float)(((rng.NextDouble() * 2) - 1) * 1e-3);
            }
        }

        for (int c = 0; c < k; c++)
        {
            point[(c * d) + c] = 12;
        }

        var data = DenseDataset.Create(x, y, d, k);
        var o0 = new MultinomialObjective<float>(data, Penalty.None, maxDegreeOfParallelism: 1);
        var o1 = new MultinomialObjective<float>(data, Penalty.None, maxDegreeOfParallelism: 1) { FloatProducts = true };
        double[] g0 = new double[point.Length], g1 = new double[point.Length];
        double exact = o0.Evaluate(point, g0);
        double fast = o1.Evaluate(point, g1);
        Close.Equal(exact, fast, 1e-6, 0, "loss of well-fitted rows");
    }
}
