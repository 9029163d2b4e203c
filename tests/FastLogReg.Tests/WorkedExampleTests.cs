using System.Numerics;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Reference;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>The single-point example from the derivation: x = 1, y = 1, w = b = 1, η = 1.</summary>
public class WorkedExampleTests
{
    [Fact]
    public void SinglePointExample_Double() => AssertWorkedExample<double>();

    [Fact]
    public void SinglePointExample_Float() => AssertWorkedExample<float>();

    private static void AssertWorkedExample<T>()
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        DenseDataset<T> data = DenseDataset.Create<T>([T.One], [T.One], columns: 1);
        var start = new LogisticModel([1.0], 1.0);

        // z = 2, a = σ(2) = 0.880797, BCE = −log a = 0.126928; dz = a − 1 = −0.119203 = dw = db.
        TrainingResult oneStep = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 1, MaxIterations = 1, Tolerance = 0, InitialModel = start });
        Assert.Equal(0.126928, oneStep.Report.ObjectiveHistory[0], 6);
        Assert.Equal(1.1192, oneStep.Model.Weights[0], 4);
        Assert.Equal(1.1192, oneStep.Model.Bias, 4);

        TrainingResult tenSteps = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 1, MaxIterations = 10, Tolerance = 0, InitialModel = start });
        IReadOnlyList<double> h = tenSteps.Report.ObjectiveHistory;
        Assert.Equal(11, h.Count);
        for (int k = 1; k < h.Count; k++)
        {
            Assert.True(h[k] < h[k - 1], $"epoch {k}: BCE {h[k]} did not fall below {h[k - 1]}");
        }

        // The textbook loop agrees step for step.
        (double[] w, double b, double[] objectives) = TextbookLogisticRegression.Train(data, learningRate: 1, epochs: 10, initialWeights: [1.0], initialBias: 1.0);
        Close.Equal(objectives, h.ToArray(), rtol: 1e-12, atol: 0, "BCE per epoch vs textbook");
        Close.Equal(w[0], tenSteps.Model.Weights[0], rtol: 1e-12, atol: 0, "w after 10 epochs");
        Close.Equal(b, tenSteps.Model.Bias, rtol: 1e-12, atol: 0, "b after 10 epochs");
    }
}

/// <summary>Extreme margins and degenerate labels.</summary>
public class SaturationTests
{
    [Theory]
    [InlineData(1000.0, 1.0)]
    [InlineData(1000.0, 0.0)]
    [InlineData(-1000.0, 1.0)]
    [InlineData(-1000.0, 0.0)]
    public void MarginOfAThousandGivesFiniteExactLossAndGradient(double z, double y)
    {
        // Nine identical rows x = (1, 0, …, 0), w = (z, 0, …, 0): every width's main loop, tail and row blocking run,
        // and the margin is exactly z.
        const int Rows = 9, Columns = 11;
        double[] x = new double[Rows * Columns];
        for (int i = 0; i < Rows; i++)
        {
            x[i * Columns] = 1.0;
        }

        double[] labels = Enumerable.Repeat(y, Rows).ToArray();
        DenseDataset<double> data = DenseDataset.Create(x, labels, Columns);
        double[] point = new double[Columns + 1];
        point[0] = z;

        // softplus(z) − y·z: exactly 1000 when the prediction is confidently wrong, e^(−1000) = 0 when right.
        double expectedLoss = (y == 1.0) == (z > 0) ? 0.0 : 1000.0;
        double expectedResidual = (z > 0 ? 1.0 : 0.0) - y;
        foreach (var width in FusedKernelProperties.AllWidths)
        {
            var objective = new LogisticObjective<double>(data, 0, true, 1, width);
            double[] gradient = new double[point.Length];
            double f = objective.Evaluate(point, gradient);
            Assert.Equal(expectedLoss, f);
            Assert.Equal(expectedResidual, gradient[0]);
            Assert.All(gradient[1..Columns], g => Assert.Equal(0.0, g));
            Assert.Equal(expectedResidual, gradient[Columns]);
        }
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    public void AllLabelsEqualTrainWithoutNaN(double label)
    {
        var p = new Problem(200, 7, 42, 1.0, false, 0);
        (DenseDataset<double> random, _, _) = TestData.Build<double>(p);
        DenseDataset<double> data = DenseDataset.Create(random.Features, Enumerable.Repeat(label, 200).ToArray(), 7);
        TrainingResult result = LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.GradientDescent, LearningRate = 1, MaxIterations = 2000, Tolerance = 0 });

        Assert.Equal(StopReason.MaxIterations, result.Report.StopReason);
        Assert.All(result.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));
        Assert.True(double.IsFinite(result.Model.Bias));
        Assert.True(result.Report.FinalLoss < 0.01, $"loss {result.Report.FinalLoss} should approach 0");
        ModelEvaluation eval = result.Model.Evaluate(data);
        Assert.Equal(1.0, eval.Accuracy);
        Assert.True(double.IsFinite(eval.LogLoss));
    }
}
