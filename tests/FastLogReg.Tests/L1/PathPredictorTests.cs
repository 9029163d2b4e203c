using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.L1;

/// <summary>
/// Coordinate descent along a path starts each point from the polynomial in λ through the last solutions with the same
/// non-zero weights — the cubic through four where the path is smooth, the secant across a change of the non-zero set.
/// Outer-iteration counts are deterministic (one thread, fixed order): not timing assertions.
/// </summary>
public sealed class PathPredictorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false, 1.0)]
    [InlineData(false, 0.5)]
    [InlineData(true, 1.0)]
    public void TheCubicPredictorSavesOuterIterations_AtTheSamePoints(bool standardize, double rho)
    {
        // The default 100-point path on breast cancer, driven as RegularizationPath drives coordinate descent, with the
        // predictor's degree capped at 1 (the secant), 2 and 3.
        (double[] x, double[] y, _) = TestData.BreastCancer;
        DenseDataset<double> data = DenseDataset.Create(x, y, 30);
        FeatureScaling? scaling = standardize ? FeatureScaling.Compute(data, 1) : null;
        using var columns = ColumnCopy<double>.From(data);
        double[] weights = LogisticRegression.NormalizedRowWeights(data, ClassWeights.None);
        var options = new TrainingOptions { L1Ratio = rho, Standardize = standardize, Solver = Solver.CoordinateDescent, MaxIterations = 100_000 };
        RegularizationPath reference = RegularizationPath.Compute(data, options);
        double[] lambdas = [.. reference.Points.Select(p => p.Lambda)];

        var iterations = new int[4];
        var objectives = new List<double>[4];
        for (int degree = 1; degree <= 3; degree++)
        {
            var solver = new NewGlmnet<double>(columns, data.Labels.Span, weights, scaling, fitIntercept: true) { PredictorDegree = degree };
            double[] start = new double[31];
            start[30] = reference.InterceptOnlyBias;
            double? previous = null;
            objectives[degree] = [];
            foreach (double lambda in lambdas)
            {
                var rules = new StoppingRules(100_000, 1e-10, 1.0, null, () => 0, default);
                OptimizationResult r = solver.Minimize(lambda * rho, lambda * (1 - rho), start, rules, _ => { }, previous);
                Assert.Equal(StopReason.Converged, r.StopReason);
                r.Point.CopyTo(start, 0);
                previous = lambda * rho;
                iterations[degree] += r.Iterations;
                objectives[degree].Add(r.Objective);
            }

            output.WriteLine($"degree {degree}: {iterations[degree]} outer iterations, {solver.PredictedStarts} predicted starts, degrees summed {solver.PredictorDegreeSum}");
            Assert.True(solver.PredictedStarts > 50, "the predictor rarely ran");
            Assert.True(degree == 1 ? solver.PredictorDegreeSum == solver.PredictedStarts : solver.PredictorDegreeSum > solver.PredictedStarts, "the degree was not raised");
        }

        for (int k = 0; k < lambdas.Length; k++)
        {
            Close.Equal(objectives[1][k], objectives[3][k], 1e-9, 0, $"objective at λ = {lambdas[k]:G4}");
        }

        Assert.True(iterations[3] < iterations[1] && iterations[3] <= iterations[2], string.Join(" / ", iterations[1..]));
    }

    [Fact]
    public void ThePolynomialIsInLnLambda_ItFollowsTheRidgeRegimesOneOverLambda()
    {
        // Where the L2 share dominates, w(λ) ≈ −∇/λ. Along a default grid (100 points over four decades, a step of 9%),
        // the cubic through four solutions of w = a/λ + b extrapolates in ln λ to ~10⁻⁴ of a/λ; the cubic in λ to ~2·10⁻³.
        var predictor = new PathPredictor(weights: 2);
        double ratio = Math.Pow(10, -4.0 / 99);
        double[] Exact(double lambda) => [3.0 / lambda, -5 - (2.0 / lambda), 0.25]; // two weights and an intercept
        double lambda = 1.0, worst = 0;
        double[] scratch = new double[3];
        for (int k = 0; k < 12; k++)
        {
            double next = lambda * ratio;
            double[] start = predictor.StartFor(Exact(lambda), lambda, next, scratch);
            if (k >= 4)
            {
                double[] exact = Exact(next);
                worst = Math.Max(worst, Math.Max(Math.Abs(start[0] - exact[0]) / (3.0 / next), Math.Abs(start[1] - exact[1]) / (2.0 / next)));
                Assert.Equal(0.25, start[2]);
            }

            lambda = next;
        }

        output.WriteLine($"worst relative error of the predicted 1/λ: {worst:G3}");
        Assert.InRange(worst, 0, 3e-4);
    }

    [Fact]
    public void WithoutAnL1Share_AWeightIsCarriedAcrossZero()
    {
        // w(λ) = 1.5 − 1/λ changes sign at λ = 2/3. A ridge path is smooth there and the extrapolation crosses; with an L1
        // share the path has a kink at zero, and a weight the extrapolation would carry across is not moved.
        double ratio = Math.Pow(10, -4.0 / 99);
        foreach (bool smooth in new[] { true, false })
        {
            var predictor = new PathPredictor(weights: 1, smooth);
            double[] scratch = new double[1];
            double lambda = 1.0;
            bool crossed = false;
            for (int k = 0; k < 12; k++)
            {
                double next = lambda * ratio, w = 1.5 - (1 / lambda), exact = 1.5 - (1 / next);
                double start = predictor.StartFor([w], lambda, next, scratch)[0];
                if (k >= 4 && Math.Sign(w) != Math.Sign(exact))
                {
                    crossed = true;
                    if (smooth)
                    {
                        Assert.InRange(Math.Abs(start - exact), 0, 1e-3); // the step is 0.14
                    }
                    else
                    {
                        Assert.Equal(w, start); // not moved
                    }
                }

                lambda = next;
            }

            Assert.True(crossed);
        }
    }

    [Theory]
    [InlineData(1e-300, 1.0)]       // towards 0: in ln λ the step is 10³ times the last; in λ it is the last's (the secant)
    [InlineData(5e-324, 1.0)]
    [InlineData(1e-6, 1 - 1e-6)]
    [InlineData(0.0, 1.0)]          // λ = 0: the secant in λ
    [InlineData(0.5, 1.0)]          // a default grid's step: the secant in ln λ, whose t is 1 as well
    [InlineData(3.0, 0.0)]          // λ rising: none, the last solution
    public void AJumpTowardsZeroIsNotExtrapolatedInLnLambda(double next, double t)
    {
        // A hostile review's grid [2, 1, 10⁻³⁰⁰]: in ln λ the secant's t was ln(1/10⁻³⁰⁰)/ln 2 ≈ 997, a start 500 away that
        // Newton and L-BFGS, which take it unchecked, needed more iterations to recover from than a cold fit takes.
        var predictor = new PathPredictor(weights: 1, smooth: true);
        double[] scratch = new double[2];
        predictor.StartFor([1.0, 0.2], 2, 1, scratch);
        double[] start = predictor.StartFor([1.5, 0.3], 1, next, scratch);
        Assert.Equal(1.5 + (0.5 * t), start[0], 12);
        Assert.Equal(0.3 + (0.1 * t), start[1], 12);
    }

    [Fact]
    public void TheDegreeIsRaisedOnlyOverComparablySpacedNodes()
    {
        // A second review's grid on raw breast cancer: the cubic in ln λ through 10⁻²⁹⁹, 10⁻¹², 10⁻⁶ and 0.01, taken
        // 0.0035 of a step past 10⁻²⁹⁹, swung the start so far that exact Newton reported convergence at an objective of
        // 5.3 (the intercept-only model's is 0.66; the data are separable, the optimum near 0). Now the secant: 0.0017
        // (on separable data a gradient within the tolerance at these λ leaves the objective short of its ~10⁻⁷ infimum).
        (double[] x, double[] y, _) = TestData.BreastCancer;
        DenseDataset<double> data = DenseDataset.Create(x, y, 30);
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, MaxDegreeOfParallelism = 1 };
        RegularizationPath path = RegularizationPath.Compute(data, options, new PathOptions { Lambdas = [0.01, 1e-6, 1e-12, 1e-299, 1e-300] });
        PathPoint lastPoint = path.Points[^1];
        Assert.InRange(lastPoint.Objective, 0, 0.01);

        // Evenly spaced nodes keep the cubic (the degree the tests above count on).
        var predictor = new PathPredictor(weights: 1, smooth: true);
        double[] scratch = new double[2];
        double lambda = 1;
        for (int k = 0; k < 4; k++, lambda /= 2)
        {
            predictor.StartFor([1 / lambda, 0], lambda, lambda / 2, scratch);
        }

        Assert.Equal(3, predictor.Prepare([1 / lambda, 0], lambda, lambda / 2));
    }

    [Fact]
    public void AfterTheNonZeroWeightsChange_ThePredictorFallsBackToTheSecant()
    {
        // Every step of λ changes the support of this path's first points (a weight enters at each): the polynomial through
        // solutions on either side of a kink would be wrong, so those starts are the secant's (degree 1).
        (double[] x, double[] y, _) = TestData.BreastCancer;
        DenseDataset<double> data = DenseDataset.Create(x, y, 30);
        using var columns = ColumnCopy<double>.From(data);
        double[] weights = LogisticRegression.NormalizedRowWeights(data, ClassWeights.None);
        var solver = new NewGlmnet<double>(columns, data.Labels.Span, weights, null, fitIntercept: true);
        RegularizationPath reference = RegularizationPath.Compute(data, new TrainingOptions { L1Ratio = 1, Solver = Solver.CoordinateDescent });
        double[] start = new double[31];
        start[30] = reference.InterceptOnlyBias;
        double? previous = null;
        var supports = new List<string>();
        int lastStarts = 0, lastDegrees = 0, kinks = 0, smooth = 0;
        foreach (PathPoint point in reference.Points)
        {
            OptimizationResult r = solver.Minimize(point.Lambda, 0, start, new StoppingRules(100_000, 1e-10, 1.0, null, () => 0, default), _ => { }, previous);
            Assert.Equal(StopReason.Converged, r.StopReason);
            int k = supports.Count;
            if (solver.PredictedStarts > lastStarts && k >= 4)
            {
                // This point started from the predictor, extrapolating from w (point k − 1) and the solutions before it:
                // of degree one less than the number of them with w's non-zero weights (at least 1, at most 3).
                int same = 1;
                while (same < 4 && supports[k - 1 - same] == supports[k - 1])
                {
                    same++;
                }

                int degree = solver.PredictorDegreeSum - lastDegrees;
                Assert.Equal(Math.Clamp(same - 1, 1, 3), degree);
                kinks += same <= 2 ? 1 : 0;
                smooth += same == 4 ? 1 : 0;
            }

            r.Point.CopyTo(start, 0);
            previous = point.Lambda;
            supports.Add(string.Concat(r.Point.Take(30).Select(w => w == 0 ? '0' : '1')));
            (lastStarts, lastDegrees) = (solver.PredictedStarts, solver.PredictorDegreeSum);
        }

        output.WriteLine($"{kinks} secant starts within a point of a change of the non-zero weights, {smooth} cubic ones");
        Assert.True(kinks >= 3 && smooth >= 3, $"{kinks} / {smooth}: the path shows nothing");
    }
}

