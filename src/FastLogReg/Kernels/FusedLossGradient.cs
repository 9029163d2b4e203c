using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using FastLogReg.Internal;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// One pass over a range of rows, zᵢ = wᵀxᵢ + b, with row weight sᵢ (sample weight × class weight, default 1):
/// ℓ = Σᵢ sᵢ·(softplus(zᵢ) − yᵢzᵢ),  gb = Σᵢ sᵢ·(σ(zᵢ) − yᵢ),  g = Σᵢ sᵢ·(σ(zᵢ) − yᵢ)·xᵢ.
/// </summary>
/// <remarks>
/// Rows go in blocks small enough to stay in L1/L2: the dot products stream the block from memory, σ and the loss are
/// computed across the block's rows in SIMD registers, and the gradient sweep re-reads the block from cache — so the
/// features are read from memory once per pass. All sums are in double, in an order fixed by the range and block size.
/// </remarks>
internal static class FusedLossGradient
{
    /// <summary>Largest block, in rows (a multiple of every lane count).</summary>
    public const int MaxBlockRows = 256;

    /// <summary>Bytes of features per block: the block must still be in cache for the gradient sweep.</summary>
    private const int BlockBytes = 16 * 1024;

    /// <summary>
    /// Above this many bytes of features the data is not cache-resident, and the dot pass would otherwise wait on memory
    /// that sat idle while the previous block's σ and gradient ran. Measured on the reference machine (AMD family 26,
    /// 2 cores): prefetching the next block costs 13% at 8 MB (cache-resident) and gains 11–23% from 16 MB upwards.
    /// </summary>
    public const long PrefetchThresholdBytes = 14L << 20;

    /// <summary>Whether a data set of this many feature bytes should prefetch the next block (x86 only).</summary>
    public static bool ShouldPrefetch(long featureBytes) => Sse.IsSupported && featureBytes > PrefetchThresholdBytes;

    /// <summary>Rows per block for a row length: ~16 KiB of features, a multiple of 8 rows, at most <see cref="MaxBlockRows"/>.</summary>
    public static int BlockRows(int columns, int elementSize)
    {
        long rows = BlockBytes / ((long)columns * elementSize);
        return (int)Math.Clamp(rows / 8 * 8, 8, MaxBlockRows);
    }

