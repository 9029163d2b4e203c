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
/// Rows go in blocks that stay in cache. Per row, each load of x serves four classes at a time (the dot products of a
/// row with four rows of W in four accumulators; x stays in L1 for the next four); the K scores of a block are kept
/// class by class, so that the softmax — subtract the row's maximum, exponentiate, sum, divide — and the residuals run
/// across the block's rows in SIMD registers; the gradient then takes four rows and four classes at a time, so that each
/// load and store of G serves four rows and each load of x four classes. All sums are in double, in an order fixed by the
/// rows alone.
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
    /// <returns>ℓ.</returns>
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
        Span<double> residualSums)
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
        Span<double> rowWeight = scratch.AsSpan(classes * BlockRows, BlockRows);
        Span<double> work = scratch.AsSpan((classes + 1) * BlockRows, 2 * BlockRows);
        Span<int> label = MemoryMarshal.Cast<double, int>(scratch.AsSpan((classes + 3) * BlockRows, BlockRows / 2));
        TV tailMask = W.LastLanesMask(columns % W.Count);
        ref T x0 = ref MemoryMarshal.GetReference(features);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        ref double g0 = ref MemoryMarshal.GetReference(gradient);
        bool sampleWeighted = !weights.IsEmpty;
        double loss = 0;

        for (int start = 0; start < rows; start += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - start);
            ref T block = ref Unsafe.Add(ref x0, (nint)start * columns);

            // Scores: eight rows by two classes at a time (each load of x serves two classes, each load of W eight rows);
            // every (row, class) keeps one accumulator over the columns, reduced alone, as RowDots.Dot1 does.
            int r = 0;
            for (; r + 8 <= count; r += 8)
            {
                ref T xr = ref Unsafe.Add(ref block, (nint)r * columns);
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

            for (r = 0; r < count; r++)
            {
                int y = (int)FusedLossGradient.ToDouble(labels[start + r]);
                label[r] = y;
                double s = sampleWeighted ? FusedLossGradient.ToDouble(weights[start + r]) : 1.0;
                rowWeight[r] = s * classWeights[y];
            }

            loss += oneVsRest ? BinaryResiduals<TV, W>(z, rowWeight, label, classes, count, work) : SoftmaxResiduals<TV, W>(z, rowWeight, label, classes, count, work);

            // Residual sums, class by class, in row order.
            for (int k = 0; k < classes; k++)
            {
                residualSums[k] += TensorPrimitives.Sum<double>(z.Slice(k * BlockRows, count));
            }

            // Gradient: four rows and four classes at a time.
            int row = 0;
            for (; row + 4 <= count; row += 4)
            {
                ref T xr = ref Unsafe.Add(ref block, (nint)row * columns);
                int k = 0;
                for (; k + 4 <= classes; k += 4)
                {
                    Accumulate4x4<T, TV, W>(ref xr, columns, z, row, k, ref Unsafe.Add(ref g0, (nint)k * columns), tailMask);
                }
            }

            // The remaining classes (K mod 4): two at a time, four rows per load and store of G; then one, eight rows.
            int rest = classes & ~3;
            for (; rest + 2 <= classes; rest += 2)
            {
                for (int q = 0; q + 4 <= count; q += 4)
                {
                    Accumulate4x2<T, TV, W>(ref Unsafe.Add(ref block, (nint)q * columns), columns, z, q, rest, ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
                }
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

        return loss;
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
        for (int k = 0; k < classes; k++)
        {
            z.Slice((k * BlockRows) + count, padded - count).Clear();
        }

        Span<double> max = work[..padded];
        Span<double> sum = work.Slice(BlockRows, padded);
        ref double z0 = ref MemoryMarshal.GetReference(z);
        ref double m0 = ref MemoryMarshal.GetReference(max);
        ref double s0 = ref MemoryMarshal.GetReference(sum);
        for (int r = 0; r < padded; r += W.Count)
        {
            TV m = W.Load(ref Unsafe.Add(ref z0, r));
            for (int k = 1; k < classes; k++)
            {
                m = W.Max(m, W.Load(ref Unsafe.Add(ref z0, (k * BlockRows) + r)));
            }

            W.Store(m, ref Unsafe.Add(ref m0, r));
        }

        // ℓ = log Σₖ e^(zₖ − m) − (z_y − m): the second term from the scores themselves (exact, whatever e^(z_y − m)).
        double loss = 0;
        for (int r = 0; r < count; r++)
        {
            loss -= rowWeight[r] * (z[(label[r] * BlockRows) + r] - max[r]);
        }

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
        TensorPrimitives.Log(sum[..count], logSum[..count]);
        for (int r = 0; r < count; r++)
        {
            loss += rowWeight[r] * logSum[r];
        }

        // zₖ ← s·eₖ/Σe, then − s at the label: one pass over the block's scores.
        rowWeight[count..padded].Clear();
        ref double rw0 = ref MemoryMarshal.GetReference(rowWeight);
        for (int r = 0; r < padded; r += W.Count)
        {
            ref double sr = ref Unsafe.Add(ref s0, r);
            W.Store(W.Divide(W.Load(ref Unsafe.Add(ref rw0, r)), W.Load(ref sr)), ref sr);
        }

        for (int k = 0; k < classes; k++)
        {
            for (int r = 0; r < padded; r += W.Count)
            {
                ref double zk = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                W.Store(W.Multiply(W.Load(ref zk), W.Load(ref Unsafe.Add(ref s0, r))), ref zk);
            }
        }

        for (int r = 0; r < count; r++)
        {
            z[(label[r] * BlockRows) + r] -= rowWeight[r];
        }

        return loss;
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

    /// <summary>Gₖ₊c += Σ_q r[k+c, row+q]·x_{row+q} for c, q in 0..3: each load of x serves four classes, each load and store of G four rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate4x4<T, TV, W>(ref T x0, int columns, ReadOnlySpan<double> r, int row, int k, ref double g0, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref T x1 = ref Unsafe.Add(ref x0, columns);
        ref T x2 = ref Unsafe.Add(ref x1, columns);
        ref T x3 = ref Unsafe.Add(ref x2, columns);
        int at = (k * BlockRows) + row;
        TV c00 = W.Create(r[at]), c01 = W.Create(r[at + 1]), c02 = W.Create(r[at + 2]), c03 = W.Create(r[at + 3]);
        at += BlockRows;
        TV c10 = W.Create(r[at]), c11 = W.Create(r[at + 1]), c12 = W.Create(r[at + 2]), c13 = W.Create(r[at + 3]);
        at += BlockRows;
        TV c20 = W.Create(r[at]), c21 = W.Create(r[at + 1]), c22 = W.Create(r[at + 2]), c23 = W.Create(r[at + 3]);
        at += BlockRows;
        TV c30 = W.Create(r[at]), c31 = W.Create(r[at + 1]), c32 = W.Create(r[at + 2]), c33 = W.Create(r[at + 3]);
        ref double g1 = ref Unsafe.Add(ref g0, columns);
        ref double g2 = ref Unsafe.Add(ref g1, columns);
        ref double g3 = ref Unsafe.Add(ref g2, columns);
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            TV a = W.LoadWidened(ref Unsafe.Add(ref x0, j)), bq = W.LoadWidened(ref Unsafe.Add(ref x1, j));
            TV c = W.LoadWidened(ref Unsafe.Add(ref x2, j)), d = W.LoadWidened(ref Unsafe.Add(ref x3, j));
            Add4(ref Unsafe.Add(ref g0, j), a, bq, c, d, c00, c01, c02, c03);
            Add4(ref Unsafe.Add(ref g1, j), a, bq, c, d, c10, c11, c12, c13);
            Add4(ref Unsafe.Add(ref g2, j), a, bq, c, d, c20, c21, c22, c23);
            Add4(ref Unsafe.Add(ref g3, j), a, bq, c, d, c30, c31, c32, c33);
        }

        if (j != columns)
        {
            TV a = W.LoadWidened(ref Unsafe.Add(ref x0, last)), bq = W.LoadWidened(ref Unsafe.Add(ref x1, last));
            TV c = W.LoadWidened(ref Unsafe.Add(ref x2, last)), d = W.LoadWidened(ref Unsafe.Add(ref x3, last));
            AddMasked4(ref Unsafe.Add(ref g0, last), a, bq, c, d, c00, c01, c02, c03, tailMask);
            AddMasked4(ref Unsafe.Add(ref g1, last), a, bq, c, d, c10, c11, c12, c13, tailMask);
            AddMasked4(ref Unsafe.Add(ref g2, last), a, bq, c, d, c20, c21, c22, c23, tailMask);
            AddMasked4(ref Unsafe.Add(ref g3, last), a, bq, c, d, c30, c31, c32, c33, tailMask);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Add4(ref double g, TV a, TV b, TV c, TV d, TV ca, TV cb, TV cc, TV cd)
        {
            W.Store(W.MultiplyAdd(d, cd, W.MultiplyAdd(c, cc, W.MultiplyAdd(b, cb, W.MultiplyAdd(a, ca, W.Load(ref g))))), ref g);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void AddMasked4(ref double g, TV a, TV b, TV c, TV d, TV ca, TV cb, TV cc, TV cd, TV mask)
        {
            TV s = W.MultiplyAdd(b, cb, W.Multiply(a, ca));
            TV t = W.MultiplyAdd(d, cd, W.Multiply(c, cc));
            W.Store(W.Add(W.Load(ref g), W.And(W.Add(s, t), mask)), ref g);
        }
    }

    /// <summary>Gₖ₊c += Σ_q r[k+c, row+q]·x_{row+q} for c in 0..1, q in 0..3.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate4x2<T, TV, W>(ref T x0, int columns, ReadOnlySpan<double> r, int row, int k, ref double g0, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref T x1 = ref Unsafe.Add(ref x0, columns);
        ref T x2 = ref Unsafe.Add(ref x1, columns);
        ref T x3 = ref Unsafe.Add(ref x2, columns);
        int at = (k * BlockRows) + row;
        TV c00 = W.Create(r[at]), c01 = W.Create(r[at + 1]), c02 = W.Create(r[at + 2]), c03 = W.Create(r[at + 3]);
        at += BlockRows;
        TV c10 = W.Create(r[at]), c11 = W.Create(r[at + 1]), c12 = W.Create(r[at + 2]), c13 = W.Create(r[at + 3]);
        ref double g1 = ref Unsafe.Add(ref g0, columns);
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            TV a = W.LoadWidened(ref Unsafe.Add(ref x0, j)), b = W.LoadWidened(ref Unsafe.Add(ref x1, j));
            TV c = W.LoadWidened(ref Unsafe.Add(ref x2, j)), d = W.LoadWidened(ref Unsafe.Add(ref x3, j));
            ref double ga = ref Unsafe.Add(ref g0, j);
            ref double gb = ref Unsafe.Add(ref g1, j);
            W.Store(W.MultiplyAdd(d, c03, W.MultiplyAdd(c, c02, W.MultiplyAdd(b, c01, W.MultiplyAdd(a, c00, W.Load(ref ga))))), ref ga);
            W.Store(W.MultiplyAdd(d, c13, W.MultiplyAdd(c, c12, W.MultiplyAdd(b, c11, W.MultiplyAdd(a, c10, W.Load(ref gb))))), ref gb);
        }

        if (j != columns)
        {
            TV a = W.LoadWidened(ref Unsafe.Add(ref x0, last)), b = W.LoadWidened(ref Unsafe.Add(ref x1, last));
            TV c = W.LoadWidened(ref Unsafe.Add(ref x2, last)), d = W.LoadWidened(ref Unsafe.Add(ref x3, last));
            ref double ga = ref Unsafe.Add(ref g0, last);
            ref double gb = ref Unsafe.Add(ref g1, last);
            TV sa = W.MultiplyAdd(d, c03, W.MultiplyAdd(c, c02, W.MultiplyAdd(b, c01, W.Multiply(a, c00))));
            TV sb = W.MultiplyAdd(d, c13, W.MultiplyAdd(c, c12, W.MultiplyAdd(b, c11, W.Multiply(a, c10))));
            W.Store(W.Add(W.Load(ref ga), W.And(sa, tailMask)), ref ga);
            W.Store(W.Add(W.Load(ref gb), W.And(sb, tailMask)), ref gb);
        }
    }

    /// <summary>This thread's scratch for K classes (created once per thread and size: an epoch allocates nothing).</summary>
    private static double[] Scratch(int classes)
    {
        int needed = (classes + 4) * BlockRows;
        if (t_scratch is null || t_scratch.Length < needed)
        {
            t_scratch = new double[needed];
        }

        return t_scratch;
    }
}
