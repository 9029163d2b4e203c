using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using Xunit;

namespace FastLogReg.Tests;

/// <summary>Single-row and batch prediction agree with the definition and with each other.</summary>
public class PredictionTests
{
    private static (LogisticModel Model, double[] X, int Rows) RandomModelAndBatch(int rows, int d, int seed)
    {
        var rng = new Random(seed);
        double[] w = Enumerable.Range(0, d).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] x = Enumerable.Range(0, rows * d).Select(_ => (rng.NextDouble() * 4) - 2).ToArray();
        return (new LogisticModel(w, 0.3), x, rows);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(33, 17)]
    [InlineData(1000, 100)]
    [InlineData(5000, 70)] // large enough to run in parallel
    public void BatchPredictionEqualsTheDefinitionRowByRow(int rows, int d)
    {
        (LogisticModel model, double[] x, _) = RandomModelAndBatch(rows, d, rows + d);
        double[] z = new double[rows];
        double[] p = new double[rows];
        int[] c = new int[rows];
        Assert.Equal(rows, model.DecisionFunction<double>(x, z));
        Assert.Equal(rows, model.PredictProbabilities<double>(x, p));
        Assert.Equal(rows, model.PredictClasses<double>(x, c));

        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<double> row = x.AsSpan(i * d, d);
            double expected = model.Bias;
            for (int j = 0; j < d; j++)
            {
                expected += model.Weights[j] * row[j];
            }

            Close.Equal(expected, z[i], 1e-13, 1e-13, $"z[{i}]");
            Close.Equal(1 / (1 + Math.Exp(-expected)), p[i], 1e-13, 1e-15, $"p[{i}]");
            Assert.Equal(expected > 0 ? 1 : 0, c[i]);
            Assert.Equal(z[i], model.DecisionFunction(row));
            Assert.Equal(p[i], model.PredictProbability(row));
            Assert.Equal(c[i], model.PredictClass(row));
        }
    }

    [FsCheck.Xunit.Property(MaxTest = 200)]
    public void BatchProbabilitiesAreBitIdenticalToOneRowCalls(FsCheck.PositiveInt rowCount, FsCheck.PositiveInt columnCount, int seed, bool single)
    {
        int rows = 1 + (rowCount.Get % 300);
        int d = 1 + (columnCount.Get % 40);
        var rng = new Random(seed);
        double scale = rng.NextDouble() * 40; // σ from the middle to deep in both tails
        double[] w = Enumerable.Range(0, d).Select(_ => (rng.NextDouble() - 0.5) * scale).ToArray();
        double[] x = Enumerable.Range(0, rows * d).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        var model = new LogisticModel(w, (rng.NextDouble() - 0.5) * scale);
        double[] p = new double[rows];
        if (single)
        {
            float[] xf = x.Select(v => (float)v).ToArray();
            model.PredictProbabilities<float>(xf, p);
            for (int i = 0; i < rows; i++)
            {
                Assert.Equal(p[i], model.PredictProbability<float>(xf.AsSpan(i * d, d)));
            }

            return;
        }

        model.PredictProbabilities<double>(x, p);
        for (int i = 0; i < rows; i++)
        {
            double z = model.DecisionFunction<double>(x.AsSpan(i * d, d));
            Assert.Equal(p[i], model.PredictProbability<double>(x.AsSpan(i * d, d)));
            Close.Equal(z >= 0 ? 1 / (1 + Math.Exp(-z)) : Math.Exp(z) / (1 + Math.Exp(z)), p[i], 4e-16, 0, $"p[{i}] at z = {z}");
        }
    }

    [Fact]
    public void ParallelBatchIsIdenticalToSerialBatch()
    {
        (LogisticModel model, double[] x, int rows) = RandomModelAndBatch(20_000, 50, 7);
        float[] xf = x.Select(v => (float)v).ToArray();
        double[] serial = new double[rows];
        double[] parallel = new double[rows];
        model.PredictProbabilities<float>(xf, serial, maxDegreeOfParallelism: 1);
        model.PredictProbabilities<float>(xf, parallel, maxDegreeOfParallelism: 4);
        Assert.Equal(serial, parallel);
    }

    [Fact]
    public void EvaluationReportsAccuracyAndLogLoss()
    {
        DenseDataset<double> data = DenseDataset.Create<double>([2.0, -2.0, 1.0, -1.0], [1.0, 0.0, 0.0, 0.0], 1);
        var model = new LogisticModel([1.0], 0.0);
        ModelEvaluation eval = model.Evaluate(data);
        Assert.Equal(0.75, eval.Accuracy);
        double expected = (Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(-2)) + Math.Log(1 + Math.Exp(1)) + Math.Log(1 + Math.Exp(-1))) / 4;
        Close.Equal(expected, eval.LogLoss, 1e-14, 0, "log-loss");
        Assert.Equal(4, eval.Rows);
    }
}

/// <summary>Allocation tests measure the whole process, so nothing else may run beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialCollection
{
    public const string Name = "Serial (process-wide measurements)";
}

/// <summary>The hot path allocates nothing per epoch.</summary>
[Collection(SerialCollection.Name)]
public class AllocationTests
{
    [Fact]
    public void SingleThreadedEvaluationAllocatesNothing()
    {
        var p = new Problem(5000, 40, 3, 5.0, true, 0.1);
        (DenseDataset<float> data, double[] w, double b) = TestData.Build<float>(p);
        var objective = new LogisticObjective<float>(data, 0.1, true, maxDegreeOfParallelism: 1);
        double[] point = TestData.Point(w, b);
        double[] gradient = new double[point.Length];
        for (int i = 0; i < 200; i++)
        {
            objective.Evaluate(point, gradient); // warm-up: let the JIT's tiering and on-stack replacement settle
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            objective.Evaluate(point, gradient);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void MultiThreadedEvaluationAllocatesNothingPerEpoch()
    {
        var p = new Problem(60000, 40, 4, 5.0, false, 0.0);
        (DenseDataset<float> data, double[] w, double b) = TestData.Build<float>(p);
        var objective = new LogisticObjective<float>(data, 0.0, true, maxDegreeOfParallelism: 2);
        Assert.True(objective.ChunkCount > 2);
        double[] point = TestData.Point(w, b);
        double[] gradient = new double[point.Length];
        for (int i = 0; i < 200; i++)
        {
            objective.Evaluate(point, gradient);
        }

        // Process-wide allocation over a window of epochs, in several windows: a cost every epoch pays shows in every
        // window, while a one-off event of the runtime's (the pool injecting a thread while this one waits) does not.
        const int Epochs = 50;
        long perEpoch = long.MaxValue;
        for (int window = 0; window < 5; window++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            for (int i = 0; i < Epochs; i++)
            {
                objective.Evaluate(point, gradient);
            }

            perEpoch = Math.Min(perEpoch, (GC.GetTotalAllocatedBytes(precise: true) - before) / Epochs);
        }

        // Parallel.For would cost ~1.5 KB per call; the runtime's own background work may allocate a little.
        Assert.True(perEpoch < 100, $"{perEpoch} bytes allocated per epoch");
    }
}
