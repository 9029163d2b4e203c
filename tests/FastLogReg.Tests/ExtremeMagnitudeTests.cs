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
