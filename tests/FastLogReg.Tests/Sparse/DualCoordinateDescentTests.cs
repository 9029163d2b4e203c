using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.IO;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Sparse;

/// <summary>
/// <see cref="Solver.DualCoordinateDescent"/>: the same optimum as scikit-learn and the primal solvers (intercept free,
/// weights, standardization, no intercept, dense and CSR rows), the same bits for any thread count, a warm start from the
/// optimum that stops at once, the path, and clear errors where the dual does not apply.
/// </summary>
public class DualCoordinateDescentTests
{
    private static JsonElement Fixture() => HeartScaleAgreementTests.Fixture();

    private static SparseLabeledData<double> HeartScale() => HeartScaleAgreementTests.HeartScale();

    private static TrainingOptions Dual(double l2) => new() { Solver = Solver.DualCoordinateDescent, L2 = l2, Tolerance = 1e-10, MaxIterations = 10_000, MaxDegreeOfParallelism = 2 };

    private static TrainingOptions Reference(double l2) => new() { Solver = Solver.Newton, L2 = l2, Tolerance = 1e-12, MaxIterations = 1000, MaxDegreeOfParallelism = 2 };

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void OnSparseRowsItReachesScikitLearnsOptimum(double c)
    {
        JsonElement fit = Fixture().GetProperty("fits").EnumerateArray().First(f => f.GetProperty("C").GetDouble() == c);
        SparseLabeledData<double> heart = HeartScale();

        TrainingResult result = LogisticRegression.Train(heart.Data, Dual(TrainingOptions.L2FromScikitLearnC(c, heart.Data.Rows)));

        Assert.Equal(Solver.DualCoordinateDescent, result.Report.Solver);
        Assert.True(result.Report.Converged, result.Report.Message);
        Close.Equal(fit.GetProperty("objective").GetDouble(), result.Report.FinalObjective, 1e-12, 0, "objective");
        double[] weights = fit.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Close.Equal(weights, result.Model.Weights, 1e-7, 1e-8, "w");
        Close.Equal(fit.GetProperty("bias").GetDouble(), result.Model.Bias, 1e-7, 1e-8, "b (unpenalized: LIBLINEAR's -s 7 penalizes it and misses this)");
    }

    public static TheoryData<string> Variants => ["plain", "weighted", "balanced", "no intercept", "standardize option", "strong penalty", "weaker penalty"];

    [Theory]
    [MemberData(nameof(Variants))]
    public void ItReachesTheNewtonOptimumOnBreastCancer(string variant)
    {
        // Standardized: on the raw columns (scales 10⁻³ to 10³) dual coordinate descent needs thousands of sweeps, as
        // LIBLINEAR's does (documented); the "standardize option" variant scales the raw columns inside the sweeps.
        DenseDataset<double> standardized = TestData.BreastCancerStandardized();
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        double[] weights = y.Select((_, i) => 0.5 + (i % 4)).ToArray();
        DenseDataset<double> data = variant switch
        {
            "weighted" => DenseDataset.Create(standardized.Features.ToArray(), y, names.Length, weights),
            "standardize option" => DenseDataset.Create(x, y, names.Length),
            _ => standardized,
        };
        double l2 = variant switch { "strong penalty" => 1, "weaker penalty" => 1e-3, _ => 1e-2 };
        TrainingOptions dual = Dual(l2) with
        {
            FitIntercept = variant != "no intercept",
            Standardize = variant == "standardize option",
            ClassWeights = variant == "balanced" ? ClassWeights.Balanced : ClassWeights.None,
        };
        TrainingOptions newton = Reference(l2) with { FitIntercept = dual.FitIntercept, Standardize = dual.Standardize, ClassWeights = dual.ClassWeights };

        TrainingResult expected = LogisticRegression.Train(data, newton);
        TrainingResult actual = LogisticRegression.Train(data, dual);

        Assert.True(expected.Report.Converged, expected.Report.Message);
        Assert.True(actual.Report.Converged, actual.Report.Message);
        Close.Equal(expected.Report.FinalObjective, actual.Report.FinalObjective, 1e-11, 0, "objective");
        Close.Equal(expected.Model.Weights, actual.Model.Weights, 1e-5, 1e-7, "w");
        Close.Equal(expected.Model.Bias, actual.Model.Bias, 1e-5, 1e-7, "b");
    }

