using System.Runtime.CompilerServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// g += Σₖ rₖ·xₖ over a block of consecutive rows. Four rows are register-blocked so that each load and store of g
/// serves four rows; the row tail is one overlapping register masked so that counted lanes receive zero.
/// </summary>
internal static class GradientAccumulation
{
    /// <summary>g += Σₖ rₖ·xₖ for k in [0, <paramref name="rowCount"/>).</summary>
    /// <param name="firstRow">First feature of the first row; rows are <paramref name="columns"/> apart.</param>
    /// <param name="columns">Row length, at least <c>W.Count</c>.</param>
    /// <param name="rowCount">Rows in the block.</param>
    /// <param name="r">Per-row coefficients rₖ, <paramref name="rowCount"/> doubles.</param>
    /// <param name="g">Accumulator, <paramref name="columns"/> doubles.</param>
    /// <param name="tailMask"><c>W.LastLanesMask(columns % W.Count)</c>.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Accumulate<T, TV, W>(ref T firstRow, int columns, int rowCount, ref double r, ref double g, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        nint stride = columns;
        int k = 0;
        for (; k + 4 <= rowCount; k += 4)
        {
            ref double rk = ref Unsafe.Add(ref r, k);
            Accumulate4<T, TV, W>(ref Unsafe.Add(ref firstRow, k * stride), stride, rk, Unsafe.Add(ref rk, 1), Unsafe.Add(ref rk, 2), Unsafe.Add(ref rk, 3), ref g, columns, tailMask);
        }

        for (; k < rowCount; k++)
        {
            Accumulate1<T, TV, W>(ref Unsafe.Add(ref firstRow, k * stride), Unsafe.Add(ref r, k), ref g, columns, tailMask);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate4<T, TV, W>(ref T x0, nint stride, double r0, double r1, double r2, double r3, ref double g, int columns, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref T x1 = ref Unsafe.Add(ref x0, stride);
        ref T x2 = ref Unsafe.Add(ref x1, stride);
        ref T x3 = ref Unsafe.Add(ref x2, stride);
        TV c0 = W.Create(r0), c1 = W.Create(r1), c2 = W.Create(r2), c3 = W.Create(r3);
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            ref double gj = ref Unsafe.Add(ref g, j);
            TV s = W.Multiply(W.LoadWidened(ref Unsafe.Add(ref x0, j)), c0);
            s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x1, j)), c1, s);
            s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x2, j)), c2, s);
            s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x3, j)), c3, s);
            W.Store(W.Add(W.Load(ref gj), s), ref gj);
        }

        if (j != columns)
        {
            ref double gl = ref Unsafe.Add(ref g, last);
            TV s = W.Multiply(W.LoadWidened(ref Unsafe.Add(ref x0, last)), c0);
            s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x1, last)), c1, s);
            s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x2, last)), c2, s);
            s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x3, last)), c3, s);
            W.Store(W.Add(W.Load(ref gl), W.And(s, tailMask)), ref gl);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate1<T, TV, W>(ref T x, double r, ref double g, int columns, TV tailMask)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV c = W.Create(r);
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            ref double gj = ref Unsafe.Add(ref g, j);
            W.Store(W.Add(W.Load(ref gj), W.Multiply(W.LoadWidened(ref Unsafe.Add(ref x, j)), c)), ref gj);
        }

        if (j != columns)
        {
            ref double gl = ref Unsafe.Add(ref g, last);
            TV s = W.Multiply(W.LoadWidened(ref Unsafe.Add(ref x, last)), c);
            W.Store(W.Add(W.Load(ref gl), W.And(s, tailMask)), ref gl);
        }
    }
}