/// <summary>
/// L-BFGS and OWL-QN along the path start each point from the predictor's extrapolation of the last solutions (and
/// Auto's OWL-QN hands a later point over to coordinate descent after 20 iterations, not a cold fit's 30). Pass counts
/// are deterministic (bit-identical for any thread count): not timing assertions.
/// </summary>
public sealed class QuasiNewtonPathPredictorTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(Solver.OwlQn, 1.0, 900)]
    [InlineData(Solver.OwlQn, 0.5, 900)]
    [InlineData(Solver.Lbfgs, 0.0, 350)]
    public void QuasiNewtonPathsStartFromThePrediction(Solver solver, double rho, double maxPasses)
    {
        // i.i.d. columns, where OWL-QN and L-BFGS are the solvers of choice (Auto's too): the default 100-point path.
        // Measured, passes with the prediction / from the last solution: lasso 761 / 1,552, elastic net 710 / 1,565,
        // ridge 292 / 897 (438 while a ridge weight's extrapolation stopped at zero, as an L1 path's must).
        (double[] x, double[] y) = SyntheticData.Generate(2_000, 30, 7);
        DenseDataset<double> data = DenseDataset.Create(x, y, 30);
        var options = new TrainingOptions { L1Ratio = rho, Solver = solver, MaxIterations = 100_000 };

        RegularizationPath path = RegularizationPath.Compute(data, options);

        double passes = path.Points.Sum(p => p.DataPasses);
        output.WriteLine($"{solver}, ρ = {rho}: {passes:F0} passes, {path.Points.Sum(p => p.Iterations)} iterations");
        Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));
        Assert.True(passes <= maxPasses, $"{passes:F0} passes over the path");
        foreach (PathPoint point in path.Points.Where((_, k) => k % 9 == 4))
        {
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda, Tolerance = 1e-10 });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-8, 0, $"objective at λ = {point.Lambda:G4}");
        }
    }

    [Theory]
    [InlineData(Solver.NewtonCholesky, 500)]
    [InlineData(Solver.Newton, 1_500)]
    public void NewtonRidgePathsStartFromThePrediction(Solver solver, double maxPasses)
    {
        // Raw breast cancer's ridge path (Auto's solver there is exact Newton). Measured, passes with the prediction /
        // from the last solution: exact Newton 385 / 703, trust-region Newton 1,192 / 5,153 (1,864 while a weight's
        // extrapolation stopped at zero, as an L1 path's must; the ridge path is smooth through zero).
        (double[] x, double[] y, _) = TestData.BreastCancer;
        DenseDataset<double> data = DenseDataset.Create(x, y, 30);
        var options = new TrainingOptions { L1Ratio = 0, Solver = solver, MaxIterations = 100_000 };

        RegularizationPath path = RegularizationPath.Compute(data, options);

        double passes = path.Points.Sum(p => p.DataPasses);
        output.WriteLine($"{solver}: {passes:F0} passes");
        Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));
        Assert.True(passes <= maxPasses, $"{passes:F0} passes over the path");

        // At a tight tolerance (the default's 10⁻⁶ leaves the unpenalized intercept ~10⁻⁸ of the objective) every
        // point is the cold fit's optimum.
        RegularizationPath tight = RegularizationPath.Compute(data, options with { Tolerance = 1e-10 });
        foreach (PathPoint point in tight.Points.Where((_, k) => k % 9 == 4))
        {
            TrainingResult cold = LogisticRegression.Train(data, options with { Lambda = point.Lambda, Tolerance = 1e-10 });
            Close.Equal(cold.Report.FinalObjective, point.Objective, 1e-10, 0, $"objective at λ = {point.Lambda:G4}");
        }
    }

    [Fact]
    public void AutosPathHandsOverAfterTwentyOwlQnIterations()
    {
        // Standardized breast cancer's elastic net: its points take OWL-QN 11–33 iterations and coordinate descent 1–4.
        // Measured: 884 passes (1,597 handing over after 30 iterations, as a cold fit does).
        (double[] x, double[] y, _) = TestData.BreastCancer;
        DenseDataset<double> data = DenseDataset.Create(x, y, 30);
        var options = new TrainingOptions { L1Ratio = 0.5, Standardize = true, MaxIterations = 100_000 };

        RegularizationPath path = RegularizationPath.Compute(data, options);

        double passes = path.Points.Sum(p => p.DataPasses);
        output.WriteLine($"{passes:F0} passes; iterations {string.Join(" ", path.Points.Select(p => p.Iterations))}");
        Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));
        Assert.Contains(path.Points, p => p.Iterations > LogisticRegression.AutoOwlQnPathIterations); // a hand-over
        Assert.True(passes <= 1_100, $"{passes:F0} passes over the path");
    }
}
