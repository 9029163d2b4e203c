using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// Σᵢ cᵢxᵢⱼ and Σᵢ cᵢxᵢⱼ² over dense rows (the diagonal of XᵀCX and its first moment, for Newton's preconditioner): each row
/// widened to double in registers and added into the two d-long sums (cache-resident), rows in order.
/// </summary>
internal static class WeightedMoments
{
    public static void Run<T, TV, W>(ReadOnlySpan<T> rows, int columns, ReadOnlySpan<double> c, Span<double> sumCx, Span<double> sumCx2)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int count = rows.Length / columns;
        ref T x0 = ref MemoryMarshal.GetReference(rows);
        ref double s1 = ref MemoryMarshal.GetReference(sumCx);
        ref double s2 = ref MemoryMarshal.GetReference(sumCx2);
        int vectorEnd = columns - (columns % W.Count);
        for (int i = 0; i < count; i++)
        {
            double ci = c[i];
            if (ci == 0)
            {
                continue;
            }

            ref T xi = ref Unsafe.Add(ref x0, (nint)i * columns);
            TV cv = W.Create(ci);
            int j = 0;
            for (; j < vectorEnd; j += W.Count)
            {
                TV x = W.LoadWidened(ref Unsafe.Add(ref xi, j));
                TV cx = W.Multiply(cv, x);
                W.Store(W.Add(W.Load(ref Unsafe.Add(ref s1, j)), cx), ref Unsafe.Add(ref s1, j));
                W.Store(W.MultiplyAdd(cx, x, W.Load(ref Unsafe.Add(ref s2, j))), ref Unsafe.Add(ref s2, j));
            }

            for (; j < columns; j++)
            {
                double x = SimdScalar.LoadWidened(ref Unsafe.Add(ref xi, j));
                double cx = ci * x;
                Unsafe.Add(ref s1, j) += cx;
                Unsafe.Add(ref s2, j) += cx * x;
            }
        }
    }
}