    [Fact]
    public void EarlyPointsWorseThanTheStartAreNotDivergence()
    {
        // The primal points of the first sweeps on raw breast cancer rise well above log 2 before they fall: a descent
        // method's divergence test would stop there. The dual objective falls all along; only the gradient decides.
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        var objectives = new List<double>();
        double[] weights = y.Select((_, i) => 0.5 + (i % 4)).ToArray();
        var progress = new InlineProgress(p => objectives.Add(p.Objective));
        TrainingResult result = LogisticRegression.Train(DenseDataset.Create(x, y, names.Length, weights), Dual(1e-3) with { MaxIterations = 20, Progress = progress });

        Assert.Equal(StopReason.MaxIterations, result.Report.StopReason);
        Assert.Contains(objectives, f => f > objectives[0] + Math.Max(Math.Abs(objectives[0]), 1));
        Assert.Equal(objectives.Min(), result.Report.FinalObjective); // the best point seen, not the last
    }

    [Fact]
    public void DenseAndSparseRowsOfTheSameDataGiveTheSameOptimum()
    {
        (DenseDataset<double> dense, SparseDataset<double> sparse) = SparseData.Sparsify(TestData.BreastCancerStandardized(), density: 0.4, seed: 3, emptyColumn: 2, emptyRows: true);

        TrainingResult a = LogisticRegression.Train(dense, Dual(1e-2));
        TrainingResult b = LogisticRegression.Train(sparse, Dual(1e-2));

        Close.Equal(a.Report.FinalObjective, b.Report.FinalObjective, 1e-12, 0, "objective");
        Close.Equal(a.Model.Weights, b.Model.Weights, 1e-6, 1e-8, "w");
        Assert.Equal(0, b.Model.Weights[2]); // an empty column: never touched by a row, so exactly zero
    }

    [Fact]
    public void TheResultIsTheSameBitsForAnyThreadCount()
    {
        SparseLabeledData<double> heart = HeartScale();
        TrainingOptions options = Dual(1e-2) with { Tolerance = 1e-8 };
        TrainingResult one = LogisticRegression.Train(heart.Data, options with { MaxDegreeOfParallelism = 1 }); // no overlap
        foreach (int threads in new[] { 2, 3, 8 })
        {
            TrainingResult other = LogisticRegression.Train(heart.Data, options with { MaxDegreeOfParallelism = threads }); // evaluation overlapped
            Assert.Equal(one.Model.Weights, other.Model.Weights);
            Assert.Equal(one.Model.Bias, other.Model.Bias);
            Assert.Equal(one.Report.Iterations, other.Report.Iterations);
            Assert.Equal(one.Report.FinalObjective, other.Report.FinalObjective);
        }
    }

    [Fact]
    public void TheSeedChangesTheRowOrderButNotTheOptimum()
    {
        SparseLabeledData<double> heart = HeartScale();
        TrainingResult a = LogisticRegression.Train(heart.Data, Dual(1e-2) with { Seed = 1 });
        TrainingResult b = LogisticRegression.Train(heart.Data, Dual(1e-2) with { Seed = 2 });
        Assert.NotEqual(a.Model.Weights.ToArray(), b.Model.Weights.ToArray()); // another order, other rounding
        Close.Equal(a.Model.Weights, b.Model.Weights, 1e-6, 1e-8, "w");
    }

    [Fact]
    public void AWarmStartAtTheOptimumStopsAtOnce()
    {
        SparseLabeledData<double> heart = HeartScale();
        TrainingResult cold = LogisticRegression.Train(heart.Data, Dual(1e-2));
        Assert.True(cold.Report.Iterations > 3, $"{cold.Report.Iterations} iterations");

        // αᵢ = Cᵢσ(−mᵢ) at the optimum is the dual optimum: w(α) is the optimum again.
        TrainingResult warm = LogisticRegression.Train(heart.Data, Dual(1e-2) with { Tolerance = 1e-8, InitialModel = cold.Model });

        Assert.True(warm.Report.Iterations <= 1, $"{warm.Report.Iterations} iterations");
        Close.Equal(cold.Report.FinalObjective, warm.Report.FinalObjective, 1e-12, 0, "objective");
    }

    [Fact]
    public void RowsOfZeroWeightAreLeftOut()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length;
        double[] weights = y.Select((_, i) => i % 3 == 0 ? 0.0 : 1.0).ToArray();
        int[] kept = Enumerable.Range(0, y.Length).Where(i => weights[i] != 0).ToArray();
        double[] keptX = kept.SelectMany(i => x.AsSpan(i * d, d).ToArray()).ToArray();
        double[] keptY = kept.Select(i => y[i]).ToArray();

