using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// The Gauss-Newton (here exact) Hessian of the binomial loss applied to a direction, over a run of dense rows:
/// <code>
/// tᵢ = cᵢ·(xᵢᵀu + u_b),   q = Σᵢ tᵢ·xᵢ,   q_b = Σᵢ tᵢ        (cᵢ = sᵢ·σ(zᵢ)(1 − σ(zᵢ)), cached per row)
/// </code>
/// i.e. (X̂ᵀ C X̂)·(u, u_b) for X̂ = [X 1]. Blocked like the gradient kernel: the dots of a block's rows
/// (<see cref="RowDots"/>, eight rows per load of u), then the accumulation (<see cref="GradientAccumulation"/>, eight
/// rows per load and store of q) while the block is still in cache — one pass over X per product. Sums in double, in an
/// order fixed by the rows alone.
/// </summary>
internal static class HessianVectorProduct
{
    [ThreadStatic]
    private static double[]? t_scratch;

    /// <summary>Runs the product over <paramref name="rows"/> (row-major, <paramref name="columns"/> wide).</summary>
    /// <param name="rows">The rows.</param>
    /// <param name="columns">d.</param>
    /// <param name="blockRows">Rows per cache block.</param>
    /// <param name="u">The direction's weights (d values).</param>
    /// <param name="ub">The direction's intercept component.</param>
    /// <param name="curvature">cᵢ for the rows.</param>
    /// <param name="product">Receives q (d values, overwritten).</param>
    /// <returns>q_b.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Run<T, TV, W>(ReadOnlySpan<T> rows, int columns, int blockRows, ReadOnlySpan<double> u, double ub, ReadOnlySpan<double> curvature, Span<double> product)
        where T : unmanaged
        where TV : struct
        where W : ISimdDouble<TV>
    {
        product.Clear();
        int count = curvature.Length;
        double[] scratch = t_scratch is { } s && s.Length >= blockRows ? s : (t_scratch = new double[blockRows]);
        TV tailMask = W.LastLanesMask(columns % W.Count);
        ref T x0 = ref MemoryMarshal.GetReference(rows);
        ref double u0 = ref MemoryMarshal.GetReference(u);
        ref double q0 = ref MemoryMarshal.GetReference(product);
        ref double t0 = ref MemoryMarshal.GetArrayDataReference(scratch);
        double sum = 0;
        for (int start = 0; start < count; start += blockRows)
        {
            int n = Math.Min(blockRows, count - start);
            ref T block = ref Unsafe.Add(ref x0, (nint)start * columns);
            Span<double> t = scratch.AsSpan(0, n);
            RowDots.Compute<T, TV, W>(ref block, columns, n, ref u0, ub, tailMask, ref t0);
            TensorPrimitives.Multiply(t, curvature.Slice(start, n), t);
            sum += TensorPrimitives.Sum<double>(t);
            GradientAccumulation.Accumulate<T, TV, W>(ref block, columns, n, ref t0, ref q0, tailMask);
        }

        return sum;
    }
}
