using System.Numerics;
using System.Reflection;
using System.Runtime.InteropServices;
using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Parallelism;
using FastLogReg.Reference;
using FastLogReg.Tests.Multiclass;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review (2026-12-05) of the K-class kernel's register strips, prefetch and vector loss sum; ChunkParts; and coordinate
/// descent on the pool's threads.
/// </summary>
public sealed class KClassAndParallelHostileTests
{
    private const double Rtol = 1e-10;
    private const double Atol = 1e-13;

    private static readonly int[] KernelColumns = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 47, 48, 63, 64, 65, 80, 96, 100];
    private static readonly int[] KernelClasses = [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13];
    private static readonly int[] KernelRows = [1, 7, 8, 23, 24, 25, 127, 128, 129, 255, 256, 257];

    // ---------------------------------------------------------------- 1. the kernel against the textbook loop

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KClassKernel_EveryStripTailAndBlock_MatchesTextbook_Double(bool oneVsRest) => EveryShape<double>(oneVsRest);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KClassKernel_EveryStripTailAndBlock_MatchesTextbook_Float(bool oneVsRest) => EveryShape<float>(oneVsRest);

    [Theory]
    [InlineData(64, 10, false)]
    [InlineData(65, 13, true)]
    [InlineData(33, 7, false)]
    public void KClassKernel_DigitsSizedRows_WithZeroWeightsAndClassWeights_MatchesTextbook(int columns, int classes, bool oneVsRest)
    {
        // 1,797 rows: one chunk cut into four parts (449/450 rows: blocks of 128 plus a short one, parts not a multiple of 8).
        Check<double>(1797, columns, classes, 99, oneVsRest, zeroWeights: true, classWeighted: true, threads: 2);
        Check<float>(1797, columns, classes, 98, oneVsRest, zeroWeights: true, classWeighted: true, threads: 3);
    }

    [Fact]
    public void KClassKernel_ClassWeights_EqualFoldedSampleWeights_AtEveryWidth()
    {
        foreach (int d in new[] { 9, 32, 33, 64, 65 })
        {
            foreach (int k in new[] { 3, 5, 6, 13 })
            {
                Check<double>(257, d, k, (d * 31) + k, oneVsRest: k % 2 == 0, zeroWeights: true, classWeighted: true, threads: 1);
            }
        }
    }

    [Fact]
    public void KClassKernel_AllRowsWeightZeroButOne_LossIsThatRowsLoss()
    {
        // Every padded lane and every zero-weight row must contribute exactly nothing to the vector loss sum, even at
        // large scores (a lane holding an infinite or NaN gap would poison the sum through 0·∞).
        foreach (SimdWidth width in FusedKernelProperties.AllWidths)
        {
            const int n = 131, d = 17, k = 5;
            var rng = new Random(3);
            double[] x = Enumerable.Range(0, n * d).Select(_ => (rng.NextDouble() * 2000) - 1000).ToArray();
            double[] y = Enumerable.Range(0, n).Select(i => (double)(i % k)).ToArray();
            double[] s = new double[n];
            s[n - 1] = 2.5;
            var data = DenseDataset.Create(x, y, d, k, s);
            double[] point = Enumerable.Range(0, (k * d) + k).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
            var objective = new MultinomialObjective<double>(data, Penalty.None, false, true, 1, width);
            double[] g = new double[point.Length];
            double value = objective.Evaluate(point, g);
            double[] gw = new double[k * d], gb = new double[k];
            double expected = TextbookSoftmax.LossAndGradient(data, point.AsSpan(0, k * d), point.AsSpan(k * d), 0, false, gw, gb);
            Assert.True(double.IsFinite(value), $"{width}: {value}");
            Close.Equal(expected, value, Rtol, Atol, $"loss at {width}");
            Close.Equal(gw, g.AsSpan(0, k * d), Rtol, Atol, $"∂W at {width}");
        }
    }

    // ---------------------------------------------------------------- 2. bit-identity for any thread count

    public static TheoryData<int, int, int, bool, bool> ThreadCases() => new()
    {
        // rows, columns, classes, sparse, one-vs-rest. d = 40 doubles: 3,277 rows per chunk.
        { 1797, 40, 10, false, false },            // one chunk, four parts
        { 1797, 40, 3, true, false },              // sparse, K = 3
        { (6 * 3277) + 100, 40, 7, false, true },  // seven chunks, the last of 100 rows (one part)
        { (6 * 3277) + 300, 40, 13, false, false }, // the last chunk of 300 rows: two parts
        { 15 * 3277, 40, 4, false, false },        // 15 chunks: parts
        { 16 * 3277, 40, 4, false, true },         // 16 chunks: whole chunks
        { 300, 33, 3, false, false },              // 300 rows: parts of 150
        { 129, 65, 5, false, false },              // 129 rows: one part
        { 1, 65, 5, false, false },                // one row
        { 40_000, 23, 6, true, true },             // sparse, several chunks
    };

    [Theory]
    [MemberData(nameof(ThreadCases))]
    public void KClassPass_IsBitIdentical_For1_2_3_8Threads(int rows, int columns, int classes, bool sparse, bool oneVsRest)
    {
        (Dataset<double> data, double[] point) = Build<double>(rows, columns, classes, rows + columns + classes, zeroWeights: true, sparse);
        var one = new MultinomialObjective<double>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: 1);
        double[] g1 = new double[point.Length];
        double f1 = one.Evaluate(point, g1);
        foreach (int threads in new[] { 2, 3, 8 })
        {
            var many = new MultinomialObjective<double>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: threads);
            double[] gn = new double[point.Length];
            for (int repeat = 0; repeat < 3; repeat++)
            {
                Assert.Equal(f1, many.Evaluate(point, gn));
                Assert.Equal(g1, gn);
            }
        }
    }

    [Fact]
    public void KClassEvaluation_WithParts_AllocatesNothingOnTheCaller()
    {
        (Dataset<float> data, double[] point) = Build<float>(1797, 64, 10, 1, zeroWeights: true, sparse: false);
        var objective = new MultinomialObjective<float>(data, Penalty.L2(0.01), false, maxDegreeOfParallelism: 1);
        Assert.Equal(4, objective.WorkUnits);
        double[] g = new double[point.Length];
        objective.Evaluate(point, g);
        objective.Evaluate(point, g);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++)
        {
            objective.Evaluate(point, g);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    // ---------------------------------------------------------------- 3. sharded = local

    [Theory]
    [InlineData(6 * 3277 + 100, 2, false, false)] // seven chunks (parts) in two shards
    [InlineData(6 * 3277 + 100, 3, true, false)]
    [InlineData(17 * 3277, 3, false, false)]     // 17 chunks: whole chunks, each shard holds < 16
    [InlineData(17 * 3277, 2, true, true)]
    [InlineData(15 * 3277 + 5, 4, false, true)]  // 16 chunks, the last of 5 rows
    [InlineData(1797, 1, false, false)]          // one chunk, one shard
    public void ShardedKClassSums_AreBitIdenticalToLocal_Dense(int rows, int shards, bool oneVsRest, bool classWeighted)
    {
        const int columns = 40, classes = 5;
        (Dataset<double> built, double[] point) = Build<double>(rows, columns, classes, rows + shards, zeroWeights: true, sparse: false);
        var data = (DenseDataset<double>)built;
        ClassWeights cw = classWeighted ? ClassWeights.Of(1.0, 2.0, 0.5, 3.0, 1.5) : ClassWeights.None;
        var local = new MultinomialObjective<double>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: 2, classWeights: cw);
        double[] expected = new double[point.Length];
        double expectedValue = local.Evaluate(point, expected);

        ShardPlan plan = ShardPlan.Dense(data.Rows, columns, sizeof(double), shards);
        Assert.Equal(local.ChunkCount, plan.ChunkCount);
        var sums = plan.Shards.Select(s =>
        {
            double[] xs = data.Features.Slice(s.FirstRow * columns, s.Rows * columns).ToArray();
            double[] ys = data.Labels.Slice(s.FirstRow, s.Rows).ToArray();
            double[] ws = data.SampleWeights.Slice(s.FirstRow, s.Rows).ToArray();
            return new ShardSoftmaxSums<double>(DenseDataset.Create(xs, ys, columns, classes, ws), plan, s.Index, local.ClassWeightValues, oneVsRest, maxDegreeOfParallelism: 1 + (s.Index % 3));
        }).ToArray();
        var sharded = new ShardedMultinomialObjective(new ShardedSoftmaxSums<double>(sums, local.TotalWeight), Penalty.L2(0.01));
        double[] actual = new double[point.Length];
        Assert.Equal(expectedValue, sharded.Evaluate(point, actual));
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(5, false)]
    public void ShardedKClassSums_AreBitIdenticalToLocal_Sparse(int shards, bool oneVsRest)
    {
        const int columns = 300, classes = 6;
        SparseDataset<double> binary = Sharding.ShardedObjectiveTests.SparseRows(rows: 12_000, columns: columns, perRow: 20, seed: 7);
        var rng = new Random(5);
        double[] y = Enumerable.Range(0, binary.Rows).Select(_ => (double)rng.Next(classes)).ToArray();
        var data = SparseDataset.Create(binary.Matrix, y, classes);
        double[] point = Enumerable.Range(0, (classes * columns) + classes).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
        var local = new MultinomialObjective<double>(data, Penalty.L2(0.01), oneVsRest, maxDegreeOfParallelism: 2);
        Assert.Equal(local.ChunkCount, local.WorkUnits); // sparse chunks, cut by width already, stay whole (their K·d partials would multiply)
        double[] expected = new double[point.Length];
        double expectedValue = local.Evaluate(point, expected);

        ShardPlan plan = ShardPlan.Sparse(data.Matrix.RowOffsets.Span, columns, sizeof(double), shards);
        Assert.Equal(local.ChunkCount, plan.ChunkCount);
        var sums = plan.Shards.Select(s =>
        {
            SparseDataset<double> rowsOf = Sharding.ShardedObjectiveTests.SliceRows(binary, s);
            var k = SparseDataset.Create(rowsOf.Matrix, y.AsSpan(s.FirstRow, s.Rows).ToArray(), classes);
            return new ShardSoftmaxSums<double>(k, plan, s.Index, [], oneVsRest, maxDegreeOfParallelism: 1 + (s.Index % 2));
        }).ToArray();
        var sharded = new ShardedMultinomialObjective(new ShardedSoftmaxSums<double>(sums, local.TotalWeight), Penalty.L2(0.01));
        double[] actual = new double[point.Length];
        Assert.Equal(expectedValue, sharded.Evaluate(point, actual));
        Assert.Equal(expected, actual);
    }

    // ---------------------------------------------------------------- 4. ChunkParts edges

    [Fact]
    public void ChunkParts_Edges()
    {
        // A chunk below 2·128 rows is one part; 1 row; K = 3 cuts, K = 2 does not.
        Assert.Equal([(0, 1)], Units(new ChunkParts(RowPartition.WithChunkRows(1, 1), 3, 100, 1, sizeof(float))));
        Assert.Equal([(0, 127)], Units(new ChunkParts(RowPartition.WithChunkRows(127, 127), 3, 100, 1, sizeof(float))));
        Assert.Equal([(0, 255)], Units(new ChunkParts(RowPartition.WithChunkRows(255, 255), 3, 100, 1, sizeof(float))));
        Assert.Equal([(0, 128), (128, 128)], Units(new ChunkParts(RowPartition.WithChunkRows(256, 256), 3, 100, 1, sizeof(float))));
        Assert.Equal([(0, 128), (128, 129)], Units(new ChunkParts(RowPartition.WithChunkRows(257, 257), 3, 100, 1, sizeof(float))));
        Assert.Equal([(0, 512)], Units(new ChunkParts(RowPartition.WithChunkRows(512, 512), 2, 100, 1, sizeof(float))));

        // Every part ≥ 128 rows, at most four, contiguous, covering each chunk in order, for every chunk length.
        for (int rows = 1; rows <= 2000; rows++)
        {
            var parts = new ChunkParts(RowPartition.WithChunkRows(rows + 700, rows), 3, 100, 2, sizeof(float));
            int at = 0;
            for (int c = 0; c < (rows + 700 + rows - 1) / rows; c++)
            {
                (int start, int count) = (c * rows, Math.Min(rows, rows + 700 - (c * rows)));
                int first = parts.FirstUnit(c);
                Assert.InRange(parts.PartsOf(c), 1, ChunkParts.MaxParts);
                for (int u = first; u < first + parts.PartsOf(c); u++)
                {
                    Assert.Equal(at, parts[u].Start);
                    Assert.True(parts[u].Count >= Math.Min(count, ChunkParts.MinPartRows), $"chunk {c} of {count} rows: part of {parts[u].Count}");
                    at += parts[u].Count;
                }

                Assert.Equal(start + count, at);
            }
        }
    }

    // ---------------------------------------------------------------- 5. the kernel's reads stay inside the rows

    [Theory]
    [InlineData(257, 33, 2)]
    [InlineData(256, 64, 2)]
    [InlineData(129, 65, 5)]
    [InlineData(24, 100, 13)]
    [InlineData(31, 7, 3)]
    [InlineData(1, 1, 3)]
    public void KClassKernel_ReadsNothingOutsideNativeRows_GuardPagesOnBothSides(int rows, int columns, int classes)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        foreach (bool atEnd in new[] { true, false })
        {
            foreach (SimdWidth width in FusedKernelProperties.AllWidths)
            {
                GuardedCheck<double>(rows, columns, classes, atEnd, width);
                GuardedCheck<float>(rows, columns, classes, atEnd, width);
            }
        }
    }

    // ---------------------------------------------------------------- 6. coordinate descent on the pool

    [Theory]
    [InlineData(false, true, false, 1.0)]   // dense, L1
    [InlineData(false, false, true, 0.5)]   // dense, no intercept, standardized, elastic net
    [InlineData(true, true, false, 1.0)]    // CSR
    [InlineData(true, true, true, 0.3)]     // CSR, standardized, elastic net
    public void CoordinateDescent_Train_IsBitIdenticalFor1_2_3_8Threads(bool sparse, bool intercept, bool standardize, double l1Ratio)
    {
        Dataset<double> data = L1Data(20_000, 60, sparse, weighted: true, seed: 4);
        var options = new TrainingOptions
        {
            Lambda = 3e-4, L1Ratio = l1Ratio, Solver = Solver.CoordinateDescent, Tolerance = 1e-9, FitIntercept = intercept,
            Standardize = standardize, ClassWeights = ClassWeights.Of(1.0, 1.7), MaxDegreeOfParallelism = 1,
        };
        TrainingResult one = LogisticRegression.Train(data, options);
        var m1 = (LogisticModel)one.Classifier;
        foreach (int threads in new[] { 2, 3, 8 })
        {
            TrainingResult many = LogisticRegression.Train(data, options with { MaxDegreeOfParallelism = threads });
            var mn = (LogisticModel)many.Classifier;
            Assert.Equal(m1.Weights.ToArray(), mn.Weights.ToArray());
            Assert.Equal(m1.Bias, mn.Bias);
            Assert.Equal(one.Report.FinalObjective, many.Report.FinalObjective);
            Assert.Equal(one.Report.Iterations, many.Report.Iterations);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CoordinateDescent_Path_IsBitIdenticalFor1And2Threads(bool sparse)
    {
        // 20,000 × 60: the column sums (≥ 2²⁰ values) go to the pool.
        Dataset<double> data = L1Data(20_000, 60, sparse, weighted: false, seed: 9);
        var options = new TrainingOptions { L1Ratio = 0.8, Solver = Solver.CoordinateDescent, Tolerance = 1e-8, Standardize = true, MaxDegreeOfParallelism = 1 };
        var path = new PathOptions { Count = 12, MinRatio = 1e-3 };
        RegularizationPath p1 = RegularizationPath.Compute(data, options, path);
        RegularizationPath p2 = RegularizationPath.Compute(data, options with { MaxDegreeOfParallelism = 2 }, path);
        Assert.Equal(p1.Points.Count, p2.Points.Count);
        for (int i = 0; i < p1.Points.Count; i++)
        {
            Assert.Equal(p1.Points[i].Model.Weights.ToArray(), p2.Points[i].Model.Weights.ToArray());
            Assert.Equal(p1.Points[i].Model.Bias, p2.Points[i].Model.Bias);
            Assert.Equal(p1.Points[i].Iterations, p2.Points[i].Iterations);
            Assert.Equal(p1.Points[i].DataPasses, p2.Points[i].DataPasses);
        }
    }

    [Theory]
    [InlineData(16_384, 64, false)] // exactly 2²⁰ summed values: parallel
    [InlineData(16_383, 64, false)] // one row fewer: the caller's thread
    [InlineData(16_384, 64, true)]
    [InlineData(250, 200, false)]   // few rows: snapshot ≈ 4·10⁶ multiply-adds only with nearly every column active
    public void CoordinateDescent_AtTheThresholds_IsBitIdenticalAndUsesThePoolWhenItShould(int n, int d, bool sparse)
    {
        Dataset<double> data = L1Data(n, d, sparse, weighted: true, seed: n + d);
        using var columns = ColumnCopy<double>.From(data);
        Assert.Equal(sparse, columns.RowIndex is not null);
        double[] weights = LogisticRegression.NormalizedRowWeights(data, ClassWeights.None);
        var rules = new StoppingRules(500, 1e-9, null, null, () => 0, default);
        double lambda = n < 1000 ? 1e-3 : 2e-4;
        var one = new NewGlmnet<double>(columns, data.Labels.Span, weights, null, fitIntercept: true, maxDegreeOfParallelism: 1);
        OptimizationResult expected = one.Minimize(lambda, 1e-4, new double[d + 1], rules, _ => { });
        foreach (int threads in new[] { 2, 3 })
        {
            var many = new NewGlmnet<double>(columns, data.Labels.Span, weights, null, fitIntercept: true, maxDegreeOfParallelism: threads);
            OptimizationResult actual = many.Minimize(lambda, 1e-4, new double[d + 1], rules, _ => { });
            Assert.Equal(expected.Point, actual.Point);
            Assert.Equal(expected.Iterations, actual.Iterations);
            if ((long)n * d >= 1 << 20)
            {
                Assert.True(many.ParallelRuns > 0, "nothing ran on the pool");
            }
        }
    }

    [Fact]
    public void CoordinateDescent_Cancellation_StopsAParallelFit()
    {
        Dataset<double> data = L1Data(20_000, 60, sparse: false, weighted: false, seed: 2);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var options = new TrainingOptions { Lambda = 1e-5, L1Ratio = 1, Solver = Solver.CoordinateDescent, Tolerance = 1e-12, MaxDegreeOfParallelism = 2 };
        TrainingResult result = LogisticRegression.Train(data, options, cts.Token);
        Assert.Equal(StopReason.Cancelled, result.Report.StopReason);
    }

    // ---------------------------------------------------------------- helpers

    private static void EveryShape<T>(bool oneVsRest)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int seed = 0;
        foreach (int d in KernelColumns)
        {
            foreach (int k in KernelClasses)
            {
                foreach (int n in KernelRows)
                {
                    seed++;
                    if ((seed % 3) != 0 && n > 129 && d > 40)
                    {
                        continue; // a third of the large shapes (every one is still covered at some class count)
                    }

                    Check<T>(n, d, k, seed, oneVsRest, zeroWeights: seed % 2 == 0, classWeighted: seed % 5 == 0, threads: 1 + (seed % 3));
                }
            }
        }
    }

    /// <summary>The objective at every width against the textbook loop (class weights folded into the textbook's sample weights).</summary>
    private static void Check<T>(int n, int d, int k, int seed, bool oneVsRest, bool zeroWeights, bool classWeighted, int threads)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        (Dataset<T> built, double[] point) = Build<T>(n, d, k, seed, zeroWeights, sparse: false);
        var data = (DenseDataset<T>)built;
        double[] cw = Enumerable.Range(0, k).Select(c => classWeighted ? 0.5 + (0.25 * c) : 1.0).ToArray();
        T[] folded = new T[n];
        for (int i = 0; i < n; i++)
        {
            folded[i] = T.CreateTruncating(double.CreateTruncating(data.SampleWeights.Span[i]) * cw[int.CreateTruncating(data.Labels.Span[i])]);
        }

        // The textbook in double on the same (possibly float-rounded) weights: sᵢ·cw is exact for these values in double,
        // but not in float — so compare with the textbook on double copies.
        double[] xd = new double[n * d], yd = new double[n], sd = new double[n];
        for (int i = 0; i < n * d; i++)
        {
            xd[i] = double.CreateTruncating(data.Features.Span[i]);
        }

        for (int i = 0; i < n; i++)
        {
            yd[i] = double.CreateTruncating(data.Labels.Span[i]);
            sd[i] = double.CreateTruncating(data.SampleWeights.Span[i]) * cw[(int)yd[i]];
        }

        if (sd.Sum() == 0)
        {
            sd[0] = 1;
            T[] s = data.SampleWeights.ToArray();
            s[0] = T.One;
            data = DenseDataset.Create(data.Features.ToArray(), data.Labels.ToArray(), d, k, s);
            sd[0] = cw[(int)yd[0]];
        }

        var reference = DenseDataset.Create(xd, yd, d, k, sd);
        double[] gw = new double[k * d], gb = new double[k];
        double expected = TextbookSoftmax.LossAndGradient(reference, point.AsSpan(0, k * d), point.AsSpan(k * d), 0.01, oneVsRest, gw, gb);
        foreach (SimdWidth width in FusedKernelProperties.AllWidths)
        {
            var objective = new MultinomialObjective<T>(data, Penalty.L2(0.01), oneVsRest, true, threads, width, null, ClassWeights.Of(cw));
            double[] gradient = new double[point.Length];
            double actual = objective.Evaluate(point, gradient);
            string what = $"{typeof(T).Name} {width} n={n} d={d} K={k} ovr={oneVsRest} seed={seed}";
            Close.Equal(expected, actual, Rtol, Atol, $"objective ({what})");
            Close.Equal(gw, gradient.AsSpan(0, k * d), Rtol, Atol, $"∂f/∂W ({what})");
            Close.Equal(gb, gradient.AsSpan(k * d), Rtol, Atol, $"∂f/∂b ({what})");
        }
    }

    /// <summary>Features in [−1, 1], labels uniform, weights in [0, 3) (a quarter exactly 0 when asked), a point of |z| ≈ 5.</summary>
    private static (Dataset<T> Data, double[] Point) Build<T>(int rows, int columns, int classes, int seed, bool zeroWeights, bool sparse)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        T[] x = new T[rows * columns];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = sparse && rng.NextDouble() < 0.7 ? T.Zero : T.CreateTruncating((rng.NextDouble() * 2) - 1);
        }

        T[] y = Enumerable.Range(0, rows).Select(_ => T.CreateTruncating(rng.Next(classes))).ToArray();
        T[] s = Enumerable.Range(0, rows).Select(_ => zeroWeights && rng.Next(4) == 0 ? T.Zero : T.CreateTruncating(rng.NextDouble() * 3)).ToArray();
        s[0] = T.One;
        double[] point = Enumerable.Range(0, (classes * columns) + classes).Select(_ => ((rng.NextDouble() * 2) - 1) * 5 / Math.Sqrt(columns + 1)).ToArray();
        var dense = DenseDataset.Create(x, y, columns, classes, s);
        if (!sparse)
        {
            return (dense, point);
        }

        var values = new List<T>();
        var indices = new List<int>();
        long[] offsets = new long[rows + 1];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < columns; j++)
            {
                if (x[(i * columns) + j] != T.Zero)
                {
                    values.Add(x[(i * columns) + j]);
                    indices.Add(j);
                }
            }

            offsets[i + 1] = values.Count;
        }

        return (SparseDataset.Create(CsrMatrix.Create<T>(values.ToArray(), indices.ToArray(), offsets, columns), y, classes, s), point);
    }

    /// <summary>Correlated columns of different scales, labels from a sparse direction; dense or CSR (about 40 % zeros).</summary>
    internal static Dataset<double> L1Data(int n, int d, bool sparse, bool weighted, int seed)
    {
        DenseDataset<double> dense = L1Dense(n, d, sparse, weighted, seed);
        return sparse ? Sparse.SparseData.Sparsify(dense, 1.0, seed).Sparse : dense; // density 1: every non-zero kept
    }

    /// <summary>The rows of <see cref="L1Data"/> densely (with its zeros when <paramref name="zeros"/>).</summary>
    internal static DenseDataset<double> L1Dense(int n, int d, bool zeros, bool weighted, int seed)
    {
        var rng = new Random(seed);
        double[] x = new double[n * d], y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double common = rng.NextDouble() - 0.5;
            double z = 0;
            for (int j = 0; j < d; j++)
            {
                double v = (0.8 * common) + (0.2 * (rng.NextDouble() - 0.5));
                if (zeros && rng.NextDouble() < 0.4)
                {
                    v = 0;
                }

                x[(i * d) + j] = v * (1 + (j % 7));
                z += (j % 5 == 0 ? 1 : -0.2) * v;
            }

            y[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-4 * z)) ? 1 : 0;
        }

        double[]? s = weighted ? Enumerable.Range(0, n).Select(i => i % 11 == 0 ? 0.0 : 0.5 + rng.NextDouble()).ToArray() : null;
        return DenseDataset.Create(x, y, d, s);
    }

    private static (int, int)[] Units(ChunkParts parts) => Enumerable.Range(0, parts.Count).Select(u => parts[u]).ToArray();

    /// <summary>The rows in native memory between two inaccessible pages, flush against one of them; compared with the same rows in an array.</summary>
    private static unsafe void GuardedCheck<T>(int rows, int columns, int classes, bool atEnd, SimdWidth width)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        long bytes = (long)rows * columns * sizeof(T);
        const long Page = 4096;
        long dataPages = (bytes + Page - 1) / Page;
        nuint total = (nuint)((dataPages + 2) * Page);
        byte* region = (byte*)Native.mmap(0, total, 3, 0x22, -1, 0);
        Assert.NotEqual(-1, (nint)region);
        try
        {
            Assert.Equal(0, Native.mprotect((nint)region, (nuint)Page, 0));
            Assert.Equal(0, Native.mprotect((nint)(region + ((dataPages + 1) * Page)), (nuint)Page, 0));
            byte* first = atEnd ? region + ((dataPages + 1) * Page) - bytes : region + Page;
            var rng = new Random(rows + columns + classes);
            T[] managed = new T[rows * columns];
            for (int i = 0; i < managed.Length; i++)
            {
                managed[i] = T.CreateTruncating((rng.NextDouble() * 2) - 1);
                ((T*)first)[i] = managed[i];
            }

            T[] y = Enumerable.Range(0, rows).Select(i => T.CreateTruncating(i % classes)).ToArray();
            T[] s = Enumerable.Range(0, rows).Select(_ => T.CreateTruncating(0.5 + rng.NextDouble())).ToArray();
            double[] point = Enumerable.Range(0, (classes * columns) + classes).Select(_ => (rng.NextDouble() * 2) - 1).ToArray();
            using var buffer = new View((nint)first, (ulong)bytes);
            DenseDataset<T> native = classes == 2
                ? DenseDataset.Create<T>(buffer, y, columns, s)
                : NativeKClass<T>(buffer, rows * (long)columns, y, columns, classes, s);
            DenseDataset<T> array = DenseDataset.Create(managed, y, columns, classes, s);
            foreach (bool ovr in new[] { false, true })
            {
                double[] ga = new double[point.Length], gn = new double[point.Length];
                double fa = new MultinomialObjective<T>(array, Penalty.None, ovr, true, 1, width).Evaluate(point, ga);
                double fn = new MultinomialObjective<T>(native, Penalty.None, ovr, true, 2, width).Evaluate(point, gn);
                Assert.Equal(fa, fn);
                Assert.Equal(ga, gn);
            }
        }
        finally
        {
            Native.munmap((nint)region, total);
        }
    }

    /// <summary>A K-class data set over native memory (the public SafeBuffer overload makes binary ones only).</summary>
    private static DenseDataset<T> NativeKClass<T>(SafeBuffer buffer, long length, T[] labels, int columns, int classes, T[] weights)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        MethodInfo create = typeof(DenseDataset).GetMethods(BindingFlags.NonPublic | BindingFlags.Static)
            .Single(m => m.Name == "Create" && m.GetParameters().Length == 5 && m.GetParameters()[0].ParameterType.Name.StartsWith("Elements", StringComparison.Ordinal))
            .MakeGenericMethod(typeof(T));
        object elements = Activator.CreateInstance(typeof(DenseDataset).Assembly.GetType("FastLogReg.Data.Elements`1")!.MakeGenericType(typeof(T)), buffer, (long?)length)!;
        return (DenseDataset<T>)create.Invoke(null, [elements, new ReadOnlyMemory<T>(labels), columns, new ReadOnlyMemory<T>(weights), classes])!;
    }

    private sealed class View : SafeBuffer
    {
        public View(nint at, ulong bytes)
            : base(ownsHandle: false)
        {
            SetHandle(at);
            Initialize(bytes);
        }

        protected override bool ReleaseHandle() => true;
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
        public static extern nint mmap(nint addr, nuint length, int prot, int flags, int fd, nint offset);

        [DllImport("libc", SetLastError = true)]
        public static extern int mprotect(nint addr, nuint length, int prot);

        [DllImport("libc", SetLastError = true)]
        public static extern int munmap(nint addr, nuint length);
    }
}
