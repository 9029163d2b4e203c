using System.Text.Json;
using FastLogReg.IO;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Sparse;

/// <summary>
/// Training on sparse rows reaches scikit-learn's optimum on the same CSR data: heart_scale (LIBLINEAR's example file,
/// 270 × 13, read by FastLogReg's LIBSVM reader) against <c>LogisticRegression(C)</c> fitted on
/// <c>load_svmlight_file</c>'s CSR matrix (fixture from <c>Fixtures/make_reference_fixtures.py</c>, polished to a
/// gradient norm below 1e-16).
/// </summary>
public class HeartScaleAgreementTests
{
    internal static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sklearn_heart_scale.json"))).RootElement;

    internal static SparseLabeledData<double> HeartScale() =>
        LibSvmDataReader.ReadSparse<double>(Path.Combine(AppContext.BaseDirectory, "datasets", "heart_scale.libsvm"));

    [Fact]
    public void TheReaderSeesTheFixturesData()
    {
        JsonElement data = Fixture().GetProperty("data");
        SparseLabeledData<double> heart = HeartScale();
        Assert.Equal(data.GetProperty("rows").GetInt32(), heart.Data.Rows);
        Assert.Equal(data.GetProperty("columns").GetInt32(), heart.Data.Columns);
        Assert.Equal(data.GetProperty("nnz").GetInt64(), heart.Data.Matrix.NonZeros);
        Assert.Equal(data.GetProperty("class1_count").GetInt32(), heart.Data.Labels.ToArray().Count(y => y == 1));
        Close.Equal(data.GetProperty("value_sum").GetDouble(), heart.Data.Matrix.Values.ToArray().Sum(), 1e-12, 0, "sum of the values");
        Assert.Equal("+1", heart.Labels.Positive);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    public void LbfgsOnSparseRowsReachesScikitLearnsOptimum(double c)
    {
        JsonElement fit = Fixture().GetProperty("fits").EnumerateArray().First(f => f.GetProperty("C").GetDouble() == c);
        SparseLabeledData<double> heart = HeartScale();
        var options = new TrainingOptions { L2 = TrainingOptions.L2FromScikitLearnC(c, heart.Data.Rows), Tolerance = 1e-10, MaxDegreeOfParallelism = 2 };
        Close.Equal(fit.GetProperty("lambda").GetDouble(), options.L2, 1e-15, 0, "λ = 1/(C·n)");

        TrainingResult result = LogisticRegression.Train(heart.Data, options);

        Assert.True(result.Report.Converged, result.Report.Message);
        Close.Equal(fit.GetProperty("objective").GetDouble(), result.Report.FinalObjective, 1e-12, 0, "objective");
        double[] weights = fit.GetProperty("weights").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        Close.Equal(weights, result.Model.Weights, 1e-7, 1e-8, "w");
        Close.Equal(fit.GetProperty("bias").GetDouble(), result.Model.Bias, 1e-7, 1e-8, "b");
    }
}
