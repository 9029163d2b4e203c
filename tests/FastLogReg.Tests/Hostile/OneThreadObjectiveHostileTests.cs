using FastLogReg.Data;
using FastLogReg.Models;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Parallelism;
using FastLogReg.Training;
using Xunit;

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of the one-thread objective of dual coordinate descent (<see cref="RowPartition.SparseOneThread"/>,
/// <c>LogisticObjective(..., oneThread: true)</c>, and Train's use of it): on wide sparse data whose default partition
/// has several chunks (so that the one-chunk partition really differs), every thread count gives the same bits, the
/// reported objective is the objective's, and Auto's hand-over and the path still agree.
/// </summary>
public class OneThreadObjectiveHostileTests
{
    private const int Wide = 70_000; // ≥ 2¹⁶ columns: Auto picks the dual

    /// <summary>Rows × 70,000 columns with <paramref name="perRow"/> non-zeros a row: several chunks by the default partition.</summary>
    private static SparseDataset<T> WideRows<T>(int rows, int perRow, int seed, bool weights = false, int emptyEvery = 0, int repeatPatterns = 0, int zeroWeightEvery = 0)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var rng = new Random(seed);
        var values = new List<T>();
        var indices = new List<int>();
        long[] offsets = new long[rows + 1];
        T[] labels = new T[rows];
        T[]? sample = weights ? new T[rows] : null;
        var patterns = new List<(int[] Idx, double[] Val)>();
        for (int p = 0; p < repeatPatterns; p++)
        {
            var set = new SortedSet<int>();
            while (set.Count < perRow)
            {
                set.Add(rng.Next(Wide));
            }

            patterns.Add((set.ToArray(), set.Select(_ => rng.NextDouble() + 0.5).ToArray()));
        }

        for (int i = 0; i < rows; i++)
        {
            double z = 0;
            if (!(emptyEvery > 0 && i % emptyEvery == 0))
            {
                int[] idx;
                double[] val;
                if (repeatPatterns > 0)
                {
                    (idx, val) = patterns[i % repeatPatterns];
                }
                else
                {
                    var set = new SortedSet<int>();
                    while (set.Count < perRow)
                    {
                        set.Add(rng.Next(Wide));
                    }

                    idx = set.ToArray();
                    val = idx.Select(_ => rng.NextDouble() * 2 - 0.5).ToArray();
                }

                for (int k = 0; k < idx.Length; k++)
                {
                    indices.Add(idx[k]);
                    values.Add(T.CreateTruncating(val[k]));
                    z += ((idx[k] % 7) - 3) * val[k] * 0.3;
                }
            }

            labels[i] = rng.NextDouble() < 1 / (1 + Math.Exp(-z)) ? T.One : T.Zero;
            if (sample is not null)
            {
                sample[i] = zeroWeightEvery > 0 && i % zeroWeightEvery == 3 ? T.Zero : T.CreateTruncating(0.1 + (rng.NextDouble() * 3.7));
            }

            offsets[i + 1] = values.Count;
        }

        labels[0] = T.Zero;
        labels[1] = T.One;
        return SparseDataset.Create(CsrMatrix.Create<T>(values.ToArray(), indices.ToArray(), offsets, Wide), labels, sample);
    }

    private static void SameBits(TrainingResult a, TrainingResult b, string what)
    {
        Assert.True(a.Model.Weights.ToArray().SequenceEqual(b.Model.Weights.ToArray()), $"{what}: weights differ");
        Assert.True(a.Model.Bias.Equals(b.Model.Bias), $"{what}: bias {a.Model.Bias:R} vs {b.Model.Bias:R}");
        Assert.Equal(a.Report.Solver, b.Report.Solver);
        Assert.Equal(a.Report.Iterations, b.Report.Iterations);
        Assert.Equal(a.Report.StopReason, b.Report.StopReason);
        Assert.True(a.Report.FinalObjective.Equals(b.Report.FinalObjective), $"{what}: objective {a.Report.FinalObjective:R} vs {b.Report.FinalObjective:R}");
        Assert.True(a.Report.ObjectiveHistory.SequenceEqual(b.Report.ObjectiveHistory), $"{what}: objective histories differ");
        Assert.True(a.Report.GradientNormHistory.SequenceEqual(b.Report.GradientNormHistory), $"{what}: gradient histories differ");
        Assert.True(a.Report.DataPasses.Equals(b.Report.DataPasses), $"{what}: passes {a.Report.DataPasses} vs {b.Report.DataPasses}");
        Assert.True(a.Report.FinalGradientNorm.Equals(b.Report.FinalGradientNorm), $"{what}: gradient norm {a.Report.FinalGradientNorm:R} vs {b.Report.FinalGradientNorm:R}");
        Assert.True(a.Report.ConvergenceThreshold.Equals(b.Report.ConvergenceThreshold), $"{what}: threshold {a.Report.ConvergenceThreshold:R} vs {b.Report.ConvergenceThreshold:R}");
        Assert.True(a.Report.FinalLoss.Equals(b.Report.FinalLoss), $"{what}: loss {a.Report.FinalLoss:R} vs {b.Report.FinalLoss:R}");
        Assert.Equal(a.Report.NonZeroWeights, b.Report.NonZeroWeights);
    }

    /// <summary>The objective's value at a fitted model, from a fresh objective (default partition, all threads).</summary>
    private static double FreshValue<T>(SparseDataset<T> data, TrainingOptions options, TrainingResult r)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        var fresh = new LogisticObjective<T>(data, options.Penalty, options.FitIntercept, null, r.Standardization, options.ClassWeights);
        double[] point = new double[data.Columns + (options.FitIntercept ? 1 : 0)];
        double[] w = r.Model.Weights.ToArray();
        double b = r.Model.Bias;
        if (r.Standardization is { } scaling)
        {
            scaling.ToStandardized(w, b, point.AsSpan(0, data.Columns), out b);
        }
        else
        {
            w.CopyTo(point, 0);
        }

        if (options.FitIntercept)
        {
            point[data.Columns] = b;
        }
        return fresh.Evaluate(point, new double[point.Length]);
    }

    public static TheoryData<string> Variants => ["plain", "sample weights", "balanced", "standardize", "no intercept", "warm start", "max iterations", "float", "empty rows", "explicit dual", "zero-weight rows", "standardized float"];

    private static (SparseDataset<double>? D, SparseDataset<float>? F, TrainingOptions O) Variant(string variant)
    {
        var o = new TrainingOptions { Solver = Solver.Auto, L2 = 1e-3, Tolerance = 1e-8, MaxIterations = 1000 };
        return variant switch
        {
            "sample weights" => (WideRows<double>(2500, 200, 11, weights: true), null, o),
            "balanced" => (WideRows<double>(2500, 200, 12, weights: true), null, o with { ClassWeights = ClassWeights.Balanced }),
            "standardize" => (WideRows<double>(2500, 200, 13, weights: true), null, o with { Standardize = true, Solver = Solver.DualCoordinateDescent }), // Auto keeps L-BFGS with Standardize
            "no intercept" => (WideRows<double>(2500, 200, 14), null, o with { FitIntercept = false }),
            "warm start" => (WideRows<double>(2500, 200, 15), null, o with { InitialModel = new LogisticModel(Enumerable.Range(0, Wide).Select(j => Math.Sin(j) * 0.01).ToArray(), 0.3) }),
            "max iterations" => (WideRows<double>(2500, 200, 16), null, o with { MaxIterations = 3, Tolerance = 1e-14 }),
            "float" => (null, WideRows<float>(2500, 200, 17, weights: true), o with { ClassWeights = ClassWeights.Balanced }),
            "empty rows" => (WideRows<double>(2500, 200, 18, emptyEvery: 3), null, o),
            "explicit dual" => (WideRows<double>(2500, 200, 19), null, o with { Solver = Solver.DualCoordinateDescent, Tolerance = 1e-10 }),
            "zero-weight rows" => (WideRows<double>(2500, 200, 20, weights: true, zeroWeightEvery: 4), null, o with { ClassWeights = ClassWeights.Balanced }),
            "standardized float" => (null, WideRows<float>(2500, 200, 22, weights: true), o with { Standardize = true, Solver = Solver.DualCoordinateDescent, ClassWeights = ClassWeights.Balanced }),
            _ => (WideRows<double>(2500, 200, 10), null, o),
        };
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryThreadCountGivesTheSameBitsOnMultiChunkData(string variant)
    {
        (SparseDataset<double>? d, SparseDataset<float>? f, TrainingOptions o) = Variant(variant);
        Dataset<double>? dd = d;
        TrainingResult Fit(int? threads) => d is not null
            ? LogisticRegression.Train(d, o with { MaxDegreeOfParallelism = threads })
            : LogisticRegression.Train(f!, o with { MaxDegreeOfParallelism = threads });

        // Precondition: the default partition cuts these rows into several chunks, the one-thread one does not.
        int defaultChunks = d is not null ? new LogisticObjective<double>(d, Penalty.L2(1e-3), true, 1, widthCap: null).ChunkCount : new LogisticObjective<float>(f!, Penalty.L2(1e-3), true, 1, widthCap: null).ChunkCount;
        Assert.True(defaultChunks > 1, $"{variant}: {defaultChunks} default chunks");

        TrainingResult one = Fit(1);
        Assert.Equal(Solver.DualCoordinateDescent, one.Report.Solver);
        if (variant == "max iterations")
        {
            Assert.Equal(StopReason.MaxIterations, one.Report.StopReason);
            Assert.Equal(one.Report.ObjectiveHistory.Min(), one.Report.FinalObjective); // the best point
        }
        else
        {
            Assert.True(one.Report.Converged, $"{variant}: {one.Report.Message}");
        }

        foreach (int? threads in new int?[] { 2, 3, 8, null })
        {
            SameBits(one, Fit(threads), $"{variant}, {threads?.ToString() ?? "null"} threads");
        }

        double fresh = d is not null ? FreshValue(d, o, one) : FreshValue(f!, o, one);
        Assert.True(Math.Abs(fresh - one.Report.FinalObjective) <= 1e-12 * Math.Abs(fresh), $"{variant}: reported {one.Report.FinalObjective:R}, fresh objective {fresh:R}");
    }

    [Fact]
    public void AutosHandOverToNewtonIsTheSameForAnyThreadCount()
    {
        // Few distinct patterns repeated: rows far from orthogonal, λ small — the dual crawls and Newton takes over.
        SparseDataset<double> data = WideRows<double>(3000, 150, 21, weights: true, repeatPatterns: 40);
        var o = new TrainingOptions { Solver = Solver.Auto, L2 = 1e-7, Tolerance = 1e-10, MaxIterations = 400, ClassWeights = ClassWeights.Balanced };
        TrainingResult one = LogisticRegression.Train(data, o with { MaxDegreeOfParallelism = 1 });
        Assert.Equal(Solver.Newton, one.Report.Solver);
        Assert.StartsWith("Dual coordinate descent had not converged", one.Report.Message);
        Assert.True(one.Report.Iterations > LogisticRegression.AutoDualSweeps);
        foreach (int? threads in new int?[] { 2, 3, 8, null })
        {
            SameBits(one, LogisticRegression.Train(data, o with { MaxDegreeOfParallelism = threads }), $"hand-over, {threads} threads");
        }

        double fresh = FreshValue(data, o, one);
        Assert.True(Math.Abs(fresh - one.Report.FinalObjective) <= 1e-12 * Math.Abs(fresh), $"reported {one.Report.FinalObjective:R}, fresh {fresh:R}");
        Assert.Equal(one.Report.ObjectiveHistory.Count, one.Report.Iterations + 1);
    }

    [Fact]
    public void CancellingAtTheSameSweepGivesTheSameBitsForAnyThreadCount()
    {
        SparseDataset<double> data = WideRows<double>(2500, 200, 31, weights: true);
        TrainingResult Fit(int? threads)
        {
            using var cts = new CancellationTokenSource();
            var progress = new InlineProgress(p =>
            {
                if (p.Iteration == 2)
                {
                    cts.Cancel();
                }
            });
            return LogisticRegression.Train(data, new TrainingOptions { Solver = Solver.DualCoordinateDescent, L2 = 1e-5, Tolerance = 1e-14, MaxIterations = 1000, MaxDegreeOfParallelism = threads, Progress = progress }, cts.Token);
        }

        TrainingResult one = Fit(1);
        Assert.Equal(StopReason.Cancelled, one.Report.StopReason);
        Assert.Equal(2, one.Report.Iterations);
        Assert.Equal(one.Report.ObjectiveHistory.Min(), one.Report.FinalObjective);
        foreach (int? threads in new int?[] { 2, 8, null })
        {
            SameBits(one, Fit(threads), $"cancelled, {threads} threads");
        }
    }

    [Fact]
    public void ThePathIsTheSameForAnyThreadCountAndAgreesWithColdFits()
    {
        SparseDataset<double> data = WideRows<double>(2000, 200, 41, weights: true);
        var o = new TrainingOptions { Solver = Solver.Auto, Tolerance = 1e-10, MaxIterations = 1000, ClassWeights = ClassWeights.Balanced };
        var grid = new PathOptions { Count = 4, MinRatio = 1e-2 };
        RegularizationPath one = RegularizationPath.Compute(data, o with { MaxDegreeOfParallelism = 1 }, grid);
        RegularizationPath three = RegularizationPath.Compute(data, o with { MaxDegreeOfParallelism = 3 }, grid);
        Assert.Equal(one.Points.Count, three.Points.Count);
        for (int k = 0; k < one.Points.Count; k++)
        {
            Assert.Equal(one.Points[k].Model.Weights.ToArray(), three.Points[k].Model.Weights.ToArray());
            Assert.Equal(one.Points[k].Objective, three.Points[k].Objective);
            Assert.Equal(one.Points[k].DataPasses, three.Points[k].DataPasses);
        }

        foreach (PathPoint p in one.Points.Where(p => p.Lambda > 0))
        {
            TrainingOptions cold = o with { L2 = p.Lambda, MaxDegreeOfParallelism = 2 };
            TrainingResult fit = LogisticRegression.Train(data, cold);
            Assert.Equal(Solver.DualCoordinateDescent, fit.Report.Solver);
            Assert.True(fit.Report.Converged, fit.Report.Message);
            Assert.True(Math.Abs(fit.Report.FinalObjective - p.Objective) <= 1e-9 * Math.Abs(p.Objective), $"λ = {p.Lambda:R}: cold {fit.Report.FinalObjective:R}, path {p.Objective:R}");
            double fresh = FreshValue(data, cold, fit);
            Assert.True(Math.Abs(fresh - fit.Report.FinalObjective) <= 1e-12 * Math.Abs(fresh), $"λ = {p.Lambda:R}: reported {fit.Report.FinalObjective:R}, fresh {fresh:R}");
        }
    }

    [Fact]
    public void TheStandardizedDualPathIsTheSameForAnyThreadCountAndAgreesWithColdFits()
    {
        SparseDataset<float> data = WideRows<float>(2000, 200, 43, weights: true);
        var o = new TrainingOptions { Solver = Solver.DualCoordinateDescent, Standardize = true, Tolerance = 1e-10, MaxIterations = 2000 };
        var grid = new PathOptions { Count = 3, MinRatio = 1e-1 };
        RegularizationPath one = RegularizationPath.Compute(data, o with { MaxDegreeOfParallelism = 1 }, grid);
        RegularizationPath eight = RegularizationPath.Compute(data, o with { MaxDegreeOfParallelism = 8 }, grid);
        for (int k = 0; k < one.Points.Count; k++)
        {
            Assert.Equal(one.Points[k].Model.Weights.ToArray(), eight.Points[k].Model.Weights.ToArray());
            Assert.Equal(one.Points[k].Model.Bias, eight.Points[k].Model.Bias);
            Assert.Equal(one.Points[k].Objective, eight.Points[k].Objective);
            Assert.Equal(one.Points[k].StopReason, eight.Points[k].StopReason);
        }

        foreach (PathPoint p in one.Points.Where(p => p.Lambda > 0))
        {
            TrainingResult fit = LogisticRegression.Train(data, o with { L2 = p.Lambda, MaxDegreeOfParallelism = 3 });
            Assert.True(fit.Report.Converged, fit.Report.Message);
            Assert.True(Math.Abs(fit.Report.FinalObjective - p.Objective) <= 1e-9 * Math.Abs(p.Objective), $"λ = {p.Lambda:R}: cold {fit.Report.FinalObjective:R}, path {p.Objective:R}");
        }
    }

    [Fact]
    public void TheOneThreadObjectiveGivesTheSameBitsForAnyThreadCountItIsGiven()
    {
        SparseDataset<double> data = WideRows<double>(2500, 200, 51, weights: true);
        double[] point = Enumerable.Range(0, Wide + 1).Select(j => Math.Cos(j) * 0.05).ToArray();
        var reference = new LogisticObjective<double>(data, Penalty.L2(1e-3), true, 1, widthCap: null, null, ClassWeights.Balanced, columnMajor: false, oneThread: true);
        Assert.Equal(1, reference.ChunkCount);
        double[] g1 = new double[point.Length];
        double f1 = reference.Evaluate(point, g1);
        foreach (int? threads in new int?[] { 2, 8, null })
        {
            var other = new LogisticObjective<double>(data, Penalty.L2(1e-3), true, threads, widthCap: null, null, ClassWeights.Balanced, columnMajor: false, oneThread: true);
            double[] g = new double[point.Length];
            Assert.Equal(f1, other.Evaluate(point, g));
            Assert.Equal(g1, g);
        }

        var parallel = new LogisticObjective<double>(data, Penalty.L2(1e-3), true, 2, widthCap: null, null, ClassWeights.Balanced);
        Assert.True(parallel.ChunkCount > 1);
        double[] gp = new double[point.Length];
        double fp = parallel.Evaluate(point, gp);
        Assert.Equal(fp, f1, 1e-13 * Math.Abs(fp));
        for (int j = 0; j < point.Length; j++)
        {
            Assert.Equal(gp[j], g1[j], 1e-12 * (Math.Abs(gp[j]) + 1e-6));
        }

        Assert.Equal(parallel.DataPasses, reference.DataPasses);
    }

    [Fact]
    public void OnDenseDataOneThreadChangesNothingButTheThreads()
    {
        int n = 3000, d = 300;
        var rng = new Random(3);
        double[] x = Enumerable.Range(0, n * d).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] y = Enumerable.Range(0, n).Select(i => (double)(i % 2)).ToArray();
        var dense = DenseDataset.Create(x, y, d);
        var a = new LogisticObjective<double>(dense, Penalty.L2(1e-2), true, 4, widthCap: null);
        var b = new LogisticObjective<double>(dense, Penalty.L2(1e-2), true, 4, widthCap: null, oneThread: true);
        Assert.Equal(a.ChunkCount, b.ChunkCount);
        double[] p = Enumerable.Range(0, d + 1).Select(j => Math.Sin(j) * 0.1).ToArray();
        double[] ga = new double[d + 1], gb = new double[d + 1];
        Assert.Equal(a.Evaluate(p, ga), b.Evaluate(p, gb));
        Assert.Equal(ga, gb);
    }

    [Fact]
    public void DegenerateWideRowsFitTheSameForAnyThreadCount()
    {
        // Two rows only (one per class); then every row's only non-zero in column 0 (plus empty rows).
        var two = SparseDataset.Create(CsrMatrix.Create<double>(new[] { 1.0, 2.0, -1.0 }, new[] { 5, 69_999, 5 }, new[] { 0L, 2, 3 }, Wide), new double[] { 0, 1 });
        int rows = 1500;
        var col0Values = new List<double>();
        var col0Indices = new List<int>();
        long[] offsets = new long[rows + 1];
        double[] labels = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            if (i % 5 != 4)
            {
                col0Values.Add((i % 3) - 1 + 0.25);
                col0Indices.Add(0);
            }

            offsets[i + 1] = col0Values.Count;
            labels[i] = i % 3 == 0 ? 1 : 0;
        }

        var oneColumn = SparseDataset.Create(CsrMatrix.Create<double>(col0Values.ToArray(), col0Indices.ToArray(), offsets, Wide), labels);
        foreach ((string name, SparseDataset<double> data) in new[] { ("two rows", two), ("one column", oneColumn) })
        {
            var o = new TrainingOptions { Solver = Solver.Auto, L2 = 1e-2, Tolerance = 1e-9, MaxIterations = 500 };
            TrainingResult r1 = LogisticRegression.Train(data, o with { MaxDegreeOfParallelism = 1 });
            Assert.Equal(Solver.DualCoordinateDescent, r1.Report.Solver);
            Assert.All(r1.Model.Weights.ToArray(), w => Assert.True(double.IsFinite(w)));
            foreach (int? threads in new int?[] { 2, 8, null })
            {
                SameBits(r1, LogisticRegression.Train(data, o with { MaxDegreeOfParallelism = threads }), $"{name}, {threads} threads");
            }

            double fresh = FreshValue(data, o, r1);
            Assert.True(Math.Abs(fresh - r1.Report.FinalObjective) <= 1e-12 * Math.Abs(fresh), $"{name}: reported {r1.Report.FinalObjective:R}, fresh {fresh:R}");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(8)]
    public void TrainsDualEvaluatesTheOneChunkObjective(int threads)
    {
        // Pins the change itself: the dual's first recorded objective (at the warm start) is, bit for bit, the one-chunk
        // objective's value there — for any thread count, overlapped or not.
        SparseDataset<double> data = WideRows<double>(2500, 200, 61, weights: true);
        double[] w = Enumerable.Range(0, Wide).Select(j => Math.Sin(j * 0.37) * 0.02).ToArray();
        var o = new TrainingOptions { Solver = Solver.Auto, L2 = 1e-3, Tolerance = 1e-8, MaxIterations = 1000, ClassWeights = ClassWeights.Balanced, InitialModel = new LogisticModel(w, -0.2), MaxDegreeOfParallelism = threads };
        TrainingResult r = LogisticRegression.Train(data, o);
        Assert.Equal(Solver.DualCoordinateDescent, r.Report.Solver);
        double[] point = [.. w, -0.2];
        var oneChunk = new LogisticObjective<double>(data, o.Penalty, true, 1, widthCap: null, null, ClassWeights.Balanced, columnMajor: false, oneThread: true);
        var chunked = new LogisticObjective<double>(data, o.Penalty, true, 1, widthCap: null, null, ClassWeights.Balanced, columnMajor: false);
        double expected = oneChunk.Evaluate(point, new double[point.Length]);
        double other = chunked.Evaluate(point, new double[point.Length]);
        Assert.True(chunked.ChunkCount > 1);
        Assert.False(expected.Equals(other), "precondition: the chunked sums round differently here, so the check below tells the partitions apart");
        Assert.True(expected.Equals(r.Report.ObjectiveHistory[0]), $"history[0] {r.Report.ObjectiveHistory[0]:R}, one-chunk {expected:R}, chunked {other:R}");
    }

    [Fact]
    public void TheOneChunkColumnMajorCopyAgreesWithTheRowMajorPass()
    {
        SparseDataset<float> data = WideRows<float>(2500, 200, 71, weights: true);
        double[] point = Enumerable.Range(0, Wide + 1).Select(j => Math.Cos(j * 1.3) * 0.05).ToArray();
        var rows = new LogisticObjective<float>(data, Penalty.L2(1e-3), true, 1, widthCap: null, null, ClassWeights.Balanced, columnMajor: false, oneThread: true);
        double[] gr = new double[point.Length];
        double fr = rows.Evaluate(point, gr);
        double[]? first = null;
        foreach (int? threads in new int?[] { 1, 4, null })
        {
            var columns = new LogisticObjective<float>(data, Penalty.L2(1e-3), true, threads, widthCap: null, null, ClassWeights.Balanced, columnMajor: true, oneThread: true);
            Assert.Equal(1, columns.ChunkCount);
            double[] gc = new double[point.Length];
            double fc = columns.Evaluate(point, gc);
            Assert.Equal(fr, fc, 1e-13 * Math.Abs(fr));
            for (int j = 0; j < point.Length; j++)
            {
                Assert.Equal(gr[j], gc[j], 1e-12 * (Math.Abs(gr[j]) + 1e-6));
            }

            first ??= gc;
            Assert.Equal(first, gc);
        }
    }

    // ---------------------------------------------------------------- the partition, by offsets alone

    [Fact]
    public void ASingleRowBeyondTheChunkSizeIsOneChunk()
    {
        RowPartition p = RowPartition.SparseOneThread([0L, 3L * RowPartition.OneThreadChunkNonZeros]);
        Assert.Equal(1, p.ChunkCount);
        Assert.Equal((0, 1), p[0]);
    }

    [Fact]
    public void AllEmptyRowsAreOneChunkOfAllRows()
    {
        RowPartition p = RowPartition.SparseOneThread(new long[101]);
        Assert.Equal(1, p.ChunkCount);
        Assert.Equal((0, 100), p[0]);
        Assert.Equal([0, 100], p.Starts());
    }

    [Fact]
    public void ZeroRowsGiveOneChunkAsTheParallelPartitionDoes()
    {
        RowPartition one = RowPartition.SparseOneThread([0L]);
        RowPartition parallel = RowPartition.Sparse([0L], Wide, sizeof(double));
        Assert.Equal(parallel.ChunkCount, one.ChunkCount);
        Assert.Equal(parallel[0], one[0]);
        Assert.Equal(0, one.Rows);
    }

    [Fact]
    public void AChunkEndsExactlyWhereItsNonZerosReachTheCap()
    {
        long cap = RowPartition.OneThreadChunkNonZeros;
        RowPartition exact = RowPartition.SparseOneThread([0L, cap - 1, cap, cap + 1]);
        Assert.Equal(2, exact.ChunkCount);
        Assert.Equal((0, 2), exact[0]);
        Assert.Equal((2, 1), exact[1]);

        RowPartition below = RowPartition.SparseOneThread([0L, cap - 1, cap - 1, cap - 1]);
        Assert.Equal(1, below.ChunkCount);
    }

    [Fact]
    public void MoreThanMaxChunksOfCapsStillGiveAtMostMaxChunks()
    {
        long cap = RowPartition.OneThreadChunkNonZeros;
        int rows = 4 * RowPartition.MaxChunks;
        long[] offsets = Enumerable.Range(0, rows + 1).Select(i => i * cap).ToArray();
        RowPartition p = RowPartition.SparseOneThread(offsets);
        Assert.True(p.ChunkCount <= RowPartition.MaxChunks, $"{p.ChunkCount} chunks");
        int covered = 0;
        for (int c = 0; c < p.ChunkCount; c++)
        {
            Assert.Equal(covered, p[c].Start);
            covered += p[c].Count;
        }

        Assert.Equal(rows, covered);
    }
}
