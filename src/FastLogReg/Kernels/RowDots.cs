using System.Runtime.CompilerServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// zₖ = xₖᵀw + b for a block of consecutive rows. Four rows are register-blocked so that each load of w serves four
/// rows; the row tail is one overlapping register whose already-counted lanes are masked off through w.
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
        for (; k + 4 <= rowCount; k += 4)
        {
            ref T x0 = ref Unsafe.Add(ref firstRow, k * stride);
            Dot4<T, TV, W>(ref x0, stride, ref w, columns, tailMask, out double d0, out double d1, out double d2, out double d3);
            ref double zk = ref Unsafe.Add(ref z, k);
            zk = d0 + bias;
            Unsafe.Add(ref zk, 1) = d1 + bias;
            Unsafe.Add(ref zk, 2) = d2 + bias;
            Unsafe.Add(ref zk, 3) = d3 + bias;
        }

        for (; k < rowCount; k++)
        {
            Unsafe.Add(ref z, k) = Dot1<T, TV, W>(ref Unsafe.Add(ref firstRow, k * stride), ref w, columns, tailMask) + bias;
        }
    }

    /// <summary>
    /// x·w for one row, accumulated exactly as each row of the four-row path is, so that a row's decision value is
    /// bit-identical whether it is computed alone or in a batch.
    /// </summary>
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
    private static void Dot4<T, TV, W>(ref T x0, nint stride, ref double w, int columns, TV tailMask, out double d0, out double d1, out double d2, out double d3)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref T x1 = ref Unsafe.Add(ref x0, stride);
        ref T x2 = ref Unsafe.Add(ref x1, stride);
        ref T x3 = ref Unsafe.Add(ref x2, stride);
        TV a0 = W.Zero, a1 = W.Zero, a2 = W.Zero, a3 = W.Zero;
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            TV wv = W.Load(ref Unsafe.Add(ref w, j));
            a0 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x0, j)), wv, a0);
            a1 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x1, j)), wv, a1);
            a2 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x2, j)), wv, a2);
            a3 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x3, j)), wv, a3);
        }

        if (j != columns)
        {
            // Overlapping tail: lanes before `columns - W.Count + rem` were counted above; the mask zeroes them in w.
            TV wv = W.And(W.Load(ref Unsafe.Add(ref w, last)), tailMask);
            a0 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x0, last)), wv, a0);
            a1 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x1, last)), wv, a1);
            a2 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x2, last)), wv, a2);
            a3 = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x3, last)), wv, a3);
        }

        d0 = W.Sum(a0);
        d1 = W.Sum(a1);
        d2 = W.Sum(a2);
        d3 = W.Sum(a3);
    }
}