        TrainingResult zeroed = LogisticRegression.Train(DenseDataset.Create(x, y, d, weights), Dual(1e-2) with { Standardize = true });
        TrainingResult dropped = LogisticRegression.Train(DenseDataset.Create(keptX, keptY, d), Dual(1e-2) with { Standardize = true });
        Assert.True(zeroed.Report.Converged, zeroed.Report.Message);

        Close.Equal(dropped.Report.FinalObjective, zeroed.Report.FinalObjective, 1e-11, 0, "objective");
        Close.Equal(dropped.Model.Weights, zeroed.Model.Weights, 1e-5, 1e-7, "w");
    }

    [Fact]
    public void ThePathTakesItAndEachPointMatchesNewtons()
    {
        SparseLabeledData<double> heart = HeartScale();
        var grid = new PathOptions { Count = 8, MinRatio = 1e-3 };
        RegularizationPath dual = RegularizationPath.Compute(heart.Data, Dual(0) with { Tolerance = 1e-9 }, grid);
        RegularizationPath newton = RegularizationPath.Compute(heart.Data, Reference(0) with { Tolerance = 1e-11 }, grid);

        Assert.Equal(newton.Points.Count, dual.Points.Count);
        for (int k = 0; k < dual.Points.Count; k++)
        {
            Assert.Equal(newton.Points[k].Lambda, dual.Points[k].Lambda);
            Close.Equal(newton.Points[k].Objective, dual.Points[k].Objective, 1e-9, 0, $"objective at λ #{k}");
        }
    }

    [Fact]
    public void ItNeedsAnL2PenaltyAndSaysSo()
    {
        SparseLabeledData<double> heart = HeartScale();
        var none = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(heart.Data, Dual(0)));
        Assert.Contains("Lambda > 0", none.Message);
        var l1 = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(heart.Data, Dual(1e-2) with { L1Ratio = 0.5 }));
        Assert.Contains("L1Ratio", l1.Message);
        var tiny = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(heart.Data, Dual(1e-320)));
        Assert.Contains("too small", tiny.Message);

        // The path has no λ to refuse: a λ of 0 is fitted by Newton (a path whose λ_max is 0 has nothing but zeros).
        RegularizationPath path = RegularizationPath.Compute(heart.Data, Dual(0), new PathOptions { Lambdas = [1e-2, 0] });
        TrainingResult unpenalized = LogisticRegression.Train(heart.Data, Reference(0));
        Close.Equal(unpenalized.Report.FinalObjective, path.Points[1].Objective, 1e-9, 0, "objective at λ = 0");
    }

    [Fact]
    public void StandardizingNeedsAnInterceptAndKClassesAreRefused()
    {
        SparseLabeledData<double> heart = HeartScale();
        var centring = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(heart.Data, Dual(1e-2) with { Standardize = true, FitIntercept = false }));
        Assert.Contains("FitIntercept", centring.Message);

        (double[] px, double[] py) = FastLogReg.Tests.Multiclass.MulticlassData.Digits();
        var digits = DenseDataset.Create(px, py, 64, classCount: 10);
        var multiclass = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(digits, Dual(1e-2)));
        Assert.Contains("binary", multiclass.Message);
    }

    [Fact]
    public void WideSparseRowsGetItWithAnL2Penalty()
    {
        // Four rows of three non-zeros over 65,536 columns (wide: more columns than rows) or 3 columns.
        float[] values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3];
        int[] indices = [0, 1, 65_535, 0, 1, 65_535, 0, 1, 65_535, 0, 1, 65_535];
        int[] narrowIndices = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2];
        long[] offsets = [0, 3, 6, 9, 12];
        float[] labels = [0, 1, 0, 1];
        var options = new TrainingOptions { L2 = 1e-2 };
        var wide = SparseDataset.Create(CsrMatrix.Create<float>(values, indices, offsets, LogisticRegression.WideSparseColumns), labels);
        var narrow = SparseDataset.Create(CsrMatrix.Create<float>(values, narrowIndices, offsets, 3), labels);
        var notSoWide = SparseDataset.Create(CsrMatrix.Create<float>(values, narrowIndices, offsets, 10), labels);
        Assert.Equal(Solver.DualCoordinateDescent, LogisticRegression.EffectiveSolverOf(wide, options));

        // These rows are far from orthogonal (three patterns on one line): the dual crawls, and Newton finishes.
        TrainingResult crawling = LogisticRegression.Train(wide, options with { Solver = Solver.DualCoordinateDescent });
        Assert.Equal(StopReason.MaxIterations, crawling.Report.StopReason);
        var reported = new List<int>();
        TrainingResult result = LogisticRegression.Train(wide, options with { Progress = new InlineProgress(p => reported.Add(p.Iteration)) });
        Assert.True(result.Report.Converged, result.Report.Message);
        Assert.Equal(Solver.Newton, result.Report.Solver);
        Assert.Equal(Enumerable.Range(0, result.Report.Iterations + 1), reported); // Newton's numbers go on from the dual's
        Assert.StartsWith("Dual coordinate descent had not converged after 100 sweeps", result.Report.Message);
        Assert.True(result.Report.Iterations > LogisticRegression.AutoDualSweeps);
        Assert.Equal(result.Report.Iterations + 1, result.Report.ObjectiveHistory.Count);
        TrainingResult newton = LogisticRegression.Train(wide, options with { Solver = Solver.Newton, Tolerance = 1e-10 });
        Close.Equal(newton.Report.FinalObjective, result.Report.FinalObjective, 1e-9, 0, "objective");
        Assert.Equal(Solver.Lbfgs, LogisticRegression.EffectiveSolverOf(narrow, options));
        Assert.Equal(Solver.Lbfgs, LogisticRegression.EffectiveSolverOf(notSoWide, options)); // more columns than rows, but few
        Assert.Equal(Solver.Lbfgs, LogisticRegression.EffectiveSolverOf(wide, options with { L2 = 0 })); // unpenalized: separable
        Assert.Equal(Solver.Lbfgs, LogisticRegression.EffectiveSolverOf(wide, options with { Standardize = true }));
        Assert.Equal(Solver.OwlQn, LogisticRegression.EffectiveSolverOf(wide, options with { L1Ratio = 1 }));
        RegularizationPath path = RegularizationPath.Compute(wide, options, new PathOptions { Count = 3 });
        Assert.All(path.Points, p => Assert.Equal(StopReason.Converged, p.StopReason));
    }

    /// <summary>
    /// The multiplier penalty ρ follows the dual's curvature along its constraint: long standardized rows with empty rows
    /// among them, and class weights 10⁴ : 1, took 1,072 and 391 sweeps to 10⁻⁸ with ρ a fixed eighth of a row's
    /// curvature; each now converges in a few dozen, at Newton's optimum.
    /// </summary>
    [Fact]
    public void LongStandardizedRowsWithEmptyRowsConvergeInFewSweeps()
    {
        var rng = new Random(3);
        int rows = 2000, columns = 5000;
        var values = new List<double>();
        var indices = new List<int>();
        long[] offsets = new long[rows + 1];
        double[] y = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            if (i % 7 != 0)
            {
                var set = new SortedSet<int>();
                while (set.Count < 30)
                {
                    set.Add(rng.Next(columns));
                }

                foreach (int j in set)
                {
                    indices.Add(j);
                    values.Add(rng.NextDouble() + 0.5);
                }
            }

            y[i] = rng.NextDouble() < 0.4 ? 1 : 0;
            offsets[i + 1] = values.Count;
        }

        var data = SparseDataset.Create(CsrMatrix.Create<double>(values.ToArray(), indices.ToArray(), offsets, columns), y);
        TrainingResult dual = LogisticRegression.Train(data, Dual(1e-3) with { Standardize = true, Tolerance = 1e-8, MaxIterations = 200 });
        TrainingResult newton = LogisticRegression.Train(data, Reference(1e-3) with { Standardize = true });
        Assert.True(dual.Report.Converged, dual.Report.Message);
        Close.Equal(newton.Report.FinalObjective, dual.Report.FinalObjective, 1e-12, 0, "objective");
    }

    [Fact]
    public void LopsidedClassWeightsConvergeInFewSweeps()
    {
        (double[] x, double[] y) = SyntheticData.Generate(80, 4, 7);
        var data = DenseDataset.Create(x, y, 4);
        TrainingOptions weighted(TrainingOptions o) => o with { ClassWeights = ClassWeights.Of(1e4, 1) };
        TrainingResult dual = LogisticRegression.Train(data, weighted(Dual(1e-1)) with { Tolerance = 1e-8, MaxIterations = 50 });
        TrainingResult newton = LogisticRegression.Train(data, weighted(Reference(1e-1)));
        Assert.True(dual.Report.Converged, dual.Report.Message);
        Close.Equal(newton.Report.FinalObjective, dual.Report.FinalObjective, 1e-10, 0, "objective");
    }
}
