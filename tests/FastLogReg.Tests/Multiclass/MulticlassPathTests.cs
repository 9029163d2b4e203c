using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// The regularization path of a K-class model: from λ_max (every weight zero, the intercept-only optimum) down, each
/// point warm-started — and each the optimum a cold fit at its λ finds.
/// </summary>
public sealed class MulticlassPathTests(ITestOutputHelper output)
{
    /// <summary>The first 600 digits (10 classes, 64 pixels), standardized in the options.</summary>
    private static DenseDataset<double> Digits()
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        return DenseDataset.Create(x.AsSpan(0, 600 * 64).ToArray(), y.AsSpan(0, 600).ToArray(), 64, 10);
    }

    [Theory]
    [InlineData(MultiClass.Auto, 1.0, Solver.Auto)]
    [InlineData(MultiClass.Auto, 0.5, Solver.Auto)]
    [InlineData(MultiClass.Auto, 0.0, Solver.Auto)]
    [InlineData(MultiClass.OneVsRest, 1.0, Solver.Auto)]
    [InlineData(MultiClass.Auto, 1.0, Solver.CoordinateDescent)]
    [InlineData(MultiClass.Auto, 0.5, Solver.CoordinateDescent)]
    [InlineData(MultiClass.OneVsRest, 1.0, Solver.CoordinateDescent)]
    [InlineData(MultiClass.OneVsRest, 0.5, Solver.CoordinateDescent)]
    public void EveryPointIsTheColdFitsOptimum(MultiClass multiClass, double rho, Solver solver)
    {
        DenseDataset<double> data = Digits();
        var options = new TrainingOptions { L1Ratio = rho, Standardize = true, MultiClass = multiClass, Tolerance = 1e-9, MaxIterations = 100_000, Solver = solver };

        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 12, MinRatio = 1e-2 });

        Assert.Equal(12, path.Points.Count);
        Assert.Equal(10, path.InterceptOnlyBiases.Count);
        output.WriteLine($"λ_max {path.LambdaMax:G6}; passes {string.Join(" ", path.Points.Select(p => p.DataPasses))}; stops {string.Join(" ", path.Points.Select(p => p.StopReason))}");
        for (int i = 0; i < path.Points.Count; i++)
        {
            // OWL-QN on these K × d weights can stop at its line search's rounding floor (NoProgress) short of 10⁻⁹, a cold
            // fit as well: the objectives agree to 10⁻⁸, and the weights at zero but for the marginal ones.
            PathPoint point = path.Points[i];
            Assert.True(point.StopReason is StopReason.Converged or StopReason.NoProgress, $"point {i}: {point.StopReason}");
            MulticlassModel model = point.Multiclass;
            Assert.Equal(multiClass == MultiClass.OneVsRest ? ClassificationKind.OneVsRest : ClassificationKind.Multinomial, model.Kind);
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-8, 0, $"objective at point {i}, λ = {point.Lambda:G4}");
            Assert.InRange(point.NonZeroWeights, cold.Report.NonZeroWeights - 2, cold.Report.NonZeroWeights + 2);
            Assert.Equal(point.NonZeroWeights, Enumerable.Range(0, 10).Sum(c => model.Coefficients(c).ToArray().Count(w => w != 0)));
        }

        if (rho > 0)
        {
            // λ_max is the smallest λ with W = 0: the first point has none, the next (λ_max·10^(−2/11)) some.
            Assert.Equal(0, path.Points[0].NonZeroWeights);
            Assert.True(path.Points[1].NonZeroWeights > 0);
        }
    }

    [Fact]
    public void TheFirstPointIsTheInterceptOnlyOptimum()
    {
        // At λ_max the weights are zero and the intercepts the log of each class's share (centred): the model predicts
        // every class's share for every row.
        DenseDataset<double> data = Digits();
        RegularizationPath path = RegularizationPath.Compute(data, new TrainingOptions { L1Ratio = 1, Tolerance = 1e-10 }, new PathOptions { Count = 3 });
        MulticlassModel first = path.Points[0].Multiclass;
        double[] probabilities = new double[10];
        first.PredictProbabilities(data.Features.Span[..64], probabilities);
        double[] labels = data.Labels.ToArray();
        for (int c = 0; c < 10; c++)
        {
            Close.Equal(labels.Count(y => y == c) / 600.0, probabilities[c], 1e-9, 0, $"class {c}'s probability");
        }
    }

    [Fact]
    public void APathIsBitIdenticalForAnyThreadCount_AndTheModelAccessorsSayWhichKind()
    {
        DenseDataset<double> data = Digits();
        var grid = new PathOptions { Count = 6, MinRatio = 1e-2 };
        RegularizationPath[] paths = [.. new[] { 1, 2, 3 }.Select(t => RegularizationPath.Compute(data, new TrainingOptions { L1Ratio = 0.5, Standardize = true, MaxDegreeOfParallelism = t }, grid))];
        for (int t = 1; t < paths.Length; t++)
        {
            for (int i = 0; i < grid.Count; i++)
            {
                Assert.Equal(paths[0].Points[i].Objective, paths[t].Points[i].Objective);
                Assert.Equal(paths[0].Points[i].Multiclass.Coefficients(3).ToArray(), paths[t].Points[i].Multiclass.Coefficients(3).ToArray());
            }
        }

        Assert.Throws<InvalidOperationException>(() => paths[0].Points[1].Model);
        (double[] x, double[] y, _) = TestData.BreastCancer;
        RegularizationPath binary = RegularizationPath.Compute(DenseDataset.Create(x, y, 30), new TrainingOptions { L1Ratio = 1, Standardize = true }, new PathOptions { Count = 3 });
        Assert.Throws<InvalidOperationException>(() => binary.Points[1].Multiclass);
        Assert.Empty(binary.InterceptOnlyBiases);
        Assert.Same(binary.Points[1].Classifier, binary.Points[1].Model);
    }

    [Theory]
    [InlineData(false, false, MultiClass.Auto)]
    [InlineData(true, true, MultiClass.Auto)]
    [InlineData(true, false, MultiClass.Multinomial)]
    public void SparseRows_NoIntercept_AndTwoClassesAsMultinomial_GiveTheColdFitsOptima(bool sparse, bool fitIntercept, MultiClass multiClass)
    {
        // Three or two classes of synthetic rows (the multinomial of two classes asked for by name), dense or CSR (half the
        // entries zero), with or without intercepts: every point is the cold fit's optimum.
        int classes = multiClass == MultiClass.Multinomial ? 2 : 3;
        (DenseDataset<double> dense, double[] _) = MulticlassData.Build<double>(400, 12, classes, seed: 5, margin: 1.0, weighted: true);
        Dataset<double> data = sparse ? MulticlassData.Sparsify(dense, 0.5, seed: 6).Sparse : dense;
        var options = new TrainingOptions { L1Ratio = 0.7, FitIntercept = fitIntercept, MultiClass = multiClass, Tolerance = 1e-10, MaxIterations = 100_000 };

        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 8, MinRatio = 1e-2 });

        Assert.Equal(fitIntercept ? classes : 0, path.InterceptOnlyBiases.Count);
        foreach (PathPoint point in path.Points)
        {
            Assert.True(point.StopReason is StopReason.Converged or StopReason.NoProgress, $"{point.StopReason} at λ = {point.Lambda:G4}");
            Assert.Equal(classes, point.Multiclass.ClassCount);
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-9, 0, $"objective at λ = {point.Lambda:G4}");
        }
    }

    [Theory]
    [InlineData(Solver.Newton)]
    [InlineData(Solver.NewtonCholesky)]
    public void SolversThatDoNotFitKClassPathsAreRefusedByName(Solver solver)
    {
        var e = Assert.Throws<ArgumentException>(() => RegularizationPath.Compute(Digits(), new TrainingOptions { L1Ratio = 1, Solver = solver }, new PathOptions { Count = 3 }));
        Assert.Contains(solver.ToString(), e.Message);
    }
}