    /// <summary>Runs the pass over the rows of <paramref name="features"/> (row-major, <paramref name="columns"/> wide).</summary>
    /// <param name="features">The range's features.</param>
    /// <param name="labels">The range's labels (0/1).</param>
    /// <param name="weights">The range's sample weights, or empty for unit weights.</param>
    /// <param name="classWeight0">Weight multiplying every row of class 0 (1 for none).</param>
    /// <param name="classWeight1">Weight multiplying every row of class 1 (1 for none).</param>
    /// <param name="columns">Row length, at least <c>W.Count</c>.</param>
    /// <param name="blockRows">From <see cref="BlockRows"/>.</param>
    /// <param name="prefetchNextBlock">From <see cref="ShouldPrefetch"/>.</param>
    /// <param name="w">Weights (columns doubles).</param>
    /// <param name="b">Intercept.</param>
    /// <param name="gradient">Receives g (overwritten).</param>
    /// <param name="loss">Receives ℓ.</param>
    /// <param name="residualSum">Receives gb.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run<T, TV, W>(
        ReadOnlySpan<T> features,
        ReadOnlySpan<T> labels,
        ReadOnlySpan<T> weights,
        double classWeight0,
        double classWeight1,
        int columns,
        int blockRows,
        bool prefetchNextBlock,
        ReadOnlySpan<double> w,
        double b,
        Span<double> gradient,
        out double loss,
        out double residualSum)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        // Full-register stores and loads of z, y and s: start them on a cache line.
        Span<double> z = CacheLineAligned.Within(stackalloc double[MaxBlockRows + 7], MaxBlockRows);
        Span<double> y = CacheLineAligned.Within(stackalloc double[MaxBlockRows + 7], MaxBlockRows);
        Span<double> s = CacheLineAligned.Within(stackalloc double[MaxBlockRows + 7], MaxBlockRows);
        gradient.Clear();

        TV tailMask = W.LastLanesMask(columns % W.Count);
        TV lossSum = W.Zero;
        TV rSum = W.Zero;
        ref T x = ref MemoryMarshal.GetReference(features);
        ref double w0 = ref MemoryMarshal.GetReference(w);
        ref double g0 = ref MemoryMarshal.GetReference(gradient);
        ref double z0 = ref MemoryMarshal.GetReference(z);
        bool sampleWeighted = !weights.IsEmpty;
        bool classWeighted = classWeight0 != 1.0 || classWeight1 != 1.0;
        bool weighted = sampleWeighted || classWeighted;
        int rows = labels.Length;

        for (int start = 0; start < rows; start += blockRows)
        {
            int count = Math.Min(blockRows, rows - start);
            ref T block = ref Unsafe.Add(ref x, (nint)start * columns);

            Dots<T, TV, W>(ref block, columns, count, ref w0, b, tailMask, ref z0);

            int padded = (count + W.Count - 1) / W.Count * W.Count;
            Widen<T, TV, W>(labels.Slice(start, count), y);
            if (weighted)
            {
                if (sampleWeighted)
                {
                    Widen<T, TV, W>(weights.Slice(start, count), s);
                }
                else
                {
                    s[..count].Fill(1.0);
                }

                if (padded != count)
                {
                    y[count..padded].Clear();
                    s[count..padded].Clear();
                    z[count..padded].Clear();
                }
            }
            else if (padded != count)
            {
                // Only the last block can be short; a call here would also spill every vector register.
                y[count..padded].Fill(1.0);
                z[count..padded].Fill(LogisticResiduals.PaddingMargin);
            }

            Residuals<TV, W>(ref z0, ref MemoryMarshal.GetReference(y), ref MemoryMarshal.GetReference(s), weighted, classWeighted, classWeight0, classWeight1, padded, ref lossSum, ref rSum);

            if (prefetchNextBlock && start + blockRows < rows)
            {
                // While this block's σ and gradient run from cache, have memory fetch the next one.
                PrefetchRows(ref Unsafe.Add(ref block, (nint)blockRows * columns), (long)Math.Min(blockRows, rows - start - blockRows) * columns);
            }

            Gradient<T, TV, W>(ref block, columns, count, ref z0, ref g0, tailMask);
        }

        loss = W.Sum(lossSum);
        residualSum = W.Sum(rSum);
    }

    // The pass's three stages, each compiled on its own, fully optimized, and called once per block of rows: inlined into
    // Run, the one large method took 19 ms to compile against 13 ms for the four apart — a third of the first fit's
    // compile time (issue 22; docs/performance.md) — at no measured cost per epoch. Other kernels inline the stages.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Dots<T, TV, W>(ref T firstRow, int columns, int rowCount, ref double w, double bias, TV tailMask, ref double z)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV> =>
        RowDots.Compute<T, TV, W>(ref firstRow, columns, rowCount, ref w, bias, tailMask, ref z);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Residuals<TV, W>(ref double z, ref double y, ref double s, bool weighted, bool classWeighted, double classWeight0, double classWeight1, int count, ref TV lossSum, ref TV residualSum)
        where TV : struct
        where W : ISimdDouble<TV> =>
        LogisticResiduals.Compute<TV, W>(ref z, ref y, ref s, weighted, classWeighted, classWeight0, classWeight1, count, ref lossSum, ref residualSum);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void Gradient<T, TV, W>(ref T firstRow, int columns, int rowCount, ref double r, ref double g, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV> =>
        GradientAccumulation.Accumulate<T, TV, W>(ref firstRow, columns, rowCount, ref r, ref g, tailMask);

    /// <summary>Prefetches the cache lines of <paramref name="count"/> elements into L1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void PrefetchRows<T>(ref T first, long count)
        where T : unmanaged
    {
        // Unpinned on purpose: a prefetch is only a hint and never faults, so an address made stale by a GC move is harmless.
        byte* p = (byte*)Unsafe.AsPointer(ref first);
        long bytes = count * sizeof(T);
        for (long offset = 0; offset < bytes; offset += 64)
        {
            Sse.Prefetch0(p + offset);
        }
    }

    /// <summary>destination[k] = (double)source[k], a register at a time.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Widen<T, TV, W>(ReadOnlySpan<T> source, Span<double> destination)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref T from = ref MemoryMarshal.GetReference(source);
        ref double to = ref MemoryMarshal.GetReference(destination);
        int k = 0;
        for (; k + W.Count <= source.Length; k += W.Count)
        {
            W.Store(W.LoadWidened(ref Unsafe.Add(ref from, k)), ref Unsafe.Add(ref to, k));
        }

        for (; k < source.Length; k++)
        {
            Unsafe.Add(ref to, k) = ToDouble(Unsafe.Add(ref from, k));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static double ToDouble<T>(T value) where T : unmanaged =>
        typeof(T) == typeof(float) ? Unsafe.As<T, float>(ref value) : Unsafe.As<T, double>(ref value);
}

