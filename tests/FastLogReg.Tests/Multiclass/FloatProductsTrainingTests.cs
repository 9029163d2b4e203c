using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary><see cref="TrainingOptions.FloatProducts"/>: a K-class L-BFGS fit that starts in float products and finishes in double.</summary>
public class FloatProductsTrainingTests
{
    private static DenseDataset<float> DigitsFloat()
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        return DenseDataset.Create(x.Select(v => (float)(v / 16)).ToArray(), y.Select(v => (float)v).ToArray(), 64, 10);
    }

    private static TrainingOptions Options(int rows, bool floatProducts, MultiClass multiClass = MultiClass.Auto) => new()
    {
        L2 = TrainingOptions.L2FromScikitLearnC(1.0, rows),
        Tolerance = 1e-8,
        MaxIterations = 5000,
        MaxDegreeOfParallelism = 2,
        FloatProducts = floatProducts,
        MultiClass = multiClass,
    };

    [Theory]
    [InlineData(MultiClass.Auto, false)]
    [InlineData(MultiClass.OneVsRest, false)]
    [InlineData(MultiClass.Auto, true)]
    public void ReachesTheDoubleOptimumAndSaysHowManyIterationsRanInFloat(MultiClass multiClass, bool standardize)
    {
        DenseDataset<float> data = DigitsFloat();
        TrainingResult exact = LogisticRegression.Train(data, Options(data.Rows, false, multiClass) with { Standardize = standardize });
        var reports = new List<IterationProgress>();
        TrainingResult mixed = LogisticRegression.Train(data, Options(data.Rows, true, multiClass) with { Standardize = standardize, Progress = new InlineProgress(reports.Add) });
        Assert.Equal(StopReason.Converged, mixed.Report.StopReason);
        Close.Equal(exact.Report.FinalObjective, mixed.Report.FinalObjective, 1e-10, 0, "objective");
        if (!Vector256.IsHardwareAccelerated)
        {
            // Without 256-bit registers the option does not apply: the same fit, bit for bit.
            Assert.Equal(exact.Report.FinalObjective, mixed.Report.FinalObjective);
            Assert.DoesNotContain("float products", mixed.Report.Message, StringComparison.Ordinal);
            return;
        }

        Assert.Contains("iterations ran with float products, the rest in double", mixed.Report.Message, StringComparison.Ordinal);
        int floatIterations = int.Parse(mixed.Report.Message.Split(' ')[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(floatIterations, 10, mixed.Report.Iterations - 1);

        // One run as the progress and the report see it: iterations numbered without a gap or repeat across the switch,
        // the histories one entry per iteration plus the start.
        Assert.Equal(Enumerable.Range(0, mixed.Report.Iterations + 1), reports.Select(r => r.Iteration));
        Assert.Equal(mixed.Report.Iterations + 1, mixed.Report.ObjectiveHistory.Count);
        Assert.Equal(mixed.Report.FinalObjective, mixed.Report.ObjectiveHistory[^1]);
    }

    [Fact]
    public void TheIterationLimitCoversBothPhases()
    {
        DenseDataset<float> data = DigitsFloat();
        TrainingResult mixed = LogisticRegression.Train(data, Options(data.Rows, true) with { MaxIterations = 40 });
        Assert.Equal(StopReason.MaxIterations, mixed.Report.StopReason);
        Assert.Equal(40, mixed.Report.Iterations);
    }

    [Fact]
    public void IsIgnoredWhereItDoesNotApply()
    {
        // Double rows: the fit is the same bit for bit and the report does not mention float products.
        (double[] x, double[] y) = MulticlassData.Digits();
        var doubles = DenseDataset.Create(x.Select(v => v / 16).ToArray(), y, 64, 10);
        TrainingResult a = LogisticRegression.Train(doubles, Options(doubles.Rows, false));
        TrainingResult b = LogisticRegression.Train(doubles, Options(doubles.Rows, true));
        Assert.Equal(a.Report.FinalObjective, b.Report.FinalObjective);
        Assert.Equal(a.Report.Iterations, b.Report.Iterations);
        Assert.DoesNotContain("float products", b.Report.Message, StringComparison.Ordinal);

        // Another solver: the same.
        DenseDataset<float> data = DigitsFloat();
        TrainingResult c = LogisticRegression.Train(data, Options(data.Rows, false) with { Solver = Solver.GradientDescent, MaxIterations = 20 });
        TrainingResult d = LogisticRegression.Train(data, Options(data.Rows, true) with { Solver = Solver.GradientDescent, MaxIterations = 20 });
        Assert.Equal(c.Report.FinalObjective, d.Report.FinalObjective);
    }
}
