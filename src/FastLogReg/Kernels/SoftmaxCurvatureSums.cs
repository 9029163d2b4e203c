using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// One pass over a range of dense rows for K classes at a point (W, b): each row's probabilities pᵢ = softmax(W xᵢ + b)
/// (K sigmoids for one-vs-rest), and — when asked — the sums behind the Hessian's diagonal, per class k with
/// cᵢₖ = sᵢcw(yᵢ)·pᵢₖ(1 − pᵢₖ): Σᵢ cᵢₖ, Σᵢ cᵢₖxᵢ and Σᵢ cᵢₖxᵢ² — what trust-region Newton needs at a new point, where K
/// margin passes and K weighted-moment passes read the rows 2K times (20,000 × 100 float, K = 10, one thread: 9.7 ms
/// against one evaluation's 1.4–1.7 ms; this pass 3.1 ms).
/// </summary>
/// <remarks>
/// Blocks of <see cref="SoftmaxLossGradient.BlockRows"/> rows, scored as the evaluation scores them
/// (<see cref="SoftmaxLossGradient.Scores"/>); the softmax across the block's rows in registers (the row maximum
/// subtracted before exponentiating, the kernels' <see cref="SimdMath.ExpNonPositive"/>); the two moment sums accumulated as the evaluation's gradient is
/// (<see cref="SoftmaxLossGradient.Accumulate"/>: strips of the sums in registers over the rows, each lane in row order),
/// the squares through a scratch of squared rows (the block's, while they fit 256 KB). Bits fixed by the rows alone.
/// </remarks>
internal static class SoftmaxCurvatureSums
{
    private const int BlockRows = SoftmaxLossGradient.BlockRows;

    [ThreadStatic]
    private static double[]? t_squares;

    /// <summary>Runs the pass over the rows of <paramref name="features"/> (row-major, <paramref name="columns"/> wide).</summary>
    /// <param name="features">The range's features.</param>
    /// <param name="labels">The range's class ids.</param>
    /// <param name="weights">The range's sample weights, or empty for unit weights.</param>
    /// <param name="classWeights">One weight per class.</param>
    /// <param name="columns">d.</param>
    /// <param name="w">W, K rows of d (class-major).</param>
    /// <param name="b">b, K intercepts.</param>
    /// <param name="oneVsRest">K sigmoids instead of the softmax.</param>
    /// <param name="probabilities">Receives the range's probabilities: class k's row i at k·<paramref name="stride"/> + i.</param>
    /// <param name="stride">The distance between two classes' probabilities.</param>
    /// <param name="sums">Empty, or receives (overwritten) Σc per class (K), then Σcx and Σcx² class-major (K·d each).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T, TV, W>(ReadOnlySpan<T> features, ReadOnlySpan<T> labels, ReadOnlySpan<T> weights, ReadOnlySpan<double> classWeights, int columns, ReadOnlySpan<double> w, ReadOnlySpan<double> b, bool oneVsRest, Span<double> probabilities, int stride, Span<double> sums)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int classes = b.Length, rows = labels.Length, kd = classes * columns;
        bool moments = !sums.IsEmpty;
        sums.Clear();
        double[] scratch = SoftmaxLossGradient.Scratch(classes);
        Span<double> z = scratch.AsSpan(0, classes * BlockRows); // class-major: z[k·B + r]
        double[] squares = moments ? Squares(columns) : [];
        TV tailMask = W.LastLanesMask(columns % W.Count);
        ref T x0 = ref MemoryMarshal.GetReference(features);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        for (int start = 0; start < rows; start += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - start);
            ref T block = ref Unsafe.Add(ref x0, (nint)start * columns);
            SoftmaxLossGradient.Scores<T, TV, W>(ref block, columns, count, rows - start, ref w0, b, tailMask, z);
            Probabilities<TV, W>(z, classes, count, oneVsRest);
            for (int k = 0; k < classes; k++)
            {
                z.Slice(k * BlockRows, count).CopyTo(probabilities.Slice((k * stride) + start, count));
            }

            if (!moments)
            {
                continue;
            }

