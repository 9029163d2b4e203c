using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// One pass over a range of dense rows for K classes, zᵢ = W xᵢ + b ∈ ℝᴷ, with row weight sᵢ:
/// multinomial: ℓ = Σᵢ sᵢ·(logsumexp(zᵢ) − z_{i,yᵢ}),  Gₖ = Σᵢ sᵢ·(pᵢₖ − [yᵢ = k])·xᵢ,  gbₖ = Σᵢ sᵢ·(pᵢₖ − [yᵢ = k]),
/// p = softmax(z); one-vs-rest: the same with K independent binary losses, pᵢₖ = σ(zᵢₖ).
/// </summary>
/// <remarks>
/// Rows go in blocks of <see cref="BlockRows"/>. Scores: eight rows by two classes at a time, so that each load of W
/// serves eight rows and each widened load of x two classes, every (row, class) with its own accumulator; the rows two
/// groups ahead are asked for with a prefetch hint (the eight rows' interleaved reads hide their stride from the hardware
/// prefetcher: 100,000 × 100 float rows ran a third slower from memory than from cache without it). The K scores of a
/// block are kept class by class, so that the softmax — subtract the row's maximum, exponentiate, sum, log, scale — and
/// the loss run across the block's rows in SIMD registers. Gradient: a strip of G (four classes × two or four registers
/// of columns) stays in registers over the block's rows, each widened load of x serving four classes and each broadcast
/// residual a strip — G is loaded and stored once per block instead of once per four rows. All sums are in double, in an
/// order fixed by the rows alone.
/// </remarks>
internal static class SoftmaxLossGradient
{
    /// <summary>Rows per block.</summary>
    public const int BlockRows = 128;

    [ThreadStatic]
    private static double[]? t_scratch;

