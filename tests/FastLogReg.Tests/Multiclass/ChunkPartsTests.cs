using FastLogReg.Data;
using FastLogReg.Objective;
using FastLogReg.Parallelism;
using Xunit;

namespace FastLogReg.Tests.Multiclass;

/// <summary>K-class passes over data sets of few chunks are cut into parts that threads take separately, with the same sums everywhere.</summary>
public class ChunkPartsTests
{
    [Fact]
    public void DigitsSizedDataIsCutIntoFourPartsForManyClassesOnly()
    {
        (double[] x, double[] y) = MulticlassData.Digits();
        var digits = DenseDataset.Create(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), 64, 10);
        var multinomial = new MultinomialObjective<float>(digits, Penalty.L2(1.0 / digits.Rows));
        Assert.Equal(1, multinomial.ChunkCount);   // 460 KB: one chunk of about 1 MiB
        Assert.Equal(4, multinomial.WorkUnits);    // a K-class pass on it can use four cores

        // Two classes stay whole (the binary path's chunks); so do data sets of many chunks.
        Assert.Equal(1, new ChunkParts(RowPartition.WithChunkRows(1797, 1797), 2, 64, 1, sizeof(float)).Count);
        Assert.Equal(20, new ChunkParts(RowPartition.WithChunkRows(20 * 3277, 3277), 4, 40, 20, sizeof(double)).Count);

        // Parts hold at least 128 rows, cover the chunk in order, and are cut from the chunk alone.
        var parts = new ChunkParts(RowPartition.WithChunkRows(1000, 300), 3, 100, 4, sizeof(double));
        Assert.Equal([(0, 150), (150, 150), (300, 150), (450, 150), (600, 150), (750, 150), (900, 100)], Enumerable.Range(0, parts.Count).Select(u => parts[u]));
        Assert.Equal([0, 2, 4, 6], Enumerable.Range(0, 4).Select(parts.FirstUnit));
        Assert.Equal(1, parts.PartsOf(3));

        // 385 rows: three parts of 128, 128 and 129 (never fewer than 128).
        var odd = new ChunkParts(RowPartition.WithChunkRows(385, 385), 3, 100, 1, sizeof(double));
        Assert.Equal([(0, 128), (128, 128), (256, 129)], Enumerable.Range(0, odd.Count).Select(u => odd[u]));

        // Wide models: the parts' partial sums (K·d doubles each) stay within the chunk's bytes — 1,000 rows of 100 floats
        // (400 KB) and K = 200 (160 KB per part) give two parts, not four; sparse chunks (no row bytes) stay whole.
        Assert.Equal(2, new ChunkParts(RowPartition.WithChunkRows(1000, 1000), 200, 100, 1, sizeof(float)).Count);
        Assert.Equal(1, new ChunkParts(RowPartition.WithChunkRows(1000, 1000), 10, 100, 1, 0).Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void ShardsOfAManyChunkDataSetKeepItsWholeChunks(int shards)
    {
        // 20 chunks of 3,277 rows: the data set is not cut; each shard holds fewer than 16 chunks but must not cut its own
        // (the rule reads the data set's chunk count), or the sharded sums would differ from the local ones.
        const int columns = 40, classes = 4;
        (DenseDataset<double> data, double[] point) = MulticlassData.Build<double>(20 * 3277, columns, classes, 17, 3.0, weighted: true);
        var local = new MultinomialObjective<double>(data, Penalty.L2(0.01));
        Assert.Equal(20, local.ChunkCount);
        Assert.Equal(20, local.WorkUnits);
        double[] expected = new double[point.Length];
        double expectedValue = local.Evaluate(point, expected);

        ShardPlan plan = ShardPlan.Dense(data.Rows, columns, sizeof(double), shards);
        var sums = plan.Shards.Select(s =>
        {
            double[] xs = data.Features.Slice(s.FirstRow * columns, s.Rows * columns).ToArray();
            double[] ys = data.Labels.Slice(s.FirstRow, s.Rows).ToArray();
            double[] ws = data.SampleWeights.Slice(s.FirstRow, s.Rows).ToArray();
            return new ShardSoftmaxSums<double>(DenseDataset.Create(xs, ys, columns, classes, ws), plan, s.Index, [], maxDegreeOfParallelism: 2);
        }).ToArray();
        var sharded = new ShardedMultinomialObjective(new ShardedSoftmaxSums<double>(sums, local.TotalWeight), Penalty.L2(0.01));
        double[] actual = new double[point.Length];
        Assert.Equal(expectedValue, sharded.Evaluate(point, actual));
        Assert.Equal(expected, actual);
    }
}
