using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// The weighted column moments of a range of dense rows around a shift — sumⱼ += s·(xⱼ − shiftⱼ)/unitⱼ and
/// squaresⱼ += s·((xⱼ − shiftⱼ)/unitⱼ)² — what <see cref="Objective.FeatureScaling"/> and <c>Solver.Auto</c>'s column
/// checks read. One vector loop per row over the columns (each column's sums still take the rows in order, one
/// multiply and one add each: the same bits at every SIMD width and thread count); per-row library calls cost ~5× more
/// than the pass over 20,000 × 100 floats.
/// </summary>
internal static class ColumnMoments
{
    /// <summary>Adds the moments of <paramref name="rows"/> (row-major, <paramref name="columns"/> wide) to <paramref name="sum"/> and <paramref name="squares"/>.</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="columns">d.</param>
    /// <param name="weights">One weight per row, or empty for weight 1.</param>
    /// <param name="shift">The values the moments are taken around.</param>
    /// <param name="unit">Per-column divisors, or null.</param>
    /// <param name="sum">Σ s·v per column (added to).</param>
    /// <param name="squares">Σ s·v² per column (added to).</param>
    /// <param name="largest">max |v| per column (a maximum with what it holds), or empty to skip.</param>
    public static void Accumulate<T>(ReadOnlySpan<T> rows, int columns, ReadOnlySpan<T> weights, ReadOnlySpan<double> shift, double[]? unit, Span<double> sum, Span<double> squares, Span<double> largest = default)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        switch (SimdWidthSelector.For(columns))
        {
            case SimdWidth.Vector512: Accumulate<T, Vector512<double>, Simd512>(rows, columns, weights, shift, unit, sum, squares, largest); break;
            case SimdWidth.Vector256: Accumulate<T, Vector256<double>, Simd256>(rows, columns, weights, shift, unit, sum, squares, largest); break;
            case SimdWidth.Vector128: Accumulate<T, Vector128<double>, Simd128>(rows, columns, weights, shift, unit, sum, squares, largest); break;
            default: Accumulate<T, double, SimdScalar>(rows, columns, weights, shift, unit, sum, squares, largest); break;
        }
    }

    /// <summary>max |xᵢⱼ − shiftⱼ| over <paramref name="rows"/> per column, a maximum with what <paramref name="largest"/> holds (exact: any order gives the same values).</summary>
    public static void LargestDeviations<T>(ReadOnlySpan<T> rows, int columns, ReadOnlySpan<double> shift, Span<double> largest)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
    {
        switch (SimdWidthSelector.For(columns))
        {
            case SimdWidth.Vector512: LargestDeviations<T, Vector512<double>, Simd512>(rows, columns, shift, largest); break;
            case SimdWidth.Vector256: LargestDeviations<T, Vector256<double>, Simd256>(rows, columns, shift, largest); break;
            case SimdWidth.Vector128: LargestDeviations<T, Vector128<double>, Simd128>(rows, columns, shift, largest); break;
            default: LargestDeviations<T, double, SimdScalar>(rows, columns, shift, largest); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LargestDeviations<T, TV, W>(ReadOnlySpan<T> rows, int columns, ReadOnlySpan<double> shift, Span<double> largest)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int count = columns == 0 ? 0 : rows.Length / columns;
        ref double shift0 = ref MemoryMarshal.GetReference(shift), largest0 = ref MemoryMarshal.GetReference(largest);
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<T> row = rows.Slice(i * columns, columns);
            ref T x0 = ref MemoryMarshal.GetReference(row);
            int j = 0;
            for (; j <= columns - W.Count; j += W.Count)
            {
                TV v = W.Subtract(W.LoadWidened(ref Unsafe.Add(ref x0, j)), W.Load(ref Unsafe.Add(ref shift0, j)));
                ref double m = ref Unsafe.Add(ref largest0, j);
                W.Store(W.Max(W.Abs(v), W.Load(ref m)), ref m);
            }

            for (; j < columns; j++)
            {
                double v = Math.Abs(double.CreateTruncating(row[j]) - shift[j]);
                if (!(v <= largest[j]))
                {
                    largest[j] = v;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Accumulate<T, TV, W>(ReadOnlySpan<T> rows, int columns, ReadOnlySpan<T> weights, ReadOnlySpan<double> shift, double[]? unit, Span<double> sum, Span<double> squares, Span<double> largest)
        where T : unmanaged, System.Numerics.IFloatingPointIeee754<T>
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int count = columns == 0 ? 0 : rows.Length / columns;
        ref double shift0 = ref MemoryMarshal.GetReference(shift), sum0 = ref MemoryMarshal.GetReference(sum), squares0 = ref MemoryMarshal.GetReference(squares);
        ref double largest0 = ref MemoryMarshal.GetReference(largest);
        bool track = !largest.IsEmpty;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<T> row = rows.Slice(i * columns, columns);
            ref T x0 = ref MemoryMarshal.GetReference(row);
            double weight = weights.IsEmpty ? 1.0 : double.CreateTruncating(weights[i]);
            TV w = W.Create(weight);
            int j = 0;
            for (; j <= columns - W.Count; j += W.Count)
            {
                TV v = W.Subtract(W.LoadWidened(ref Unsafe.Add(ref x0, j)), W.Load(ref Unsafe.Add(ref shift0, j)));
                if (unit is not null)
                {
                    v = W.Divide(v, W.Load(ref unit[j]));
                }

                ref double s = ref Unsafe.Add(ref sum0, j);
                ref double q = ref Unsafe.Add(ref squares0, j);
                W.Store(W.Add(W.Multiply(v, w), W.Load(ref s)), ref s);
                W.Store(W.Add(W.Multiply(W.Multiply(v, v), w), W.Load(ref q)), ref q);
                if (track)
                {
                    ref double m = ref Unsafe.Add(ref largest0, j);
                    W.Store(W.Max(W.Abs(v), W.Load(ref m)), ref m);
                }
            }

            for (; j < columns; j++)
            {
                double v = double.CreateTruncating(row[j]) - shift[j];
                if (unit is not null)
                {
                    v /= unit[j];
                }

                sum[j] = (v * weight) + sum[j];
                squares[j] = (v * v * weight) + squares[j];
                if (track && !(Math.Abs(v) <= largest[j]))
                {
                    largest[j] = Math.Abs(v);
                }
            }
        }
    }
}
