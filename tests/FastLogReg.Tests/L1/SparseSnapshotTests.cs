using FastLogReg.Data;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.L1;

/// <summary>
/// Coordinate descent switches to the active columns' Hessian snapshot on sparse (CSR) data too: on correlated columns
/// the column sweeps alone creep (pass counts are deterministic: a fixed order on any thread count).
/// </summary>
public sealed class SparseSnapshotTests
{
    [Fact]
    public void CorrelatedSparseColumns_ConvergeInFewPasses_ToTheDenseFitsOptimum()
    {
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Sparse.SparseData.Sparsify(Hostile.KClassAndParallelHostileTests.L1Dense(4_000, 40, zeros: true, weighted: false, seed: 12), 1.0, 12);
        var options = new TrainingOptions { Lambda = 1e-4, L1Ratio = 1, Solver = Solver.CoordinateDescent, Standardize = true, Tolerance = 1e-9, MaxIterations = 100_000 };

        TrainingResult onSparse = LogisticRegression.Train(sparse, options);
        TrainingResult onDense = LogisticRegression.Train(dense, options);

        Assert.Equal(Optimization.StopReason.Converged, onSparse.Report.StopReason);
        // Column sweeps alone: 2,094 passes, 16 outer iterations; with the snapshot 150 and 8.
        Assert.True(onSparse.Report.DataPasses <= 400, $"{onSparse.Report.DataPasses} passes, {onSparse.Report.Iterations} outer iterations");
        Assert.True(onSparse.Report.NonZeroWeights >= 20, $"{onSparse.Report.NonZeroWeights} non-zeros: too few correlated active columns for the test's point");
        Close.Equal(onDense.Report.FinalObjective, onSparse.Report.FinalObjective, 1e-9, 1e-12, "objective, CSR against dense");
    }
}
