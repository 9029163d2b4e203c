using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Internal;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// The fused pass of <see cref="FusedLossGradient"/> over sparse rows, zᵢ = Σₖ vₖ·w[jₖ] + b over the row's non-zeros:
/// ℓ = Σᵢ sᵢ·(softplus(zᵢ) − yᵢzᵢ),  gb = Σᵢ sᵢ·(σ(zᵢ) − yᵢ),  g[jₖ] += sᵢ·(σ(zᵢ) − yᵢ)·vₖ.
/// </summary>
/// <remarks>
/// Rows go in blocks of up to 256: the sparse dot products gather from w, σ and the loss run across the block's rows in
/// SIMD registers (<see cref="LogisticResiduals"/>, the dense kernel's own code), and the gradient is scattered into g
/// while the block's non-zeros are still in cache — one pass over the values and indices. All sums are in double, in
/// an order fixed by the rows alone.
/// </remarks>
internal static class SparseLossGradient
{
    /// <summary>Rows per block.</summary>
    public const int BlockRows = FusedLossGradient.MaxBlockRows;

    /// <summary>Runs the pass over the rows of <paramref name="labels"/>, whose non-zeros are <paramref name="block"/>.</summary>
    /// <param name="block">The rows' column indices and values, row after row.</param>
    /// <param name="rowOffsets">rows + 1 offsets of the rows, relative to any origin (only differences are used).</param>
    /// <param name="labels">The rows' labels (0/1).</param>
    /// <param name="weights">The rows' sample weights, or empty.</param>
    /// <param name="classWeight0">Weight of class 0 rows.</param>
    /// <param name="classWeight1">Weight of class 1 rows.</param>
    /// <param name="w">Weights (all columns).</param>
    /// <param name="b">Intercept.</param>
    /// <param name="gradient">Receives g (overwritten; all columns).</param>
    /// <param name="loss">Receives ℓ.</param>
    /// <param name="residualSum">Receives gb.</param>
    /// <param name="rowResiduals">
    /// When not empty, receives each row's sᵢ·(σ(zᵢ) − yᵢ) (one per row) instead of the scatter into
    /// <paramref name="gradient"/>, which is then left untouched (the gradient is taken column by column later).
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T, TV, W>(
        scoped SparseBlock<T> block,
        ReadOnlySpan<long> rowOffsets,
        ReadOnlySpan<T> labels,
        ReadOnlySpan<T> weights,
        double classWeight0,
        double classWeight1,
        ReadOnlySpan<double> w,
        double b,
        Span<double> gradient,
        out double loss,
        out double residualSum,
        Span<double> rowResiduals = default)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        Span<double> z = CacheLineAligned.Within(stackalloc double[BlockRows + 7], BlockRows);
        Span<double> y = CacheLineAligned.Within(stackalloc double[BlockRows + 7], BlockRows);
        Span<double> s = CacheLineAligned.Within(stackalloc double[BlockRows + 7], BlockRows);
        bool scatter = rowResiduals.IsEmpty;
        if (scatter)
        {
            gradient.Clear();
        }

        TV lossSum = W.Zero;
        TV rSum = W.Zero;
        bool sampleWeighted = !weights.IsEmpty;
        bool classWeighted = classWeight0 != 1.0 || classWeight1 != 1.0;
        bool weighted = sampleWeighted || classWeighted;
        int rows = labels.Length;
        ref int j0 = ref MemoryMarshal.GetReference(block.Indices);
        ref T v0 = ref MemoryMarshal.GetReference(block.Values);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        ref double g0 = ref MemoryMarshal.GetReference(gradient);
        long origin = rowOffsets[0];
        int blockRows = RowsPerBlock(rows, rowOffsets[rows] - origin);

