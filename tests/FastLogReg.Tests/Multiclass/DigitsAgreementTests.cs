using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// The bundled digits data (1,797 × 64 raw pixels, 10 classes) against scikit-learn's multinomial
/// <c>LogisticRegression(C)</c> and <c>OneVsRestClassifier(LogisticRegression(C=1))</c> (fixture from
/// <c>Fixtures/make_reference_fixtures.py</c>, polished to gradient norms below 1e-15).
/// </summary>
public class DigitsAgreementTests
{
    private static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_digits.json"))).RootElement;

    private static DenseDataset<double> Digits()
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        return DenseDataset.Create(x, y, 64, 10);
    }

    [Fact]
    public void TheDataIsTheFixturesData()
    {
        JsonElement data = Fixture().GetProperty("data");
        DenseDataset<double> digits = Digits();
        Assert.Equal(data.GetProperty("rows").GetInt32(), digits.Rows);
        Assert.Equal(data.GetProperty("feature_sum").GetDouble(), digits.Features.ToArray().Sum());
        int[] counts = data.GetProperty("class_counts").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        Assert.Equal(counts, Enumerable.Range(0, 10).Select(k => digits.Labels.ToArray().Count(v => v == k)).ToArray());
    }

    [Theory]
    [InlineData(1.0, Solver.Lbfgs)]
    [InlineData(0.01, Solver.Lbfgs)]
    [InlineData(1.0, Solver.NewtonCholesky)]
    public void MultinomialReachesScikitLearnsOptimum(double c, Solver solver)
    {
        JsonElement fit = Fixture().GetProperty("multinomial").EnumerateArray().First(f => f.GetProperty("C").GetDouble() == c);
        DenseDataset<double> digits = Digits();
        var options = new TrainingOptions { Solver = solver, L2 = TrainingOptions.L2FromScikitLearnC(c, digits.Rows), Tolerance = 1e-10, MaxIterations = solver == Solver.NewtonCholesky ? 100 : 50_000 };
        Close.Equal(fit.GetProperty("lambda").GetDouble(), options.L2, 1e-15, 0, "λ");

        TrainingResult result = LogisticRegression.Train(digits, options);

        MulticlassModel model = result.Multiclass;
        Assert.Equal(ClassificationKind.Multinomial, model.Kind);
        Close.Equal(fit.GetProperty("objective").GetDouble(), result.Report.FinalObjective, 1e-8, 0, $"objective ({result.Report.Message})");

        // The same decision function: the classes agree on every row, the probabilities closely.
        double[][] w = fit.GetProperty("W").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        double[] b = fit.GetProperty("b").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var reference = new MulticlassModel(ClassificationKind.Multinomial, w.SelectMany(r => r).ToArray(), b);
        double[] ours = new double[digits.Rows * 10], theirs = new double[digits.Rows * 10];
        model.PredictProbabilitiesBatch<double>(digits.Features.Span, ours);
        reference.PredictProbabilitiesBatch<double>(digits.Features.Span, theirs);
        Close.Equal(theirs, ours, 0, 1e-5, "probabilities");
    }

    [Theory]
    [InlineData(Solver.Lbfgs)]
    [InlineData(Solver.NewtonCholesky)]
    public void OneVsRestReachesScikitLearnsOptimumForEveryClass(Solver solver)
    {
        JsonElement fits = Fixture().GetProperty("one_vs_rest").GetProperty("fits");
        DenseDataset<double> digits = Digits();
        double l2 = TrainingOptions.L2FromScikitLearnC(1.0, digits.Rows);
        TrainingResult result = LogisticRegression.Train(digits, new TrainingOptions { Solver = solver, L2 = l2, MultiClass = MultiClass.OneVsRest, Tolerance = 1e-10, MaxIterations = solver == Solver.NewtonCholesky ? 100 : 50_000 });
        MulticlassModel model = result.Multiclass;
        Assert.Equal(ClassificationKind.OneVsRest, model.Kind);

        double total = 0;
        foreach (JsonElement fit in fits.EnumerateArray())
        {
            int k = fit.GetProperty("class").GetInt32();
            total += fit.GetProperty("objective").GetDouble();

            // Each class's model is scikit-learn's binary one: its own objective, evaluated on its own labels.
            double[] y = digits.Labels.ToArray().Select(v => v == k ? 1.0 : 0.0).ToArray();
            var binary = DenseDataset.Create(digits.Features, y, 64);
            var objective = new LogisticObjective<double>(binary, l2);
            double[] point = [.. model.Coefficients(k), model.Intercept(k)];
            double f = objective.Evaluate(point, new double[65]);
            Close.Equal(fit.GetProperty("objective").GetDouble(), f, 1e-8, 0, $"class {k} objective");
        }

        Close.Equal(total, result.Report.FinalObjective, 1e-8, 0, "the sum of the K binary objectives");
    }

    [Fact]
    public void TwoClassMultinomialIsTheBinaryModelAtHalfTheL2()
    {
        // With K = 2, softmax over (z₀, z₁) is σ(z₁ − z₀): the loss depends on w = w₁ − w₀ alone, and for a given w the
        // penalty (λ/2)(‖w₀‖² + ‖w₁‖²) is smallest at w₁ = −w₀ = w/2, where it is (λ/4)‖w‖² — the binary penalty at λ/2.
        // So the multinomial optimum at λ is the binary optimum at λ/2, with w = w₁ − w₀ and b = b₁ − b₀.
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        double l2 = 0.01;
        LogisticModel binary = LogisticRegression.Train(data, new TrainingOptions { L2 = l2 / 2, Tolerance = 1e-12 }).Model;
        MulticlassModel multi = LogisticRegression.Train(data, new TrainingOptions { L2 = l2, MultiClass = MultiClass.Multinomial, Tolerance = 1e-12 }).Multiclass;

        Assert.Equal(2, multi.ClassCount);
        for (int j = 0; j < data.Columns; j++)
        {
            Close.Equal(binary.Weights[j], multi.Coefficients(1)[j] - multi.Coefficients(0)[j], 1e-7, 1e-9, $"w[{j}]");
        }

        Close.Equal(binary.Bias, multi.Intercept(1) - multi.Intercept(0), 1e-7, 1e-9, "b");
        double[] p = new double[data.Rows], q = new double[data.Rows * 2];
        binary.PredictProbabilities<double>(data.Features.Span, p);
        multi.PredictProbabilitiesBatch<double>(data.Features.Span, q);
        for (int i = 0; i < data.Rows; i++)
        {
            Close.Equal(p[i], q[(2 * i) + 1], 1e-8, 1e-10, $"P(y = 1) of row {i}");
        }
    }
}
