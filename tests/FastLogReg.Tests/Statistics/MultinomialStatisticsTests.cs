using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Statistics;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Statistics;

/// <summary>K-class coefficient statistics against statsmodels' <c>MNLogit</c> (Fixtures/make_mnlogit_fixture.py).</summary>
public class MultinomialStatisticsTests
{
    private static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "statsmodels_mnlogit.json"))).RootElement;

    /// <summary>Digits 3, 5, 8 (class ids 0, 1, 2) on six raw pixel columns, as the fixture built it.</summary>
    private static DenseDataset<double> Data()
    {
        JsonElement data = Fixture().GetProperty("data");
        int[] classes = data.GetProperty("classes").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        int[] columns = data.GetProperty("columns").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        (double[] x, double[] y) = Multiclass.MulticlassData.Digits();
        var features = new List<double>();
        var labels = new List<double>();
        for (int i = 0; i < y.Length; i++)
        {
            int k = Array.IndexOf(classes, (int)y[i]);
            if (k >= 0)
            {
                features.AddRange(columns.Select(c => x[(i * 64) + c]));
                labels.Add(k);
            }
        }

        Assert.Equal(data.GetProperty("rows").GetInt32(), labels.Count);
        return DenseDataset.Create(features.ToArray(), labels.ToArray(), columns.Length, classes.Length);
    }

    private static double[][] Rows(JsonElement e) => e.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetDouble()).ToArray()).ToArray();

    [Fact]
    public void StatsmodelsOwnEstimatesGiveItsTable()
    {
        DenseDataset<double> data = Data();
        double[][] p = Rows(Fixture().GetProperty("params"));

        // Class 0 at zero, classes 1 and 2 at statsmodels' (constant first) parameters.
        int d = data.Columns;
        double[] w = new double[3 * d], b = new double[3];
        for (int k = 1; k < 3; k++)
        {
            b[k] = p[k - 1][0];
            Array.Copy(p[k - 1], 1, w, k * d, d);
        }

        AssertMatches(MultinomialStatistics.Compute(new MulticlassModel(ClassificationKind.Multinomial, w, b), data), estimateTolerance: 1e-15, "statsmodels' estimates");
    }

    [Theory]
    [InlineData(Solver.NewtonCholesky)]
    [InlineData(Solver.Lbfgs)]
    public void TableOfAFastLogRegFitMatchesStatsmodels(Solver solver)
    {
        // Unpenalized, the K-row model is determined up to a shift of every class: the table depends on differences only.
        DenseDataset<double> data = Data();
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { Solver = solver, L2 = 0, Tolerance = 1e-12, MaxIterations = solver == Solver.Lbfgs ? 100_000 : 200 });
        Assert.True(fit.Report.StopReason is Optimization.StopReason.Converged or Optimization.StopReason.NoProgress, fit.Report.Message);
        AssertMatches(MultinomialStatistics.Compute(fit.Multiclass, data), estimateTolerance: 1e-6, $"{solver} fit");
    }

    [Fact]
    public void WithoutInterceptsTheTableHasNone()
    {
        DenseDataset<double> data = Data();
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = 0, FitIntercept = false, Tolerance = 1e-12, MaxIterations = 200 });
        MultinomialCoefficientTable table = MultinomialStatistics.Compute(fit.Multiclass, data, fitIntercept: false);
        Assert.Equal(data.Columns, table.Classes[1].Count);
        Assert.Equal(2 * data.Columns, table.Covariance.GetLength(0));
        Assert.DoesNotContain(table.Classes[2], r => r.Name == "(intercept)");
        MultinomialCoefficientTable withIntercepts = MultinomialStatistics.Compute(fit.Multiclass, data);
        Assert.NotEqual(withIntercepts.Classes[1][0].StandardError, table.Classes[1][0].StandardError);
    }

    [Fact]
    public void OneVsRestModelsAndPenalizedShapesAreRefusedByName()
    {
        DenseDataset<double> data = Data();
        var ovr = new MulticlassModel(ClassificationKind.OneVsRest, new double[3 * data.Columns], new double[3]);
        var e = Assert.Throws<ArgumentException>(() => MultinomialStatistics.Compute(ovr, data));
        Assert.Contains("OneVsRest", e.Message);
        var model = new MulticlassModel(ClassificationKind.Multinomial, new double[3 * data.Columns], new double[3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => MultinomialStatistics.Compute(model, data, referenceClass: 3));
    }

    [Fact]
    public void AConstantColumnIsNamedAsSingular()
    {
        DenseDataset<double> data = Data();
        double[] x = data.Features.ToArray();
        int d = data.Columns;
        for (int i = 0; i < data.Rows; i++)
        {
            x[(i * d) + 2] = 5; // constant: collinear with the intercept
        }

        var constant = DenseDataset.Create(x, data.Labels.ToArray(), d, 3);
        var model = new MulticlassModel(ClassificationKind.Multinomial, new double[3 * d], new double[3]);
        var e = Assert.Throws<ArgumentException>(() => MultinomialStatistics.Compute(model, constant));
        Assert.Contains("x2 (class 1)", e.Message);
        Assert.Contains("(intercept) (class 1)", e.Message);
    }

    private static void AssertMatches(MultinomialCoefficientTable table, double estimateTolerance, string context)
    {
        JsonElement f = Fixture();
        double[][] p = Rows(f.GetProperty("params")), se = Rows(f.GetProperty("bse")), z = Rows(f.GetProperty("tvalues")), pv = Rows(f.GetProperty("pvalues"));
        Assert.Equal(0, table.ReferenceClass);
        Assert.Empty(table.Classes[0]);
        for (int k = 1; k < 3; k++)
        {
            JsonElement intervals = f.GetProperty("conf_int_95")[k - 1];
            int d = table.Classes[k].Count - 1;
            for (int j = 0; j <= d; j++)
            {
                int s = j < d ? j + 1 : 0; // statsmodels puts the constant first
                Coefficient row = table.Classes[k][j];
                string what = $"class {k} {row.Name} ({context})";
                double tolerance = estimateTolerance > 1e-9 ? 1e-5 : 1e-8;
                Close.Equal(p[k - 1][s], row.Estimate, estimateTolerance, 1e-12, $"estimate, {what}");
                Close.Equal(se[k - 1][s], row.StandardError, tolerance, 0, $"standard error, {what}");
                Close.Equal(z[k - 1][s], row.Z, tolerance, 1e-9, $"z, {what}");
                Close.Equal(pv[k - 1][s], row.PValue, Math.Max(tolerance, 1e-7) * 10, 1e-12, $"p-value, {what}");
                Close.Equal(intervals[s][0].GetDouble(), row.Lower, tolerance, 1e-9, $"lower, {what}");
                Close.Equal(intervals[s][1].GetDouble(), row.Upper, tolerance, 1e-9, $"upper, {what}");
            }
        }

        Close.Equal(f.GetProperty("llf").GetDouble(), table.LogLikelihood, estimateTolerance > 1e-9 ? 1e-10 : 1e-12, 0, $"log-likelihood ({context})");
        Assert.Contains("class 2 against class 0", table.ToString());
    }
}
