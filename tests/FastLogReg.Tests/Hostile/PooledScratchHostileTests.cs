using System.Buffers;
using System.Runtime.Intrinsics;
using FastLogReg.Data;
using FastLogReg.Kernels;
using FastLogReg.Numerics;
using FastLogReg.Objective;
using FastLogReg.Optimization;
using FastLogReg.Training;
using Xunit;
using static FastLogReg.Tests.Hostile.DualCoordinateDescentHostileTests; // Dual(…) and Both(…)

namespace FastLogReg.Tests.Hostile;

/// <summary>
/// Hostile review of three changes: the sparse fused kernel's blocks of fewer rows where rows are long (bits claimed
/// unchanged), dual coordinate descent's rented vectors and its one-scatter uniform cold start, the monitor handing its
/// best-point buffer to the result, and Train's rented starting point.
/// </summary>
public class PooledScratchHostileTests
{
    // ---------------------------------------------------------------------------------------------------------------
    // The sparse kernel's block size (c75dc04): the same rows with explicit zeros appended (non-zeros that change no
    // margin, no gradient entry of the original columns and no summation slot of the row's dot product — the short rows
    // have 4q non-zeros) are processed in blocks of 8 or 80 rows instead of 256. The claim is that the bits do not depend
    // on the block size, for every SIMD width, float and double, weighted or not, scatter or per-row residuals.

    public static TheoryData<int, bool, bool> KernelShapes => new()
    {
        { 1, false, false }, { 3, true, false }, { 7, false, true }, { 8, true, true }, { 13, false, false },
        { 100, true, false }, { 203, false, true }, { 261, true, true },
    };

    [Theory]
    [MemberData(nameof(KernelShapes))]
    public void SparseKernelBitsDoNotDependOnTheBlockSize(int rows, bool sampleWeighted, bool classWeighted)
    {
        KernelBlockBits<double>(rows, sampleWeighted, classWeighted);
        KernelBlockBits<float>(rows, sampleWeighted, classWeighted);
    }

    private static void KernelBlockBits<T>(int rows, bool sampleWeighted, bool classWeighted)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        const int d = 40;
        var rng = new Random(rows * 31 + (sampleWeighted ? 1 : 0) + (classWeighted ? 2 : 0));
        var rowIdx = new List<int[]>();
        var rowVal = new List<T[]>();
        for (int i = 0; i < rows; i++)
        {
            int length = 4 * rng.Next(0, 4); // 0 (an empty row), 4, 8 or 12 non-zeros
            int[] idx = Enumerable.Range(0, d).OrderBy(_ => rng.Next()).Take(length).Order().ToArray();
            rowIdx.Add(idx);
            rowVal.Add(idx.Select(_ => T.CreateTruncating((rng.NextDouble() * 4) - 2)).ToArray());
        }