        for (int start = 0; start < rows; start += blockRows)
        {
            int count = Math.Min(blockRows, rows - start);
            for (int r = 0; r < count; r++)
            {
                int first = (int)(rowOffsets[start + r] - origin);
                int length = (int)(rowOffsets[start + r + 1] - origin) - first;
                z[r] = Dot(ref Unsafe.Add(ref j0, first), ref Unsafe.Add(ref v0, first), length, ref w0) + b;
            }

            int padded = (count + W.Count - 1) / W.Count * W.Count;
            FusedLossGradient.Widen<T, TV, W>(labels.Slice(start, count), y);
            if (weighted)
            {
                if (sampleWeighted)
                {
                    FusedLossGradient.Widen<T, TV, W>(weights.Slice(start, count), s);
                }
                else
                {
                    s[..count].Fill(1.0);
                }

                y[count..padded].Clear();
                s[count..padded].Clear();
                z[count..padded].Clear();
            }
            else
            {
                y[count..padded].Fill(1.0);
                z[count..padded].Fill(LogisticResiduals.PaddingMargin);
            }

            LogisticResiduals.Compute<TV, W>(ref MemoryMarshal.GetReference(z), ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(s), weighted, classWeighted, classWeight0, classWeight1, padded, ref lossSum, ref rSum);

            if (!scatter)
            {
                z[..count].CopyTo(rowResiduals.Slice(start, count));
                continue;
            }

            for (int r = 0; r < count; r++)
            {
                int first = (int)(rowOffsets[start + r] - origin);
                int length = (int)(rowOffsets[start + r + 1] - origin) - first;
                Scatter(ref Unsafe.Add(ref j0, first), ref Unsafe.Add(ref v0, first), length, z[r], ref g0);
            }
        }

        loss = W.Sum(lossSum);
        residualSum = W.Sum(rSum);
    }

    /// <summary>
    /// Rows per block: up to <see cref="BlockRows"/>, fewer where rows are long, so that a block's non-zeros (about
    /// <see cref="BlockNonZeros"/>) are still in L2 when the scatter reads them again. A multiple of 8, so every row keeps
    /// its SIMD lane in the residual sums (the bits do not depend on it).
    /// </summary>
    internal static int RowsPerBlock(int rows, long nonZeros) =>
        nonZeros <= (long)BlockNonZeros * rows / BlockRows ? BlockRows
        : (int)Math.Clamp(BlockNonZeros * (long)rows / nonZeros, 8, BlockRows) & ~7;

    /// <summary>The non-zeros a block aims at: 16,384 indices and values (128–192 KB).</summary>
    internal const int BlockNonZeros = 16_384;

    /// <summary>Σₖ vₖ·w[jₖ] over one row, as four interleaved partial sums added pairwise (shorter dependency chains).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot<T>(ref int j, ref T v, int length, ref double w)
        where T : unmanaged
    {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int k = 0;
        for (; k + 4 <= length; k += 4)
        {
            a0 += FusedLossGradient.ToDouble(Unsafe.Add(ref v, k)) * Unsafe.Add(ref w, Unsafe.Add(ref j, k));
            a1 += FusedLossGradient.ToDouble(Unsafe.Add(ref v, k + 1)) * Unsafe.Add(ref w, Unsafe.Add(ref j, k + 1));
            a2 += FusedLossGradient.ToDouble(Unsafe.Add(ref v, k + 2)) * Unsafe.Add(ref w, Unsafe.Add(ref j, k + 2));
            a3 += FusedLossGradient.ToDouble(Unsafe.Add(ref v, k + 3)) * Unsafe.Add(ref w, Unsafe.Add(ref j, k + 3));
        }

        for (; k < length; k++)
        {
            a0 += FusedLossGradient.ToDouble(Unsafe.Add(ref v, k)) * Unsafe.Add(ref w, Unsafe.Add(ref j, k));
        }

        return (a0 + a1) + (a2 + a3);
    }

    /// <summary>g[jₖ] += r·vₖ over one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Scatter<T>(ref int j, ref T v, int length, double r, ref double g)
        where T : unmanaged
    {
        for (int k = 0; k < length; k++)
        {
            Unsafe.Add(ref g, Unsafe.Add(ref j, k)) += r * FusedLossGradient.ToDouble(Unsafe.Add(ref v, k));
        }
    }
}

/// <summary>The non-zeros of a run of sparse rows, as the kernels take them (the Data layer's <c>SparseRow</c> without its public face).</summary>
internal readonly ref struct SparseBlock<T>(ReadOnlySpan<int> indices, ReadOnlySpan<T> values)
    where T : unmanaged
{
    public ReadOnlySpan<int> Indices { get; } = indices;

    public ReadOnlySpan<T> Values { get; } = values;
}
