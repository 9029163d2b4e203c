using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Parallelism;
using FastLogReg.Tests.Sparse;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Parallelism;

/// <summary>
/// Sparse rows cut for passes that always run on one thread (dual coordinate descent's objective): as few chunks as a
/// chunk's non-zeros allow, instead of the many that spread a pass over cores — the same sums up to the order of their
/// additions, and the dual's fit the same for any thread count.
/// </summary>
public class OneThreadPartitionTests
{
    [Fact]
    public void Wide_rows_that_the_parallel_partition_cuts_into_many_chunks_are_one_chunk()
    {
        SparseDataset<float> data = ColumnMajorGradientTests.SparseRows(20_000, 1000);
        long[] offsets = data.Matrix.RowOffsets.ToArray();
        Assert.True(RowPartition.Sparse(offsets, data.Columns, sizeof(float)).ChunkCount > 1);
        RowPartition one = RowPartition.SparseOneThread(offsets);
        Assert.Equal(1, one.ChunkCount);
        Assert.Equal((0, 20_000), one[0]);
    }

    [Fact]
    public void Chunks_still_end_where_their_non_zeros_would_outgrow_an_int_span()
    {
        // Offsets alone decide the cut: rows of 2²⁷ non-zeros each, so two rows fill a chunk of 2²⁸.
        long quarter = RowPartition.OneThreadChunkNonZeros / 2;
        long[] offsets = [0, quarter, 2 * quarter, 3 * quarter, 4 * quarter, (4 * quarter) + 5];
        RowPartition cut = RowPartition.SparseOneThread(offsets);
        Assert.Equal(3, cut.ChunkCount);
        Assert.Equal((0, 2), cut[0]);
        Assert.Equal((2, 2), cut[1]);
        Assert.Equal((4, 1), cut[2]);
    }

    [Fact]
    public void The_one_thread_objective_has_one_chunk_and_the_same_value_and_gradient()
    {
        SparseDataset<float> data = ColumnMajorGradientTests.SparseRows(20_000, 1000);
        var parallel = new LogisticObjective<float>(data, Penalty.L2(1e-3), true, 2, widthCap: null);
        var single = new LogisticObjective<float>(data, Penalty.L2(1e-3), true, 2, widthCap: null, oneThread: true);
        Assert.True(parallel.Loss.ChunkCount > 1);
        Assert.Equal(1, single.Loss.ChunkCount);
        double[] point = new double[data.Columns + 1];
        for (int j = 0; j < point.Length; j++)
        {
            point[j] = Math.Sin(j) * 0.3;
        }

        double[] ga = new double[point.Length], gb = new double[point.Length];
        double fa = parallel.Evaluate(point, ga), fb = single.Evaluate(point, gb);
        Assert.Equal(fa, fb, 1e-13 * Math.Abs(fa));
        for (int j = 0; j < point.Length; j++)
        {
            Assert.Equal(ga[j], gb[j], 1e-12 * (Math.Abs(ga[j]) + 1e-3));
        }
    }

    [Fact]
    public void The_dual_fit_on_wide_rows_is_the_same_for_any_thread_count()
    {
        SparseDataset<float> data = ColumnMajorGradientTests.SparseRows(20_000, 1000);
        TrainingResult Fit(int threads) => LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.DualCoordinateDescent, L2 = 1e-3, Tolerance = 1e-8, MaxDegreeOfParallelism = threads });
        TrainingResult one = Fit(1);
        Assert.Equal(StopReason.Converged, one.Report.StopReason);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            TrainingResult other = Fit(threads);
            Assert.Equal(one.Model.Weights.ToArray(), other.Model.Weights.ToArray());
            Assert.Equal(one.Model.Bias, other.Model.Bias);
            Assert.Equal(one.Report.ObjectiveHistory.ToArray(), other.Report.ObjectiveHistory.ToArray());
            Assert.Equal(one.Report.DataPasses, other.Report.DataPasses);
        }
    }
}
