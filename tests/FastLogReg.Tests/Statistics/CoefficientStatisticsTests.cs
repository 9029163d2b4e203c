using System.Text.Json;
using FastLogReg.Data;
using FastLogReg.Statistics;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Statistics;

/// <summary>Coefficient statistics against statsmodels' <c>Logit</c> (fixture from <c>Fixtures/make_reference_fixtures.py</c>).</summary>
public class CoefficientStatisticsTests
{
    private static JsonElement Fixture() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "statsmodels_logit.json"))).RootElement;

    /// <summary>Breast cancer's first ten columns, raw, as the fixture fits them.</summary>
    private static (DenseDataset<double> Data, string[] Names) FirstTenColumns()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length, n = y.Length;
        double[] ten = new double[n * 10];
        for (int i = 0; i < n; i++)
        {
            x.AsSpan(i * d, 10).CopyTo(ten.AsSpan(i * 10, 10));
        }

        return (DenseDataset.Create(ten, y, 10), names[..10]);
    }

    private static double[] Reorder(JsonElement values) // statsmodels: const first; FastLogReg: intercept last
    {
        double[] v = values.EnumerateArray().Select(e => e.GetDouble()).ToArray();
        return [.. v[1..], v[0]];
    }

    [Fact]
    public void TableAtStatsmodelsEstimatesMatchesItsSummary()
    {
        JsonElement fixture = Fixture();
        (DenseDataset<double> data, string[] names) = FirstTenColumns();
        double[] estimates = Reorder(fixture.GetProperty("params"));
        var model = new Models.LogisticModel(estimates[..10], estimates[10]);

        AssertMatches(fixture, CoefficientStatistics.Compute(model, data, names: names), estimateTolerance: 0, "statsmodels' own estimates");
    }

    [Theory]
    [InlineData(Solver.Newton, true, 1e-6)]
    [InlineData(Solver.Newton, false, 1e-5)]
    [InlineData(Solver.NewtonCholesky, false, 1e-6)]
    public void TableOfAFastLogRegFitMatchesStatsmodelsOnTheRawScale(Solver solver, bool standardize, double estimateTolerance)
    {
        // Raw features (areas near 10³ beside smoothness near 10⁻¹) leave the trust-region Newton at ‖∇f‖ ≈ 2·10⁻¹⁰,
        // where coefficients are up to 3·10⁻⁵ off (relative) — about 2·10⁻⁶ of their standard errors, which is what the
        // raw case is held to (10⁻⁵ of a standard error); the standardized fit reaches 10⁻⁶ relative, and so does exact
        // Newton on the raw features (the Cholesky solve does not depend on the conditioning the way CG does).
        JsonElement fixture = Fixture();
        (DenseDataset<double> data, string[] names) = FirstTenColumns();
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { Solver = solver, Standardize = standardize, Tolerance = 1e-12, MaxIterations = 1000 });
        Assert.True(fit.Report.StopReason is Optimization.StopReason.Converged or Optimization.StopReason.NoProgress, fit.Report.Message);

        AssertMatches(fixture, CoefficientStatistics.Compute(fit.Model, data, names: names), estimateTolerance, $"standardized fit: {standardize}");
    }

    [Fact]
    public void WithoutAnInterceptTheInformationHasNoInterceptRowOrColumn()
    {
        // Fitted without an intercept, the intercept is no parameter: the standard errors come from the d × d
        // information (inverting the (d + 1)² one and reading its corner would be a different — wrong — number).
        (DenseDataset<double> data, string[] names) = FirstTenColumns();
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.NewtonCholesky, FitIntercept = false, Tolerance = 1e-12, MaxIterations = 200 });
        CoefficientTable table = CoefficientStatistics.Compute(fit.Model, data, names: names, fitIntercept: false);
        Assert.Equal(10, table.Rows.Count);
        Assert.DoesNotContain(table.Rows, r => r.Name == "(intercept)");

        double[,] information = fit.Model.ObservedInformation(data);
        var corner = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.Dense(10, 10, (i, j) => information[i, j]);
        var covariance = corner.Inverse();
        var full = MathNet.Numerics.LinearAlgebra.Matrix<double>.Build.DenseOfArray(information).Inverse();
        for (int j = 0; j < 10; j++)
        {
            Close.Equal(Math.Sqrt(covariance[j, j]), table.Rows[j].StandardError, 1e-9, 0, $"standard error of {names[j]}");
            Assert.True(Math.Abs(Math.Sqrt(full[j, j]) - table.Rows[j].StandardError) > 1e-6 * table.Rows[j].StandardError, "the (d + 1)² inverse would give the same number: the test shows nothing");
        }

        var withBias = new Models.LogisticModel(fit.Model.Weights, 0.5);
        var e = Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(withBias, data, fitIntercept: false));
        Assert.Contains("intercept", e.Message);
    }

    private static void AssertMatches(JsonElement fixture, CoefficientTable table, double estimateTolerance, string context)
    {
        double[] estimates = Reorder(fixture.GetProperty("params")), se = Reorder(fixture.GetProperty("bse"));
        double[] z = Reorder(fixture.GetProperty("tvalues")), p = Reorder(fixture.GetProperty("pvalues"));
        double tolerance = estimateTolerance > 1e-6 ? 1e-4 : 1e-6;
        for (int j = 0; j <= 10; j++)
        {
            Coefficient row = table.Rows[j];
            string what = $"{row.Name} ({context})";
            // Within the tolerance relative to the estimate, or (for the raw fit) to its standard error.
            double atol = estimateTolerance > 1e-6 ? estimateTolerance * se[j] : 0;
            Close.Equal(estimates[j], row.Estimate, atol > 0 ? 0 : estimateTolerance, atol, "estimate of " + what);
            Close.Equal(se[j], row.StandardError, 1e-6, 0, "standard error of " + what);
            Close.Equal(z[j], row.Z, tolerance, 0, "z of " + what);
            Close.Equal(p[j], row.PValue, 1e3 * tolerance, 1e-300, "p-value of " + what);
            Assert.Equal(Math.Exp(row.Estimate), row.OddsRatio);
        }

        JsonElement[] intervals = fixture.GetProperty("conf_int_95").EnumerateArray().ToArray();
        Close.Equal(intervals[1][0].GetDouble(), table.Rows[0].Lower, tolerance, 1e-9, "lower end for mean_radius");
        Close.Equal(intervals[0][1].GetDouble(), table.Rows[10].Upper, tolerance, 1e-9, "upper end for the intercept");
        Close.Equal(fixture.GetProperty("llf").GetDouble(), table.LogLikelihood, 1e-9, 0, "log-likelihood");
        Assert.Equal("(intercept)", table.Rows[10].Name);
        Assert.Contains("mean_radius", table.ToString());
    }

    [Fact]
    public void CollinearColumnsAreNamedInTheError()
    {
        (DenseDataset<double> ten, string[] names) = FirstTenColumns();
        int n = ten.Rows;
        double[] x = new double[n * 3];
        for (int i = 0; i < n; i++)
        {
            x[i * 3] = ten.GetRow(i)[0];
            x[(i * 3) + 1] = ten.GetRow(i)[1];
            x[(i * 3) + 2] = (2 * ten.GetRow(i)[0]) + 1; // = 2·mean_radius + 1: collinear with it and the intercept
        }

        var data = DenseDataset.Create(x, ten.Labels.ToArray(), 3);
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { L2 = 1e-6 });
        var e = Assert.Throws<ArgumentException>(() => CoefficientStatistics.Compute(fit.Model, data, names: ["radius", "texture", "twice radius plus one"]));
        Assert.Contains("radius", e.Message);
        Assert.Contains("twice radius plus one", e.Message);
        Assert.DoesNotContain("texture", e.Message);
    }

    /// <summary>
    /// A standardized column of 10⁻¹⁷⁰-scale values (found by a review: its raw information Σ Dᵢxᵢⱼ² underflowed and the
    /// table refused a correctly fitted model as "singular"): the same table as for the column at scale 1, its estimate,
    /// standard error and interval scaled by 10¹⁷⁰, its z and p-value unchanged; dense and sparse, with and without L2.
    /// </summary>
    [Theory]
    [InlineData(1e-170, false, 0.0)]
    [InlineData(1e-170, true, 0.01)]
    [InlineData(1e140, false, 0.01)]
    public void AStandardizedColumnOfExtremeScaleGivesTheRescaledTable(double factor, bool sparse, double lambda)
    {
        (DenseDataset<double> ten, _) = FirstTenColumns();
        const int d = 10, j = 3;
        double[] x = ten.Features.ToArray(), scaledX = (double[])x.Clone();
        for (int i = 0; i < ten.Rows; i++)
        {
            scaledX[(i * d) + j] *= factor;
        }

        double[] y = ten.Labels.ToArray();
        Dataset<double> plain = sparse ? Hostile.CoordinateDescentPathHostileTests.ToCsr(x, y, d, 0.8, 3) : DenseDataset.Create(x, y, d);
        Dataset<double> scaled = sparse ? Hostile.CoordinateDescentPathHostileTests.ToCsr(scaledX, y, d, 0.8, 3) : DenseDataset.Create(scaledX, y, d);
        var options = new TrainingOptions { Solver = Solver.NewtonCholesky, L2 = lambda, Standardize = true, Tolerance = 1e-12 };
        TrainingResult a = LogisticRegression.Train(plain, options), b = LogisticRegression.Train(scaled, options);
        CoefficientTable expected = CoefficientStatistics.Compute(a.Model, plain, lambda, a.Standardization);
        CoefficientTable got = CoefficientStatistics.Compute(b.Model, scaled, lambda, b.Standardization);
        for (int k = 0; k <= d; k++)
        {
            double f = k == j ? factor : 1;
            Coefficient e = expected.Rows[k], g = got.Rows[k];
            Close.Equal(e.Estimate, g.Estimate * f, 1e-6, 1e-12, $"row {k}: estimate");
            Close.Equal(e.StandardError, g.StandardError * f, 1e-6, 0, $"row {k}: standard error");
            Close.Equal(e.Z, g.Z, 1e-6, 1e-9, $"row {k}: z");
            Close.Equal(e.PValue, g.PValue, 1e-5, 1e-12, $"row {k}: p");
        }
    }

    [Fact]
    public void AnL2FitsCovarianceIsTheInverseOfThePenalizedHessian()
    {
        (DenseDataset<double> data, _) = FirstTenColumns();
        double lambda = 0.01;
        TrainingResult fit = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.Newton, L2 = lambda, Standardize = true, Tolerance = 1e-12 });
        CoefficientTable table = CoefficientStatistics.Compute(fit.Model, data, lambda, fit.Standardization);

        // H·Cov = I for H = I + S·λ·diag(σ²): check one row against the observed information directly.
        double[,] h = fit.Model.ObservedInformation(data);
        for (int j = 0; j < 10; j++)
        {
            h[j, j] += data.Rows * lambda * fit.Standardization!.Scales[j] * fit.Standardization.Scales[j];
        }

        for (int k = 0; k <= 10; k++)
        {
            double product = 0;
            for (int j = 0; j <= 10; j++)
            {
                product += h[3, j] * table.Covariance[j, k];
            }

            Close.Equal(k == 3 ? 1 : 0, product, 1e-8, 1e-8, $"(H·Cov)[3, {k}]");
        }

        Assert.True(table.Rows.All(r => r.StandardError > 0 && double.IsFinite(r.StandardError)));
    }
}
