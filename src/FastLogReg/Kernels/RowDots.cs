using System.Runtime.CompilerServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// zₖ = xₖᵀw + b for a block of consecutive rows. Eight rows are register-blocked so that each load of w serves eight
/// rows and their eight horizontal sums collapse into one transposing reduction; a row's tail is one overlapping
/// register whose already-counted lanes are masked off through w. Every row accumulates in the same order whichever
/// path computes it, so a decision value is bit-identical alone or in a batch.
/// </summary>
internal static class RowDots
{
    /// <summary>Writes zₖ = xₖᵀw + bias for k in [0, <paramref name="rowCount"/>) into <paramref name="z"/>.</summary>
    /// <param name="firstRow">First feature of the first row; rows are <paramref name="columns"/> apart.</param>
    /// <param name="columns">Row length, at least <c>W.Count</c>.</param>
    /// <param name="rowCount">Rows in the block.</param>
    /// <param name="w">Weights, <paramref name="columns"/> doubles.</param>
    /// <param name="bias">Intercept b.</param>
    /// <param name="tailMask"><c>W.LastLanesMask(columns % W.Count)</c>.</param>
    /// <param name="z">Destination, <paramref name="rowCount"/> doubles.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute<T, TV, W>(ref T firstRow, int columns, int rowCount, ref double w, double bias, TV tailMask, ref double z)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        nint stride = columns;
        int k = 0;
        for (; k + 8 <= rowCount; k += 8)
        {
            Dot8<T, TV, W>(ref Unsafe.Add(ref firstRow, k * stride), stride, ref w, columns, tailMask, bias, ref Unsafe.Add(ref z, k));
        }

        for (; k < rowCount; k++)
        {
            Unsafe.Add(ref z, k) = Dot1<T, TV, W>(ref Unsafe.Add(ref firstRow, k * stride), ref w, columns, tailMask) + bias;
        }
    }

    /// <summary>x·w for one row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Dot1<T, TV, W>(ref T x, ref double w, int columns, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV a = W.Zero;
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            a = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x, j)), W.Load(ref Unsafe.Add(ref w, j)), a);
        }

        if (j != columns)
        {
            TV wt = W.And(W.Load(ref Unsafe.Add(ref w, last)), tailMask);
            a = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x, last)), wt, a);
        }

        return W.Sum(a);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Dot8<T, TV, W>(ref T x0, nint stride, ref double w, int columns, TV tailMask, double bias, ref double z)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref T x1 = ref Unsafe.Add(ref x0, stride);
        ref T x2 = ref Unsafe.Add(ref x1, stride);
        ref T x3 = ref Unsafe.Add(ref x2, stride);
        ref T x4 = ref Unsafe.Add(ref x3, stride);
        ref T x5 = ref Unsafe.Add(ref x4, stride);
        ref T x6 = ref Unsafe.Add(ref x5, stride);
        ref T x7 = ref Unsafe.Add(ref x6, stride);
        TV a0 = W.Zero, a1 = W.Zero, a2 = W.Zero, a3 = W.Zero, a4 = W.Zero, a5 = W.Zero, a6 = W.Zero, a7 = W.Zero;
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            TV wv = W.Load(ref Unsafe.Add(ref w, j));
            a0 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x0, j)), wv, a0);
            a1 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x1, j)), wv, a1);
            a2 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x2, j)), wv, a2);
            a3 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x3, j)), wv, a3);
            a4 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x4, j)), wv, a4);
            a5 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x5, j)), wv, a5);
            a6 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x6, j)), wv, a6);
            a7 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x7, j)), wv, a7);
        }

        if (j != columns)
        {
            // Overlapping tail: the lanes already counted above are zeroed in w by the mask.
            TV wv = W.And(W.Load(ref Unsafe.Add(ref w, last)), tailMask);
            a0 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x0, last)), wv, a0);
            a1 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x1, last)), wv, a1);
            a2 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x2, last)), wv, a2);
            a3 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x3, last)), wv, a3);
            a4 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x4, last)), wv, a4);
            a5 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x5, last)), wv, a5);
            a6 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x6, last)), wv, a6);
            a7 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x7, last)), wv, a7);
        }

        W.Sum8(a0, a1, a2, a3, a4, a5, a6, a7, bias, ref z);
    }
}
