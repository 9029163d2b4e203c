using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using Xunit.Abstractions;

namespace FastLogReg.Tests.Hostile;

/// <summary>Hostile review of the column-major gradient of wide sparse rows (CscCopy) and of Auto's Newton for wide sparse data.</summary>
public sealed class ColumnMajorHostileTests(ITestOutputHelper output)
{
    private const int Wide = 70_000; // below ChunkedBinomialLoss.ColumnMajorColumns: the column-major gradient is forced

    /// <summary>
    /// docs/sharding.md and ShardedLossSums promise "the local objective's values and gradients bit for bit" and
    /// LogisticRegression.Train's model bit for bit. Shards always take the row-major per-chunk scatter
    /// (EvaluateChunks), while the local objective on ≥ 65,536 columns now takes the column-major gather.
    /// </summary>
    [Fact]
    public void WideSparseShards_GiveTheLocalGradientBitForBit()
    {
        SparseDataset<double> data = FastLogReg.Tests.Sharding.ShardedObjectiveTests.SparseRows(rows: 24_000, columns: Wide, perRow: 40, seed: 11);
        var local = new LogisticObjective<double>(data, Penalty.L2(1e-3), fitIntercept: true, maxDegreeOfParallelism: null, widthCap: null, columnMajor: true);
        Assert.True(local.Loss.ColumnMajor);

        RegularizedObjective sharded = Sharded(data, shards: 3, Penalty.L2(1e-3));
        var rng = new Random(3);
        double[] point = Enumerable.Range(0, data.Columns + 1).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] gl = new double[point.Length], gs = new double[point.Length];
        double fl = local.Evaluate(point, gl);
        double fs = sharded.Evaluate(point, gs);
        Assert.Equal(fl, fs); // the rows' pass is shared: the loss agrees
        int differing = gl.Zip(gs).Count(p => p.First != p.Second);
        Assert.True(differing == 0, $"{differing} of {gl.Length} gradient entries differ between the local and the sharded objective");
    }

    [Fact]
    public void WideSparseShards_LbfgsGivesTheLocalColumnMajorFitBitForBit()
    {
        SparseDataset<double> data = FastLogReg.Tests.Sharding.ShardedObjectiveTests.SparseRows(rows: 24_000, columns: Wide, perRow: 40, seed: 11);
        var options = new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, Tolerance = 1e-9, MaxIterations = 60 };
        var solverOptions = new SolverOptions { Tolerance = options.Tolerance, MaxIterations = options.MaxIterations };
        var local = new LogisticObjective<double>(data, options.Penalty, fitIntercept: true, maxDegreeOfParallelism: null, widthCap: null, columnMajor: true);
        OptimizationResult fit = Lbfgs.Minimize(local, new double[data.Columns + 1], solverOptions, options.LbfgsHistory);

        RegularizedObjective sharded = Sharded(data, shards: 3, options.Penalty);
        OptimizationResult result = Lbfgs.Minimize(sharded, new double[data.Columns + 1], solverOptions, options.LbfgsHistory);
        Assert.Equal(fit.Point, result.Point);
    }

    /// <summary>
    /// Native (memory-mapped) rows are supported so that data larger than managed memory need not be copied; the
    /// column-major rule takes any CSR under 2³¹ non-zeros and makes a managed copy of every non-zero (index + value) at
    /// the first evaluation.
    /// </summary>
    [Fact]
    public void NativeMemoryRows_AreNotCopiedIntoManagedMemory()
    {
        const int rows = 2_000, perRow = 50;
        int wide = ChunkedBinomialLoss<float>.ColumnMajorColumns; // wide enough for the column-major gradient, were the rows managed
        int nonZeros = rows * perRow;
        using var values = new NativeBuffer(nonZeros * sizeof(float));
        using var indices = new NativeBuffer(nonZeros * sizeof(int));
        long[] offsets = new long[rows + 1];
        float[] labels = new float[rows];
        var rng = new Random(1);
        for (int i = 0; i < rows; i++)
        {
            int[] picked = Enumerable.Range(0, perRow).Select(_ => rng.Next(wide)).Distinct().Order().ToArray();
            while (picked.Length < perRow)
            {
                picked = [.. picked.Append(rng.Next(wide)).Distinct().Order()];
            }

            for (int k = 0; k < perRow; k++)
            {
                values.Write((ulong)(((i * perRow) + k) * sizeof(float)), (float)rng.NextDouble());
                indices.Write((ulong)(((i * perRow) + k) * sizeof(int)), picked[k]);
            }

            offsets[i + 1] = (i + 1) * perRow;
            labels[i] = i % 2;
        }

        var data = SparseDataset.Create(CsrMatrix.Create<float>(values, indices, offsets, wide), labels);
        var objective = new LogisticObjective<float>(data, 1e-3);
        double[] point = new double[wide + 1], g = new double[wide + 1];
        objective.Evaluate(point, g); // warm up
        var fresh = new LogisticObjective<float>(data, 1e-3);
        long before = GC.GetAllocatedBytesForCurrentThread();
        fresh.Evaluate(point, g);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"first evaluation allocated {allocated:N0} bytes for {nonZeros:N0} native non-zeros; ColumnMajor = {fresh.Loss.ColumnMajor}");
        Assert.False(fresh.Loss.ColumnMajor);
        long slots = fresh.ChunkCount * (wide + 16L) * sizeof(double); // the per-chunk gradient slots, made at the first evaluation
        Assert.True(allocated < slots + (nonZeros / 4), $"the first evaluation of native rows allocated {allocated:N0} bytes ({(double)allocated / nonZeros:F1} per non-zero): a managed copy of memory-mapped data");
    }

    /// <summary>
    /// Auto's trust-region Newton asks for the Hessian diagonal every iteration (its preconditioner): on wide sparse rows
    /// its moments are taken column-major into compact buffers made once (bounded by the non-zeros), and a later
    /// iteration allocates nothing.
    /// </summary>
    [Fact]
    public void NewtonsPreconditioner_OnWideSparseRows_DoesNotAllocatePerChunkColumnVectors()
    {
        SparseDataset<double> data = FastLogReg.Tests.Sharding.ShardedObjectiveTests.SparseRows(rows: 24_000, columns: Wide, perRow: 40, seed: 11);
        var objective = new LogisticObjective<double>(data, Penalty.L2(1e-3), fitIntercept: true, maxDegreeOfParallelism: null, widthCap: null, columnMajor: true);
        double[] point = new double[Wide + 1], g = new double[Wide + 1], diagonal = new double[Wide + 1];
        objective.Evaluate(point, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(objective.TryGetHessianDiagonal(diagonal));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        output.WriteLine($"{objective.ChunkCount} chunks; diagonal allocated {allocated:N0} bytes ({(double)allocated / (Wide * 8.0):F1} d-vectors)");

        // The first diagonal makes its compact buffers once: bounded by the non-zeros and rows, not by chunks × d.
        long nonZeros = data.Matrix.NonZeros;
        Assert.True(allocated < (nonZeros + data.Rows) * sizeof(double) + 4096, $"the Hessian diagonal allocated {(double)allocated / (Wide * 8.0):F1} d-long vectors ({objective.ChunkCount} chunks)");

        // A later iteration's diagonal allocates nothing.
        objective.Evaluate(point, g);
        before = GC.GetAllocatedBytesForCurrentThread();
        Assert.True(objective.TryGetHessianDiagonal(diagonal));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024, "the diagonal allocates every iteration");
    }

    private static RegularizedObjective Sharded(SparseDataset<double> data, int shards, Penalty penalty)
    {
        ShardPlan plan = ShardPlan.Sparse(data.Matrix.RowOffsets.Span, data.Columns, sizeof(double), shards);
        SparseDataset<double>[] parts = plan.Shards.Select(s => FastLogReg.Tests.Sharding.ShardedObjectiveTests.SliceRows(data, s)).ToArray();
        ClassTotals totals = ShardedLossSums.MergeTotals(plan.Shards.SelectMany(s => new ShardLossSums<double>(parts[s.Index], plan, s.Index).ChunkTotals()));
        IChunkSumsSource[] sources = plan.Shards.Select(s => (IChunkSumsSource)new ShardLossSums<double>(parts[s.Index], plan, s.Index)).ToArray();
        return new RegularizedObjective(new ShardedLossSums(sources, ShardedLossSums.TotalWeightOf(totals, 1, 1)), penalty, fitIntercept: true);
    }

    private sealed class NativeBuffer : SafeBuffer
    {
        public NativeBuffer(int bytes)
            : base(ownsHandle: true)
        {
            SetHandle(Marshal.AllocHGlobal(bytes));
            Initialize((ulong)bytes);
        }

        protected override bool ReleaseHandle()
        {
            Marshal.FreeHGlobal(handle);
            return true;
        }
    }
}
