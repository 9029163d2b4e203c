using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>
/// Finite but extreme data: what standardization can handle gives the rescaled model of the unscaled data; what the
/// arithmetic cannot carry is refused up front, naming the row, column and value — never an infinite scale, a NaN, a
/// false "divergence" or a rate of 0.
/// </summary>
public class ExtremeMagnitudeTests
{
    private static DenseDataset<double> BreastCancerScaled(double factor)
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        return DenseDataset.Create(x.Select(v => v * factor).ToArray(), y, names.Length);
    }

    /// <summary>A copy of the row-major <paramref name="x"/> (<paramref name="d"/> wide) with column <paramref name="j"/> mapped.</summary>
    private static double[] WithColumn(double[] x, int d, int j, Func<double, double> map)
    {
        double[] copy = (double[])x.Clone();
        for (int k = j; k < copy.Length; k += d)
        {
            copy[k] = map(copy[k]);
        }

        return copy;
    }

    [Theory]
    [InlineData(1e300)]
    [InlineData(1e154)]
    [InlineData(1e-300)]
    public void StandardizedTrainingOnScaledDataGivesTheRescaledModel(double factor)
    {
        var options = new TrainingOptions { Standardize = true, L2 = TrainingOptions.L2FromScikitLearnC(1, 569) };
        TrainingResult plain = LogisticRegression.Train(BreastCancerScaled(1), options);
        TrainingResult scaled = LogisticRegression.Train(BreastCancerScaled(factor), options);

        Assert.True(scaled.Report.Converged, scaled.Report.Message + " " + string.Join(",", scaled.Standardization!.Scales.ToArray().Take(4)));
        Close.Equal(plain.Report.FinalObjective, scaled.Report.FinalObjective, 1e-9, 0, "objective " + scaled.Report.Message);
        for (int j = 0; j < 30; j++)
        {
            Close.Equal(plain.Model.Weights[j], scaled.Model.Weights[j] * factor, 1e-5, 1e-8, $"w[{j}]·factor");
        }

        Close.Equal(plain.Model.Bias, scaled.Model.Bias, 1e-5, 1e-8, "b");
        Close.Equal(plain.Standardization!.Scales[3] * factor, scaled.Standardization!.Scales[3], 1e-12, 0, "σ of column 3");
    }

    /// <summary>
    /// One column of tiny values among ordinary ones (found by a review): the set's largest |x| is ordinary, so its moments
    /// were summed without units, the column's squares underflowed to 0 and it was standardized as constant — σ = 1, a
    /// feature the model silently ignored. It must standardize as the column at scale 1 does, and every solver must give the
    /// model of the unscaled data (coordinate descent also summed its Hessian diagonal Σ Dᵢ xᵢⱼ² from the raw values).
    /// </summary>
    [Theory]
    [InlineData(1e-170, false)]
    [InlineData(1e-300, false)]
    [InlineData(1e-170, true)]
    [InlineData(1e-300, true)]
    public void OneTinyColumnAmongOrdinaryOnesIsStandardizedNotDroppedAsConstant(double factor, bool sparse)
    {
        const int tiny = 21; // worst texture: in every fit's support below
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length;
        double[] scaledX = WithColumn(x, d, tiny, v => v * factor);

        Dataset<double> plain = sparse ? Hostile.CoordinateDescentPathHostileTests.ToCsr(x, y, d, 0.7, 4) : DenseDataset.Create(x, y, d);
        Dataset<double> scaled = sparse ? Hostile.CoordinateDescentPathHostileTests.ToCsr(scaledX, y, d, 0.7, 4) : DenseDataset.Create(scaledX, y, d);

        FeatureScaling a = FeatureScaling.Compute(plain, 1), b = FeatureScaling.Compute(scaled, 1);
        Close.Equal(a.Scales[tiny] * factor, b.Scales[tiny], 1e-12, 0, $"σ of the column ×{factor}");
        Close.Equal(a.Means[tiny] * factor, b.Means[tiny], 1e-12, 0, $"μ of the column ×{factor}");
        for (int j = 0; j < d; j++)
        {
            if (j != tiny)
            {
                Assert.Equal(a.Scales[j], b.Scales[j]); // the other columns' bits: their units are exact powers of two
                Assert.Equal(a.Means[j], b.Means[j]);
            }
        }

        var l2 = new TrainingOptions { Standardize = true, L2 = TrainingOptions.L2FromScikitLearnC(1, y.Length), Tolerance = 1e-10 };
        var l1 = l2 with { Lambda = 1e-4, L1Ratio = 1, Solver = Solver.CoordinateDescent };
        foreach (TrainingOptions options in new[] { l2, l2 with { Solver = Solver.Newton }, l1, l1 with { L1Ratio = 0.5, Lambda = 2e-4 } })
        {
            TrainingResult expected = LogisticRegression.Train(plain, options), got = LogisticRegression.Train(scaled, options);
            string what = $"{options.Solver} λ {options.Lambda} ρ {options.L1Ratio}";
            Assert.True(got.Report.Converged, what + ": " + got.Report.Message);
            Close.Equal(expected.Report.FinalObjective, got.Report.FinalObjective, 1e-9, 0, what + ": objective");
            Close.Equal(expected.Model.Weights[tiny], got.Model.Weights[tiny] * factor, 1e-5, 1e-8, what + ": the tiny column's w·factor");
            Assert.True(expected.Model.Weights[tiny] != 0, what + ": the column matters to the fit");
            Assert.Equal(Enumerable.Range(0, d).Where(j => expected.Model.Weights[j] != 0), Enumerable.Range(0, d).Where(j => got.Model.Weights[j] != 0));
        }
    }

    /// <summary>
    /// Sample weights of extreme but allowed scale beside a column of small or large values (a review's finding, older
    /// than the tiny-column fix): with weights of 10⁻³⁰ a 10⁻¹⁵⁰ column's weighted squares underflowed and it was
    /// standardized as constant; with weights of 10⁴⁰ a 10¹⁴⁰ column's overflowed (σ = ∞, an exception). Weights are
    /// relative: the standardization must be the unweighted one's.
    /// </summary>
    [Theory]
    [InlineData(1e-30, 1e-150)]
    [InlineData(1e-140, 1e-100)]
    [InlineData(1e40, 1e140)]
    [InlineData(1e100, 1e110)]
    public void ExtremeSampleWeightsBesideAnExtremeColumnStandardizeAsWithout(double weight, double factor)
    {
        const int tiny = 21;
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length;
        double[] scaledX = WithColumn(x, d, tiny, v => v * factor);

        FeatureScaling plain = FeatureScaling.Compute(DenseDataset.Create(scaledX, y, d), 1);
        FeatureScaling weighted = FeatureScaling.Compute(DenseDataset.Create(scaledX, y, d, [.. Enumerable.Repeat(weight, y.Length)]), 1);
        for (int j = 0; j < d; j++)
        {
            Close.Equal(plain.Scales[j], weighted.Scales[j], 1e-12, 0, $"σ of column {j}");
            Close.Equal(plain.Means[j], weighted.Means[j], 1e-12, 0, $"μ of column {j}");
        }
    }

    /// <summary>
    /// A tiny column whose deviations cancel exactly (±δ around its first value; ±δ in sparse rows, whose shift is 0): its
    /// sum and its underflowed squares are both 0, as a constant column's are — only the largest deviation, taken in the
    /// moments' pass, tells them apart.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ATinyColumnWhoseDeviationsCancelIsNotTakenForConstant(bool sparse)
    {
        const int n = 200, d = 3;
        var rng = new Random(5);
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[i * d] = rng.NextDouble();
            x[(i * d) + 1] = 1 + rng.NextDouble();
            int sign = i == 0 ? 0 : (i % 2 == 0 ? 1 : -1); // dense: the first row's value, then ±δ around it
            x[(i * d) + 2] = sparse ? (i % 2 == 0 ? 1e-170 : -1e-170) : 3e-170 + (sign * 1e-170);
            y[i] = x[(i * d) + 2] > (sparse ? 0 : 3e-170) ^ rng.NextDouble() < 0.2 ? 1 : 0;
        }

        Dataset<double> data = sparse ? Hostile.CoordinateDescentPathHostileTests.ToCsr(x, y, d, 1.0, 1) : DenseDataset.Create(x, y, d);
        FeatureScaling scaling = FeatureScaling.Compute(data, 1);
        Assert.False(scaling.IsConstant(2), "the tiny column was standardized as constant");
        Close.Equal(1e-170, scaling.Scales[2], 0.02, 0, "σ of the ±1e-170 column");
    }

    /// <summary>
    /// An offset column, 1 + 10⁻⁸·t (|μ|/σ ≈ 10⁸: a timestamp, a reading near its calibration point), standardized. Found
    /// by a review: coordinate descent expanded Σ Dᵢ(xᵢⱼ − μⱼ)² as Σ Dᵢxᵢⱼ² − 2μⱼΣ Dᵢxᵢⱼ + μⱼ²Σ Dᵢ, which cancels every
    /// digit there, and stopped after 2 iterations at objective 0.273 (the model of t: 0.068). Its column copy now holds
    /// such a column less its midpoint (exact). The column t itself is the reference: standardization makes the two the
    /// same problem up to the 10⁻⁸ rounding of 1 + 10⁻⁸·t.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AnOffsetColumnStandardizedGivesTheModelOfItsVariation(bool elasticNet)
    {
        const int j = 21;
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length;
        double largest = Enumerable.Range(0, y.Length).Max(i => x[(i * d) + j]);
        double[] t = WithColumn(x, d, j, v => v / largest), offset = WithColumn(t, d, j, v => 1 + (1e-8 * v));

        var options = new TrainingOptions { Standardize = true, Lambda = 1e-3, L1Ratio = elasticNet ? 0.5 : 1, Solver = Solver.CoordinateDescent, Tolerance = 1e-8 };
        TrainingResult expected = LogisticRegression.Train(DenseDataset.Create(t, y, d), options);
        TrainingResult got = LogisticRegression.Train(DenseDataset.Create(offset, y, d), options);
        Assert.True(got.Report.Converged, got.Report.Message);
        Close.Equal(expected.Report.FinalObjective, got.Report.FinalObjective, 1e-6, 0, "objective");
        Close.Equal(expected.Model.Weights[j], got.Model.Weights[j] * 1e-8, 1e-4, 1e-6, "the offset column's w·10⁻⁸");
    }

    /// <summary>
    /// A column of subnormal values (found by the review of the tiny-column fix): σ ≈ 5·10⁻³¹⁰ standardized it, and the
    /// raw weight w/σ overflowed — L-BFGS stopped at a wrong model with a weight of −1.8·10³⁰⁸, coordinate descent
    /// "diverged" at iteration 0. Below 2⁻¹⁰¹⁰ a varying column is refused, naming it.
    /// </summary>
    [Fact]
    public void AColumnOfSubnormalValuesIsRefusedNamingIt()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        int d = names.Length;
        double[] scaled = WithColumn(x, d, 21, v => Math.ScaleB(v, -1030));

        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(DenseDataset.Create(scaled, y, d), new TrainingOptions { Standardize = true }));
        Assert.Contains("Column 21", e.Message);
        Assert.Contains("Rescale", e.Message);
    }

    [Theory]
    [InlineData(1e154)]
    [InlineData(1e300)]
    public void RawTrainingOnHugeValuesIsRefusedNamingTheValue(double factor)
    {
        var e = Assert.Throws<DataValueException>(() => LogisticRegression.Train(BreastCancerScaled(factor)));
        Assert.Contains("row ", e.Message);
        Assert.Contains("column ", e.Message);
        Assert.Contains("Standardize = true", e.Message);
    }

    [Fact]
    public void RawTrainingOnVanishingValuesIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.Train(BreastCancerScaled(1e-300)));
        Assert.Contains("Standardize = true", e.Message);
    }

    [Fact]
    public void StandardizationBeyondTheDoubleRangeIsRefusedNamingTheValue()
    {
        var e = Assert.Throws<DataValueException>(() => FeatureScaling.Compute(BreastCancerScaled(1e303)));
        Assert.Contains("row ", e.Message);
        Assert.Contains("Rescale", e.Message);
    }

    [Fact]
    public void SafeLearningRateIsValidOrRefusedNeverZero()
    {
        // Without the intercept's column of ones, L scales exactly with the square of the data.
        double unscaled = LogisticRegression.SafeLearningRate(BreastCancerScaled(1), fitIntercept: false);
        double scaled = LogisticRegression.SafeLearningRate(BreastCancerScaled(1e100), fitIntercept: false);
        Close.Equal(unscaled / 1e200, scaled, 1e-10, 0, "rate on data ×1e100");
        var e = Assert.Throws<ArgumentException>(() => LogisticRegression.SafeLearningRate(BreastCancerScaled(1e300)));
        Assert.Contains("not representable", e.Message);
    }

    [Theory]
    [InlineData(1e308)]
    [InlineData(5e-324)]
    [InlineData(1e200)]
    public void SampleWeightsOfExtremeScaleAreRefusedWithWhatToDo(double weight)
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        double[] s = Enumerable.Repeat(weight, y.Length).ToArray();
        var e = Assert.Throws<ArgumentException>(() => DenseDataset.Create(x, y, names.Length, s));
        Assert.Contains("relative", e.Message);
    }

    [Fact]
    public void ScikitLearnCThatOverflowsLambdaIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TrainingOptions.L2FromScikitLearnC(5e-324, 100));
        Assert.Equal(0, TrainingOptions.L2FromScikitLearnC(1e308, 1e10));
    }

    /// <summary>
    /// A penalty of 10⁹–10¹² (C ≈ 10⁻¹² in scikit-learn's terms): the weights' curvature is λ, the intercept's ¼. L-BFGS's
    /// first, steepest-descent step must shrink ~10⁹-fold; its line search halved at most 25 times and gave up, so the fit
    /// stopped at iteration 0 with b = 0 (found by the path's hostile review). It must reach the intercept-only optimum
    /// that Newton reaches.
    /// </summary>
    [Theory]
    [InlineData(1e9)]
    [InlineData(1e12)]
    public void AHugePenaltyStillReachesTheInterceptOnlyOptimum(double l2)
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        var options = new TrainingOptions { L2 = l2, Tolerance = 1e-10 };

        TrainingReport lbfgs = LogisticRegression.Train(data, options with { Solver = Solver.Lbfgs }).Report;
        TrainingResult newton = LogisticRegression.Train(data, options with { Solver = Solver.Newton });

        Assert.Equal(StopReason.Converged, lbfgs.StopReason);
        Close.Equal(newton.Report.FinalObjective, lbfgs.FinalObjective, 1e-12, 0, "objective");
        double share = data.Labels.ToArray().Average();
        Close.Equal(Math.Log(share / (1 - share)), newton.Model.Bias, 1e-4, 0, "b: the log-odds of class 1");
    }
}