        T[] labels = Enumerable.Range(0, rows).Select(_ => rng.Next(2) == 1 ? T.One : T.Zero).ToArray();
        T[] weights = sampleWeighted ? Enumerable.Range(0, rows).Select(_ => T.CreateTruncating(0.1 + (3 * rng.NextDouble()))).ToArray() : [];
        double cw0 = classWeighted ? 0.3 : 1, cw1 = classWeighted ? 2.5 : 1;
        double b = 0.37;
        int[] widths = [1, 2, 4, 8]; // Vector512 runs in software where the hardware lacks it: the same lanes and bits
        foreach (int width in widths)
        {
            double[]? referenceGradient = null, referenceResiduals = null;
            double referenceLoss = 0, referenceSum = 0;
            foreach (int padding in new[] { 0, 200, 2100 })
            {
                int columns = d + padding;
                double[] w = new double[columns];
                var wr = new Random(5);
                for (int j = 0; j < d; j++)
                {
                    w[j] = (wr.NextDouble() * 2) - 1;
                }

                w.AsSpan(d).Fill(1.0); // 0 · 1 = +0: the padding adds nothing, not even a sign
                var idx = new List<int>();
                var val = new List<T>();
                long[] offsets = new long[rows + 1];
                for (int i = 0; i < rows; i++)
                {
                    idx.AddRange(rowIdx[i]);
                    val.AddRange(rowVal[i]);
                    for (int k = 0; k < padding; k++)
                    {
                        idx.Add(d + k);
                        val.Add(T.Zero);
                    }

                    offsets[i + 1] = idx.Count;
                }

                if (padding == 2100 && rows >= 8)
                {
                    Assert.Equal(8, SparseLossGradient.RowsPerBlock(rows, idx.Count));
                }

                if (padding == 200 && rows >= 100)
                {
                    Assert.InRange(SparseLossGradient.RowsPerBlock(rows, idx.Count), 16, SparseLossGradient.BlockRows / 2);
                }

                double[] gradient = new double[columns];
                double[] residuals = new double[rows];
                RunKernel(width, idx.ToArray(), val.ToArray(), offsets, labels, weights, cw0, cw1, w, b, gradient, out double loss, out double sum, default);
                RunKernel(width, idx.ToArray(), val.ToArray(), offsets, labels, weights, cw0, cw1, w, b, new double[columns], out double loss2, out double sum2, residuals);
                Assert.Equal(BitConverter.DoubleToInt64Bits(loss), BitConverter.DoubleToInt64Bits(loss2));
                Assert.Equal(BitConverter.DoubleToInt64Bits(sum), BitConverter.DoubleToInt64Bits(sum2));
                if (referenceGradient is null)
                {
                    referenceGradient = gradient[..d];
                    referenceResiduals = residuals;
                    referenceLoss = loss;
                    referenceSum = sum;
                    continue;
                }

                string what = $"{typeof(T).Name} width {width}, {rows} rows, padding {padding}";
                Assert.True(BitConverter.DoubleToInt64Bits(referenceLoss) == BitConverter.DoubleToInt64Bits(loss), $"{what}: loss {referenceLoss:R} vs {loss:R}");
                Assert.True(BitConverter.DoubleToInt64Bits(referenceSum) == BitConverter.DoubleToInt64Bits(sum), $"{what}: residual sum {referenceSum:R} vs {sum:R}");
                Assert.True(referenceGradient.SequenceEqual(gradient[..d]), $"{what}: gradient");
                Assert.True(referenceResiduals!.SequenceEqual(residuals), $"{what}: row residuals");
            }
        }
    }

    private static void RunKernel<T>(int width, int[] idx, T[] val, long[] offsets, T[] labels, T[] weights, double cw0, double cw1, double[] w, double b, double[] gradient, out double loss, out double sum, Span<double> rowResiduals)
        where T : unmanaged
    {
        var block = new SparseBlock<T>(idx, val);
        switch (width)
        {
            case 8:
                SparseLossGradient.Run<T, Vector512<double>, Simd512>(block, offsets, labels, weights, cw0, cw1, w, b, gradient, out loss, out sum, rowResiduals);
                break;
            case 4:
                SparseLossGradient.Run<T, Vector256<double>, Simd256>(block, offsets, labels, weights, cw0, cw1, w, b, gradient, out loss, out sum, rowResiduals);
                break;
            case 2:
                SparseLossGradient.Run<T, Vector128<double>, Simd128>(block, offsets, labels, weights, cw0, cw1, w, b, gradient, out loss, out sum, rowResiduals);
                break;
            default:
                SparseLossGradient.Run<T, double, SimdScalar>(block, offsets, labels, weights, cw0, cw1, w, b, gradient, out loss, out sum, rowResiduals);
                break;
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // The dual's uniform cold start (4c9ec9a): u from α₀·D⁻²·Σ yᵢxᵢ instead of one scatter per row. One extra row of
    // weight 10⁻¹² (a bound below 10⁻⁵, so its α differs and the per-row start runs) changes the optimum by ~10⁻¹²: both
    // fits must reach the same optimum, in about as many sweeps.

    public static TheoryData<string> StartVariants => ["plain", "dense", "standardize", "class weights", "no intercept", "empty rows", "zero-weight rows", "float", "sample weights", "one thread", "huge lambda"];

    [Theory]
    [MemberData(nameof(StartVariants))]
    public void TheUniformColdStartReachesThePerRowStartsOptimum(string variant)
    {
        (double[] x, double[] y) = SyntheticData.Generate(150, 6, 11);
        int d = 6;
        if (variant == "empty rows")
        {
            for (int i = 0; i < y.Length; i += 7)
            {
                x.AsSpan(i * d, d).Clear();
            }
        }

        double[] weights = y.Select((_, i) => variant == "zero-weight rows" ? (i % 5 == 0 ? 0.0 : 1.0) : 0.5 + (i % 3)).ToArray();
        bool weighted = variant is "zero-weight rows" or "sample weights";
        double[] x2 = [.. x, .. x.AsSpan(0, d)];
        double[] y2 = [.. y, 1 - y[0]];
        double[] w2 = [.. (weighted ? weights : Enumerable.Repeat(1.0, y.Length)), 1e-12];
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d, weighted ? weights : null);
        (DenseDataset<double> dense2, SparseDataset<double> sparse2) = Both(x2, y2, d, w2);
        TrainingOptions options = Dual(variant == "huge lambda" ? 1e4 : 0.02, variant == "one thread" ? 1 : 2) with
        {
            Standardize = variant == "standardize",
            ClassWeights = variant == "class weights" ? ClassWeights.Of(0.2, 3.0) : ClassWeights.None,
            FitIntercept = variant != "no intercept",
            Tolerance = 1e-10,
        };
        TrainingResult uniform, perRow;
        if (variant == "float")
        {
            uniform = LogisticRegression.Train(DenseDataset.Create(x.Select(v => (float)v).ToArray(), y.Select(v => (float)v).ToArray(), d), options);
            perRow = LogisticRegression.Train(DenseDataset.Create(x2.Select(v => (float)v).ToArray(), y2.Select(v => (float)v).ToArray(), d, w2.Select(v => (float)v).ToArray()), options);
        }
        else
        {
            uniform = LogisticRegression.Train<double>(variant == "dense" ? dense : sparse, options);
            perRow = LogisticRegression.Train<double>(variant == "dense" ? dense2 : sparse2, options);
        }

        Assert.True(uniform.Report.Converged, "uniform: " + uniform.Report.Message);
        Assert.True(perRow.Report.Converged, "per row: " + perRow.Report.Message);
        Close.Equal(perRow.Report.FinalObjective, uniform.Report.FinalObjective, 1e-9, 0, "objective");
        Close.Equal(perRow.Model.Weights, uniform.Model.Weights, 1e-5, 1e-7, "w");
        Close.Equal(perRow.Model.Bias, uniform.Model.Bias, 1e-5, 1e-7, "b");
        Assert.InRange(uniform.Report.Iterations, (perRow.Report.Iterations * 2 / 3) - 2, (perRow.Report.Iterations * 3 / 2) + 2);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Rented vectors: results must not depend on what else uses the shared pool, before, during or after.

    [Fact]
    public void ConcurrentDualFitsOnOtherThreadsGiveTheSameBits()
    {
        (double[] xa, double[] ya) = SyntheticData.Generate(200, 6, 3);
        (double[] xb, double[] yb) = SyntheticData.Generate(150, 7, 4); // 7 + 1 and 6 + 1 values: the same pool bucket
        (_, SparseDataset<double> a) = Both(xa, ya, 6);
        (DenseDataset<double> b, _) = Both(xb, yb, 7);
        TrainingOptions oa = Dual(1e-3) with { Tolerance = 1e-10 }, ob = Dual(1e-3, 1) with { Standardize = true, Tolerance = 1e-10 };
        TrainingResult ra = LogisticRegression.Train<double>(a, oa), rb = LogisticRegression.Train<double>(b, ob);
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 12, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            TrainingResult r = k % 2 == 0 ? LogisticRegression.Train<double>(a, oa) : LogisticRegression.Train<double>(b, ob);
            TrainingResult expected = k % 2 == 0 ? ra : rb;
            if (!r.Model.Weights.ToArray().SequenceEqual(expected.Model.Weights.ToArray()) || !r.Model.Bias.Equals(expected.Model.Bias)
                || !r.Report.ObjectiveHistory.SequenceEqual(expected.Report.ObjectiveHistory))
            {
                failures.Add($"fit {k} differs");
            }
        });
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(1, true)]
    [InlineData(2, true)]
    public void TheDualsResultIsItsOwnArrayOfTheModelsLength(int iterations, bool overlap)
    {
        (double[] x, double[] y) = SyntheticData.Generate(100, 5, 9);
        (_, SparseDataset<double> data) = Both(x, y, 5);
        double[] rowWeights = Enumerable.Repeat(1.0 / y.Length, y.Length).ToArray();
        OptimizationResult Fit(SparseDataset<double> set, double[] start, int max) => DualCoordinateDescent.Minimize(
            set, rowWeights, 0.01, true, null, new LogisticObjective<double>(set, 0.01, true, 1), start, 1,
            new StoppingRules(max, 1e-12, null, null, () => 0, CancellationToken.None), _ => { }, overlap);

        OptimizationResult first = Fit(data, new double[6], iterations);
        Assert.Equal(6, first.Point.Length);
        double[] copy = first.Point.ToArray();
        // Whatever the pool hands out next (and what a second fit writes into it) must not be the result's array.
        var rented = new List<double[]>();
        for (int k = 0; k < 8; k++)
        {
            double[] r = ArrayPool<double>.Shared.Rent(6);
            Assert.NotSame(first.Point, r);
            r.AsSpan().Fill(double.NaN);
            rented.Add(r);
        }

        foreach (double[] r in rented)
        {
            ArrayPool<double>.Shared.Return(r);
        }

        OptimizationResult second = Fit(data, copy.Select(v => v * 0.5).ToArray(), 5);
        Assert.NotSame(first.Point, second.Point);
        Assert.Equal(copy, first.Point);
        Assert.Equal(6, second.Point.Length);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 0)]
    [InlineData(1, 3)]
    [InlineData(2, 3)]
    public void AProgressCallbackThatThrowsLeavesThePoolClean(int threads, int at)
    {
        (double[] x, double[] y) = SyntheticData.Generate(120, 6, 5);
        (_, SparseDataset<double> data) = Both(x, y, 6);
        TrainingOptions options = Dual(1e-3, threads) with { Tolerance = 1e-10 };
        TrainingResult expected = LogisticRegression.Train(data, options);
        for (int k = 0; k < 3; k++)
        {
            var progress = new InlineProgress(p =>
            {
                if (p.Iteration == at)
                {
                    throw new InvalidOperationException("callback");
                }
            });
            Assert.Throws<InvalidOperationException>(() => LogisticRegression.Train(data, options with { Progress = progress }));
            TrainingResult again = LogisticRegression.Train(data, options);
            Assert.Equal(expected.Model.Weights.ToArray(), again.Model.Weights.ToArray());
            Assert.Equal(expected.Model.Bias, again.Model.Bias);
            Assert.Equal(expected.Report.ObjectiveHistory, again.Report.ObjectiveHistory);
        }
    }

    /// <summary>Fills the calling thread's share of the shared pool with NaN arrays of the lengths a fit of d columns rents.</summary>
    private static void PoisonThePool(int d)
    {
        var rented = new List<double[]>();
        foreach (int length in new[] { d, d + 1 })
        {
            for (int k = 0; k < 6; k++)
            {
                double[] a = ArrayPool<double>.Shared.Rent(length);
                a.AsSpan().Fill(double.NaN);
                rented.Add(a);
            }
        }

        foreach (double[] a in rented)
        {
            ArrayPool<double>.Shared.Return(a);
        }

        double[] probe = ArrayPool<double>.Shared.Rent(d);
        Assert.True(double.IsNaN(probe[0]), "the pool did not hand a poisoned array back");
        ArrayPool<double>.Shared.Return(probe);
    }

    public static TheoryData<string> PoisonVariants => ["dual 1 thread", "dual 2 threads", "dual warm", "dual standardize", "dual no intercept", "dual dense", "dual max 0", "dual max 1", "dual float", "auto", "lbfgs", "lbfgs warm", "newton", "coordinate descent", "owlqn", "sgd"];

    [Theory]
    [MemberData(nameof(PoisonVariants))]
    public void ANaNFilledPoolChangesNoBit(string variant)
    {
        (double[] x, double[] y) = SyntheticData.Generate(120, 7, 13);
        const int d = 7;
        (DenseDataset<double> dense, SparseDataset<double> sparse) = Both(x, y, d);
        TrainingOptions options = variant switch
        {
            "dual 1 thread" => Dual(1e-3, 1),
            "dual 2 threads" => Dual(1e-3),
            "dual warm" => Dual(1e-3) with { InitialModel = new Models.LogisticModel([0.5, -0.5, 0.1, 0, 0, 0.2, -0.1], 0.3) },
            "dual standardize" => Dual(1e-3) with { Standardize = true },
            "dual no intercept" => Dual(1e-3) with { FitIntercept = false },
            "dual dense" => Dual(1e-3),
            "dual max 0" => Dual(1e-3) with { MaxIterations = 0 },
            "dual max 1" => Dual(1e-3) with { MaxIterations = 1 },
            "dual float" => Dual(1e-3),
            "auto" => new TrainingOptions { Solver = Solver.Auto, L2 = 1e-3, MaxDegreeOfParallelism = 2 },
            "lbfgs" => new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, MaxDegreeOfParallelism = 1 },
            "lbfgs warm" => new TrainingOptions { Solver = Solver.Lbfgs, L2 = 1e-3, MaxDegreeOfParallelism = 1, Standardize = true, InitialModel = new Models.LogisticModel([0.5, -0.5, 0.1, 0, 0, 0.2, -0.1], 0.3) },
            "newton" => new TrainingOptions { Solver = Solver.Newton, L2 = 1e-3, MaxDegreeOfParallelism = 1 },
            "coordinate descent" => new TrainingOptions { Solver = Solver.CoordinateDescent, Lambda = 1e-2, L1Ratio = 0.5, MaxDegreeOfParallelism = 1 },
            "owlqn" => new TrainingOptions { Solver = Solver.OwlQn, Lambda = 1e-2, L1Ratio = 0.5, MaxDegreeOfParallelism = 1 },
            _ => new TrainingOptions { Solver = Solver.MiniBatchSgd, L2 = 1e-3, MaxIterations = 20, MaxDegreeOfParallelism = 1 },
        };
        Func<TrainingResult> fit = variant switch
        {
            "dual dense" => () => LogisticRegression.Train(dense, options),
            "dual float" => () => LogisticRegression.Train(SparseDataset.Create(CsrMatrix.Create<float>(sparse.Matrix.Values.ToArray().Select(v => (float)v).ToArray(), sparse.Matrix.ColumnIndices.ToArray(), sparse.Matrix.RowOffsets.ToArray(), d), y.Select(v => (float)v).ToArray()), options),
            _ => () => LogisticRegression.Train(sparse, options),
        };
        TrainingResult clean = fit();
        PoisonThePool(d);
        TrainingResult poisoned = fit();
        Assert.All(poisoned.Model.Weights.ToArray(), w => Assert.False(double.IsNaN(w)));
        Assert.Equal(clean.Model.Weights.ToArray(), poisoned.Model.Weights.ToArray());
        Assert.Equal(clean.Model.Bias, poisoned.Model.Bias);
        Assert.Equal(clean.Report.StopReason, poisoned.Report.StopReason);
        Assert.Equal(clean.Report.ObjectiveHistory, poisoned.Report.ObjectiveHistory);
        Assert.Equal(clean.Report.GradientNormHistory, poisoned.Report.GradientNormHistory);
    }
}