            // cᵢₖ = sᵢcw(yᵢ)·pᵢₖ(1 − pᵢₖ) in place of the probabilities; then Σc, Σcx, Σcx².
            SoftmaxLossGradient.RowLabels(labels, weights, start, count, classWeights, scratch, classes, out Span<double> rowWeight, out _);
            for (int k = 0; k < classes; k++)
            {
                Span<double> zk = z.Slice(k * BlockRows, count);
                double sum = 0;
                for (int r = 0; r < count; r++)
                {
                    sum += zk[r] = rowWeight[r] * (zk[r] * (1 - zk[r]));
                }

                sums[k] += sum;
            }

            ref double cx = ref sums[classes];
            ref double cx2 = ref sums[classes + kd];
            SoftmaxLossGradient.Accumulate<T, TV, W>(ref block, columns, count, z, classes, ref cx, tailMask);
            int group = SquareRowsFor(columns);
            for (int r = 0; r < count; r += group)
            {
                int n = Math.Min(group, count - r);
                Span<double> squared = squares.AsSpan(0, n * columns);
                FusedLossGradient.Widen<T, TV, W>(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref block, (nint)r * columns), n * columns), squared);
                Square<TV, W>(squared);
                SoftmaxLossGradient.Accumulate<double, TV, W>(ref squares[0], columns, n, z[r..], classes, ref cx2, tailMask);
            }
        }
    }

    /// <summary>
    /// In place over a block's class-major scores (rows [0, count) of each class, in whole registers: the lanes past
    /// count are scratch), the probabilities: the softmax with the row maximum subtracted (every exponent ≤ 0), or
    /// σ(z) = 1/(1 + e) for z ≥ 0 and e/(1 + e) below, e = e^(−|z|) — the kernels' own exponential, fully optimized from
    /// the first call (library calls here ran unoptimized code through a first fit).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Probabilities<TV, W>(Span<double> z, int classes, int count, bool oneVsRest)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int padded = (count + W.Count - 1) / W.Count * W.Count;
        ref double z0 = ref MemoryMarshal.GetReference(z);
        TV one = W.Create(1.0);
        for (int r = 0; r < padded; r += W.Count)
        {
            if (oneVsRest)
            {
                for (int k = 0; k < classes; k++)
                {
                    ref double at = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                    TV v = W.Load(ref at);
                    TV e = SimdMath.ExpNonPositive<TV, W>(W.Subtract(W.Zero, W.Abs(v)));
                    TV u = W.Add(one, e);
                    W.Store(W.Select(W.GreaterThanOrEqual(v, W.Zero), W.Divide(one, u), W.Divide(e, u)), ref at);
                }

                continue;
            }

            TV max = W.Load(ref Unsafe.Add(ref z0, r));
            for (int k = 1; k < classes; k++)
            {
                max = W.Max(max, W.Load(ref Unsafe.Add(ref z0, (k * BlockRows) + r)));
            }

            TV total = W.Zero;
            for (int k = 0; k < classes; k++)
            {
                ref double at = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                TV e = SimdMath.ExpNonPositive<TV, W>(W.Subtract(W.Load(ref at), max));
                W.Store(e, ref at);
                total = W.Add(total, e);
            }

            for (int k = 0; k < classes; k++)
            {
                ref double at = ref Unsafe.Add(ref z0, (k * BlockRows) + r);
                W.Store(W.Divide(W.Load(ref at), total), ref at);
            }
        }
    }

    /// <summary>x ← x² over the span, a register at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Square<TV, W>(Span<double> x)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref double x0 = ref MemoryMarshal.GetReference(x);
        int j = 0;
        for (; j + W.Count <= x.Length; j += W.Count)
        {
            TV v = W.Load(ref Unsafe.Add(ref x0, j));
            W.Store(W.Multiply(v, v), ref Unsafe.Add(ref x0, j));
        }

        for (; j < x.Length; j++)
        {
            Unsafe.Add(ref x0, j) *= Unsafe.Add(ref x0, j);
        }
    }

    /// <summary>Rows squared at a time: the whole block while its squares fit 256 KB (d ≤ 256), fewer for wider rows, at least four.</summary>
    private static int SquareRowsFor(int columns) => Math.Clamp((32 * 1024) / Math.Max(1, columns), 4, BlockRows);

    private static double[] Squares(int columns)
    {
        int needed = SquareRowsFor(columns) * Math.Max(1, columns);
        if (t_squares is null || t_squares.Length < needed)
        {
            t_squares = new double[needed];
        }

        return t_squares;
    }
}