    /// <summary>Runs the pass over the rows of <paramref name="features"/> (row-major, <paramref name="columns"/> wide).</summary>
    /// <param name="features">The range's features.</param>
    /// <param name="labels">The range's class ids.</param>
    /// <param name="weights">The range's sample weights, or empty for unit weights.</param>
    /// <param name="classWeights">One weight per class (all 1 for none).</param>
    /// <param name="columns">d, at least <c>W.Count</c>.</param>
    /// <param name="w">W, K rows of d coefficients.</param>
    /// <param name="b">b, K intercepts.</param>
    /// <param name="oneVsRest">K binary losses instead of the softmax.</param>
    /// <param name="gradient">Receives G, K rows of d sums (overwritten).</param>
    /// <param name="residualSums">Receives gb, K sums (overwritten).</param>
    /// <param name="probabilities">Empty for the loss pass; for the Hessian-vector pass (W and b then the direction's), the
    /// point's probabilities of the range's rows, class k's at k·<paramref name="probabilityStride"/>.</param>
    /// <param name="probabilityStride">0 for the loss pass; the distance between two classes' probabilities.</param>
    /// <returns>ℓ (0 for the Hessian-vector pass).</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<T, TV, W>(
        ReadOnlySpan<T> features,
        ReadOnlySpan<T> labels,
        ReadOnlySpan<T> weights,
        ReadOnlySpan<double> classWeights,
        int columns,
        ReadOnlySpan<double> w,
        ReadOnlySpan<double> b,
        bool oneVsRest,
        Span<double> gradient,
        Span<double> residualSums,
        ReadOnlySpan<double> probabilities = default,
        int probabilityStride = 0)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int classes = b.Length;
        int rows = labels.Length;
        gradient.Clear();
        residualSums.Clear();
        double[] scratch = Scratch(classes);
        Span<double> z = scratch.AsSpan(0, classes * BlockRows);     // class-major: z[k·B + r]
        TV tailMask = W.LastLanesMask(columns % W.Count);
        ref T x0 = ref MemoryMarshal.GetReference(features);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        ref double g0 = ref MemoryMarshal.GetReference(gradient);
        double loss = 0;

        for (int start = 0; start < rows; start += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - start);
            ref T block = ref Unsafe.Add(ref x0, (nint)start * columns);

            Scores<T, TV, W>(ref block, columns, count, rows - start, ref w0, b, tailMask, z);

            loss += probabilityStride > 0
                ? CurvatureProducts<T, TV, W>(labels, weights, start, count, classWeights, oneVsRest, scratch, classes, probabilities, probabilityStride, residualSums)
                : Residuals<T, TV, W>(labels, weights, start, count, classWeights, oneVsRest, scratch, classes, residualSums);

            Accumulate<T, TV, W>(ref block, columns, count, z, classes, ref g0, tailMask);
        }

        return loss;
    }

    /// <summary>
    /// A block's K scores, class-major into <paramref name="z"/> (class k's row r at k·<see cref="BlockRows"/> + r): eight
    /// rows by two classes at a time (each load of x serves two classes, each load of W eight rows), every (row, class)
    /// with one accumulator over the columns, reduced alone, as RowDots.Dot1 does; the rows two groups ahead prefetched
    /// while at least <paramref name="remaining"/> rows (from the block's first) exist.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Scores<T, TV, W>(ref T block, int columns, int count, int remaining, ref double w0, ReadOnlySpan<double> b, TV tailMask, Span<double> z)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int classes = b.Length;
        int r = 0;
        for (; r + 8 <= count; r += 8)
        {
            ref T xr = ref Unsafe.Add(ref block, (nint)r * columns);
            if (r + 24 <= remaining)
            {
                PrefetchRows(ref Unsafe.Add(ref xr, (nint)16 * columns), 8 * columns);
            }

            int k = 0;
            for (; k + 2 <= classes; k += 2)
            {
                Dot8x2<T, TV, W>(ref xr, columns, ref Unsafe.Add(ref w0, (nint)k * columns), tailMask, b[k], b[k + 1], ref z[(k * BlockRows) + r], ref z[((k + 1) * BlockRows) + r]);
            }

            if (k < classes)
            {
                RowDots.Compute<T, TV, W>(ref xr, columns, 8, ref Unsafe.Add(ref w0, (nint)k * columns), b[k], tailMask, ref z[(k * BlockRows) + r]);
            }
        }

        for (; r < count; r++)
        {
            ref T xr = ref Unsafe.Add(ref block, (nint)r * columns);
            for (int k = 0; k < classes; k++)
            {
                z[(k * BlockRows) + r] = RowDots.Dot1<T, TV, W>(ref xr, ref Unsafe.Add(ref w0, (nint)k * columns), columns, tailMask) + b[k];
            }
        }
    }

    /// <summary>
    /// Gₖ += Σᵣ zₖᵣ·xᵣ over a block's <paramref name="count"/> rows for every class (G class-major from
    /// <paramref name="g0"/>, z class-major with stride <see cref="BlockRows"/>): four classes at a time, then two; each
    /// strip of G stays in registers across the rows; the rows past a multiple of four one at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Accumulate<T, TV, W>(ref T block, int columns, int count, Span<double> z, int classes, ref double g0, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int row = count & ~3;
        int rest = 0;
        for (; rest + 4 <= classes; rest += 4)
        {
            AccumulateClasses<T, TV, W, FourClasses>(ref block, columns, row, ref z[rest * BlockRows], ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
        }

        for (; rest + 2 <= classes; rest += 2)
        {
            AccumulateClasses<T, TV, W, TwoClasses>(ref block, columns, row, ref z[rest * BlockRows], ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
        }

        if (rest < classes)
        {
            GradientAccumulation.Accumulate<T, TV, W>(ref block, columns, row, ref z[rest * BlockRows], ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
        }

        for (; row < count; row++)
        {
            ref T xr = ref Unsafe.Add(ref block, (nint)row * columns);
            for (int k = 0; k < classes; k++)
            {
                GradientAccumulation.Accumulate<T, TV, W>(ref xr, columns, 1, ref z[(k * BlockRows) + row], ref Unsafe.Add(ref g0, (nint)k * columns), tailMask);
            }
        }
    }

    /// <summary>
    /// A block's rows from their scores to their residuals: each row's class id and weight sᵢ·cw(yᵢ), the softmax (or K
    /// sigmoids) in place of the scores in <paramref name="scratch"/>'s class-major z, the residual sums added to
    /// <paramref name="residualSums"/>; returns the block's Σ s·ℓ.
    /// </summary>
    internal static double Residuals<T, TV, W>(ReadOnlySpan<T> labels, ReadOnlySpan<T> weights, int start, int count, ReadOnlySpan<double> classWeights, bool oneVsRest, double[] scratch, int classes, Span<double> residualSums)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        Span<double> z = scratch.AsSpan(0, classes * BlockRows);
        Span<double> work = scratch.AsSpan((classes + 1) * BlockRows, 3 * BlockRows);
        RowLabels(labels, weights, start, count, classWeights, scratch, classes, out Span<double> rowWeight, out Span<int> label);
        double loss = oneVsRest ? BinaryResiduals<TV, W>(z, rowWeight, label, classes, count, work) : SoftmaxResiduals<TV, W>(z, rowWeight, label, classes, count, work);

        // Residual sums, class by class, in row order.
        for (int k = 0; k < classes; k++)
        {
            residualSums[k] += TensorPrimitives.Sum<double>(z.Slice(k * BlockRows, count));
        }

        return loss;
    }

    /// <summary>
    /// The Hessian-vector pass's step between the scores and the accumulation: with the block's scores of a direction,
    /// uᵢₖ = vₖᵀxᵢ + v_bk, in <paramref name="scratch"/>'s class-major z and the point's probabilities pᵢₖ (class k's at
    /// <paramref name="probabilities"/>[k·stride + row]), zₖ ← sᵢ·pᵢₖ·(uᵢₖ − Σₗ pᵢₗuᵢₗ) for the softmax (its Hessian's
    /// cross-class blocks −pₖpₗ included), zₖ ← sᵢ·pᵢₖ(1 − pᵢₖ)·uᵢₖ for one-vs-rest; the sums added to
    /// <paramref name="residualSums"/>. Returns 0 (no loss).
    /// </summary>
    internal static double CurvatureProducts<T, TV, W>(ReadOnlySpan<T> labels, ReadOnlySpan<T> weights, int start, int count, ReadOnlySpan<double> classWeights, bool oneVsRest, double[] scratch, int classes, ReadOnlySpan<double> probabilities, int stride, Span<double> residualSums)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        RowLabels(labels, weights, start, count, classWeights, scratch, classes, out Span<double> rowWeight, out _);
        CurvatureTimesScores<TV, W>(scratch.AsSpan(0, classes * BlockRows), rowWeight, probabilities[start..], stride, classes, count, oneVsRest);
        for (int k = 0; k < classes; k++)
        {
            residualSums[k] += TensorPrimitives.Sum<double>(scratch.AsSpan(k * BlockRows, count));
        }

        return 0;
    }

    /// <summary>
    /// In place over a block's class-major scores z (rows [0, count) of <see cref="BlockRows"/> per class), with the rows'
    /// probabilities p (class k's row r at p[k·stride + r]) and weights: the softmax Hessian's zₖ ← w·pₖ(zₖ − Σₗ pₗzₗ), or
    /// one-vs-rest's zₖ ← w·pₖ(1 − pₖ)zₖ — vectorized across rows, the tail one row at a time with the same arithmetic.
    /// </summary>
    internal static void CurvatureTimesScores<TV, W>(Span<double> z, ReadOnlySpan<double> rowWeight, ReadOnlySpan<double> p, int stride, int classes, int count, bool oneVsRest)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref double z0 = ref MemoryMarshal.GetReference(z);
        ref double p0 = ref MemoryMarshal.GetReference(p);
        ref double w0 = ref MemoryMarshal.GetReference(rowWeight);
        TV one = W.Create(1.0);
        int r = 0;
        for (; r + W.Count <= count; r += W.Count)
        {
            TV weight = W.Load(ref Unsafe.Add(ref w0, r));
            if (oneVsRest)
            {
                for (int k = 0; k < classes; k++)
                {
                    ref double zk = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                    TV pk = W.Load(ref Unsafe.Add(ref p0, (nint)k * stride + r));
                    W.Store(W.Multiply(W.Multiply(weight, W.Multiply(pk, W.Subtract(one, pk))), W.Load(ref zk)), ref zk);
                }

                continue;
            }

            TV mean = W.Zero;
            for (int k = 0; k < classes; k++)
            {
                mean = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref p0, (nint)k * stride + r)), W.Load(ref Unsafe.Add(ref z0, (k * BlockRows) + r)), mean);
            }

            for (int k = 0; k < classes; k++)
            {
                ref double zk = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                TV pk = W.Load(ref Unsafe.Add(ref p0, (nint)k * stride + r));
                W.Store(W.Multiply(W.Multiply(weight, pk), W.Subtract(W.Load(ref zk), mean)), ref zk);
            }
        }

        for (; r < count; r++)
        {
            double weight = rowWeight[r];
            if (oneVsRest)
            {
                for (int k = 0; k < classes; k++)
                {
                    double pk = p[(k * stride) + r];
                    z[(k * BlockRows) + r] = weight * (pk * (1.0 - pk)) * z[(k * BlockRows) + r];
                }

                continue;
            }

            double mean = 0;
            for (int k = 0; k < classes; k++)
            {
                mean = Math.FusedMultiplyAdd(p[(k * stride) + r], z[(k * BlockRows) + r], mean);
            }

            for (int k = 0; k < classes; k++)
            {
                z[(k * BlockRows) + r] = weight * p[(k * stride) + r] * (z[(k * BlockRows) + r] - mean);
            }
        }
    }

    /// <summary>A block's class ids and row weights sᵢ·cw(yᵢ), in <paramref name="scratch"/> (the layout of <see cref="Scratch"/>).</summary>
    internal static void RowLabels<T>(ReadOnlySpan<T> labels, ReadOnlySpan<T> weights, int start, int count, ReadOnlySpan<double> classWeights, double[] scratch, int classes, out Span<double> rowWeight, out Span<int> label)
        where T : unmanaged
    {
        rowWeight = scratch.AsSpan(classes * BlockRows, BlockRows);
        label = MemoryMarshal.Cast<double, int>(scratch.AsSpan((classes + 4) * BlockRows, BlockRows / 2));
        bool sampleWeighted = !weights.IsEmpty;
        for (int r = 0; r < count; r++)
        {
            int y = (int)FusedLossGradient.ToDouble(labels[start + r]);
            label[r] = y;
            double s = sampleWeighted ? FusedLossGradient.ToDouble(weights[start + r]) : 1.0;
            rowWeight[r] = s * classWeights[y];
        }
    }

    /// <summary>
    /// The softmax across a block, in place of the scores: zₖ ← s·(softmax(z)ₖ − [y = k]) (the residual); returns
    /// Σ s·(logsumexp(z) − z_y). Stable: the row maximum is subtracted before exponentiating, so every exponent is ≤ 0
    /// (<see cref="SimdMath.ExpNonPositive"/>). Vectorized across the block's rows; lanes past <paramref name="count"/>
    /// are scratch (their scores set to 0) and never reach the loss, the residual sums or the gradient.
    /// </summary>
    internal static double SoftmaxResiduals<TV, W>(Span<double> z, Span<double> rowWeight, ReadOnlySpan<int> label, int classes, int count, Span<double> work)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int padded = (count + W.Count - 1) / W.Count * W.Count;
        Span<double> max = work[..padded];
        Span<double> sum = work.Slice(BlockRows, padded);
        Span<double> gap = work.Slice(2 * BlockRows, padded);
        MaximaAndGaps<TV, W>(z, label, classes, count, padded, max, gap);
        ref double z0 = ref MemoryMarshal.GetReference(z);
        ref double m0 = ref MemoryMarshal.GetReference(max);
        ref double s0 = ref MemoryMarshal.GetReference(sum);
        ref double d0 = ref MemoryMarshal.GetReference(gap);
        for (int r = 0; r < padded; r += W.Count)
        {
            TV m = W.Load(ref Unsafe.Add(ref m0, r));
            TV total = W.Zero;
            for (int k = 0; k < classes; k++)
            {
                ref double zk = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                TV e = SimdMath.ExpNonPositive<TV, W>(W.Subtract(W.Load(ref zk), m));
                W.Store(e, ref zk);
                total = W.Add(total, e);
            }

            W.Store(total, ref Unsafe.Add(ref s0, r));
        }

        Span<double> logSum = max; // the maximum is no longer needed
        TensorPrimitives.Log(sum, logSum);

        // ℓ += s·(log Σe + m − z_y) and the scale s/Σe, in one pass; padding lanes weigh nothing.
        rowWeight[count..padded].Clear();
        ref double rw0 = ref MemoryMarshal.GetReference(rowWeight);
        TV loss = W.Zero;
        for (int r = 0; r < padded; r += W.Count)
        {
            ref double sr = ref Unsafe.Add(ref s0, r);
            TV weight = W.Load(ref Unsafe.Add(ref rw0, r));
            loss = W.MultiplyAdd(weight, W.Add(W.Load(ref Unsafe.Add(ref m0, r)), W.Load(ref Unsafe.Add(ref d0, r))), loss);
            W.Store(W.Divide(weight, W.Load(ref sr)), ref sr);
        }

        // zₖ ← s·eₖ/Σe, then − s at the label: one pass over the block's scores.
        for (int k = 0; k < classes; k++)
        {
            for (int r = 0; r < padded; r += W.Count)
            {
                ref double zk = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                W.Store(W.Multiply(W.Load(ref zk), W.Load(ref Unsafe.Add(ref s0, r))), ref zk);
            }
        }

        ref int y0 = ref MemoryMarshal.GetReference(label);
        for (int r = 0; r < count; r++)
        {
            Unsafe.Add(ref z0, (Unsafe.Add(ref y0, r) * BlockRows) + r) -= Unsafe.Add(ref rw0, r);
        }

        return W.Sum(loss);
    }

    /// <summary>
    /// A block softmax's first steps: the scores past <paramref name="count"/> set to 0 up to <paramref name="padded"/> (a
    /// multiple of <c>W.Count</c>), each row's maximum m over the classes into <paramref name="max"/>, and m − z_y into
    /// <paramref name="gap"/> (0 past <paramref name="count"/>) — the loss's ℓ = log Σₖ e^(zₖ − m) + (m − z_y) takes its
    /// second term from the scores themselves (exact, whatever e^(z_y − m)).
    /// </summary>
    internal static void MaximaAndGaps<TV, W>(Span<double> z, ReadOnlySpan<int> label, int classes, int count, int padded, Span<double> max, Span<double> gap)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        for (int k = 0; k < classes; k++)
        {
            z.Slice((k * BlockRows) + count, padded - count).Clear();
        }

        ref double z0 = ref MemoryMarshal.GetReference(z);
        ref double m0 = ref MemoryMarshal.GetReference(max);
        for (int r = 0; r < padded; r += W.Count)
        {
            TV m = W.Load(ref Unsafe.Add(ref z0, r));
            for (int k = 1; k < classes; k++)
            {
                m = W.Max(m, W.Load(ref Unsafe.Add(ref z0, (k * BlockRows) + r)));
            }

            W.Store(m, ref Unsafe.Add(ref m0, r));
        }

        for (int r = 0; r < count; r++)
        {
            gap[r] = max[r] - z[(label[r] * BlockRows) + r];
        }

        gap[count..padded].Clear();
    }

    /// <summary>
    /// K binary losses across a block, in place of the scores: zₖ ← s·(σ(zₖ) − [y = k]); returns Σ s·Σₖ
    /// (softplus(zₖ) − [y = k]·zₖ), with the binary kernel's vectorized stable form (<see cref="LogisticResiduals"/>).
    /// </summary>
    internal static double BinaryResiduals<TV, W>(Span<double> z, Span<double> rowWeight, ReadOnlySpan<int> label, int classes, int count, Span<double> work)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int padded = (count + W.Count - 1) / W.Count * W.Count;
        Span<double> target = work[..padded];
        rowWeight[count..padded].Clear(); // padding lanes weigh nothing
        TV lossSum = W.Zero, residualSum = W.Zero;
        for (int k = 0; k < classes; k++)
        {
            Span<double> zk = z.Slice(k * BlockRows, padded);
            for (int r = 0; r < count; r++)
            {
                target[r] = label[r] == k ? 1.0 : 0.0;
            }

            target[count..padded].Fill(1.0);
            zk[count..padded].Fill(LogisticResiduals.PaddingMargin);
            LogisticResiduals.Compute<TV, W>(ref MemoryMarshal.GetReference(zk), ref MemoryMarshal.GetReference(target), ref MemoryMarshal.GetReference(rowWeight), weighted: true, classWeighted: false, 1, 1, padded, ref lossSum, ref residualSum);
        }

        return W.Sum(lossSum);
    }

    /// <summary>
    /// x·w for eight rows and two rows of W (each load of x serves two classes, each load of W eight rows), one
    /// accumulator per (row, class), reduced alone: the same bits as <see cref="RowDots.Dot1"/> row by row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot8x2<T, TV, W>(ref T x0, int columns, ref double w, TV tailMask, double biasA, double biasB, ref double zA, ref double zB)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        nint stride = columns;
        ref T x1 = ref Unsafe.Add(ref x0, stride);
        ref T x2 = ref Unsafe.Add(ref x1, stride);
        ref T x3 = ref Unsafe.Add(ref x2, stride);
        ref T x4 = ref Unsafe.Add(ref x3, stride);
        ref T x5 = ref Unsafe.Add(ref x4, stride);
        ref T x6 = ref Unsafe.Add(ref x5, stride);
        ref T x7 = ref Unsafe.Add(ref x6, stride);
        ref double wB = ref Unsafe.Add(ref w, stride);
        TV a0 = W.Zero, a1 = W.Zero, a2 = W.Zero, a3 = W.Zero, a4 = W.Zero, a5 = W.Zero, a6 = W.Zero, a7 = W.Zero;
        TV c0 = W.Zero, c1 = W.Zero, c2 = W.Zero, c3 = W.Zero, c4 = W.Zero, c5 = W.Zero, c6 = W.Zero, c7 = W.Zero;
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            TV va = W.Load(ref Unsafe.Add(ref w, j)), vb = W.Load(ref Unsafe.Add(ref wB, j));
            TV x = W.LoadWidened(ref Unsafe.Add(ref x0, j));
            a0 = W.MultiplyAdd(x, va, a0);
            c0 = W.MultiplyAdd(x, vb, c0);
            x = W.LoadWidened(ref Unsafe.Add(ref x1, j));
            a1 = W.MultiplyAdd(x, va, a1);
            c1 = W.MultiplyAdd(x, vb, c1);
            x = W.LoadWidened(ref Unsafe.Add(ref x2, j));
            a2 = W.MultiplyAdd(x, va, a2);
            c2 = W.MultiplyAdd(x, vb, c2);
            x = W.LoadWidened(ref Unsafe.Add(ref x3, j));
            a3 = W.MultiplyAdd(x, va, a3);
            c3 = W.MultiplyAdd(x, vb, c3);
            x = W.LoadWidened(ref Unsafe.Add(ref x4, j));
            a4 = W.MultiplyAdd(x, va, a4);
            c4 = W.MultiplyAdd(x, vb, c4);
            x = W.LoadWidened(ref Unsafe.Add(ref x5, j));
            a5 = W.MultiplyAdd(x, va, a5);
            c5 = W.MultiplyAdd(x, vb, c5);
            x = W.LoadWidened(ref Unsafe.Add(ref x6, j));
            a6 = W.MultiplyAdd(x, va, a6);
            c6 = W.MultiplyAdd(x, vb, c6);
            x = W.LoadWidened(ref Unsafe.Add(ref x7, j));
            a7 = W.MultiplyAdd(x, va, a7);
            c7 = W.MultiplyAdd(x, vb, c7);
        }

        if (j != columns)
        {
            // Overlapping tail: the lanes already counted are zeroed in w by the mask.
            TV va = W.And(W.Load(ref Unsafe.Add(ref w, last)), tailMask), vb = W.And(W.Load(ref Unsafe.Add(ref wB, last)), tailMask);
            TV x = W.LoadWidened(ref Unsafe.Add(ref x0, last));
            a0 = W.MultiplyAdd(x, va, a0);
            c0 = W.MultiplyAdd(x, vb, c0);
            x = W.LoadWidened(ref Unsafe.Add(ref x1, last));
            a1 = W.MultiplyAdd(x, va, a1);
            c1 = W.MultiplyAdd(x, vb, c1);
            x = W.LoadWidened(ref Unsafe.Add(ref x2, last));
            a2 = W.MultiplyAdd(x, va, a2);
            c2 = W.MultiplyAdd(x, vb, c2);
            x = W.LoadWidened(ref Unsafe.Add(ref x3, last));
            a3 = W.MultiplyAdd(x, va, a3);
            c3 = W.MultiplyAdd(x, vb, c3);
            x = W.LoadWidened(ref Unsafe.Add(ref x4, last));
            a4 = W.MultiplyAdd(x, va, a4);
            c4 = W.MultiplyAdd(x, vb, c4);
            x = W.LoadWidened(ref Unsafe.Add(ref x5, last));
            a5 = W.MultiplyAdd(x, va, a5);
            c5 = W.MultiplyAdd(x, vb, c5);
            x = W.LoadWidened(ref Unsafe.Add(ref x6, last));
            a6 = W.MultiplyAdd(x, va, a6);
            c6 = W.MultiplyAdd(x, vb, c6);
            x = W.LoadWidened(ref Unsafe.Add(ref x7, last));
            a7 = W.MultiplyAdd(x, va, a7);
            c7 = W.MultiplyAdd(x, vb, c7);
        }

        // Class-major scores: eight consecutive rows of one class each.
        W.Sum8(a0, a1, a2, a3, a4, a5, a6, a7, biasA, ref zA);
        W.Sum8(c0, c1, c2, c3, c4, c5, c6, c7, biasB, ref zB);
    }

    /// <summary>
    /// Gₖ₊c += Σ_q r[k+c, q]·x_q over the block's first <paramref name="rows"/> rows (a multiple of four), for c below
    /// <typeparamref name="TGroup"/>'s count (4 or 2: a constant in each compiled copy): G is taken four registers of
    /// columns at a time for four classes at 512 bits, else two, then one, and kept in registers across the rows (each
    /// widened load of x serves the classes, each broadcast of r the strip). Every lane sums its rows in row order, one
    /// fused multiply-add at a time, starting from G — the bits of row-by-row accumulation; the row's masked tail adds
    /// four rows at a time, as ((r₀x₀ + r₁x₁) + (r₂x₂ + r₃x₃)) for four classes and (((r₀x₀ + r₁x₁) + r₂x₂) + r₃x₃) for two.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateClasses<T, TV, W, TGroup>(ref T block, int columns, int rows, ref double r0, ref double g0, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
        where TGroup : struct, IClassGroup
    {
        nint stride = columns;
        ref double g1 = ref Unsafe.Add(ref g0, stride);
        bool four = TGroup.Four;
        ref double r1 = ref Unsafe.Add(ref r0, BlockRows);

        // Two classes: the third and fourth rows are never touched (and never formed: they may lie past the arrays' ends).
        ref double g2 = ref four ? ref Unsafe.Add(ref g1, stride) : ref g1;
        ref double g3 = ref four ? ref Unsafe.Add(ref g2, stride) : ref g1;
        ref double r2 = ref four ? ref Unsafe.Add(ref r1, BlockRows) : ref r1;
        ref double r3 = ref four ? ref Unsafe.Add(ref r2, BlockRows) : ref r1;
        int j = 0;
        if (four && W.Count == 8)
        {
            // With 32 registers (AVX-512): four registers of columns, sixteen accumulators.
            for (; j + (4 * W.Count) <= columns; j += 4 * W.Count)
            {
                ref double p0 = ref Unsafe.Add(ref g0, j), p1 = ref Unsafe.Add(ref g1, j), p2 = ref Unsafe.Add(ref g2, j), p3 = ref Unsafe.Add(ref g3, j);
                TV a0 = W.Load(ref p0), b0 = W.Load(ref Unsafe.Add(ref p0, 8)), c0 = W.Load(ref Unsafe.Add(ref p0, 16)), d0 = W.Load(ref Unsafe.Add(ref p0, 24));
                TV a1 = W.Load(ref p1), b1 = W.Load(ref Unsafe.Add(ref p1, 8)), c1 = W.Load(ref Unsafe.Add(ref p1, 16)), d1 = W.Load(ref Unsafe.Add(ref p1, 24));
                TV a2 = W.Load(ref p2), b2 = W.Load(ref Unsafe.Add(ref p2, 8)), c2 = W.Load(ref Unsafe.Add(ref p2, 16)), d2 = W.Load(ref Unsafe.Add(ref p2, 24));
                TV a3 = W.Load(ref p3), b3 = W.Load(ref Unsafe.Add(ref p3, 8)), c3 = W.Load(ref Unsafe.Add(ref p3, 16)), d3 = W.Load(ref Unsafe.Add(ref p3, 24));
                nint o = j; // the row's offset (a byref stepped past the last row would point outside the data)
                for (int q = 0; q < rows; q++)
                {
                    TV u = W.LoadWidened(ref Unsafe.Add(ref block, o)), v = W.LoadWidened(ref Unsafe.Add(ref block, o + 8));
                    TV e = W.LoadWidened(ref Unsafe.Add(ref block, o + 16)), f = W.LoadWidened(ref Unsafe.Add(ref block, o + 24));
                    TV c = W.Create(Unsafe.Add(ref r0, q));
                    a0 = W.MultiplyAdd(u, c, a0);
                    b0 = W.MultiplyAdd(v, c, b0);
                    c0 = W.MultiplyAdd(e, c, c0);
                    d0 = W.MultiplyAdd(f, c, d0);
                    c = W.Create(Unsafe.Add(ref r1, q));
                    a1 = W.MultiplyAdd(u, c, a1);
                    b1 = W.MultiplyAdd(v, c, b1);
                    c1 = W.MultiplyAdd(e, c, c1);
                    d1 = W.MultiplyAdd(f, c, d1);
                    c = W.Create(Unsafe.Add(ref r2, q));
                    a2 = W.MultiplyAdd(u, c, a2);
                    b2 = W.MultiplyAdd(v, c, b2);
                    c2 = W.MultiplyAdd(e, c, c2);
                    d2 = W.MultiplyAdd(f, c, d2);
                    c = W.Create(Unsafe.Add(ref r3, q));
                    a3 = W.MultiplyAdd(u, c, a3);
                    b3 = W.MultiplyAdd(v, c, b3);
                    c3 = W.MultiplyAdd(e, c, c3);
                    d3 = W.MultiplyAdd(f, c, d3);
                    o += stride;
                }

                Store4(ref p0, a0, b0, c0, d0);
                Store4(ref p1, a1, b1, c1, d1);
                Store4(ref p2, a2, b2, c2, d2);
                Store4(ref p3, a3, b3, c3, d3);
            }
        }

        for (; j + (2 * W.Count) <= columns; j += 2 * W.Count)
        {
            int h = j + W.Count;
            TV a0 = W.Load(ref Unsafe.Add(ref g0, j)), b0 = W.Load(ref Unsafe.Add(ref g0, h));
            TV a1 = W.Load(ref Unsafe.Add(ref g1, j)), b1 = W.Load(ref Unsafe.Add(ref g1, h));
            TV a2 = four ? W.Load(ref Unsafe.Add(ref g2, j)) : W.Zero, b2 = four ? W.Load(ref Unsafe.Add(ref g2, h)) : W.Zero;
            TV a3 = four ? W.Load(ref Unsafe.Add(ref g3, j)) : W.Zero, b3 = four ? W.Load(ref Unsafe.Add(ref g3, h)) : W.Zero;
            nint o = j; // the row's offset (a byref stepped past the last row would point outside the data)
            for (int q = 0; q < rows; q++)
            {
                TV u = W.LoadWidened(ref Unsafe.Add(ref block, o)), v = W.LoadWidened(ref Unsafe.Add(ref block, o + W.Count));
                TV c = W.Create(Unsafe.Add(ref r0, q));
                a0 = W.MultiplyAdd(u, c, a0);
                b0 = W.MultiplyAdd(v, c, b0);
                c = W.Create(Unsafe.Add(ref r1, q));
                a1 = W.MultiplyAdd(u, c, a1);
                b1 = W.MultiplyAdd(v, c, b1);
                if (four)
                {
                    c = W.Create(Unsafe.Add(ref r2, q));
                    a2 = W.MultiplyAdd(u, c, a2);
                    b2 = W.MultiplyAdd(v, c, b2);
                    c = W.Create(Unsafe.Add(ref r3, q));
                    a3 = W.MultiplyAdd(u, c, a3);
                    b3 = W.MultiplyAdd(v, c, b3);
                }

                o += stride;
            }

            W.Store(a0, ref Unsafe.Add(ref g0, j));
            W.Store(b0, ref Unsafe.Add(ref g0, h));
            W.Store(a1, ref Unsafe.Add(ref g1, j));
            W.Store(b1, ref Unsafe.Add(ref g1, h));
            if (four)
            {
                W.Store(a2, ref Unsafe.Add(ref g2, j));
                W.Store(b2, ref Unsafe.Add(ref g2, h));
                W.Store(a3, ref Unsafe.Add(ref g3, j));
                W.Store(b3, ref Unsafe.Add(ref g3, h));
            }
        }

        if (j + W.Count <= columns)
        {
            TV a0 = W.Load(ref Unsafe.Add(ref g0, j)), a1 = W.Load(ref Unsafe.Add(ref g1, j));
            TV a2 = four ? W.Load(ref Unsafe.Add(ref g2, j)) : W.Zero, a3 = four ? W.Load(ref Unsafe.Add(ref g3, j)) : W.Zero;
            nint o = j; // the row's offset (a byref stepped past the last row would point outside the data)
            for (int q = 0; q < rows; q++)
            {
                TV u = W.LoadWidened(ref Unsafe.Add(ref block, o));
                a0 = W.MultiplyAdd(u, W.Create(Unsafe.Add(ref r0, q)), a0);
                a1 = W.MultiplyAdd(u, W.Create(Unsafe.Add(ref r1, q)), a1);
                if (four)
                {
                    a2 = W.MultiplyAdd(u, W.Create(Unsafe.Add(ref r2, q)), a2);
                    a3 = W.MultiplyAdd(u, W.Create(Unsafe.Add(ref r3, q)), a3);
                }

                o += stride;
            }

            W.Store(a0, ref Unsafe.Add(ref g0, j));
            W.Store(a1, ref Unsafe.Add(ref g1, j));
            if (four)
            {
                W.Store(a2, ref Unsafe.Add(ref g2, j));
                W.Store(a3, ref Unsafe.Add(ref g3, j));
            }

            j += W.Count;
        }

        if (j != columns)
        {
            int last = columns - W.Count;
            TV a0 = W.Load(ref Unsafe.Add(ref g0, last)), a1 = W.Load(ref Unsafe.Add(ref g1, last));
            TV a2 = four ? W.Load(ref Unsafe.Add(ref g2, last)) : W.Zero, a3 = four ? W.Load(ref Unsafe.Add(ref g3, last)) : W.Zero;
            nint o = last;
            for (int q = 0; q < rows; q += 4)
            {
                TV u0 = W.LoadWidened(ref Unsafe.Add(ref block, o)), u1 = W.LoadWidened(ref Unsafe.Add(ref block, o + stride));
                TV u2 = W.LoadWidened(ref Unsafe.Add(ref block, o + 2 * stride)), u3 = W.LoadWidened(ref Unsafe.Add(ref block, o + 3 * stride));
                if (four)
                {
                    a0 = W.Add(a0, Paired4(u0, u1, u2, u3, ref Unsafe.Add(ref r0, q), tailMask));
                    a1 = W.Add(a1, Paired4(u0, u1, u2, u3, ref Unsafe.Add(ref r1, q), tailMask));
                    a2 = W.Add(a2, Paired4(u0, u1, u2, u3, ref Unsafe.Add(ref r2, q), tailMask));
                    a3 = W.Add(a3, Paired4(u0, u1, u2, u3, ref Unsafe.Add(ref r3, q), tailMask));
                }
                else
                {
                    a0 = W.Add(a0, Chained4(u0, u1, u2, u3, ref Unsafe.Add(ref r0, q), tailMask));
                    a1 = W.Add(a1, Chained4(u0, u1, u2, u3, ref Unsafe.Add(ref r1, q), tailMask));
                }

                o += 4 * stride;
            }

            W.Store(a0, ref Unsafe.Add(ref g0, last));
            W.Store(a1, ref Unsafe.Add(ref g1, last));
            if (four)
            {
                W.Store(a2, ref Unsafe.Add(ref g2, last));
                W.Store(a3, ref Unsafe.Add(ref g3, last));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Store4(ref double g, TV a, TV b, TV c, TV d)
        {
            W.Store(a, ref g);
            W.Store(b, ref Unsafe.Add(ref g, 8));
            W.Store(c, ref Unsafe.Add(ref g, 16));
            W.Store(d, ref Unsafe.Add(ref g, 24));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static TV Paired4(TV u0, TV u1, TV u2, TV u3, ref double r, TV mask)
        {
            TV s = W.MultiplyAdd(u1, W.Create(Unsafe.Add(ref r, 1)), W.Multiply(u0, W.Create(r)));
            TV t = W.MultiplyAdd(u3, W.Create(Unsafe.Add(ref r, 3)), W.Multiply(u2, W.Create(Unsafe.Add(ref r, 2))));
            return W.And(W.Add(s, t), mask);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static TV Chained4(TV u0, TV u1, TV u2, TV u3, ref double r, TV mask)
        {
            TV s = W.MultiplyAdd(u1, W.Create(Unsafe.Add(ref r, 1)), W.Multiply(u0, W.Create(r)));
            s = W.MultiplyAdd(u3, W.Create(Unsafe.Add(ref r, 3)), W.MultiplyAdd(u2, W.Create(Unsafe.Add(ref r, 2)), s));
            return W.And(s, mask);
        }
    }

    /// <summary>Asks for the cache lines of <paramref name="count"/> consecutive features (a hint; nothing is read).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static unsafe void PrefetchRows<T>(ref T first, int count)
        where T : unmanaged
    {
        if (System.Runtime.Intrinsics.X86.Sse.IsSupported)
        {
            byte* p = (byte*)Unsafe.AsPointer(ref first);
            nint bytes = (nint)count * sizeof(T);
            for (nint o = 0; o < bytes; o += 64)
            {
                System.Runtime.Intrinsics.X86.Sse.Prefetch0(p + o);
            }
        }
    }

    /// <summary>A group of classes the gradient takes at once (a type, so that each compiled copy knows its size).</summary>
    private interface IClassGroup
    {
        static abstract bool Four { get; }
    }

    private readonly struct FourClasses : IClassGroup
    {
        public static bool Four => true;
    }

    private readonly struct TwoClasses : IClassGroup
    {
        public static bool Four => false;
    }

    /// <summary>This thread's scratch for K classes (created once per thread and size: an epoch allocates nothing).</summary>
    internal static double[] Scratch(int classes)
    {
        int needed = (classes + 5) * BlockRows;
        if (t_scratch is null || t_scratch.Length < needed)
        {
            t_scratch = new double[needed];
        }

        return t_scratch;
    }
}
