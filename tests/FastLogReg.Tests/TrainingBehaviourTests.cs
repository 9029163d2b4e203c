using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>Stop reasons, the report, warm start and cancellation.</summary>
public class TrainingBehaviourTests
{
    private static DenseDataset<double> RawBreastCancer()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        return DenseDataset.Create(x, y, names.Length);
    }

    [Fact]
    public void TooLargeLearningRateDivergesAndReturnsTheBestFiniteModel()
    {
        // Raw breast-cancer features reach 4000: η = 1 is thousands of times the safe step.
        DenseDataset<double> data = RawBreastCancer();
        TrainingResult result = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 1.0, MaxIterations = 1000 });

        Assert.Equal(StopReason.Diverged, result.Report.StopReason);
        Assert.All(result.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));
        Assert.Equal(result.Report.ObjectiveHistory.Where(double.IsFinite).Min(), result.Report.FinalObjective);
        Assert.Contains("too large", result.Report.Message);
        Assert.Contains("safe bound", result.Report.Message);
        Assert.True(result.Report.Iterations < 1000);
    }

    [Fact]
    public void ConvergedRunReportsConvergenceAndGradientNormBelowTolerance()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        var options = new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 0.5, L2 = 0.01, Tolerance = 1e-6, MaxIterations = 100_000 };
        TrainingResult result = LogisticRegression.Train(data, options);

        Assert.Equal(StopReason.Converged, result.Report.StopReason);
        Assert.True(result.Report.Converged);
        Assert.True(result.Report.FinalGradientNorm <= result.Report.ConvergenceThreshold);
        Assert.Equal(1e-6 * Math.Max(1, result.Report.GradientNormHistory[0]), result.Report.ConvergenceThreshold);
        Assert.Equal(result.Report.Iterations + 1, result.Report.ObjectiveHistory.Count);
        Assert.Equal(result.Report.Iterations + 1, result.Report.DataPasses);
        Assert.Equal(result.Report.ObjectiveHistory[^1], result.Report.FinalObjective);
        double penalty = 0.5 * 0.01 * result.Model.Weights.ToArray().Sum(w => w * w);
        Close.Equal(result.Report.FinalObjective - penalty, result.Report.FinalLoss, 1e-12, 1e-15, "loss = objective − penalty");
        Assert.True(result.Report.Elapsed > TimeSpan.Zero); // the duration is recorded (not a speed check)
        Assert.Contains("Converged", result.Report.Message);
    }

    [Fact]
    public void EpochLimitIsReportedWithAdvice()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        TrainingResult result = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 0.01, MaxIterations = 5 });

        Assert.Equal(StopReason.MaxIterations, result.Report.StopReason);
        Assert.Equal(5, result.Report.Iterations);
        Assert.Contains("raise MaxIterations", result.Report.Message);
        Assert.Contains("L-BFGS", result.Report.Message);
        Assert.Contains("standardize", result.Report.Message);
    }

    [Fact]
    public void WarmStartFromTheOptimumStopsAtOnce()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        var options = new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 0.5, L2 = 0.01, Tolerance = 1e-6, MaxIterations = 100_000 };
        LogisticModel optimum = LogisticRegression.Train(data, options).Model;

        TrainingResult again = LogisticRegression.Train(data, options with { InitialModel = optimum });
        Assert.Equal(StopReason.Converged, again.Report.StopReason);
        Assert.Equal(0, again.Report.Iterations);
        Assert.Equal(optimum.Weights.ToArray(), again.Model.Weights.ToArray());
    }

    [Fact]
    public void CancelledTokenStopsBetweenEpochsWithTheBestModel()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        TrainingResult result = LogisticRegression.Train(data, new TrainingOptions { MaxIterations = 1000 }, cts.Token);

        Assert.Equal(StopReason.Cancelled, result.Report.StopReason);
        Assert.Equal(0, result.Report.Iterations);
        Assert.Contains("Cancelled", result.Report.Message);
    }

    [Fact]
    public void CancellationDuringTrainingReturnsBestModelSoFar()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        TrainingResult result = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 0.01, MaxIterations = int.MaxValue, Tolerance = 0 }, cts.Token);

        Assert.Equal(StopReason.Cancelled, result.Report.StopReason);
        Assert.True(result.Report.Iterations > 0);
        Assert.Equal(result.Report.ObjectiveHistory.Min(), result.Report.FinalObjective);
    }

    [Fact]
    public void WithoutInterceptTheBiasStaysZero()
    {
        DenseDataset<double> data = TestData.BreastCancerStandardized();
        TrainingResult result = LogisticRegression.Train(data, new TrainingOptions { FitIntercept = false, MaxIterations = 50 });
        Assert.Equal(0.0, result.Model.Bias);
        Assert.Equal(30, result.Model.FeatureCount);
    }

    [Fact]
    public void FloatAndDoubleDataTrainToTheSameModel()
    {
        (double[] x, double[] y, string[] names) = TestData.BreastCancer;
        DenseDataset<double> standardized = TestData.BreastCancerStandardized();
        float[] xf = standardized.Features.ToArray().Select(v => (float)v).ToArray();
        DenseDataset<float> single = DenseDataset.Create(xf, y.Select(v => (float)v).ToArray(), names.Length);
        var options = new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 0.5, L2 = 0.01, MaxIterations = 200 };

        LogisticModel a = LogisticRegression.Train(standardized, options).Model;
        LogisticModel b = LogisticRegression.Train(single, options).Model;
        Close.NormRelative(a.Weights, b.Weights, 1e-5, "float vs double weights (differ only by input rounding)");
        _ = x;
    }
}