/// <summary>Cross-validation of a K-class model: the K-class path per fold, scored by held-out log-loss and accuracy.</summary>
public sealed class MulticlassCrossValidationTests
{
    [Fact]
    public void KClassCrossValidationScoresEachFoldsPath_ChoosesTheLowestLogLoss_AndIsTheSameForAnyThreadCount()
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        DenseDataset<double> data = DenseDataset.Create(x.AsSpan(0, 600 * 64).ToArray(), y.AsSpan(0, 600).ToArray(), 64, 10);
        var options = new TrainingOptions { L1Ratio = 0, Standardize = true };
        var cv = new CrossValidationOptions { Folds = 3, Path = new PathOptions { Count = 5, MinRatio = 1e-3 } };

        CrossValidationResult one = CrossValidation.Run(data, options with { MaxDegreeOfParallelism = 1 }, cv);
        CrossValidationResult two = CrossValidation.Run(data, options with { MaxDegreeOfParallelism = 2 }, cv);

        Assert.Equal(5, one.Points.Count);
        Assert.Equal(one.Points.Select(p => p.MeanLogLoss), two.Points.Select(p => p.MeanLogLoss));
        Assert.Equal(one.FoldOfRow, two.FoldOfRow);
        Assert.All(one.Points, p => Assert.True(double.IsNaN(p.MeanRocAuc) && p.MeanAccuracy > 0.1 && double.IsFinite(p.MeanLogLoss)));
        Assert.Equal(one.Points.Min(p => p.MeanLogLoss), one.Best.MeanLogLoss);
        Assert.True(one.OneStandardError.Lambda >= one.Best.Lambda);
        Assert.Equal(10, one.Refit.Multiclass.ClassCount);

        // The chosen λ's held-out log-loss, recomputed by hand from the folds: the path's model at that λ on each fold.
        double[] byHand = new double[3];
        for (int f = 0; f < 3; f++)
        {
            int[] trainRows = [.. Enumerable.Range(0, 600).Where(i => one.FoldOfRow[i] != f)];
            int[] testRows = [.. Enumerable.Range(0, 600).Where(i => one.FoldOfRow[i] == f)];
            TrainingResult fit = LogisticRegression.Train(DatasetRows.Take(data, trainRows), options with { Lambda = one.Best.Lambda, Tolerance = 1e-10 });
            byHand[f] = fit.Multiclass.Evaluate(DatasetRows.Take(data, testRows)).LogLoss;
        }

        Close.Equal(byHand.Average(), one.Best.MeanLogLoss, 1e-6, 0, "mean held-out log-loss at the chosen λ");
    }
}
