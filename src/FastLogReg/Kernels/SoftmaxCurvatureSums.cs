using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// One pass over a range of dense rows for K classes at a point (W, b): each row's probabilities pᵢ = softmax(W xᵢ + b)
/// (K sigmoids for one-vs-rest), and — when asked — the sums behind the Hessian's diagonal, per class k with
/// cᵢₖ = sᵢcw(yᵢ)·pᵢₖ(1 − pᵢₖ): Σᵢ cᵢₖ, Σᵢ cᵢₖxᵢ and Σᵢ cᵢₖxᵢ² — what trust-region Newton needs at a new point, where K
/// margin passes and K weighted-moment passes read the rows 2K times (20,000 × 100 float, K = 10, one thread: 8.1 ms
/// against one evaluation's 1.4 ms).
/// </summary>
/// <remarks>
/// Blocks of <see cref="SoftmaxLossGradient.BlockRows"/> rows, scored as the evaluation scores them
/// (<see cref="SoftmaxLossGradient.Scores"/>); the softmax across the block's rows in vectors (the row maximum
/// subtracted before exponentiating); the two moment sums accumulated as the evaluation's gradient is
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
        Span<double> max = scratch.AsSpan((classes + 1) * BlockRows, BlockRows);
        Span<double> total = scratch.AsSpan((classes + 2) * BlockRows, BlockRows);
        double[] squares = moments ? Squares(columns) : [];
        TV tailMask = W.LastLanesMask(columns % W.Count);
        ref T x0 = ref MemoryMarshal.GetReference(features);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        for (int start = 0; start < rows; start += BlockRows)
        {
            int count = Math.Min(BlockRows, rows - start);
            ref T block = ref Unsafe.Add(ref x0, (nint)start * columns);
            SoftmaxLossGradient.Scores<T, TV, W>(ref block, columns, count, rows - start, ref w0, b, tailMask, z);
            if (oneVsRest)
            {
                for (int k = 0; k < classes; k++)
                {
                    TensorPrimitives.Sigmoid(z.Slice(k * BlockRows, count), z.Slice(k * BlockRows, count));
                }
            }
            else
            {
                Span<double> m = max[..count], s = total[..count];
                z[..count].CopyTo(m);
                for (int k = 1; k < classes; k++)
                {
                    TensorPrimitives.Max(m, z.Slice(k * BlockRows, count), m);
                }

                s.Clear();
                for (int k = 0; k < classes; k++)
                {
                    Span<double> zk = z.Slice(k * BlockRows, count);
                    TensorPrimitives.Subtract(zk, m, zk);
                    TensorPrimitives.Exp(zk, zk);
                    TensorPrimitives.Add(s, zk, s);
                }

                for (int k = 0; k < classes; k++)
                {
                    TensorPrimitives.Divide(z.Slice(k * BlockRows, count), s, z.Slice(k * BlockRows, count));
                }
            }

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
                for (int r = 0; r < count; r++)
                {
                    zk[r] = rowWeight[r] * (zk[r] * (1 - zk[r]));
                }

                sums[k] += TensorPrimitives.Sum<double>(zk);
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
                TensorPrimitives.Multiply(squared, squared, squared);
                SoftmaxLossGradient.Accumulate<double, TV, W>(ref squares[0], columns, n, z[r..], classes, ref cx2, tailMask);
            }
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
