using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Tests.L1;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary>
/// Cross-validation of a multinomial model against scikit-learn's <c>LogisticRegressionCV(multi_class="multinomial")</c>
/// on the bundled digits (1,797 × 64 raw pixels, 10 classes), with the fixture's folds and C grid
/// (<c>Fixtures/make_reference_fixtures.py</c>; every fold fit polished to a gradient norm below 10⁻⁹).
/// </summary>
public class MulticlassCrossValidationFixtureTests
{
    private static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_multiclass_cv.json"))).RootElement.GetProperty("cv");

    [Fact]
    public void ScoresChoiceAndRefitMatchLogisticRegressionCV()
    {
        JsonElement fixture = Fixture();
        (double[] x, double[] y) = MulticlassData.Digits();
        DenseDataset<double> digits = DenseDataset.Create(x, y, 64, 10);
        var cv = new CrossValidationOptions
        {
            Folds = 5,
            FoldOfRow = [.. fixture.GetProperty("fold_of_row").EnumerateArray().Select(e => e.GetInt32())],
            CValues = L1Fixtures.Doubles(fixture.GetProperty("Cs")),
        };

        CrossValidationResult result = CrossValidation.Run(digits, new TrainingOptions { Tolerance = 1e-10, MaxIterations = 100_000 }, cv);

        int k = 0;
        foreach (JsonElement perC in fixture.GetProperty("per_C").EnumerateArray())
        {
            CrossValidationPoint point = result.Points[k++];
            Close.Equal(perC.GetProperty("C").GetDouble(), point.C, 0, 0, "C");
            Close.Equal(perC.GetProperty("mean_test_log_loss").GetDouble(), point.MeanLogLoss, 1e-6, 0, $"mean log-loss at C = {point.C:G4}");
            Close.Equal(perC.GetProperty("std_test_log_loss").GetDouble(), point.SdLogLoss, 1e-5, 1e-9, $"sd of the log-loss at C = {point.C:G4}");
            Close.Equal(perC.GetProperty("mean_test_accuracy").GetDouble(), point.MeanAccuracy, 1e-12, 0, $"accuracy at C = {point.C:G4}");
            Assert.True(double.IsNaN(point.MeanRocAuc));
        }

        Assert.Equal(9, k);
        Close.Equal(fixture.GetProperty("chosen_C").GetDouble(), result.Best.C, 0, 0, "chosen C");

        // The refit on all rows at the chosen C: scikit-learn's (polished) optimum, intercepts compared centred.
        JsonElement refit = fixture.GetProperty("refit");
        MulticlassModel model = result.Refit.Multiclass;
        Assert.Equal(ClassificationKind.Multinomial, model.Kind);
        Close.Equal(refit.GetProperty("objective").GetDouble(), result.Refit.Report.FinalObjective, 1e-9, 0, "refit objective");
        double[] w = [.. refit.GetProperty("W").EnumerateArray().SelectMany(L1Fixtures.Doubles)];
        Close.Equal(w, model.Weights, 1e-5, 1e-7, "refitted W");
        // The intercepts are held loosely: the Hessian's smallest eigenvalue here is 6.5·10⁻⁶ (the fixture records it), so
        // an objective within rounding of the optimum (½·μ·δ² ≈ 10⁻¹⁶) leaves b free by ~10⁻⁵ — measured 3–10·10⁻⁶ across the
        // vector widths, at any tolerance.
        double[] b = L1Fixtures.Doubles(refit.GetProperty("b")), ours = model.Intercepts.ToArray();
        double shift = ours.Average();
        Close.Equal(b, [.. ours.Select(v => v - shift)], 0, 5e-5, "refitted b (centred)");
    }
}
