using System.Runtime.CompilerServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// g += Σₖ rₖ·xₖ over a block of consecutive rows. Eight rows are register-blocked so that each load and store of g
/// serves eight rows; a row's tail is one overlapping register masked so that already-counted lanes receive zero.
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
        for (; k + 8 <= rowCount; k += 8)
        {
            Accumulate8<T, TV, W>(ref Unsafe.Add(ref firstRow, k * stride), stride, ref Unsafe.Add(ref r, k), ref g, columns, tailMask);
        }

        for (; k < rowCount; k++)
        {
            Accumulate1<T, TV, W>(ref Unsafe.Add(ref firstRow, k * stride), Unsafe.Add(ref r, k), ref g, columns, tailMask);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Accumulate8<T, TV, W>(ref T x0, nint stride, ref double r, ref double g, int columns, TV tailMask)
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
        TV c0 = W.Create(r), c1 = W.Create(Unsafe.Add(ref r, 1)), c2 = W.Create(Unsafe.Add(ref r, 2)), c3 = W.Create(Unsafe.Add(ref r, 3));
        TV c4 = W.Create(Unsafe.Add(ref r, 4)), c5 = W.Create(Unsafe.Add(ref r, 5)), c6 = W.Create(Unsafe.Add(ref r, 6)), c7 = W.Create(Unsafe.Add(ref r, 7));
        int last = columns - W.Count;
        int j = 0;
        for (; j <= last; j += W.Count)
        {
            ref double gj = ref Unsafe.Add(ref g, j);
            W.Store(W.Add(W.Load(ref gj), Combine<T, TV, W>(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, j, c0, c1, c2, c3, c4, c5, c6, c7)), ref gj);
        }

        if (j != columns)
        {
            ref double gl = ref Unsafe.Add(ref g, last);
            TV s = Combine<T, TV, W>(ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7, last, c0, c1, c2, c3, c4, c5, c6, c7);
            W.Store(W.Add(W.Load(ref gl), W.And(s, tailMask)), ref gl);
        }
    }

    /// <summary>Σₖ cₖ·xₖ[j..j+Count) over eight rows, as two independent chains of four (shorter dependency chains).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Combine<T, TV, W>(
        ref T x0, ref T x1, ref T x2, ref T x3, ref T x4, ref T x5, ref T x6, ref T x7, int j,
        TV c0, TV c1, TV c2, TV c3, TV c4, TV c5, TV c6, TV c7)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV s = W.Multiply(W.LoadWidened(ref Unsafe.Add(ref x0, j)), c0);
        TV t = W.Multiply(W.LoadWidened(ref Unsafe.Add(ref x4, j)), c4);
        s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x1, j)), c1, s);
        t = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x5, j)), c5, t);
        s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x2, j)), c2, s);
        t = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x6, j)), c6, t);
        s = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x3, j)), c3, s);
        t = W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x7, j)), c7, t);
        return W.Add(s, t);
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
            W.Store(W.MultiplyAdd(W.LoadWidened(ref Unsafe.Add(ref x, j)), c, W.Load(ref gj)), ref gj);
        }

        if (j != columns)
        {
            ref double gl = ref Unsafe.Add(ref g, last);
            TV s = W.Multiply(W.LoadWidened(ref Unsafe.Add(ref x, last)), c);
            W.Store(W.Add(W.Load(ref gl), W.And(s, tailMask)), ref gl);
        }
    }
}
