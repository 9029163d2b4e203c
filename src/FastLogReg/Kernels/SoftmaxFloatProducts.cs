using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// <see cref="SoftmaxLossGradient"/> for float rows with the products in float: the same pass (scores, softmax or K
/// sigmoids, loss, residuals, gradient), but the K scores and the K × d gradient — the 2·K·d multiply-adds per row that
/// bound the double kernel — run on float registers, twice the lanes per instruction and no widening of x. Every float
/// partial sums at most <see cref="MaxPartialTerms"/> products and is widened to double before it meets another
/// partial: a score is a double sum of float partials over ≤ 256 columns (each summed across its register's lanes in
/// float), a gradient entry a double sum of float partials over one block's ≤ 128 rows. The multinomial softmax runs
/// in float too (<see cref="FloatSoftmax"/>: e^(z − m) with a one-ulp float exp; the row maximum, log Σe,
/// m − z_y and the loss's sum in double); one-vs-rest's K sigmoids stay in double. Error: W and the residuals are
/// rounded to float (relative 2⁻²⁴ each), a partial of m products carries at most about m·2⁻²⁴ of the sum of its
/// terms' magnitudes, and the float softmax adds a few 2⁻²⁴·(1 + ln K + |z|) per row; the objective, gradient and
/// optimum agree with the double kernel to about 10⁻⁷ relative, not to its last bits — an option (<c>MultinomialObjective</c>'s
/// float products), never the default. Deterministic: the order of every sum is fixed by the rows alone, so results are
/// bit-identical for any thread count on a given CPU (and differ between 512- and 256-bit registers).
/// </summary>
internal static class SoftmaxFloatProducts
{
    /// <summary>Products in one float partial at most.</summary>
    public const int MaxPartialTerms = 256;

    private const int BlockRows = SoftmaxLossGradient.BlockRows;

    [ThreadStatic]
    private static float[]? t_floats;

    /// <summary>Whether the kernel runs on registers of <paramref name="floatLanes"/> floats for rows this wide.</summary>
    public static bool Supports(int columns, int floatLanes) => floatLanes >= 8 && columns >= floatLanes;

