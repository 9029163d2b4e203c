using System.Text;
using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Statistics;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// A hostile review of cross-validation (library and <c>fastlogreg cv</c>) and coefficient statistics (library and
/// <c>fastlogreg train --stats</c>): degenerate folds, weights, grids, thread counts; singular, separable and extreme data.
/// </summary>
public class CrossValidationStatisticsHostileTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => FastLogReg.Tests.Cli.Tool.Run(args);

    // ---- data ------------------------------------------------------------------------------------------------------

    private static DenseDataset<double> Binary(int rows, int columns, ulong seed, double[]? weights = null)
    {
        (double[] x, double[] y) = SyntheticData.Generate(rows, columns, seed);
        return DenseDataset.Create(x, y, columns, weights);
    }

    /// <summary>K classes: label = argmax of (class-specific linear score + Gumbel noise).</summary>
    private static DenseDataset<double> KClass(int rows, int columns, int classes, int seed, double[]? weights = null)
    {
        var rng = new Random(seed);
        double[] x = new double[rows * columns], y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                x[(i * columns) + j] = (rng.NextDouble() * 2) - 1;
            }

            int best = 0;
            double top = double.NegativeInfinity;
            for (int c = 0; c < classes; c++)
            {
                double z = -Math.Log(-Math.Log(rng.NextDouble() + 1e-300));
                for (int j = 0; j < columns; j++)
                {
                    z += x[(i * columns) + j] * (((c + j) % 3) - 1) * 1.5;
                }

                if (z > top)
                {
                    (top, best) = (z, c);
                }
            }

            y[i] = best;
        }

        // Every class present.
        for (int c = 0; c < classes; c++)
        {
            y[c] = c;
        }

        return DenseDataset.Create(x, y, columns, classes, weights);
    }

    private static SparseDataset<double> ToSparse(DenseDataset<double> dense)
    {
        var values = new List<double>();
        var indices = new List<int>();
        long[] offsets = new long[dense.Rows + 1];
        for (int i = 0; i < dense.Rows; i++)
        {
            ReadOnlySpan<double> row = dense.GetRow(i);
            for (int j = 0; j < row.Length; j++)
            {
                if (row[j] != 0)
                {
                    values.Add(row[j]);
                    indices.Add(j);
                }
            }

            offsets[i + 1] = values.Count;
        }

        return SparseDataset.Create(CsrMatrix.Create<double>(values.ToArray(), indices.ToArray(), offsets, dense.Columns), dense.Labels, dense.ClassCount, dense.SampleWeights);
    }

    private static double[] Column(DenseDataset<double> data, int j) => [.. Enumerable.Range(0, data.Rows).Select(i => data.GetRow(i)[j])];

    /// <summary>The data with extra columns appended (computed from each row).</summary>
    private static DenseDataset<double> WithColumns(DenseDataset<double> data, params Func<double[], double>[] extra)
    {
        int d = data.Columns, e = d + extra.Length;
        double[] x = new double[data.Rows * e];
        for (int i = 0; i < data.Rows; i++)
        {
            double[] row = data.GetRow(i).ToArray();
            row.CopyTo(x, i * e);
            for (int k = 0; k < extra.Length; k++)
            {
                x[(i * e) + d + k] = extra[k](row);
            }
        }

        return DenseDataset.Create(x, data.Labels.ToArray(), e, data.ClassCount, data.HasSampleWeights ? data.SampleWeights.ToArray() : null);
    }

    private static string Csv(DenseDataset<double> data)
    {
        var text = new StringBuilder(string.Join(",", Enumerable.Range(0, data.Columns).Select(j => "f" + j)) + ",y\n");
        for (int i = 0; i < data.Rows; i++)
        {
            text.Append(string.Join(",", data.GetRow(i).ToArray().Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))));
            text.Append(',').Append(data.Labels.Span[i].ToString(System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }

        return text.ToString();
    }

    private static void SameBits(CrossValidationResult a, CrossValidationResult b, string what)
    {
        Assert.Equal(a.FoldOfRow, b.FoldOfRow);
        Assert.Equal(a.Points.Count, b.Points.Count);
        for (int k = 0; k < a.Points.Count; k++)
        {
            Assert.True(a.Points[k].Equals(b.Points[k]), $"{what}: point {k}: {a.Points[k]} vs {b.Points[k]}");
        }

        Assert.Equal(a.Best, b.Best);
        Assert.Equal(a.OneStandardError, b.OneStandardError);
        double[] wa = Weights(a.Refit.Classifier), wb = Weights(b.Refit.Classifier);
        Assert.Equal(wa.Select(BitConverter.DoubleToInt64Bits), wb.Select(BitConverter.DoubleToInt64Bits));
    }

    private static double[] Weights(ClassificationModel model) => model switch
    {
        LogisticModel m => [.. m.Weights.ToArray(), m.Bias],
        MulticlassModel m => [.. Enumerable.Range(0, m.ClassCount).SelectMany(c => m.Coefficients(c).ToArray()), .. m.Intercepts.ToArray()],
        _ => throw new InvalidOperationException(),
    };

    private static CrossValidationResult Cv(Dataset<double> data, int threads, CrossValidationOptions cv, TrainingOptions? options = null) =>
        CrossValidation.Run(data, (options ?? new TrainingOptions { Tolerance = 1e-8 }) with { MaxDegreeOfParallelism = threads }, cv);

    // ---- cross-validation: folds ------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1)]
    [InlineData(0)]
    [InlineData(-3)]
    public void FoldsBelowTwoAreRefusedNamingFolds(int folds)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new CrossValidationOptions { Folds = folds });
        Assert.Equal("Folds", e.ParamName);
    }

    [Fact]
    public void MoreFoldsThanRowsIsRefusedSayingSo()
    {
        DenseDataset<double> data = Binary(6, 2, 1);
        var e = Assert.Throws<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 7, Path = new PathOptions { Count = 3 } }));
        Assert.Contains("6 rows", e.Message);
        Assert.Contains("7 folds", e.Message);
    }

    [Fact]
    public void TwoFoldsAreStratifiedAndSeeded()
    {
        DenseDataset<double> data = Binary(101, 3, 5);
        var cv = new CrossValidationOptions { Folds = 2, Seed = 11, Path = new PathOptions { Count = 5 } };
        CrossValidationResult a = Cv(data, 1, cv), b = Cv(data, 1, cv), c = Cv(data, 1, cv with { Seed = 12 });
        Assert.Equal(a.FoldOfRow, b.FoldOfRow);
        Assert.NotEqual(a.FoldOfRow, c.FoldOfRow);
        for (int cls = 0; cls < 2; cls++)
        {
            int[] perFold = [.. Enumerable.Range(0, 2).Select(f => Enumerable.Range(0, data.Rows).Count(i => a.FoldOfRow[i] == f && data.Labels.Span[i] == cls))];
            Assert.InRange(Math.Abs(perFold[0] - perFold[1]), 0, 1);
        }

        Assert.All(a.Points, p => Assert.True(double.IsFinite(p.MeanLogLoss) && double.IsFinite(p.StandardError), p.ToString()));
    }

    [Fact]
    public void LeaveOneOutRunsAndScoresLogLossAndAccuracy()
    {
        // folds = n: every held-out fold is one row; ROC AUC is undefined on one row (NaN, as documented), the rest finite.
        DenseDataset<double> data = Binary(24, 2, 3);
        CrossValidationResult r = Cv(data, 2, new CrossValidationOptions { Folds = 24, Path = new PathOptions { Count = 4 } });
        Assert.Equal(Enumerable.Range(0, 24).Order(), r.FoldOfRow.Order());
        Assert.All(r.Points, p => Assert.True(double.IsFinite(p.MeanLogLoss) && double.IsFinite(p.MeanAccuracy) && double.IsFinite(p.StandardError), p.ToString()));
        Assert.True(r.Points.All(p => double.IsNaN(p.MeanRocAuc)));
        Assert.NotNull(r.OneStandardError);
    }

    [Fact]
    public void BinaryClassOfOneRowGivesAClearErrorNotACrash()
    {
        // 1 positive among 12 rows, 3 folds: the fold holding it trains on a single class.
        double[] x = [.. Enumerable.Range(0, 12).Select(i => (double)i)];
        double[] y = [.. Enumerable.Range(0, 12).Select(i => i == 5 ? 1.0 : 0.0)];
        var e = Assert.ThrowsAny<ArgumentException>(() => CrossValidation.Run(DenseDataset.Create(x, y, 1), new TrainingOptions(), new CrossValidationOptions { Folds = 3, Path = new PathOptions { Count = 3 } }));
        Assert.Contains("training rows (every row outside it) hold no weight of class 1 (its rows of positive weight, 1 of them, are all in fold", e.Message);
    }

    [Fact]
    public void BinaryClassOfTwoRowsInThreeFoldsRuns()
    {
        double[] x = [.. Enumerable.Range(0, 15).Select(i => (double)(i % 7) - 3)];
        double[] y = [.. Enumerable.Range(0, 15).Select(i => i is 2 or 9 ? 1.0 : 0.0)];
        CrossValidationResult r = CrossValidation.Run(DenseDataset.Create(x, y, 1), new TrainingOptions(), new CrossValidationOptions { Folds = 3, Path = new PathOptions { Count = 4 } });
        Assert.All(r.Points, p => Assert.True(double.IsFinite(p.MeanLogLoss), p.ToString()));
    }

    [Fact]
    public void KClassesWithAClassOfOneRowGiveAClearErrorNamingTheFoldAndClass()
    {
        // Class 2 has one row: the training rows of its fold hold no row of class 2 (the path said "Class 2 has no
        // weight (after weighting)" — of the whole data, it seemed, and no fold named).
        DenseDataset<double> baseData = KClass(60, 3, 2, 4);
        double[] y = baseData.Labels.ToArray();
        y[17] = 2;
        var data = DenseDataset.Create(baseData.Features.ToArray(), y, 3, 3);
        var error = Assert.ThrowsAny<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions { MultiClass = MultiClass.Multinomial }, new CrossValidationOptions { Folds = 3, Path = new PathOptions { Count = 4 } }));
        Assert.Matches("^Fold [0-2]'s training rows .* hold no weight of class 2 \\(its rows of positive weight, 1 of them, are all in fold", error.Message);
    }

    [Fact]
    public void ExplicitFoldsAreChecked()
    {
        DenseDataset<double> data = Binary(10, 2, 2);
        var path = new PathOptions { Count = 2 };
        Assert.Contains("9 entries", Assert.Throws<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 2, Path = path, FoldOfRow = new int[9] })).Message);
        Assert.Contains("FoldOfRow[3] = 2", Assert.Throws<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 2, Path = path, FoldOfRow = [0, 1, 0, 2, 0, 1, 0, 1, 0, 1] })).Message);
        Assert.Contains("Fold 1 holds no rows", Assert.Throws<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 2, Path = path, FoldOfRow = new int[10] })).Message);
        Assert.Contains("FoldOfRow[0] = -1", Assert.Throws<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 2, Path = path, FoldOfRow = [-1, 1, 0, 1, 0, 1, 0, 1, 0, 1] })).Message);
    }

    // ---- cross-validation: thread counts, bit for bit ---------------------------------------------------------------

    [Fact]
    public void DenseL2IsBitIdenticalForOneTwoAndEightThreads()
    {
        DenseDataset<double> data = Binary(300, 6, 21);
        var cv = new CrossValidationOptions { Folds = 4, Seed = 2, Path = new PathOptions { Count = 6 } };
        CrossValidationResult one = Cv(data, 1, cv, new TrainingOptions { L1Ratio = 0 });
        SameBits(one, Cv(data, 2, cv, new TrainingOptions { L1Ratio = 0 }), "2 threads");
        SameBits(one, Cv(data, 8, cv, new TrainingOptions { L1Ratio = 0 }), "8 threads");
    }

    [Fact]
    public void SparseWeightedElasticNetGridIsBitIdenticalForAnyThreadCount()
    {
        double[] w = [.. Enumerable.Range(0, 240).Select(i => (i % 5) * 0.7)]; // a fifth of the rows weigh 0
        DenseDataset<double> dense = Binary(240, 5, 8, w);
        SparseDataset<double> sparse = ToSparse(dense);
        var cv = new CrossValidationOptions { Folds = 3, Seed = 5, Path = new PathOptions { Count = 5 }, L1Ratios = [1.0, 0.5, 0.0] };
        var options = new TrainingOptions { Tolerance = 1e-8, ClassWeights = ClassWeights.Balanced, Standardize = true };
        CrossValidationResult one = Cv(sparse, 1, cv, options);
        SameBits(one, Cv(sparse, 2, cv, options), "2 threads");
        SameBits(one, Cv(sparse, 8, cv, options), "8 threads");
    }

    [Fact]
    public void KClassMultinomialIsBitIdenticalForAnyThreadCount()
    {
        DenseDataset<double> data = KClass(180, 4, 4, 9);
        var cv = new CrossValidationOptions { Folds = 3, Seed = 1, Path = new PathOptions { Count = 4 }, L1Ratios = [0.0, 1.0] };
        var options = new TrainingOptions { Tolerance = 1e-7, MultiClass = MultiClass.Multinomial };
        CrossValidationResult one = Cv(data, 1, cv, options);
        Assert.True(one.Points.All(p => double.IsNaN(p.MeanRocAuc)));
        SameBits(one, Cv(data, 2, cv, options), "2 threads");
        SameBits(one, Cv(data, 8, cv, options), "8 threads");
    }

    [Fact]
    public void KClassSparseOneVsRestIsBitIdenticalForAnyThreadCount()
    {
        SparseDataset<double> data = ToSparse(KClass(150, 4, 3, 13));
        var cv = new CrossValidationOptions { Folds = 3, Seed = 1, Path = new PathOptions { Count = 3 } };
        var options = new TrainingOptions { Tolerance = 1e-7, MultiClass = MultiClass.OneVsRest, L1Ratio = 0 };
        CrossValidationResult one = Cv(data, 1, cv, options);
        SameBits(one, Cv(data, 2, cv, options), "2 threads");
        SameBits(one, Cv(data, 8, cv, options), "8 threads");
    }

    // ---- cross-validation: choice and refit --------------------------------------------------------------------------

    [Fact]
    public void BestIsTheLowestMeanAndOneStandardErrorTheLargestWithinItAndTheRefitIsATrainAtBest()
    {
        DenseDataset<double> data = Binary(200, 8, 77);
        var options = new TrainingOptions { Tolerance = 1e-9, MaxDegreeOfParallelism = 2 };
        CrossValidationResult r = CrossValidation.Run(data, options, new CrossValidationOptions { Folds = 5, Path = new PathOptions { Count = 12 }, L1Ratios = [1.0, 0.3] });
        CrossValidationPoint best = r.Points.MinBy(p => p.MeanLogLoss)!;
        Assert.Equal(best, r.Best);
        CrossValidationPoint oneSe = r.Points.Where(p => p.L1Ratio == best.L1Ratio && p.MeanLogLoss <= best.MeanLogLoss + best.StandardError).MaxBy(p => p.Lambda)!;
        Assert.Equal(oneSe, r.OneStandardError);
        Assert.True(r.OneStandardError.Lambda >= r.Best.Lambda);
        TrainingResult again = LogisticRegression.Train(data, options with { Lambda = best.Lambda, L1Ratio = best.L1Ratio });
        Assert.Equal(Weights(again.Classifier), Weights(r.Refit.Classifier));
        foreach (CrossValidationPoint p in r.Points)
        {
            Close.Equal(p.SdLogLoss * Math.Sqrt(5.0 / 4.0) / Math.Sqrt(5), p.StandardError, 1e-12, 1e-15, "se = sd·√(k/(k−1))/√k");
        }
    }

    [Fact]
    public void SingleLambdaGridIsBestAndOneStandardError()
    {
        DenseDataset<double> data = Binary(80, 3, 4);
        CrossValidationResult r = Cv(data, 2, new CrossValidationOptions { Folds = 4, Path = new PathOptions { Lambdas = [0.01] } });
        Assert.Single(r.Points);
        Assert.Equal(0.01, r.Best.Lambda);
        Assert.Equal(0.01, r.OneStandardError.Lambda);
    }

    [Fact]
    public void DuplicateLambdasScoreAlikeAndZeroLambdaIsFitted()
    {
        DenseDataset<double> data = Binary(80, 3, 4);
        CrossValidationResult r = Cv(data, 2, new CrossValidationOptions { Folds = 4, Path = new PathOptions { Lambdas = [0.01, 0, 0.01, 0.1] } }, new TrainingOptions { L1Ratio = 0, Tolerance = 1e-8 });
        Assert.Equal([0.1, 0.01, 0.01, 0.0], r.Points.Select(p => p.Lambda));
        Assert.Equal(r.Points[1].MeanLogLoss, r.Points[2].MeanLogLoss);
        Assert.All(r.Points, p => Assert.True(double.IsFinite(p.MeanLogLoss), p.ToString()));
    }

    [Fact]
    public void ZeroLambdaOnSeparableDataGivesFiniteScores()
    {
        // Separable: x > 0 ⇔ y = 1. λ = 0 has no optimum; the scores must still be finite, never NaN.
        double[] x = [.. Enumerable.Range(0, 40).Select(i => i - 19.5)];
        double[] y = [.. x.Select(v => v > 0 ? 1.0 : 0.0)];
        CrossValidationResult r = Cv(DenseDataset.Create(x, y, 1), 2, new CrossValidationOptions { Folds = 4, Path = new PathOptions { Lambdas = [0.1, 0.001, 0] } }, new TrainingOptions { L1Ratio = 0 });
        Assert.All(r.Points, p => Assert.False(double.IsNaN(p.MeanLogLoss), p.ToString()));
        Assert.All(Weights(r.Refit.Classifier), w => Assert.True(double.IsFinite(w)));
    }

    [Fact]
    public void CGridAndLambdaGridTogetherAreRefused()
    {
        DenseDataset<double> data = Binary(40, 2, 4);
        var e = Assert.Throws<ArgumentException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { CValues = [1.0], Path = new PathOptions { Lambdas = [1.0] } }));
        Assert.Contains("CValues", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossValidationOptions { CValues = [0.0] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossValidationOptions { CValues = [double.PositiveInfinity] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossValidationOptions { CValues = [] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossValidationOptions { L1Ratios = [1.5] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new CrossValidationOptions { L1Ratios = [double.NaN] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PathOptions { Lambdas = [-1.0] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PathOptions { Lambdas = [double.NaN] });
    }

    [Fact]
    public void DescendingCGridOnATieChoosesTheLargestLambdaAsDocumented()
    {
        // An all-zero column: every C gives the intercept-only model, so every point ties. The documentation: "the first,
        // i.e. the largest λ, on a tie"; and Points are "λ decreasing within each ρ".
        double[] x = new double[30];
        double[] y = [.. Enumerable.Range(0, 30).Select(i => i % 3 == 0 ? 1.0 : 0.0)];
        CrossValidationResult r = CrossValidation.Run(DenseDataset.Create(x, y, 1), new TrainingOptions(), new CrossValidationOptions { Folds = 3, CValues = [100.0, 1.0, 0.01] });
        Assert.Equal(r.Points[0].MeanLogLoss, r.Points[2].MeanLogLoss);
        Assert.Equal(r.Points.Max(p => p.Lambda), r.Best.Lambda);
        Assert.Equal(r.Points.Select(p => p.Lambda).OrderDescending(), r.Points.Select(p => p.Lambda));
    }

    [Fact]
    public void CancelledTokenStopsTheRun()
    {
        DenseDataset<double> data = Binary(60, 2, 4);
        using var source = new CancellationTokenSource();
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Path = new PathOptions { Count = 3 } }, source.Token));
    }

    // ---- cross-validation: weights ----------------------------------------------------------------------------------

    [Fact]
    public void AFoldWhoseHeldOutRowsAllWeighZeroGivesNoSilentNaNAndAOneStandardErrorChoice()
    {
        // FoldOfRow puts every zero-weight row in fold 2: its held-out log-loss is 0/0.
        DenseDataset<double> baseData = Binary(60, 2, 6);
        int[] folds = [.. Enumerable.Range(0, 60).Select(i => i % 3)];
        double[] w = [.. folds.Select(f => f == 2 ? 0.0 : 1.0)];
        var data = DenseDataset.Create(baseData.Features.ToArray(), baseData.Labels.ToArray(), 2, w);
        CrossValidationResult? r = null;
        Exception? error = Record.Exception(() => r = CrossValidation.Run(data, new TrainingOptions(), new CrossValidationOptions { Folds = 3, FoldOfRow = folds, Path = new PathOptions { Count = 4 } }));
        if (error is not null)
        {
            Assert.IsAssignableFrom<ArgumentException>(error);
            Assert.Contains("sample weight is zero", error.Message);
            return;
        }

        Assert.NotNull(r!.OneStandardError);
        Assert.All(r.Points, p => Assert.False(double.IsNaN(p.MeanLogLoss), "silent NaN: " + p));
    }

    [Fact]
    public void IntegerSampleWeightsEqualDuplicatedRowsInTheHeldOutScores()
    {
        // Rows of weight 2 against the same rows twice, with the duplicates in the same fold (and scikit-learn's C grid,
        // whose λ follows the fold's total weight).
        DenseDataset<double> baseData = Binary(60, 3, 31);
        double[] w = [.. Enumerable.Range(0, 60).Select(i => i % 4 == 0 ? 2.0 : 1.0)];
        var weighted = DenseDataset.Create(baseData.Features.ToArray(), baseData.Labels.ToArray(), 3, w);
        var x = new List<double>();
        var y = new List<double>();
        var foldsDup = new List<int>();
        int[] folds = [.. Enumerable.Range(0, 60).Select(i => (i * 7) % 3)];
        for (int i = 0; i < 60; i++)
        {
            for (int k = 0; k < (int)w[i]; k++)
            {
                x.AddRange(baseData.GetRow(i).ToArray());
                y.Add(baseData.Labels.Span[i]);
                foldsDup.Add(folds[i]);
            }
        }

        var duplicated = DenseDataset.Create(x.ToArray(), y.ToArray(), 3);
        var options = new TrainingOptions { Tolerance = 1e-11, MaxIterations = 10_000, L1Ratio = 0 };
        CrossValidationResult a = CrossValidation.Run(weighted, options, new CrossValidationOptions { Folds = 3, FoldOfRow = folds, CValues = [0.1, 1, 10] });
        CrossValidationResult b = CrossValidation.Run(duplicated, options, new CrossValidationOptions { Folds = 3, FoldOfRow = foldsDup, CValues = [0.1, 1, 10] });
        for (int k = 0; k < 3; k++)
        {
            Close.Equal(b.Points[k].MeanLogLoss, a.Points[k].MeanLogLoss, 1e-6, 0, $"mean log-loss {k}");
            Close.Equal(b.Points[k].MeanAccuracy, a.Points[k].MeanAccuracy, 1e-12, 0, $"accuracy {k}");
            Close.Equal(b.Points[k].Lambda, a.Points[k].Lambda, 1e-12, 0, $"λ {k}");
        }
    }

    [Fact]
    public void OneHugeSampleWeightKeepsScoresFinite()
    {
        double[] w = [.. Enumerable.Range(0, 90).Select(i => i == 7 ? 1e12 : 1.0)];
        DenseDataset<double> data = Binary(90, 3, 12, w);
        CrossValidationResult r = Cv(data, 2, new CrossValidationOptions { Folds = 3, Path = new PathOptions { Count = 4 } });
        Assert.All(r.Points, p => Assert.True(double.IsFinite(p.MeanLogLoss) && double.IsFinite(p.StandardError), p.ToString()));
        Assert.All(Weights(r.Refit.Classifier), v => Assert.True(double.IsFinite(v)));
    }

    [Fact]
    public void ConstantAndDuplicatedColumnsCrossValidate()
    {
        DenseDataset<double> data = WithColumns(Binary(90, 3, 12), r => 5.0, r => r[0]);
        CrossValidationResult r = Cv(data, 2, new CrossValidationOptions { Folds = 3, Path = new PathOptions { Count = 5 } }, new TrainingOptions { Standardize = true, Tolerance = 1e-8 });
        Assert.All(r.Points, p => Assert.True(double.IsFinite(p.MeanLogLoss), p.ToString()));
        Assert.True(Math.Abs(r.Refit.Model.Weights[3]) < 1e-12, r.Refit.Model.Weights[3].ToString("R"));
    }

    // ---- statistics: singular information -----------------------------------------------------------------------------

    private static (LogisticModel Model, DenseDataset<double> Data) Fit(DenseDataset<double> data, double lambda = 0, bool standardize = false)
    {
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = lambda, Standardize = standardize, Solver = Solver.NewtonCholesky, Tolerance = 1e-12, MaxIterations = 500 });
        return (fit.Model, data);
    }

    [Fact]
    public void CollinearColumnsAreNamed()
    {
        DenseDataset<double> data = WithColumns(Binary(200, 3, 40), r => (2 * r[0]) - r[1]);
        (LogisticModel model, _) = Fit(data, lambda: 1e-3);
        var e = Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, data, names: ["a", "b", "c", "combo"]));
        Assert.Contains("a, b, combo", e.Message);
        Assert.DoesNotContain(" c,", e.Message);
    }

    [Fact]
    public void ConstantColumnIsNamedWithTheIntercept()
    {
        DenseDataset<double> data = WithColumns(Binary(200, 2, 41), r => 3.0);
        (LogisticModel model, _) = Fit(data, lambda: 1e-3);
        var e = Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, data));
        Assert.Contains("x2", e.Message);
        Assert.Contains("(intercept)", e.Message);
    }

    [Fact]
    public void DuplicatedAndZeroColumnsAreNamed()
    {
        DenseDataset<double> dup = WithColumns(Binary(200, 2, 42), r => r[1]);
        (LogisticModel model, _) = Fit(dup, lambda: 1e-3);
        Assert.Contains("x1, x2", Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, dup)).Message);
        DenseDataset<double> zero = WithColumns(Binary(200, 2, 42), r => 0.0);
        (model, _) = Fit(zero, lambda: 1e-3);
        Assert.Contains("x2 carries no information", Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, zero)).Message);
    }

    [Fact]
    public void PenalizedCovarianceOfCollinearColumnsIsFinite()
    {
        // With λ > 0 the penalized Hessian is not singular: the table is given.
        DenseDataset<double> dup = WithColumns(Binary(200, 2, 42), r => r[1]);
        (LogisticModel model, _) = Fit(dup, lambda: 1e-2);
        CoefficientTable t = CoefficientStatistics.Compute(model, dup, lambda: 1e-2);
        Assert.All(t.Rows, r => Assert.True(double.IsFinite(r.StandardError) && r.StandardError > 0, r.ToString()));
    }

    [Fact]
    public void MoreColumnsThanRowsIsSingular()
    {
        DenseDataset<double> data = Binary(6, 8, 43);
        (LogisticModel model, _) = Fit(data, lambda: 1e-1);
        var e = Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, data));
        Assert.Contains("singular", e.Message);
    }

    [Fact]
    public void SeparableDataIsNotReportedWithConfidentLookingNumbers()
    {
        // x > 0 ⇔ y = 1: the maximum-likelihood estimate is infinite. statsmodels raises PerfectSeparationError; a table
        // here must not look like an ordinary one (finite estimate, finite standard error) without a word.
        double[] x = [.. Enumerable.Range(0, 40).Select(i => i - 19.5)];
        double[] y = [.. x.Select(v => v > 0 ? 1.0 : 0.0)];
        var data = DenseDataset.Create(x, y, 1);
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = 0 });
        CoefficientTable? table = null;
        Exception? error = Record.Exception(() => table = CoefficientStatistics.Compute(fit.Model, data));
        if (error is null)
        {
            Assert.Fail($"stop reason {fit.Report.StopReason}; table given: {table}");
        }

        Assert.IsAssignableFrom<ArgumentException>(error);
    }

    [Fact]
    public void ARowOfTinyWeightOnTheWrongSideIsNotSeparation()
    {
        // x > 0 ⇔ y = 1, but for one row of weight 10⁻¹⁷ on the wrong side: the weighted accuracy rounds to exactly 1,
        // yet that row bounds the likelihood. The separation test looks row by row (as training's Separable does).
        double[] x = [.. Enumerable.Range(0, 40).Select(i => i - 19.5), 5.0];
        double[] y = [.. x.Take(40).Select(v => v > 0 ? 1.0 : 0.0), 0.0];
        double[] w = [.. Enumerable.Repeat(1.0, 40), 1e-17];
        var data = DenseDataset.Create(x, y, 1, w);
        var model = new LogisticModel([0.8], 0.1);
        Assert.Equal(1.0, model.Evaluate(data).Accuracy);
        CoefficientTable table = CoefficientStatistics.Compute(model, data);
        Assert.True(double.IsFinite(table.Rows[0].StandardError), table.ToString());
    }

    // ---- statistics: the math -----------------------------------------------------------------------------------------

    /// <summary>Σ sᵢ pᵢ(1 − pᵢ) [xᵢ, 1][xᵢ, 1]ᵀ + diag(S λ scaleⱼ²), inverted by Gauss–Jordan.</summary>
    private static double[,] ReferenceCovariance(LogisticModel model, DenseDataset<double> data, double lambda, double[]? scales)
    {
        int d = data.Columns, n = d + 1;
        double[,] h = new double[n, n];
        double total = 0;
        for (int i = 0; i < data.Rows; i++)
        {
            double[] row = [.. data.GetRow(i).ToArray(), 1.0];
            double s = data.HasSampleWeights ? data.SampleWeights.Span[i] : 1;
            total += s;
            double z = model.Bias;
            for (int j = 0; j < d; j++)
            {
                z += model.Weights[j] * row[j];
            }

            double p = 1 / (1 + Math.Exp(-z));
            for (int a = 0; a < n; a++)
            {
                for (int b = 0; b < n; b++)
                {
                    h[a, b] += s * p * (1 - p) * row[a] * row[b];
                }
            }
        }

        for (int j = 0; j < d; j++)
        {
            h[j, j] += total * lambda * (scales?[j] ?? 1) * (scales?[j] ?? 1);
        }

        return Invert(h);
    }

    private static double[,] Invert(double[,] m)
    {
        int n = m.GetLength(0);
        double[,] a = (double[,])m.Clone(), inv = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            inv[i, i] = 1;
        }

        for (int c = 0; c < n; c++)
        {
            int pivot = c;
            for (int r = c + 1; r < n; r++)
            {
                if (Math.Abs(a[r, c]) > Math.Abs(a[pivot, c]))
                {
                    pivot = r;
                }
            }

            for (int k = 0; k < n; k++)
            {
                (a[c, k], a[pivot, k]) = (a[pivot, k], a[c, k]);
                (inv[c, k], inv[pivot, k]) = (inv[pivot, k], inv[c, k]);
            }

            double diag = a[c, c];
            for (int k = 0; k < n; k++)
            {
                a[c, k] /= diag;
                inv[c, k] /= diag;
            }

            for (int r = 0; r < n; r++)
            {
                if (r != c && a[r, c] != 0)
                {
                    double f = a[r, c];
                    for (int k = 0; k < n; k++)
                    {
                        a[r, k] -= f * a[c, k];
                        inv[r, k] -= f * inv[c, k];
                    }
                }
            }
        }

        return inv;
    }

    private static void MatchesReference(CoefficientTable table, LogisticModel model, DenseDataset<double> data, double lambda, double[]? scales, double rtol)
    {
        double[,] cov = ReferenceCovariance(model, data, lambda, scales);
        double q = 1.959963984540054;
        for (int j = 0; j < table.Rows.Count; j++)
        {
            Coefficient r = table.Rows[j];
            double estimate = j < data.Columns ? model.Weights[j] : model.Bias;
            double se = Math.Sqrt(cov[j, j]);
            Close.Equal(estimate, r.Estimate, 0, 0, $"estimate {j}");
            Close.Equal(se, r.StandardError, rtol, 0, $"se {j}");
            Close.Equal(estimate / se, r.Z, rtol, 1e-12, $"z {j}");
            Close.Equal(MathNet.Numerics.SpecialFunctions.Erfc(Math.Abs(estimate / se) / Math.Sqrt(2)), r.PValue, 1e-6, 1e-14, $"p {j}");
            Close.Equal(estimate - (q * se), r.Lower, rtol, 1e-12, $"lower {j}");
            Close.Equal(estimate + (q * se), r.Upper, rtol, 1e-12, $"upper {j}");
            Close.Equal(Math.Exp(estimate), r.OddsRatio, 1e-15, 0, $"odds ratio {j}");
        }
    }

    [Fact]
    public void UnpenalizedTableMatchesTheTextbookCovariance()
    {
        DenseDataset<double> data = Binary(300, 4, 50);
        (LogisticModel model, _) = Fit(data);
        MatchesReference(CoefficientStatistics.Compute(model, data), model, data, 0, null, 1e-9);
    }

    [Fact]
    public void StandardizedL2TableMatchesThePenalizedHessianOnTheRawScale()
    {
        DenseDataset<double> raw = Binary(300, 4, 51);
        double[] scaleBy = [1, 100, 0.01, 7];
        double[] x = raw.Features.ToArray();
        for (int i = 0; i < x.Length; i++)
        {
            x[i] *= scaleBy[i % 4];
        }

        DenseDataset<double> data = DenseDataset.Create(x, raw.Labels.ToArray(), 4);
        const double Lambda = 0.05;
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = Lambda, Standardize = true, Solver = Solver.NewtonCholesky, Tolerance = 1e-12 });
        CoefficientTable t = CoefficientStatistics.Compute(fit.Model, data, Lambda, fit.Standardization);
        double[] sigma = [.. Enumerable.Range(0, 4).Select(j => fit.Standardization!.Scales[j])];
        MatchesReference(t, fit.Model, data, Lambda, sigma, 1e-9);
        Assert.Equal(Lambda, t.Lambda);
    }

    [Fact]
    public void SampleWeightsAreFrequencyWeights()
    {
        // Integer weights give the table of the rows repeated (statsmodels' freq_weights).
        DenseDataset<double> baseData = Binary(120, 3, 52);
        double[] w = [.. Enumerable.Range(0, 120).Select(i => (double)((i % 3) + 1))];
        var weighted = DenseDataset.Create(baseData.Features.ToArray(), baseData.Labels.ToArray(), 3, w);
        var x = new List<double>();
        var y = new List<double>();
        for (int i = 0; i < 120; i++)
        {
            for (int k = 0; k < (int)w[i]; k++)
            {
                x.AddRange(baseData.GetRow(i).ToArray());
                y.Add(baseData.Labels.Span[i]);
            }
        }

        var repeated = DenseDataset.Create(x.ToArray(), y.ToArray(), 3);
        (LogisticModel model, _) = Fit(weighted);
        CoefficientTable a = CoefficientStatistics.Compute(model, weighted), b = CoefficientStatistics.Compute(model, repeated);
        for (int j = 0; j < 4; j++)
        {
            Close.Equal(b.Rows[j].StandardError, a.Rows[j].StandardError, 1e-10, 0, $"se {j}");
        }

        Close.Equal(b.LogLikelihood, a.LogLikelihood, 1e-12, 0, "log-likelihood");
        MatchesReference(a, model, weighted, 0, null, 1e-9);
    }

    [Fact]
    public void SparseRowsGiveTheDenseTable()
    {
        DenseDataset<double> dense = Binary(150, 4, 53);
        (LogisticModel model, _) = Fit(dense);
        CoefficientTable a = CoefficientStatistics.Compute(model, dense), b = CoefficientStatistics.Compute(model, ToSparse(dense));
        for (int j = 0; j < 5; j++)
        {
            Close.Equal(a.Rows[j].StandardError, b.Rows[j].StandardError, 1e-12, 0, $"se {j}");
        }
    }

    [Fact]
    public void RawColumnOfScaleOneE170Below() => RawColumnOfExtremeScaleScalesItsStandardError(1e-170);

    [Fact]
    public void RawColumnOfScaleOneE170Above() => RawColumnOfExtremeScaleScalesItsStandardError(1e170);

    [Theory]
    [InlineData(1e-100)]
    [InlineData(1e100)]
    [InlineData(1e-140)]
    [InlineData(1e140)]
    public void RawColumnOfExtremeScaleScalesItsStandardError(double scale)
    {
        // A column × s with its weight ÷ s is the same model: its standard error is the original's ÷ s, the others unchanged.
        DenseDataset<double> data = Binary(200, 3, 54);
        (LogisticModel model, _) = Fit(data);
        CoefficientTable plain = CoefficientStatistics.Compute(model, data);
        double[] x = data.Features.ToArray();
        for (int i = 0; i < 200; i++)
        {
            x[(i * 3) + 1] *= scale;
        }

        var scaled = DenseDataset.Create(x, data.Labels.ToArray(), 3);
        var scaledModel = new LogisticModel([model.Weights[0], model.Weights[1] / scale, model.Weights[2]], model.Bias);
        CoefficientTable t = CoefficientStatistics.Compute(scaledModel, scaled);
        Close.Equal(plain.Rows[1].StandardError / scale, t.Rows[1].StandardError, 1e-8, 0, "se of the scaled column");
        Close.Equal(plain.Rows[0].StandardError, t.Rows[0].StandardError, 1e-8, 0, "se of another column");
        Close.Equal(plain.Rows[1].Z, t.Rows[1].Z, 1e-8, 0, "z of the scaled column");
    }

    [Fact]
    public void BadArgumentsAreRefusedNamingThem()
    {
        DenseDataset<double> data = Binary(50, 2, 55);
        (LogisticModel model, _) = Fit(data, 0.01);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => CoefficientStatistics.Compute(model, data, level: 1)).ParamName);
        Assert.Equal("level", Assert.Throws<ArgumentOutOfRangeException>(() => CoefficientStatistics.Compute(model, data, level: double.NaN)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => CoefficientStatistics.Compute(model, data, lambda: -1)).ParamName);
        Assert.Equal("lambda", Assert.Throws<ArgumentOutOfRangeException>(() => CoefficientStatistics.Compute(model, data, lambda: double.PositiveInfinity)).ParamName);
        Assert.Equal("names", Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, data, names: ["a"])).ParamName);
        Assert.Equal("fitIntercept", Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, data, fitIntercept: false)).ParamName);
        Assert.Contains("3 columns", Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(model, WithColumns(data, r => 1.0))).Message);
    }

    [Fact]
    public void BinaryTableOnKClassDataIsRefused()
    {
        DenseDataset<double> data = KClass(90, 2, 3, 56);
        var model = new LogisticModel([0.3, -0.2], 0.1);
        Assert.ThrowsAny<ArgumentException>(() => CoefficientStatistics.Compute(model, data));
    }

    [Fact]
    public void StandardizationOfAnotherWidthIsRefused()
    {
        DenseDataset<double> data = Binary(60, 3, 57);
        (LogisticModel model, _) = Fit(data, 0.01);
        var wrong = new FeatureScaling([0.0, 0.0], [1.0, 1.0]);
        Assert.ThrowsAny<ArgumentException>(() => CoefficientStatistics.Compute(model, data, 0.01, wrong));
    }

    [Fact]
    public void NoInterceptTableHasNoInterceptRow()
    {
        DenseDataset<double> data = Binary(200, 3, 58);
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = 0, FitIntercept = false, Solver = Solver.NewtonCholesky, Tolerance = 1e-12 });
        CoefficientTable t = CoefficientStatistics.Compute(fit.Model, data, fitIntercept: false);
        Assert.Equal(3, t.Rows.Count);
        Assert.DoesNotContain(t.Rows, r => r.Name == "(intercept)");
    }

    // ---- statistics: K classes ------------------------------------------------------------------------------------------

    private static MulticlassModel FitK(Dataset<double> data) =>
        LogisticRegression.Train(data, new TrainingOptions { L2 = 0, MultiClass = MultiClass.Multinomial, Solver = Solver.NewtonCholesky, Tolerance = 1e-12, MaxIterations = 500 }).Multiclass;

    [Fact]
    public void MultinomialTableIsConsistentAcrossReferenceClasses()
    {
        // coef(2 vs 1) = coef(2 vs 0) − coef(1 vs 0); its variance from the reference-0 covariance.
        DenseDataset<double> data = KClass(400, 2, 3, 60);
        MulticlassModel model = FitK(data);
        MultinomialCoefficientTable r0 = MultinomialStatistics.Compute(model, data), r1 = MultinomialStatistics.Compute(model, data, referenceClass: 1);
        int per = 3;
        for (int j = 0; j < per; j++)
        {
            Close.Equal(r0.Classes[2][j].Estimate - r0.Classes[1][j].Estimate, r1.Classes[2][j].Estimate, 1e-9, 1e-12, $"estimate {j}");
            double variance = r0.Covariance[per + j, per + j] + r0.Covariance[j, j] - (2 * r0.Covariance[j, per + j]);
            Close.Equal(Math.Sqrt(variance), r1.Classes[2][j].StandardError, 1e-7, 0, $"se {j}");
        }

        Assert.Empty(r0.Classes[0]);
        Assert.Empty(r1.Classes[1]);
    }

    [Fact]
    public void MultinomialOfTwoClassesIsTheBinaryTable()
    {
        DenseDataset<double> data = Binary(200, 3, 61);
        MulticlassModel model = FitK(DenseDataset.Create(data.Features.ToArray(), data.Labels.ToArray(), 3, 2));
        // The binary model of class 1 against 0.
        double[] w = [.. Enumerable.Range(0, 3).Select(j => model.Coefficients(1)[j] - model.Coefficients(0)[j])];
        var binary = new LogisticModel(w, model.Intercepts[1] - model.Intercepts[0]);
        var twoClass = DenseDataset.Create(data.Features.ToArray(), data.Labels.ToArray(), 3, 2);
        MultinomialCoefficientTable k = MultinomialStatistics.Compute(model, twoClass);
        CoefficientTable b = CoefficientStatistics.Compute(binary, data);
        for (int j = 0; j < 4; j++)
        {
            Close.Equal(b.Rows[j].StandardError, k.Classes[1][j].StandardError, 1e-9, 0, $"se {j}");
        }

        Close.Equal(b.LogLikelihood, k.LogLikelihood, 1e-10, 0, "log-likelihood");
    }

    [Fact]
    public void MultinomialSampleWeightsAreFrequencyWeights()
    {
        DenseDataset<double> baseData = KClass(150, 2, 3, 62);
        double[] w = [.. Enumerable.Range(0, 150).Select(i => (double)((i % 2) + 1))];
        var weighted = DenseDataset.Create(baseData.Features.ToArray(), baseData.Labels.ToArray(), 2, 3, w);
        var x = new List<double>();
        var y = new List<double>();
        for (int i = 0; i < 150; i++)
        {
            for (int k = 0; k < (int)w[i]; k++)
            {
                x.AddRange(baseData.GetRow(i).ToArray());
                y.Add(baseData.Labels.Span[i]);
            }
        }

        MulticlassModel model = FitK(weighted);
        MultinomialCoefficientTable a = MultinomialStatistics.Compute(model, weighted), b = MultinomialStatistics.Compute(model, DenseDataset.Create(x.ToArray(), y.ToArray(), 2, 3));
        for (int c = 1; c < 3; c++)
        {
            for (int j = 0; j < 3; j++)
            {
                Close.Equal(b.Classes[c][j].StandardError, a.Classes[c][j].StandardError, 1e-10, 0, $"se class {c} {j}");
            }
        }

        Close.Equal(b.LogLikelihood, a.LogLikelihood, 1e-12, 0, "log-likelihood");
    }

    [Fact]
    public void MultinomialCollinearColumnsAreNamedAndAnEmptyClassRefused()
    {
        DenseDataset<double> data = WithColumns(KClass(200, 2, 3, 63), r => r[0] + r[1]);
        MulticlassModel model = LogisticRegression.Train(data, new TrainingOptions { L2 = 1e-3, MultiClass = MultiClass.Multinomial }).Multiclass;
        var e = Assert.Throws<ArgumentException>(() => MultinomialStatistics.Compute(model, data, names: ["a", "b", "ab"]));
        Assert.Contains("ab (class", e.Message);

        double[] y = data.Labels.ToArray().Select(v => v == 2 ? 1.0 : v).ToArray();
        var noClass2 = DenseDataset.Create(data.Features.ToArray(), y, 3, 3);
        Assert.Contains("Class 2 has no rows", Assert.Throws<ArgumentException>(() => MultinomialStatistics.Compute(model, noClass2)).Message);
        Assert.Equal("referenceClass", Assert.Throws<ArgumentOutOfRangeException>(() => MultinomialStatistics.Compute(model, data, referenceClass: 3)).ParamName);
        Assert.Equal("referenceClass", Assert.Throws<ArgumentOutOfRangeException>(() => MultinomialStatistics.Compute(model, data, referenceClass: -1)).ParamName);
    }

    [Fact]
    public void OneVsRestModelIsRefusedByMultinomialStatistics()
    {
        DenseDataset<double> data = KClass(120, 2, 3, 64);
        MulticlassModel ovr = LogisticRegression.Train(data, new TrainingOptions { MultiClass = MultiClass.OneVsRest }).Multiclass;
        Assert.Equal("model", Assert.Throws<ArgumentException>(() => MultinomialStatistics.Compute(ovr, data)).ParamName);
    }

    [Fact]
    public void MultinomialSeparableClassIsNotReportedAsAnOrdinaryTable()
    {
        // Class 2 is exactly x0 > 0.6: separable from the rest; its coefficients against class 0 are infinite.
        var rng = new Random(3);
        double[] x = new double[300 * 2], y = new double[300];
        for (int i = 0; i < 300; i++)
        {
            x[2 * i] = (rng.NextDouble() * 2) - 1;
            x[(2 * i) + 1] = (rng.NextDouble() * 2) - 1;
            y[i] = x[2 * i] > 0.6 ? 2 : rng.NextDouble() < 0.5 ? 1 : 0;
        }

        var data = DenseDataset.Create(x, y, 2, 3);
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = 0, MultiClass = MultiClass.Multinomial });
        Assert.Equal(StopReason.Separable, fit.Report.StopReason); // was Converged (45 iterations)
        Assert.Contains("class 2's rows are cut from all the others'", fit.Report.Message);
        var error = Assert.ThrowsAny<ArgumentException>(() => MultinomialStatistics.Compute(fit.Multiclass, data)); // was a table: x0 1,507 ± 1.15e8
        Assert.Contains("Class 2's rows are cut from all the others'", error.Message);
    }

    [Theory]
    [InlineData(MultiClass.Multinomial)]
    [InlineData(MultiClass.OneVsRest)]
    public void KClassesEverySeparatedIsSeparableAndOverlappingIsNot(MultiClass kind)
    {
        // Three strips along x0, every row on its class's: completely separable. With 10% of the labels drawn at random
        // no class is cut from the rest and the unpenalized fit has a minimum: it must still say Converged.
        var rng = new Random(5);
        double[] x = new double[300 * 2], clean = new double[300], noisy = new double[300];
        for (int i = 0; i < 300; i++)
        {
            x[2 * i] = (rng.NextDouble() * 3) - 1.5;
            x[(2 * i) + 1] = rng.NextDouble();
            clean[i] = x[2 * i] < -0.5 ? 0 : x[2 * i] < 0.5 ? 1 : 2;
            noisy[i] = rng.NextDouble() < 0.1 ? rng.Next(3) : clean[i];
        }

        TrainingResult separable = LogisticRegression.Train(DenseDataset.Create(x, clean, 2, 3), new TrainingOptions { L2 = 0, MultiClass = kind });
        TrainingResult overlapping = LogisticRegression.Train(DenseDataset.Create(x, noisy, 2, 3), new TrainingOptions { L2 = 0, MultiClass = kind });
        Assert.Equal(StopReason.Separable, separable.Report.StopReason);
        Assert.Equal(StopReason.Converged, overlapping.Report.StopReason);
        TrainingResult penalized = LogisticRegression.Train(DenseDataset.Create(x, clean, 2, 3), new TrainingOptions { L2 = 1e-3, MultiClass = kind });
        Assert.Equal(StopReason.Converged, penalized.Report.StopReason);
    }

    // ---- the tool: cv ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("two")]
    [InlineData("2.5")]
    public void CvBadFoldsIsBadUsageNamingTheOption(string folds)
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(30, 2, 70)));
        (int code, _, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", folds, "--count", "3");
        Assert.Equal(2, code);
        Assert.Contains("--folds", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void CvMoreFoldsThanRowsIsBadUsage()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(8, 2, 71)));
        (int code, _, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "9");
        Assert.Equal(2, code);
        Assert.Contains("--folds 9", error);
        Assert.False(File.Exists(dir.File("m.json")));
    }

    [Fact]
    public void CvWithAClassOfOneRowIsBadUsageNamingFolds()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "a,y\n" + string.Join("", Enumerable.Range(0, 12).Select(i => $"{i},{(i == 5 ? 1 : 0)}\n")));
        (int code, _, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "3", "--count", "3");
        Assert.Equal(2, code);
        Assert.Contains("--folds 3", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public void CvKClassesWithAClassOfOneRowNamesFolds()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(KClass(45, 2, 2, 72)) + "0.5,0.5,2\n");
        (int code, _, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "3", "--count", "3");
        Assert.Equal(2, code);
        Assert.Contains("--folds 3", error);
    }

    [Fact]
    public void CvKClassesWithAClassOfOneRowEndsCleanly()
    {
        using var dir = new TempDirectory();
        DenseDataset<double> data = KClass(45, 2, 2, 72);
        string text = Csv(data) + "0.5,0.5,2\n";
        string csv = dir.Write("d.csv", text);
        (int code, string output, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "3", "--count", "3", "--json");
        Assert.True(code is 0 or 1 or 2, $"exit {code}: {error}");
        Assert.DoesNotContain("   at ", error);
        if (code == 0)
        {
            Assert.DoesNotContain("NaN", output);
        }
    }

    [Fact]
    public void CvOnConstantColumnsIsBadInputSayingWhy()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "a,b,y\n" + string.Join("", Enumerable.Range(0, 20).Select(i => $"1,2,{i % 2}\n")));
        (int code, _, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "2", "--count", "3");
        Assert.Equal(1, code);
        Assert.Contains("λ_max is 0", error);
    }

    [Fact]
    public void CvJsonAndModelAreTheSameForOneAndTwoThreads()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(150, 4, 73)));
        string[] Args(string threads, string model) => ["cv", "--data", csv, "--model", dir.File(model), "--folds", "3", "--count", "6", "--penalty", "elasticnet", "--standardize", "--threads", threads, "--json"];
        (int c1, string o1, string e1) = Run(Args("1", "m1.json"));
        (int c2, string o2, string e2) = Run(Args("2", "m2.json"));
        Assert.True(c1 == 0, e1);
        Assert.True(c2 == 0, e2);
        Assert.Equal(o1.Replace("m1.json", "M"), o2.Replace("m2.json", "M"));
        FastLogReg.IO.SavedModel a = FastLogReg.IO.ModelFile.Load(dir.File("m1.json")), b = FastLogReg.IO.ModelFile.Load(dir.File("m2.json"));
        Assert.Equal(Weights(a.Model), Weights(b.Model));
    }

    [Fact]
    public void CvOnLibSvmSparseRowsAndKClassesRuns()
    {
        using var dir = new TempDirectory();
        string data = dir.Write("heart.libsvm", File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "datasets", "heart_scale.libsvm")));
        (int code, string output, string error) = Run("cv", "--data", data, "--model", dir.File("m.json"), "--folds", "3", "--count", "4", "--json");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("NaN", output);

        string k = dir.Write("k.csv", Csv(KClass(90, 3, 3, 74)));
        (code, output, error) = Run("cv", "--data", k, "--model", dir.File("k.json"), "--folds", "3", "--count", "3", "--penalty", "l2", "--multiclass", "multinomial");
        Assert.True(code == 0, error);
        Assert.Contains("best λ", output);
    }

    [Theory]
    [InlineData("--count", "0")]
    [InlineData("--min-ratio", "0")]
    [InlineData("--min-ratio", "1.5")]
    [InlineData("--threads", "0")]
    [InlineData("--seed", "x")]
    public void CvOddOptionsAreBadUsage(string option, string value)
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(30, 2, 75)));
        (int code, _, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(option, error);
    }

    [Theory]
    [InlineData("cv")]
    [InlineData("path")]
    public void L1RatioWithoutElasticNetIsRefusedEvenWhenPenaltyIsDefaulted(string command)
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(40, 2, 75)));
        string[] args = command == "cv"
            ? ["cv", "--data", csv, "--model", dir.File("m.json"), "--l1-ratio", "0.5", "--count", "3", "--folds", "2"]
            : ["path", "--data", csv, "--l1-ratio", "0.5", "--count", "3"];
        (int code, _, string error) = Run(args);
        Assert.Equal(2, code);
        Assert.Contains("--l1-ratio", error);
    }

    [Fact]
    public void L1RatioWithExplicitL1PenaltyIsRefused()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(40, 2, 75)));
        (int code, _, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--penalty", "l1", "--l1-ratio", "0.5");
        Assert.Equal(2, code);
        Assert.Contains("--l1-ratio", error);
    }

    [Fact]
    public void CvCountOneAndMinRatioOneRun()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(40, 2, 76)));
        (int code, string output, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "2", "--count", "1", "--json");
        Assert.True(code == 0, error);
        (code, output, error) = Run("cv", "--data", csv, "--model", dir.File("m2.json"), "--folds", "2", "--count", "3", "--min-ratio", "1", "--json");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("NaN", output);
    }

    [Fact]
    public void CvWithSeparableDataAndL2Runs()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "a,y\n" + string.Join("", Enumerable.Range(0, 30).Select(i => $"{i - 14.5},{(i > 14 ? 1 : 0)}\n")));
        (int code, string output, string error) = Run("cv", "--data", csv, "--model", dir.File("m.json"), "--folds", "3", "--count", "5", "--penalty", "l2", "--json");
        Assert.True(code == 0, error);
        Assert.DoesNotContain("NaN", output);
    }

    // ---- the tool: train --stats ------------------------------------------------------------------------------------------

    [Fact]
    public void StatsOnCollinearColumnsIsBadInputNamingThem()
    {
        using var dir = new TempDirectory();
        DenseDataset<double> data = WithColumns(Binary(100, 2, 80), r => r[0] - r[1]);
        string csv = dir.Write("d.csv", Csv(data));
        (int code, _, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--l2", "0", "--test-fraction", "0", "--quiet");
        Assert.Equal(1, code);
        Assert.Contains("f0, f1, f2", error);
        Assert.DoesNotContain("   at ", error);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void StatsOnATinyRawColumnReportsIt(bool standardize)
    {
        // Raw, the column of ~10⁻¹⁷⁰ came out "carries no information" (exit 1); standardized it always worked.
        using var dir = new TempDirectory();
        var rng = new Random(2);
        var text = new StringBuilder("a,b,y\n");
        for (int i = 0; i < 40; i++)
        {
            double a = (rng.NextDouble() * 2) - 1, b = (rng.NextDouble() * 2) - 1;
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{a:R},{b * 1e-170:R},{(a + b + (rng.NextDouble() - 0.5) > 0 ? 1 : 0)}\n");
        }

        string csv = dir.Write("d.csv", text.ToString());
        string[] args = ["train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--l2", "0", "--test-fraction", "0", .. standardize ? new[] { "--standardize" } : []];
        (int code, string output, string error) = Run(args);
        Assert.True(code == 0, error);
        Assert.Contains("(intercept)", output);
    }

    [Fact]
    public void StatsWithPolynomialFeaturesNamesTheExpandedColumns()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(200, 2, 81)));
        (int code, string output, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--poly", "2", "--test-fraction", "0");
        Assert.True(code == 0, error);
        Assert.Contains("(intercept)", output);
        Assert.Contains("f0", output);
    }

    [Fact]
    public void StatsWithHashedColumnsRunsOrSaysWhy()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "a,t,y\n" + string.Join("", Enumerable.Range(0, 60).Select(i => $"{(i * 7 % 11) - 5},{(i % 3 == 0 ? "red" : i % 3 == 1 ? "green" : "blue")},{(i * 7 % 11 > 5 ^ i % 5 == 0 ? 1 : 0)}\n")));
        (int code, _, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--hash", "t:3", "--test-fraction", "0", "--quiet");
        Assert.True(code is 0 or 1 or 2, error);
        Assert.DoesNotContain("   at ", error);
        Assert.DoesNotContain("names for", error);
    }

    [Fact]
    public void StatsOnSeparableDataSaysSo()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", "a,y\n" + string.Join("", Enumerable.Range(0, 30).Select(i => $"{i - 14.5},{(i > 14 ? 1 : 0)}\n")));
        (int code, string output, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--l2", "0", "--test-fraction", "0");
        Assert.DoesNotContain("   at ", error);
        if (code == 0)
        {
            Assert.Contains("separ", (output + error).ToLowerInvariant());
        }
    }

    [Theory]
    [InlineData("l1")]
    [InlineData("elasticnet")]
    public void StatsWithAnL1PenaltyIsBadUsage(string penalty)
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(Binary(40, 2, 82)));
        (int code, _, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--penalty", penalty);
        Assert.Equal(2, code);
        Assert.Contains("--stats", error);
    }

    [Fact]
    public void StatsForKClassesNeedsL2ZeroAndMultinomial()
    {
        using var dir = new TempDirectory();
        string csv = dir.Write("d.csv", Csv(KClass(150, 2, 3, 83)));
        (int code, _, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats");
        Assert.Equal(2, code);
        Assert.Contains("--l2 0", error);
        (code, _, error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--l2", "0", "--multiclass", "ovr");
        Assert.Equal(2, code);
        Assert.Contains("ovr", error);
        (code, string output, error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--l2", "0", "--test-fraction", "0");
        Assert.True(code == 0, error);
        Assert.Contains("class 2 against class 0", output);
        Assert.Contains("RRR", output);
    }

    [Fact]
    public void StatsJsonWithTheCGridMatchesTheLibrary()
    {
        // --C c: λ = 1/(C·n_train); the table printed must be the penalized one at that λ.
        using var dir = new TempDirectory();
        DenseDataset<double> data = Binary(120, 3, 84);
        string csv = dir.Write("d.csv", Csv(data));
        (int code, string output, string error) = Run("train", "--data", csv, "--model", dir.File("m.json"), "--stats", "--C", "0.5", "--solver", "newton-cholesky", "--tolerance", "1e-12", "--test-fraction", "0", "--json");
        Assert.True(code == 0, error);
        JsonElement rows = JsonDocument.Parse(output).RootElement.GetProperty("coefficients");
        double lambda = TrainingOptions.L2FromScikitLearnC(0.5, 120);
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = lambda, Solver = Solver.NewtonCholesky, Tolerance = 1e-12 });
        CoefficientTable t = CoefficientStatistics.Compute(fit.Model, data, lambda);
        Assert.Equal(4, rows.GetArrayLength());
        for (int j = 0; j < 4; j++)
        {
            JsonElement r = rows[j];
            string text = r.ToString();
            double se = r.EnumerateObject().First(p => p.Name.Contains("rror", StringComparison.OrdinalIgnoreCase)).Value.GetDouble();
            Close.Equal(t.Rows[j].StandardError, se, 1e-6, 0, $"se {j} ({text})");
        }
    }

}
