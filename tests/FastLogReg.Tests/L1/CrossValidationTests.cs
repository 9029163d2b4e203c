using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>Cross-validation against scikit-learn's <c>LogisticRegressionCV</c> (fixture with its folds) and for determinism.</summary>
public class CrossValidationTests
{
    private static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_path_cv.json"))).RootElement.GetProperty("cv");

    [Fact]
    public void ScoresAndChoiceMatchLogisticRegressionCV()
    {
        JsonElement fixture = Fixture();
        DenseDataset<double> data = L1Fixtures.Load("breast_cancer_standardized");
        var cv = new CrossValidationOptions
        {
            Folds = 5,
            FoldOfRow = fixture.GetProperty("fold_of_row").EnumerateArray().Select(e => e.GetInt32()).ToArray(),
            CValues = L1Fixtures.Doubles(fixture.GetProperty("Cs")),
        };

        CrossValidationResult result = CrossValidation.Run(data, new TrainingOptions { Tolerance = 1e-10, MaxIterations = 100_000 }, cv);

        int k = 0;
        foreach (JsonElement perC in fixture.GetProperty("per_C").EnumerateArray())
        {
            CrossValidationPoint point = result.Points[k++];
            Close.Equal(perC.GetProperty("C").GetDouble(), point.C, 0, 0, "C");
            Close.Equal(perC.GetProperty("mean_test_log_loss").GetDouble(), point.MeanLogLoss, 1e-6, 0, $"mean log-loss at C = {point.C:G4}");
            Close.Equal(perC.GetProperty("std_test_log_loss").GetDouble(), point.SdLogLoss, 1e-5, 1e-9, $"sd of the log-loss at C = {point.C:G4}");
            Close.Equal(perC.GetProperty("mean_test_accuracy").GetDouble(), point.MeanAccuracy, 1e-12, 0, $"accuracy at C = {point.C:G4}");
        }

        Close.Equal(fixture.GetProperty("chosen_C").GetDouble(), result.Best.C, 0, 0, "chosen C");
        JsonElement refit = fixture.GetProperty("refit");
        Close.Equal(L1Fixtures.Doubles(refit.GetProperty("weights")), result.Refit.Model.Weights, 1e-6, 1e-8, "refitted w");
    }

    [Fact]
    public void FoldsAndChoiceAreTheSameForAnyThreadCount()
    {
        DenseDataset<double> data = L1Fixtures.Load("digits_3_vs_8_standardized");
        var cv = new CrossValidationOptions { Folds = 4, Seed = 3, Path = new PathOptions { Count = 8 }, L1Ratios = [1.0, 0.5] };
        CrossValidationResult Run(int threads) =>
            CrossValidation.Run(data, new TrainingOptions { Tolerance = 1e-8, MaxIterations = 20_000, MaxDegreeOfParallelism = threads }, cv);

        CrossValidationResult one = Run(1), two = Run(2), eight = Run(8);
        foreach (CrossValidationResult other in new[] { two, eight })
        {
            Assert.Equal(one.FoldOfRow, other.FoldOfRow);
            Assert.Equal(one.Points, other.Points);
            Assert.Equal(one.Best, other.Best);
            Assert.Equal(one.Refit.Model.Weights.ToArray(), other.Refit.Model.Weights.ToArray());
        }

        // Stratified: every fold holds each class in proportion (within one row).
        for (int f = 0; f < 4; f++)
        {
            int positives = Enumerable.Range(0, data.Rows).Count(i => one.FoldOfRow[i] == f && data.Labels.Span[i] == 1);
            Assert.InRange(positives, (174 / 4) - 1, (174 / 4) + 2);
        }

        Assert.True(one.OneStandardError.Lambda >= one.Best.Lambda);
        Assert.Equal(one.Best.L1Ratio, one.OneStandardError.L1Ratio);
    }
}
