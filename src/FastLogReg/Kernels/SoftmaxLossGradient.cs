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

            // Scores: four classes per load of a row's x.
            for (int r = 0; r < count; r++)
            {
                ref T xr = ref Unsafe.Add(ref block, (nint)r * columns);
                int k = 0;
                for (; k + 4 <= classes; k += 4)
                {
                    Dot4<T, TV, W>(ref xr, ref Unsafe.Add(ref w0, (nint)k * columns), columns, tailMask, out double d0, out double d1, out double d2, out double d3);
                    z[(k * BlockRows) + r] = d0 + b[k];
                    z[((k + 1) * BlockRows) + r] = d1 + b[k + 1];
                    z[((k + 2) * BlockRows) + r] = d2 + b[k + 2];
                    z[((k + 3) * BlockRows) + r] = d3 + b[k + 3];
                }

                for (; k < classes; k++)
                {
                    z[(k * BlockRows) + r] = RowDots.Dot1<T, TV, W>(ref xr, ref Unsafe.Add(ref w0, (nint)k * columns), columns, tailMask) + b[k];
                }

                int y = (int)FusedLossGradient.ToDouble(labels[start + r]);
                label[r] = y;
                double s = sampleWeighted ? FusedLossGradient.ToDouble(weights[start + r]) : 1.0;
                rowWeight[r] = s * classWeights[y];
            }

            loss += oneVsRest ? BinaryResiduals(z, rowWeight, label, classes, count, work) : SoftmaxResiduals(z, rowWeight, label, classes, count, work);

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

                for (; k < classes; k++)
                {
                    for (int q = 0; q < 4; q++)
                    {
                        GradientAccumulation.Accumulate<T, TV, W>(ref Unsafe.Add(ref xr, (nint)q * columns), columns, 1, ref z[(k * BlockRows) + row + q], ref Unsafe.Add(ref g0, (nint)k * columns), tailMask);
                    }
                }
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
    /// Σ s·(logsumexp(z) − z_y). Stable: the row maximum is subtracted before exponentiating.
    /// </summary>
    internal static double SoftmaxResiduals(Span<double> z, ReadOnlySpan<double> rowWeight, ReadOnlySpan<int> label, int classes, int count, Span<double> work)
    {
        Span<double> max = work[..count];
        Span<double> sum = work.Slice(BlockRows, count);
        z[..count].CopyTo(max);
        for (int k = 1; k < classes; k++)
        {
            TensorPrimitives.Max(max, z.Slice(k * BlockRows, count), max);
        }

        double loss = 0;
        for (int r = 0; r < count; r++)
        {
            loss -= rowWeight[r] * (z[(label[r] * BlockRows) + r] - max[r]); // −s·(z_y − m)
        }

        sum.Clear();
        for (int k = 0; k < classes; k++)
        {
            Span<double> zk = z.Slice(k * BlockRows, count);
            TensorPrimitives.Subtract(zk, max, zk);
            TensorPrimitives.Exp(zk, zk);
            TensorPrimitives.Add(sum, zk, sum);
        }

        // loss += Σ s·log Σₖ e^(zₖ − m): with the line above, Σ s·(logsumexp(z) − z_y).
        Span<double> logSum = max; // the maximum is no longer needed
        TensorPrimitives.Log(sum, logSum);
        for (int r = 0; r < count; r++)
        {
            loss += rowWeight[r] * logSum[r];
        }

        TensorPrimitives.Reciprocal(sum, sum);
        for (int k = 0; k < classes; k++)
        {
            Span<double> zk = z.Slice(k * BlockRows, count);
            TensorPrimitives.Multiply(zk, sum, zk);
        }

        for (int r = 0; r < count; r++)
        {
            z[(label[r] * BlockRows) + r] -= 1.0;
        }

        for (int k = 0; k < classes; k++)
        {
            Span<double> zk = z.Slice(k * BlockRows, count);
            TensorPrimitives.Multiply(zk, rowWeight[..count], zk);
        }

        return loss;
    }

    /// <summary>
    /// K binary losses across a block, in place of the scores: zₖ ← s·(σ(zₖ) − [y = k]); returns Σ s·Σₖ
    /// (softplus(zₖ) − [y = k]·zₖ), each in the binary kernel's stable form.
    /// </summary>
    internal static double BinaryResiduals(Span<double> z, ReadOnlySpan<double> rowWeight, ReadOnlySpan<int> label, int classes, int count, Span<double> work)
    {
        _ = work; // the softmax's scratch; the binary losses need none
        double loss = 0;
        for (int k = 0; k < classes; k++)
        {
            Span<double> zk = z.Slice(k * BlockRows, count);
            for (int r = 0; r < count; r++)
            {
                double t = label[r] == k ? 1.0 : 0.0;
                double zi = zk[r];
                double e = Math.Exp(-Math.Abs(zi));
                loss += rowWeight[r] * ((Math.Max(zi, 0.0) - (t * zi)) + Numerics.StableLogistic.Log1P(e));
                double p = zi >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                zk[r] = rowWeight[r] * (p - t);
            }
        }

        return loss;
    }

    /// <summary>x·w₀ … x·w₃ for one row and four consecutive rows of W (each load of x serves four classes).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot4<T, TV, W>(ref T x, ref double w, int columns, TV tailMask, out double d0, out double d1, out double d2, out double d3)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref double w1 = ref Unsafe.Add(ref w, columns);
        ref double w2 = ref Unsafe.Add(ref w1, columns);
        ref double w3 = ref Unsafe.Add(ref w2, columns);
        TV a0 = W.Zero, a1 = W.Zero, a2 = W.Zero, a3 = W.Zero;
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            TV xv = W.LoadWidened(ref Unsafe.Add(ref x, j));
            a0 = W.MultiplyAdd(xv, W.Load(ref Unsafe.Add(ref w, j)), a0);
            a1 = W.MultiplyAdd(xv, W.Load(ref Unsafe.Add(ref w1, j)), a1);
            a2 = W.MultiplyAdd(xv, W.Load(ref Unsafe.Add(ref w2, j)), a2);
            a3 = W.MultiplyAdd(xv, W.Load(ref Unsafe.Add(ref w3, j)), a3);
        }

        if (j != columns)
        {
            TV xv = W.LoadWidened(ref Unsafe.Add(ref x, last));
            a0 = W.MultiplyAdd(xv, W.And(W.Load(ref Unsafe.Add(ref w, last)), tailMask), a0);
            a1 = W.MultiplyAdd(xv, W.And(W.Load(ref Unsafe.Add(ref w1, last)), tailMask), a1);
            a2 = W.MultiplyAdd(xv, W.And(W.Load(ref Unsafe.Add(ref w2, last)), tailMask), a2);
            a3 = W.MultiplyAdd(xv, W.And(W.Load(ref Unsafe.Add(ref w3, last)), tailMask), a3);
        }

        d0 = W.Sum(a0);
        d1 = W.Sum(a1);
        d2 = W.Sum(a2);
        d3 = W.Sum(a3);
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
            TV s = W.MultiplyAdd(b, cb, W.Multiply(a, ca));
            TV t = W.MultiplyAdd(d, cd, W.Multiply(c, cc));
            W.Store(W.Add(W.Load(ref g), W.Add(s, t)), ref g);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void AddMasked4(ref double g, TV a, TV b, TV c, TV d, TV ca, TV cb, TV cc, TV cd, TV mask)
        {
            TV s = W.MultiplyAdd(b, cb, W.Multiply(a, ca));
            TV t = W.MultiplyAdd(d, cd, W.Multiply(c, cc));
            W.Store(W.Add(W.Load(ref g), W.And(W.Add(s, t), mask)), ref g);
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