    /// <summary>Runs the pass over the rows of <paramref name="features"/> (row-major, <paramref name="columns"/> wide).</summary>
    /// <param name="features">The range's features.</param>
    /// <param name="labels">The range's class ids.</param>
    /// <param name="weights">The range's sample weights, or empty for unit weights.</param>
    /// <param name="classWeights">One weight per class (all 1 for none).</param>
    /// <param name="columns">d, at least <c>S.Count</c>.</param>
    /// <param name="w">W, K rows of d coefficients.</param>
    /// <param name="b">b, K intercepts.</param>
    /// <param name="oneVsRest">K binary losses instead of the softmax.</param>
    /// <param name="gradient">Receives G, K rows of d sums (overwritten).</param>
    /// <param name="residualSums">Receives gb, K sums (overwritten).</param>
    /// <returns>ℓ.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<TF, TV, S, W>(
        ReadOnlySpan<float> features,
        ReadOnlySpan<float> labels,
        ReadOnlySpan<float> weights,
        ReadOnlySpan<double> classWeights,
        int columns,
        ReadOnlySpan<double> w,
        ReadOnlySpan<double> b,
        bool oneVsRest,
        Span<double> gradient,
        Span<double> residualSums)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
    {
        int classes = b.Length;
        int rows = labels.Length;
        int kd = classes * columns;
        gradient.Clear();
        residualSums.Clear();
        double[] scratch = SoftmaxLossGradient.Scratch(classes);
        Span<double> z = scratch.AsSpan(0, classes * BlockRows);     // class-major: z[k·B + r]
        // W in float, each class's row padded to whole registers and starting on a 64-byte boundary: the scores' loads
        // of W never straddle two cache lines (the rows' loads of x do, wherever the caller's rows are not aligned).
        int wStride = (columns + S.Count - 1) / S.Count * S.Count;
        int wLength = checked(classes * wStride);
        Span<float> floats = Floats(checked(wLength + ((classes + 5) * BlockRows)));
        Span<float> wf = floats[..wLength];
        Span<float> rf = floats.Slice(wLength, classes * BlockRows);
        for (int k = 0; k < classes; k++)
        {
            TensorPrimitives.ConvertTruncating<double, float>(w.Slice(k * columns, columns), wf.Slice(k * wStride, columns));
        }

        TF tailMask = S.LastLanesMask(columns % S.Count);
        ref float x0 = ref MemoryMarshal.GetReference(features);
        ref float w0 = ref MemoryMarshal.GetReference(wf);
        ref double g0 = ref MemoryMarshal.GetReference(gradient);
        double loss = 0;

        for (int start = 0; start < rows; start += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - start);
            ref float block = ref Unsafe.Add(ref x0, (nint)start * columns);

            int r = 0;
            for (; r + 8 <= count; r += 8)
            {
                ref float xr = ref Unsafe.Add(ref block, (nint)r * columns);
                if (start + r + 24 <= rows)
                {
                    SoftmaxLossGradient.PrefetchRows(ref Unsafe.Add(ref xr, (nint)16 * columns), 8 * columns);
                }

                int k = 0;
                if (S.Count == 16)
                {
                    // Four rows by four classes per load of x and of W (the 32 registers hold sixteen sums and the
                    // loads); the classes left over in pairs of eight rows.
                    for (; k + 4 <= classes; k += 4)
                    {
                        ref float wk = ref Unsafe.Add(ref w0, (nint)k * wStride);
                        ref double zk = ref z[(k * BlockRows) + r];
                        Dot4x4<TF, TV, S, W>(ref xr, columns, ref wk, wStride, b.Slice(k, 4), tailMask, ref zk);
                        Dot4x4<TF, TV, S, W>(ref Unsafe.Add(ref xr, (nint)4 * columns), columns, ref wk, wStride, b.Slice(k, 4), tailMask, ref Unsafe.Add(ref zk, 4));
                    }
                }

                if (k < classes)
                {
                    Dot8<TF, TV, S, W>(ref xr, columns, ref w0, wStride, b, k, tailMask, ref z[r]);
                }
            }

            for (; r < count; r++)
            {
                ref float xr = ref Unsafe.Add(ref block, (nint)r * columns);
                for (int k = 0; k < classes; k++)
                {
                    z[(k * BlockRows) + r] = Dot1<TF, TV, S, W>(ref xr, ref Unsafe.Add(ref w0, (nint)k * wStride), columns, tailMask) + b[k];
                }
            }

            if (oneVsRest)
            {
                loss += SoftmaxLossGradient.Residuals<float, TV, W>(labels, weights, start, count, classWeights, oneVsRest, scratch, classes, residualSums);

                // The residuals in float (the scratch past a short block's rows is converted too and never read).
                TensorPrimitives.ConvertTruncating<double, float>(z, rf);
            }
            else
            {
                SoftmaxLossGradient.RowLabels(labels, weights, start, count, classWeights, scratch, classes, out Span<double> rowWeight, out _);
                loss += FloatSoftmax<TF, TV, S, W>(z, rowWeight, labels.Slice(start, count), classes, count, scratch.AsSpan((classes + 1) * BlockRows, 3 * BlockRows), rf, floats.Slice(wLength + (classes * BlockRows), 5 * BlockRows), residualSums);
            }

            ref float r0 = ref MemoryMarshal.GetReference(rf);
            int rest = 0;
            if (S.Count == 16 && classes % 5 == 0)
            {
                // Five classes per pass over the block's rows where they divide K (20 sums in registers at 512 bits).
                for (; rest < classes; rest += 5)
                {
                    Accumulate<TF, TV, S, W, FiveClasses>(ref block, columns, count, ref Unsafe.Add(ref r0, rest * BlockRows), ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
                }
            }

            for (; rest + 4 <= classes; rest += 4)
            {
                Accumulate<TF, TV, S, W, FourClasses>(ref block, columns, count, ref Unsafe.Add(ref r0, rest * BlockRows), ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
            }

            for (; rest + 2 <= classes; rest += 2)
            {
                Accumulate<TF, TV, S, W, TwoClasses>(ref block, columns, count, ref Unsafe.Add(ref r0, rest * BlockRows), ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
            }

            if (rest < classes)
            {
                Accumulate<TF, TV, S, W, OneClass>(ref block, columns, count, ref Unsafe.Add(ref r0, rest * BlockRows), ref Unsafe.Add(ref g0, (nint)rest * columns), tailMask);
            }
        }

        return loss;
    }

    /// <summary>
    /// The softmax of a block's double scores in float: the row maximum m in double, e^(z − m) in float
    /// (<see cref="SingleMath.ExpNonPositive"/>, the difference rounded to float), Σe in float as (classes at the maximum)
    /// + (the rest) and its log in double, the loss's m − z_y from the same rounded differences (exact where the label
    /// holds the maximum: 0), the loss summed in double; writes the float residuals s·(softmax − onehot) into
    /// <paramref name="residuals"/> (class-major) and adds their sums (float partials over the block's rows, widened) to
    /// <paramref name="residualSums"/>. The label's residual s·(p_y − 1) is formed as −s·Σ_{k≠y} eₖ / Σe, not as a
    /// difference from 1 (which would lose its digits when p_y is near 1, as it is for most rows near the optimum).
    /// Returns Σ s·(log Σe + m − z_y). Lanes past <paramref name="count"/> weigh nothing. Every step runs on whole
    /// registers of rows, the label's terms picked by a comparison with the class id.
    /// </summary>
    private static double FloatSoftmax<TF, TV, S, W>(Span<double> z, Span<double> rowWeight, ReadOnlySpan<float> labels, int classes, int count, Span<double> work, Span<float> residuals, Span<float> floatWork, Span<double> residualSums)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
    {
        int padded = (count + S.Count - 1) / S.Count * S.Count;
        rowWeight[count..padded].Clear();
        for (int k = 0; k < classes; k++)
        {
            z.Slice((k * BlockRows) + count, padded - count).Clear();
        }

        Span<float> sum = floatWork[..padded];
        Span<float> ties = floatWork.Slice(BlockRows, padded);
        Span<float> others = floatWork.Slice(2 * BlockRows, padded);
        Span<float> labelValue = floatWork.Slice(3 * BlockRows, padded);
        Span<float> gap = floatWork.Slice(4 * BlockRows, padded);
        labels[..count].CopyTo(labelValue);
        labelValue[count..].Fill(-1);
        ref double z0 = ref MemoryMarshal.GetReference(z);
        ref double rw0 = ref MemoryMarshal.GetReference(rowWeight);
        ref float e0 = ref MemoryMarshal.GetReference(residuals);
        ref float s0 = ref MemoryMarshal.GetReference(sum);
        ref float t0 = ref MemoryMarshal.GetReference(ties);
        ref float o0 = ref MemoryMarshal.GetReference(others);
        ref float y0 = ref MemoryMarshal.GetReference(labelValue);
        ref float g0 = ref MemoryMarshal.GetReference(gap);

        // Per register of rows: the maximum over the classes in double; then per class e^(z − m) in float, Σe as (the
        // classes at the maximum, whose e is exactly 1) + (the rest, summed in float), so that log Σe, taken in double,
        // keeps its relative accuracy when Σe is near 1 (a row the model fits well, its loss ≈ the rest); the sum over
        // the classes other than the label; and the label's z − m.
        int half = W.Count;
        TF one = S.Create(1f);
        for (int r = 0; r < padded; r += S.Count)
        {
            ref double zr = ref Unsafe.Add(ref z0, r);
            TV mLow = W.Load(ref zr), mHigh = W.Load(ref Unsafe.Add(ref zr, half));
            for (int k = 1; k < classes; k++)
            {
                ref double zk = ref Unsafe.Add(ref zr, k * BlockRows);
                mLow = W.Max(mLow, W.Load(ref zk));
                mHigh = W.Max(mHigh, W.Load(ref Unsafe.Add(ref zk, half)));
            }

            TF y = S.Load(ref Unsafe.Add(ref y0, r));
            TF atMax = S.Zero, rest = S.Zero, notLabel = S.Zero, labelGap = S.Zero, classId = S.Zero;
            for (int k = 0; k < classes; k++)
            {
                ref double zk = ref Unsafe.Add(ref zr, k * BlockRows);
                TF t = S.Narrow(W.Subtract(W.Load(ref zk), mLow), W.Subtract(W.Load(ref Unsafe.Add(ref zk, half)), mHigh));
                TF e = SingleMath.ExpNonPositive<TF, TV, S>(t);
                S.Store(e, ref Unsafe.Add(ref e0, (k * BlockRows) + r));
                TF isOne = S.EqualsMask(e, one);
                atMax = S.Add(atMax, S.And(one, isOne));
                rest = S.Add(rest, S.Select(isOne, S.Zero, e));
                TF isLabel = S.EqualsMask(y, classId);
                notLabel = S.Add(notLabel, S.Select(isLabel, S.Zero, e));
                labelGap = S.Add(labelGap, S.And(t, isLabel));
                classId = S.Add(classId, one);
            }

            S.Store(rest, ref Unsafe.Add(ref s0, r));
            S.Store(atMax, ref Unsafe.Add(ref t0, r));
            S.Store(notLabel, ref Unsafe.Add(ref o0, r));
            S.Store(labelGap, ref Unsafe.Add(ref g0, r));
        }

        // log Σe in double; Σe in float for the scale below.
        Span<double> logTotal = work[..padded];
        ref double lt0 = ref MemoryMarshal.GetReference(logTotal);
        for (int r = 0; r < padded; r += S.Count)
        {
            TF t = S.Load(ref Unsafe.Add(ref t0, r));
            ref float sr = ref Unsafe.Add(ref s0, r);
            TF rest = S.Load(ref sr);
            W.Store(W.Add(S.WidenLower(t), S.WidenLower(rest)), ref Unsafe.Add(ref lt0, r));
            W.Store(W.Add(S.WidenUpper(t), S.WidenUpper(rest)), ref Unsafe.Add(ref lt0, r + half));
            S.Store(S.Add(t, rest), ref sr);
        }

        TensorPrimitives.Log(logTotal, logTotal);

        // ℓ += s·(log Σe + m − z_y) in double; the scale s/Σe in float, in place of Σe.
        TV loss = W.Zero;
        for (int r = 0; r < padded; r += S.Count)
        {
            TV wLow = W.Load(ref Unsafe.Add(ref rw0, r)), wHigh = W.Load(ref Unsafe.Add(ref rw0, r + half));
            TF labelGap = S.Load(ref Unsafe.Add(ref g0, r));
            loss = W.MultiplyAdd(wLow, W.Subtract(W.Load(ref Unsafe.Add(ref lt0, r)), S.WidenLower(labelGap)), loss);
            loss = W.MultiplyAdd(wHigh, W.Subtract(W.Load(ref Unsafe.Add(ref lt0, r + half)), S.WidenUpper(labelGap)), loss);
            ref float sr = ref Unsafe.Add(ref s0, r);
            S.Store(S.Divide(S.Narrow(wLow, wHigh), S.Load(ref sr)), ref sr);
        }

        // Residuals s·eₖ/Σe, the label's −s·Σ_{k≠y} eₖ/Σe, and their sums per class (float partials over the rows).
        TF id = S.Zero;
        for (int k = 0; k < classes; k++)
        {
            TF acc = S.Zero;
            for (int r = 0; r < padded; r += S.Count)
            {
                ref float ek = ref Unsafe.Add(ref e0, (k * BlockRows) + r);
                TF scale = S.Load(ref Unsafe.Add(ref s0, r));
                TF labelResidual = S.Subtract(S.Zero, S.Multiply(S.Load(ref Unsafe.Add(ref o0, r)), scale));
                TF residual = S.Select(S.EqualsMask(S.Load(ref Unsafe.Add(ref y0, r)), id), labelResidual, S.Multiply(S.Load(ref ek), scale));
                S.Store(residual, ref ek);
                acc = S.Add(acc, residual);
            }

            residualSums[k] += W.Sum(S.Fold(acc));
            id = S.Add(id, one);
        }

        return W.Sum(loss);
    }

    /// <summary>
    /// The scores of eight rows for the classes from <paramref name="firstClass"/> on, two classes at a time (each load of x serves two classes, each load of W eight rows),
    /// float products with one accumulator per (row, class) and piece of ≤ 256 columns; each piece's sixteen registers
    /// are reduced across their lanes in float by <c>S.Sum8x2</c> and widened, the pieces added in double in order. <paramref name="z"/> is the first row's score of
    /// class 0 (class-major, <see cref="BlockRows"/> apart); W's rows are <paramref name="wStride"/> floats apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dot8<TF, TV, S, W>(ref float x0, int columns, ref float w0, int wStride, ReadOnlySpan<double> b, int firstClass, TF tailMask, ref double z)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
    {
        nint stride = columns;
        ref float x1 = ref Unsafe.Add(ref x0, stride);
        ref float x2 = ref Unsafe.Add(ref x1, stride);
        ref float x3 = ref Unsafe.Add(ref x2, stride);
        ref float x4 = ref Unsafe.Add(ref x3, stride);
        ref float x5 = ref Unsafe.Add(ref x4, stride);
        ref float x6 = ref Unsafe.Add(ref x5, stride);
        ref float x7 = ref Unsafe.Add(ref x6, stride);
        int classes = b.Length;
        for (int k = firstClass; k < classes; k += 2)
        {
            bool two = k + 1 < classes;
            ref float w = ref Unsafe.Add(ref w0, (nint)k * wStride);
            ref float wB = ref two ? ref Unsafe.Add(ref w, wStride) : ref w;
            ref double zA = ref Unsafe.Add(ref z, k * BlockRows);
            ref double zB = ref two ? ref Unsafe.Add(ref zA, BlockRows) : ref zA;
            double biasA = b[k], biasB = two ? b[k + 1] : 0;
            for (int from = 0; from < columns; from += MaxPartialTerms)
            {
                int end = Math.Min(columns, from + MaxPartialTerms);
                TF a0 = S.Zero, a1 = S.Zero, a2 = S.Zero, a3 = S.Zero, a4 = S.Zero, a5 = S.Zero, a6 = S.Zero, a7 = S.Zero;
                TF c0 = S.Zero, c1 = S.Zero, c2 = S.Zero, c3 = S.Zero, c4 = S.Zero, c5 = S.Zero, c6 = S.Zero, c7 = S.Zero;
                int j = from;
                if (two)
                {
                    for (; j <= end - S.Count; j += S.Count)
                    {
                        TF va = S.Load(ref Unsafe.Add(ref w, j)), vb = S.Load(ref Unsafe.Add(ref wB, j));
                        TF x = S.Load(ref Unsafe.Add(ref x0, j));
                        a0 = S.MultiplyAdd(x, va, a0);
                        c0 = S.MultiplyAdd(x, vb, c0);
                        x = S.Load(ref Unsafe.Add(ref x1, j));
                        a1 = S.MultiplyAdd(x, va, a1);
                        c1 = S.MultiplyAdd(x, vb, c1);
                        x = S.Load(ref Unsafe.Add(ref x2, j));
                        a2 = S.MultiplyAdd(x, va, a2);
                        c2 = S.MultiplyAdd(x, vb, c2);
                        x = S.Load(ref Unsafe.Add(ref x3, j));
                        a3 = S.MultiplyAdd(x, va, a3);
                        c3 = S.MultiplyAdd(x, vb, c3);
                        x = S.Load(ref Unsafe.Add(ref x4, j));
                        a4 = S.MultiplyAdd(x, va, a4);
                        c4 = S.MultiplyAdd(x, vb, c4);
                        x = S.Load(ref Unsafe.Add(ref x5, j));
                        a5 = S.MultiplyAdd(x, va, a5);
                        c5 = S.MultiplyAdd(x, vb, c5);
                        x = S.Load(ref Unsafe.Add(ref x6, j));
                        a6 = S.MultiplyAdd(x, va, a6);
                        c6 = S.MultiplyAdd(x, vb, c6);
                        x = S.Load(ref Unsafe.Add(ref x7, j));
                        a7 = S.MultiplyAdd(x, va, a7);
                        c7 = S.MultiplyAdd(x, vb, c7);
                    }

                    if (j != end)
                    {
                        // Overlapping tail (only in the last piece): the lanes already counted are zeroed in w by the mask.
                        int last = end - S.Count;
                        TF va = S.And(S.Load(ref Unsafe.Add(ref w, last)), tailMask), vb = S.And(S.Load(ref Unsafe.Add(ref wB, last)), tailMask);
                        TF x = S.Load(ref Unsafe.Add(ref x0, last));
                        a0 = S.MultiplyAdd(x, va, a0);
                        c0 = S.MultiplyAdd(x, vb, c0);
                        x = S.Load(ref Unsafe.Add(ref x1, last));
                        a1 = S.MultiplyAdd(x, va, a1);
                        c1 = S.MultiplyAdd(x, vb, c1);
                        x = S.Load(ref Unsafe.Add(ref x2, last));
                        a2 = S.MultiplyAdd(x, va, a2);
                        c2 = S.MultiplyAdd(x, vb, c2);
                        x = S.Load(ref Unsafe.Add(ref x3, last));
                        a3 = S.MultiplyAdd(x, va, a3);
                        c3 = S.MultiplyAdd(x, vb, c3);
                        x = S.Load(ref Unsafe.Add(ref x4, last));
                        a4 = S.MultiplyAdd(x, va, a4);
                        c4 = S.MultiplyAdd(x, vb, c4);
                        x = S.Load(ref Unsafe.Add(ref x5, last));
                        a5 = S.MultiplyAdd(x, va, a5);
                        c5 = S.MultiplyAdd(x, vb, c5);
                        x = S.Load(ref Unsafe.Add(ref x6, last));
                        a6 = S.MultiplyAdd(x, va, a6);
                        c6 = S.MultiplyAdd(x, vb, c6);
                        x = S.Load(ref Unsafe.Add(ref x7, last));
                        a7 = S.MultiplyAdd(x, va, a7);
                        c7 = S.MultiplyAdd(x, vb, c7);
                    }
                }
                else
                {
                    for (; j <= end - S.Count; j += S.Count)
                    {
                        TF va = S.Load(ref Unsafe.Add(ref w, j));
                        TF x = S.Load(ref Unsafe.Add(ref x0, j));
                        a0 = S.MultiplyAdd(x, va, a0);
                        x = S.Load(ref Unsafe.Add(ref x1, j));
                        a1 = S.MultiplyAdd(x, va, a1);
                        x = S.Load(ref Unsafe.Add(ref x2, j));
                        a2 = S.MultiplyAdd(x, va, a2);
                        x = S.Load(ref Unsafe.Add(ref x3, j));
                        a3 = S.MultiplyAdd(x, va, a3);
                        x = S.Load(ref Unsafe.Add(ref x4, j));
                        a4 = S.MultiplyAdd(x, va, a4);
                        x = S.Load(ref Unsafe.Add(ref x5, j));
                        a5 = S.MultiplyAdd(x, va, a5);
                        x = S.Load(ref Unsafe.Add(ref x6, j));
                        a6 = S.MultiplyAdd(x, va, a6);
                        x = S.Load(ref Unsafe.Add(ref x7, j));
                        a7 = S.MultiplyAdd(x, va, a7);
                    }

                    if (j != end)
                    {
                        int last = end - S.Count;
                        TF va = S.And(S.Load(ref Unsafe.Add(ref w, last)), tailMask);
                        TF x = S.Load(ref Unsafe.Add(ref x0, last));
                        a0 = S.MultiplyAdd(x, va, a0);
                        x = S.Load(ref Unsafe.Add(ref x1, last));
                        a1 = S.MultiplyAdd(x, va, a1);
                        x = S.Load(ref Unsafe.Add(ref x2, last));
                        a2 = S.MultiplyAdd(x, va, a2);
                        x = S.Load(ref Unsafe.Add(ref x3, last));
                        a3 = S.MultiplyAdd(x, va, a3);
                        x = S.Load(ref Unsafe.Add(ref x4, last));
                        a4 = S.MultiplyAdd(x, va, a4);
                        x = S.Load(ref Unsafe.Add(ref x5, last));
                        a5 = S.MultiplyAdd(x, va, a5);
                        x = S.Load(ref Unsafe.Add(ref x6, last));
                        a6 = S.MultiplyAdd(x, va, a6);
                        x = S.Load(ref Unsafe.Add(ref x7, last));
                        a7 = S.MultiplyAdd(x, va, a7);
                    }
                }

                S.Sum8x2(a0, a1, a2, a3, a4, a5, a6, a7, c0, c1, c2, c3, c4, c5, c6, c7, biasA, biasB, two, add: from != 0, ref zA, ref zB);
            }
        }
    }

    /// <summary>
    /// The scores of four rows for four classes: each load of x serves four classes and each load of W four rows, sixteen
    /// accumulators, pieces of ≤ 256 columns as in <see cref="Dot8"/>, reduced by <c>S.Sum4x4</c> — every score's float
    /// sums in the same order as <see cref="Dot8"/>'s (the same bits). <paramref name="w"/> is the first class's row of
    /// W (<paramref name="wStride"/> floats apart), <paramref name="z"/> the first row's score of the first class
    /// (class-major, <see cref="BlockRows"/> apart). Wants 32 registers (16-float lanes).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dot4x4<TF, TV, S, W>(ref float x0, int columns, ref float w, int wStride, ReadOnlySpan<double> b, TF tailMask, ref double z)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
    {
        nint stride = columns, ws = wStride;
        ref float x1 = ref Unsafe.Add(ref x0, stride);
        ref float x2 = ref Unsafe.Add(ref x1, stride);
        ref float x3 = ref Unsafe.Add(ref x2, stride);
        ref float w1 = ref Unsafe.Add(ref w, ws);
        ref float w2 = ref Unsafe.Add(ref w1, ws);
        ref float w3 = ref Unsafe.Add(ref w2, ws);
        double bias0 = b[0], bias1 = b[1], bias2 = b[2], bias3 = b[3];
        for (int from = 0; from < columns; from += MaxPartialTerms)
        {
            int end = Math.Min(columns, from + MaxPartialTerms);
            TF a00 = S.Zero, a01 = S.Zero, a02 = S.Zero, a03 = S.Zero, a10 = S.Zero, a11 = S.Zero, a12 = S.Zero, a13 = S.Zero;
            TF a20 = S.Zero, a21 = S.Zero, a22 = S.Zero, a23 = S.Zero, a30 = S.Zero, a31 = S.Zero, a32 = S.Zero, a33 = S.Zero;
            for (int j = from; ; j += S.Count)
            {
                // Whole registers, then the overlapping tail (only in the last piece): the lanes already counted are
                // zeroed in W by the mask.
                bool tail = j > end - S.Count;
                if (tail && j == end)
                {
                    break;
                }

                int at = tail ? end - S.Count : j;
                TF v0 = S.Load(ref Unsafe.Add(ref w, at)), v1 = S.Load(ref Unsafe.Add(ref w1, at));
                TF v2 = S.Load(ref Unsafe.Add(ref w2, at)), v3 = S.Load(ref Unsafe.Add(ref w3, at));
                if (tail)
                {
                    v0 = S.And(v0, tailMask);
                    v1 = S.And(v1, tailMask);
                    v2 = S.And(v2, tailMask);
                    v3 = S.And(v3, tailMask);
                }

                TF x = S.Load(ref Unsafe.Add(ref x0, at));
                a00 = S.MultiplyAdd(x, v0, a00);
                a10 = S.MultiplyAdd(x, v1, a10);
                a20 = S.MultiplyAdd(x, v2, a20);
                a30 = S.MultiplyAdd(x, v3, a30);
                x = S.Load(ref Unsafe.Add(ref x1, at));
                a01 = S.MultiplyAdd(x, v0, a01);
                a11 = S.MultiplyAdd(x, v1, a11);
                a21 = S.MultiplyAdd(x, v2, a21);
                a31 = S.MultiplyAdd(x, v3, a31);
                x = S.Load(ref Unsafe.Add(ref x2, at));
                a02 = S.MultiplyAdd(x, v0, a02);
                a12 = S.MultiplyAdd(x, v1, a12);
                a22 = S.MultiplyAdd(x, v2, a22);
                a32 = S.MultiplyAdd(x, v3, a32);
                x = S.Load(ref Unsafe.Add(ref x3, at));
                a03 = S.MultiplyAdd(x, v0, a03);
                a13 = S.MultiplyAdd(x, v1, a13);
                a23 = S.MultiplyAdd(x, v2, a23);
                a33 = S.MultiplyAdd(x, v3, a33);
                if (tail)
                {
                    break;
                }
            }

            S.Sum4x4(a00, a01, a02, a03, a10, a11, a12, a13, a20, a21, a22, a23, a30, a31, a32, a33, bias0, bias1, bias2, bias3, add: from != 0, ref z, BlockRows);
        }
    }

    /// <summary>x·w for one row (the rows left over after the groups of eight), pieces as in <see cref="Dot8"/>.</summary>
    private static double Dot1<TF, TV, S, W>(ref float x, ref float w, int columns, TF tailMask)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
    {
        double total = 0;
        for (int from = 0; from < columns; from += MaxPartialTerms)
        {
            int end = Math.Min(columns, from + MaxPartialTerms);
            TF a = S.Zero;
            int j = from;
            for (; j <= end - S.Count; j += S.Count)
            {
                a = S.MultiplyAdd(S.Load(ref Unsafe.Add(ref x, j)), S.Load(ref Unsafe.Add(ref w, j)), a);
            }

            if (j != end)
            {
                int last = end - S.Count;
                a = S.MultiplyAdd(S.Load(ref Unsafe.Add(ref x, last)), S.And(S.Load(ref Unsafe.Add(ref w, last)), tailMask), a);
            }

            total += W.Sum(S.Fold(a));
        }

        return total;
    }

    /// <summary>
    /// Gₖ₊c += Σ_q r[k+c, q]·x_q over a block's rows for c below <typeparamref name="TC"/>'s count, strip by strip of
    /// columns — four registers wide with 16-float registers (two with 8), then one strip of what is left: the remaining
    /// whole registers and the row's overlapping tail, whose already-counted lanes are masked off before they are added:
    /// each strip sums the block's rows in float registers from zero and is then widened and added to G.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<TF, TV, S, W, TC>(ref float block, int columns, int rows, ref float r0, ref double g0, TF tailMask)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
        where TC : struct, IClassGroup
    {
        int lanes = S.Count, j = 0;
        if (lanes == 16)
        {
            for (; j + (4 * lanes) <= columns; j += 4 * lanes)
            {
                Strip<TF, TV, S, W, TC, FourRegisters>(ref block, columns, rows, ref r0, ref g0, j, j + (3 * lanes), tailMask, masked: false);
            }

            // The rest in one strip: its whole registers, then the tail (masked) as its last register.
            int whole = (columns - j) / lanes;
            bool tail = (columns - j) % lanes != 0;
            int last = tail ? columns - lanes : j + ((whole - 1) * lanes);
            switch (whole + (tail ? 1 : 0))
            {
                case 4:
                    Strip<TF, TV, S, W, TC, FourRegisters>(ref block, columns, rows, ref r0, ref g0, j, last, tailMask, tail);
                    break;
                case 3:
                    Strip<TF, TV, S, W, TC, ThreeRegisters>(ref block, columns, rows, ref r0, ref g0, j, last, tailMask, tail);
                    break;
                case 2:
                    Strip<TF, TV, S, W, TC, TwoRegisters>(ref block, columns, rows, ref r0, ref g0, j, last, tailMask, tail);
                    break;
                case 1:
                    Strip<TF, TV, S, W, TC, OneRegister>(ref block, columns, rows, ref r0, ref g0, j, last, tailMask, tail);
                    break;
            }

            return;
        }

        for (; j + (2 * lanes) <= columns; j += 2 * lanes)
        {
            Strip<TF, TV, S, W, TC, TwoRegisters>(ref block, columns, rows, ref r0, ref g0, j, j + lanes, tailMask, masked: false);
        }

        if (j + lanes <= columns)
        {
            Strip<TF, TV, S, W, TC, OneRegister>(ref block, columns, rows, ref r0, ref g0, j, j, tailMask, masked: false);
            j += lanes;
        }

        if (j != columns)
        {
            Strip<TF, TV, S, W, TC, OneRegister>(ref block, columns, rows, ref r0, ref g0, columns - lanes, columns - lanes, tailMask, masked: true);
        }
    }

    /// <summary>
    /// One strip of <typeparamref name="TR"/>'s registers of columns: register i at column <paramref name="j"/> + i·lanes,
    /// the last one at <paramref name="last"/> (masked with the tail's mask when <paramref name="masked"/>). Compiled on
    /// its own, optimized from the first call (the JIT declines to inline five copies into <see cref="Accumulate"/>, and a
    /// tier-0 copy would call its helpers per row).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Strip<TF, TV, S, W, TC, TR>(ref float block, int columns, int rows, ref float r0, ref double g0, int j, int last, TF tailMask, bool masked)
        where TF : struct
        where TV : struct
        where S : ISimdSingle<TF, TV>
        where W : ISimdDouble<TV>
        where TC : struct, IClassGroup
        where TR : struct, IRegisterGroup
    {
        int classes = TC.Classes, registers = TR.Registers, lanes = S.Count;
        nint stride = columns;
        ref float r1 = ref classes >= 2 ? ref Unsafe.Add(ref r0, BlockRows) : ref r0;
        ref float r2 = ref classes >= 4 ? ref Unsafe.Add(ref r1, BlockRows) : ref r0;
        ref float r3 = ref classes >= 4 ? ref Unsafe.Add(ref r2, BlockRows) : ref r0;
        ref float r4 = ref classes >= 5 ? ref Unsafe.Add(ref r3, BlockRows) : ref r0;

        // The registers' column offsets: consecutive from j, the last at `last`.
        nint c1 = registers == 2 ? last : j + lanes;
        nint c2 = registers == 3 ? last : j + (2 * lanes);
        nint c3 = last;
        nint c0 = registers == 1 ? last : j;
        TF p0 = S.Zero, p1 = S.Zero, p2 = S.Zero, p3 = S.Zero; // class 0, registers 0–3
        TF q0 = S.Zero, q1 = S.Zero, q2 = S.Zero, q3 = S.Zero; // class 1
        TF s0 = S.Zero, s1 = S.Zero, s2 = S.Zero, s3 = S.Zero; // class 2
        TF t0 = S.Zero, t1 = S.Zero, t2 = S.Zero, t3 = S.Zero; // class 3
        TF f0 = S.Zero, f1 = S.Zero, f2 = S.Zero, f3 = S.Zero; // class 4
        nint o = 0; // the row's offset (a byref stepped past the last row would point outside the data)
        for (int row = 0; row < rows; row++)
        {
            TF u0 = S.Load(ref Unsafe.Add(ref block, o + c0));
            TF u1 = registers >= 2 ? S.Load(ref Unsafe.Add(ref block, o + c1)) : S.Zero;
            TF u2 = registers >= 3 ? S.Load(ref Unsafe.Add(ref block, o + c2)) : S.Zero;
            TF u3 = registers >= 4 ? S.Load(ref Unsafe.Add(ref block, o + c3)) : S.Zero;
            Update(registers, u0, u1, u2, u3, S.Create(Unsafe.Add(ref r0, row)), ref p0, ref p1, ref p2, ref p3);
            if (classes >= 2)
            {
                Update(registers, u0, u1, u2, u3, S.Create(Unsafe.Add(ref r1, row)), ref q0, ref q1, ref q2, ref q3);
            }

            if (classes >= 4)
            {
                Update(registers, u0, u1, u2, u3, S.Create(Unsafe.Add(ref r2, row)), ref s0, ref s1, ref s2, ref s3);
                Update(registers, u0, u1, u2, u3, S.Create(Unsafe.Add(ref r3, row)), ref t0, ref t1, ref t2, ref t3);
            }

            if (classes >= 5)
            {
                Update(registers, u0, u1, u2, u3, S.Create(Unsafe.Add(ref r4, row)), ref f0, ref f1, ref f2, ref f3);
            }

            o += stride;
        }

        if (masked)
        {
            // The last register's lanes already counted by the one before it.
            Mask(registers, tailMask, ref p0, ref p1, ref p2, ref p3);
            Mask(registers, tailMask, ref q0, ref q1, ref q2, ref q3);
            Mask(registers, tailMask, ref s0, ref s1, ref s2, ref s3);
            Mask(registers, tailMask, ref t0, ref t1, ref t2, ref t3);
            Mask(registers, tailMask, ref f0, ref f1, ref f2, ref f3);
        }

        ref double g = ref g0;
        AddClass(ref g, registers, c0, c1, c2, c3, p0, p1, p2, p3);
        if (classes >= 2)
        {
            g = ref Unsafe.Add(ref g, stride);
            AddClass(ref g, registers, c0, c1, c2, c3, q0, q1, q2, q3);
        }

        if (classes >= 4)
        {
            g = ref Unsafe.Add(ref g, stride);
            AddClass(ref g, registers, c0, c1, c2, c3, s0, s1, s2, s3);
            g = ref Unsafe.Add(ref g, stride);
            AddClass(ref g, registers, c0, c1, c2, c3, t0, t1, t2, t3);
        }

        if (classes >= 5)
        {
            g = ref Unsafe.Add(ref g, stride);
            AddClass(ref g, registers, c0, c1, c2, c3, f0, f1, f2, f3);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Update(int registers, TF u0, TF u1, TF u2, TF u3, TF v, ref TF a0, ref TF a1, ref TF a2, ref TF a3)
        {
            a0 = S.MultiplyAdd(u0, v, a0);
            if (registers >= 2)
            {
                a1 = S.MultiplyAdd(u1, v, a1);
            }

            if (registers >= 3)
            {
                a2 = S.MultiplyAdd(u2, v, a2);
            }

            if (registers >= 4)
            {
                a3 = S.MultiplyAdd(u3, v, a3);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void Mask(int registers, TF mask, ref TF a0, ref TF a1, ref TF a2, ref TF a3)
        {
            switch (registers)
            {
                case 1:
                    a0 = S.And(a0, mask);
                    break;
                case 2:
                    a1 = S.And(a1, mask);
                    break;
                case 3:
                    a2 = S.And(a2, mask);
                    break;
                default:
                    a3 = S.And(a3, mask);
                    break;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void AddClass(ref double g, int registers, nint c0, nint c1, nint c2, nint c3, TF a, TF b, TF c, TF d)
        {
            AddWidened(ref Unsafe.Add(ref g, c0), a);
            if (registers >= 2)
            {
                AddWidened(ref Unsafe.Add(ref g, c1), b);
            }

            if (registers >= 3)
            {
                AddWidened(ref Unsafe.Add(ref g, c2), c);
            }

            if (registers >= 4)
            {
                AddWidened(ref Unsafe.Add(ref g, c3), d);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        static void AddWidened(ref double g, TF a)
        {
            ref double upper = ref Unsafe.Add(ref g, W.Count);
            W.Store(W.Add(W.Load(ref g), S.WidenLower(a)), ref g);
            W.Store(W.Add(W.Load(ref upper), S.WidenUpper(a)), ref upper);
        }
    }

    /// <summary>This thread's float scratch of <paramref name="needed"/> floats, starting on a 64-byte boundary (pinned, created once per thread and size).</summary>
    private static Span<float> Floats(int needed)
    {
        if (t_floats is null || t_floats.Length < (long)needed + 16)
        {
            t_floats = GC.AllocateArray<float>(checked(needed + 16), pinned: true);
        }

        return t_floats.AsSpan(AlignedStart(t_floats), needed);
    }

    private static unsafe int AlignedStart(float[] pinned)
    {
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(pinned));
        return (int)((64 - (address & 63)) & 63) / sizeof(float);
    }

    /// <summary>How many classes a compiled copy takes at once.</summary>
    private interface IClassGroup
    {
        static abstract int Classes { get; }
    }

    /// <summary>How many registers of columns a strip holds per class.</summary>
    private interface IRegisterGroup
    {
        static abstract int Registers { get; }
    }

    private readonly struct OneClass : IClassGroup
    {
        public static int Classes => 1;
    }

    private readonly struct TwoClasses : IClassGroup
    {
        public static int Classes => 2;
    }

    private readonly struct FourClasses : IClassGroup
    {
        public static int Classes => 4;
    }

    private readonly struct FiveClasses : IClassGroup
    {
        public static int Classes => 5;
    }

    private readonly struct OneRegister : IRegisterGroup
    {
        public static int Registers => 1;
    }

    private readonly struct TwoRegisters : IRegisterGroup
    {
        public static int Registers => 2;
    }

    private readonly struct ThreeRegisters : IRegisterGroup
    {
        public static int Registers => 3;
    }

    private readonly struct FourRegisters : IRegisterGroup
    {
        public static int Registers => 4;
    }
}
