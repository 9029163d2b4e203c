using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// K-class coordinate descent: multinomial by proximal Newton on the whole Hessian, one-vs-rest by newGLMNET per class —
/// each fit checked against the optimality conditions computed from the objective alone, and against OWL-QN; Auto's
/// hand-over from OWL-QN; thread-count independence; the size limit.
/// </summary>
public sealed class MulticlassCoordinateDescentTests(ITestOutputHelper output)
{
    /// <summary>The first 600 digits (10 classes, 64 pixels of 0–16, several constant), unstandardized.</summary>
    private static DenseDataset<double> Digits(int rows = 600)
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        return DenseDataset.Create(x.AsSpan(0, rows * 64).ToArray(), y.AsSpan(0, rows).ToArray(), 64, 10);
    }

    /// <summary>(W, b) of a raw-feature K-class model as the objective's point.</summary>
    private static double[] PointOf(MulticlassModel model, bool fitIntercept)
    {
        int k = model.ClassCount, d = model.FeatureCount;
        double[] point = new double[(k * d) + (fitIntercept ? k : 0)];
        for (int c = 0; c < k; c++)
        {
            model.Coefficients(c).CopyTo(point.AsSpan(c * d, d));
            if (fitIntercept)
            {
                point[(k * d) + c] = model.Intercept(c);
            }
        }

        return point;
    }

    /// <summary>
    /// The largest violation of the optimality conditions of f + λρ‖W‖₁ at the model, from the objective's smooth
    /// gradient g: |gⱼ| − λρ (if positive) at a zero weight, |gⱼ + λρ·sign wⱼ| at the others, |g_b| for the intercepts.
    /// </summary>
    private static double Violation(Dataset<double> data, TrainingOptions options, MulticlassModel model)
    {
        Penalty penalty = Penalty.ElasticNet(options.Lambda, options.L1Ratio);
        var objective = new MultinomialObjective<double>(data, penalty, options.MultiClass == MultiClass.OneVsRest, options.FitIntercept, 1, null, options.ClassWeights);
        double[] point = PointOf(model, options.FitIntercept);
        double[] g = new double[point.Length];
        objective.Evaluate(point, g);
        double l1 = penalty.L1Strength, worst = 0;
        int weights = model.ClassCount * model.FeatureCount;
        for (int j = 0; j < point.Length; j++)
        {
            double v = j >= weights ? Math.Abs(g[j]) : point[j] == 0 ? Math.Max(Math.Abs(g[j]) - l1, 0) : Math.Abs(g[j] + (l1 * Math.Sign(point[j])));
            worst = Math.Max(worst, v);
        }

        return worst;
    }

    [Theory]
    [InlineData(MultiClass.Auto, 1.0, 1e-3, true)]
    [InlineData(MultiClass.Auto, 1.0, 1e-4, true)]
    [InlineData(MultiClass.Auto, 0.5, 1e-3, true)]
    [InlineData(MultiClass.Auto, 1.0, 1e-3, false)]
    [InlineData(MultiClass.OneVsRest, 1.0, 1e-3, true)]
    [InlineData(MultiClass.OneVsRest, 0.5, 1e-4, false)]
    public void CoordinateDescentMeetsTheOptimalityConditions_AndMatchesOwlQn(MultiClass multiClass, double rho, double lambda, bool fitIntercept)
    {
        // Raw pixels (0–16, several columns constant at 0): ill-conditioned, where OWL-QN needs thousands of iterations.
        DenseDataset<double> data = Digits();
        var options = new TrainingOptions { Lambda = lambda, L1Ratio = rho, FitIntercept = fitIntercept, MultiClass = multiClass, Tolerance = 1e-10, MaxIterations = 100_000, MaxDegreeOfParallelism = 1 };

        TrainingResult cd = LogisticRegression.Train(data, options with { Solver = Solver.CoordinateDescent });
        TrainingResult owl = LogisticRegression.Train(data, options with { Solver = Solver.OwlQn });

        output.WriteLine($"CD: {cd.Report.Iterations} iterations, {cd.Report.DataPasses:G4} passes, f = {cd.Report.FinalObjective:R}, {cd.Report.NonZeroWeights} non-zeros, {cd.Report.StopReason}");
        output.WriteLine($"OWL-QN: {owl.Report.Iterations} iterations, {owl.Report.DataPasses:G4} passes, f = {owl.Report.FinalObjective:R}, {owl.Report.NonZeroWeights} non-zeros, {owl.Report.StopReason}");
        Assert.Equal(Solver.CoordinateDescent, cd.Report.Solver);
        Assert.Equal(StopReason.Converged, cd.Report.StopReason);
        MulticlassModel model = cd.Multiclass;
        Assert.Equal(multiClass == MultiClass.OneVsRest ? ClassificationKind.OneVsRest : ClassificationKind.Multinomial, model.Kind);

        // Optimal by the objective's own gradient, to well below the tolerance's scale (‖∇f(0)‖ is about 1).
        double violation = Violation(data, options, model);
        output.WriteLine($"violation {violation:E3}");
        Assert.True(violation < 1e-8, $"optimality violation {violation:E3}");

        // As low as OWL-QN's objective (which on these pixels may stop a little short), and the same up to its rounding.
        Assert.True(cd.Report.FinalObjective <= owl.Report.FinalObjective + 1e-12, $"CD {cd.Report.FinalObjective:R} above OWL-QN {owl.Report.FinalObjective:R}");
        Close.Equal(owl.Report.FinalObjective, cd.Report.FinalObjective, 1e-8, 0, "objective");
        Assert.Equal(cd.Report.NonZeroWeights, Enumerable.Range(0, 10).Sum(c => model.Coefficients(c).ToArray().Count(w => w != 0)));
        Assert.True(cd.Report.NonZeroWeights < 640, "L1 left every weight non-zero");
    }

    [Fact]
    public void ClassAndSampleWeights_AndCsrRows_GiveTheSameOptimumAsDenseOwlQn()
    {
        (DenseDataset<double> built, _) = MulticlassData.Build<double>(500, 12, 4, seed: 7, margin: 3, weighted: true);
        (DenseDataset<double> dense, SparseDataset<double> sparse) = MulticlassData.Sparsify(built, 0.4, 11);
        var options = new TrainingOptions
        {
            Lambda = 2e-3,
            L1Ratio = 0.7,
            Standardize = true,
            ClassWeights = ClassWeights.Balanced,
            Tolerance = 1e-11,
            MaxIterations = 100_000,
        };

        foreach (MultiClass multiClass in new[] { MultiClass.Multinomial, MultiClass.OneVsRest })
        {
            TrainingResult owl = LogisticRegression.Train(dense, options with { Solver = Solver.OwlQn, MultiClass = multiClass });
            TrainingResult cdDense = LogisticRegression.Train(dense, options with { Solver = Solver.CoordinateDescent, MultiClass = multiClass });
            TrainingResult cdSparse = LogisticRegression.Train(sparse, options with { Solver = Solver.CoordinateDescent, MultiClass = multiClass });
            Close.Equal(owl.Report.FinalObjective, cdDense.Report.FinalObjective, 1e-10, 0, $"{multiClass} dense objective");
            Close.Equal(cdDense.Report.FinalObjective, cdSparse.Report.FinalObjective, 1e-10, 0, $"{multiClass} CSR objective");
            MulticlassModel a = cdDense.Multiclass, b = cdSparse.Multiclass, o = owl.Multiclass;
            for (int c = 0; c < 4; c++)
            {
                double[] wa = a.Coefficients(c).ToArray(), wb = b.Coefficients(c).ToArray(), wo = o.Coefficients(c).ToArray();
                for (int j = 0; j < wa.Length; j++)
                {
                    Assert.Equal(wa[j] == 0, wb[j] == 0);
                    Close.Equal(wo[j], wa[j], 1e-5, 1e-6, $"{multiClass} class {c} weight {j}");
                }

                // Probabilities, not intercepts: a multinomial model's intercepts are fixed only up to a common shift.
                double[] pa = new double[4], po = new double[4];
                a.PredictProbabilities(dense.Features.Span.Slice(c * 12, 12), pa);
                o.PredictProbabilities(dense.Features.Span.Slice(c * 12, 12), po);
                for (int q = 0; q < 4; q++)
                {
                    Close.Equal(po[q], pa[q], 1e-6, 1e-9, $"{multiClass} probability {q} of row {c}");
                }
            }
        }
    }

    [Fact]
    public void AutoHandsOverToProximalNewtonWhereOwlQnCrawls_AndKeepsOwlQnWhereItConverges()
    {
        // Raw digits at a small λ: OWL-QN crawls (thousands of iterations), and Auto's allowance, (K + 1)(d + 1) = 715
        // iterations, runs out; proximal Newton goes on from there.
        DenseDataset<double> digits = Digits();
        var options = new TrainingOptions { Lambda = 1e-4, L1Ratio = 1, Tolerance = 1e-8, MaxIterations = 100_000 };
        TrainingResult auto = LogisticRegression.Train(digits, options);
        output.WriteLine(auto.Report.Message);
        Assert.Equal(Solver.CoordinateDescent, auto.Report.Solver);
        Assert.Contains("proximal Newton went on", auto.Report.Message);
        Assert.True(auto.Report.Iterations > LogisticRegression.AutoMulticlassOwlQnIterations(10, 64));
        Assert.Equal(auto.Report.Iterations + 1, auto.Report.ObjectiveHistory.Count);
        TrainingResult cd = LogisticRegression.Train(digits, options with { Solver = Solver.CoordinateDescent });
        Close.Equal(cd.Report.FinalObjective, auto.Report.FinalObjective, 1e-8, 0, "Auto's objective");

        // A well-conditioned random problem: OWL-QN converges within its allowance and keeps the fit.
        (DenseDataset<double> easy, _) = MulticlassData.Build<double>(2000, 10, 5, seed: 3, margin: 2, weighted: false);
        TrainingResult quick = LogisticRegression.Train(easy, new TrainingOptions { Lambda = 1e-3, L1Ratio = 1 });
        Assert.Equal(Solver.OwlQn, quick.Report.Solver);
        Assert.Equal(StopReason.Converged, quick.Report.StopReason);

        // Explicit OWL-QN and one-vs-rest are not handed over.
        Assert.Equal(Solver.OwlQn, LogisticRegression.Train(digits, options with { Solver = Solver.OwlQn, MaxIterations = 800 }).Report.Solver);
        Assert.Equal(Solver.OwlQn, LogisticRegression.Train(digits, options with { MultiClass = MultiClass.OneVsRest, MaxIterations = 800 }).Report.Solver);
    }

    [Theory]
    [InlineData(MultiClass.Multinomial)]
    [InlineData(MultiClass.OneVsRest)]
    public void FitsAreBitIdenticalForAnyThreadCount(MultiClass multiClass)
    {
        DenseDataset<double> data = Digits(900);
        var options = new TrainingOptions { Lambda = 3e-4, L1Ratio = 0.8, Standardize = true, MultiClass = multiClass, Solver = Solver.CoordinateDescent, Tolerance = 1e-9 };
        MulticlassModel[] models = [.. new[] { 1, 2, 8 }.Select(t => LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = t }).Multiclass)];
        for (int t = 1; t < models.Length; t++)
        {
            for (int c = 0; c < 10; c++)
            {
                Assert.Equal(models[0].Coefficients(c).ToArray(), models[t].Coefficients(c).ToArray());
                Assert.Equal(models[0].Intercept(c), models[t].Intercept(c));
            }
        }
    }

    [Fact]
    public void AMultinomialHessianBeyondTheLimitIsRefusedByName_OneVsRestIsNot()
    {
        // 10 classes × (500 features + intercept) = 5,010 parameters: more than the 4,097 the whole Hessian may have.
        (DenseDataset<double> wide, _) = MulticlassData.Build<double>(60, 500, 10, seed: 5, margin: 1, weighted: false);
        var options = new TrainingOptions { Lambda = 1e-2, L1Ratio = 1, Solver = Solver.CoordinateDescent, MaxIterations = 50 };
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(wide, options));
        Assert.Contains("5,010 parameters", e.Message);
        Assert.Contains("OneVsRest", e.Message);
        Assert.Throws<ArgumentException>(() => RegularizationPath.Compute(wide, options, new PathOptions { Count = 3 }));

        TrainingResult ovr = LogisticRegression.Train(wide, options with { MultiClass = MultiClass.OneVsRest });
        Assert.Equal(Solver.CoordinateDescent, ovr.Report.Solver);
    }

    [Fact]
    public void AutosPathHandOverKeepsWithinMaxIterations_OnATinyProblem()
    {
        // A review's case: (K + 1)(d + 1) = 12 iterations for a fit, below the path's floor of 20 and MaxIterations = 15 —
        // the hand-over's remainder went negative and the path threw from the iteration monitor.
        (DenseDataset<double> data, _) = MulticlassData.Build<double>(300, 2, 3, seed: 1, margin: 3, weighted: false);
        var options = new TrainingOptions { L1Ratio = 1, Tolerance = 1e-14, MaxIterations = 15 };
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 5 });
        Assert.All(path.Points, p => Assert.InRange(p.Iterations, 0, 15));
        Assert.Equal(LogisticRegression.AutoMulticlassOwlQnIterations(3, 2), LogisticRegression.AutoMulticlassOwlQnPathIterations(3, 2));
    }

    [Fact]
    public void OneVsRestCoordinateDescentCountsRoundsAsIterations_AndHonoursMaxIterations()
    {
        // A review's case: each class was fitted to the end and the report counted one iteration per class (K), whatever
        // MaxIterations said. Now a round steps every unfinished class once.
        (DenseDataset<double> data, _) = MulticlassData.Build<double>(200, 5, 4, seed: 1, margin: 3, weighted: false);
        var options = new TrainingOptions { Lambda = 1e-2, L1Ratio = 1, Solver = Solver.CoordinateDescent, MultiClass = MultiClass.OneVsRest };
        TrainingResult none = LogisticRegression.Train(data, options with { MaxIterations = 0 });
        Assert.Equal(0, none.Report.Iterations);
        Assert.Equal(StopReason.MaxIterations, none.Report.StopReason);
        Assert.All(Enumerable.Range(0, 4), c => Assert.All(none.Multiclass.Coefficients(c).ToArray(), w => Assert.Equal(0, w)));

        TrainingResult one = LogisticRegression.Train(data, options with { MaxIterations = 1 });
        Assert.Equal(1, one.Report.Iterations);
        Assert.Equal(2, one.Report.ObjectiveHistory.Count);

        TrainingResult full = LogisticRegression.Train(data, options with { Tolerance = 1e-10 });
        Assert.Equal(StopReason.Converged, full.Report.StopReason);
        Assert.Equal(full.Report.Iterations + 1, full.Report.ObjectiveHistory.Count);
        TrainingResult warm = LogisticRegression.Train(data, options with { Tolerance = 1e-8, InitialModel = full.Multiclass });
        Assert.Equal(0, warm.Report.Iterations);
        Assert.Equal(StopReason.Converged, warm.Report.StopReason);
    }

    [Theory]
    [InlineData(Solver.Newton, MultiClass.Multinomial)]
    [InlineData(Solver.Newton, MultiClass.OneVsRest)]
    [InlineData(Solver.NewtonCholesky, MultiClass.Multinomial)]
    public void KClassRidgePathsAndCrossValidationByNewton_GiveTheColdFitsOptima(Solver solver, MultiClass multiClass)
    {
        // A review's case: Train took Newton for K classes, the path and cross-validation refused it.
        DenseDataset<double> data = Digits(400);
        var options = new TrainingOptions { L1Ratio = 0, Solver = solver, MultiClass = multiClass, Tolerance = 1e-10, MaxIterations = 10_000 };
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 6, MinRatio = 1e-3 });
        foreach (PathPoint point in path.Points)
        {
            Assert.Equal(StopReason.Converged, point.StopReason);
            TrainingResult cold = LogisticRegression.Train(data, options with { Solver = Solver.NewtonCholesky, Lambda = point.Lambda });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-10, 0, $"objective at λ = {point.Lambda:G4}");
        }

        CrossValidationResult cv = CrossValidation.Run(data, options, new CrossValidationOptions { Folds = 3, Path = new PathOptions { Count = 4, MinRatio = 1e-2 } });
        Assert.Equal(4, cv.Points.Count);
        Assert.Equal(solver, cv.Refit.Report.Solver);

        (DenseDataset<double> wide, _) = MulticlassData.Build<double>(60, 500, 10, seed: 5, margin: 1, weighted: false);
        if (solver == Solver.NewtonCholesky)
        {
            var e = Assert.Throws<ArgumentException>(() => RegularizationPath.Compute(wide, options, new PathOptions { Count = 3 }));
            Assert.Contains("5,010 parameters", e.Message);
        }
    }

    [Fact]
    public void TheLassoPathOfRawDigitsByCoordinateDescent_ConvergesEverywhere_AndEndsAtTheColdFit()
    {
        DenseDataset<double> data = Digits();
        var options = new TrainingOptions { L1Ratio = 1, Solver = Solver.CoordinateDescent, Tolerance = 1e-8 };
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Count = 30, MinRatio = 1e-3 });
        output.WriteLine($"passes {string.Join(" ", path.Points.Select(p => p.DataPasses.ToString("G4")))}; stops {string.Join(" ", path.Points.Select(p => p.StopReason))}; iterations {string.Join(" ", path.Points.Select(p => p.Iterations))}");
        Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));
        Assert.Equal(0, path.Points[0].NonZeroWeights);
        PathPoint last = path.Points[^1];
        TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = last.Lambda });
        Close.Equal(cold.Report.FinalObjective, last.Objective, 1e-8, 0, "the last point's objective");
        Assert.True(Violation(data, options with { Lambda = last.Lambda }, last.Multiclass) < 1e-7);
    }
}
