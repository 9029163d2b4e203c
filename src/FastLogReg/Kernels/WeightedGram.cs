using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// The weighted Gram matrix G = Σᵢ cᵢ·x̂ᵢx̂ᵢᵀ (the Hessian of the binomial loss) over a block of rows held as doubles,
/// row-major with a padded stride, one panel of <see cref="PanelRows"/> rows of G at a time: the register tile is
/// 4 rows of G × 4 registers of columns, so each load of x̂ᵢ serves four rows and each broadcast four registers.
/// </summary>
/// <remarks>
/// Every entry is the same sum whatever computes it: G[j, k] += fma(cᵢ·x̂ᵢⱼ, x̂ᵢₖ, G[j, k]) for the rows in order, one
/// lane per entry, carried across blocks in memory. So the result depends neither on the tiling, nor on the block
/// size, nor on which thread owns which panel — only on the SIMD width's multiply-add (fused or not). Only the lower
/// triangle (k ≤ j, plus the rest of the panel's diagonal tile) is computed.
/// </remarks>
internal static class WeightedGram
{
    /// <summary>Rows of G per panel.</summary>
    public const int PanelRows = 4;

    /// <summary>
    /// The padded row length for d columns: d + 1 (the intercept's 1 at index d), rounded up to a multiple of 8, so a
    /// panel's columns are whole registers at every width.
    /// </summary>
    public static int Stride(int columns) => (columns + 1 + 7) & ~7;

    /// <summary>
    /// G[j₀ + t, k] += Σᵢ (cᵢ·x̂ᵢ,ⱼ₀₊ₜ)·x̂ᵢₖ for t &lt; 4, k &lt; j₀ + 4 (rounded up to a register), over the
    /// <paramref name="rows"/> rows of <paramref name="block"/>.
    /// </summary>
    /// <param name="block">rows × <paramref name="stride"/> doubles: x̂ᵢ, zero-padded.</param>
    /// <param name="rows">Rows in the block.</param>
    /// <param name="stride">The padded row length (<see cref="Stride"/>).</param>
    /// <param name="c">cᵢ per row.</param>
    /// <param name="panelStart">j₀, a multiple of 4.</param>
    /// <param name="gram">stride × stride doubles, row-major: the running sums.</param>
    /// <param name="scaled">Scratch for 4·rows doubles (cᵢ·x̂ᵢⱼ of the panel).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AddPanel<TV, W>(ReadOnlySpan<double> block, int rows, int stride, ReadOnlySpan<double> c, int panelStart, Span<double> gram, Span<double> scaled)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref double x0 = ref MemoryMarshal.GetReference(block);
        ref double cx = ref MemoryMarshal.GetReference(scaled);
        for (int i = 0; i < rows; i++)
        {
            ref double xi = ref Unsafe.Add(ref x0, ((nint)i * stride) + panelStart);
            double ci = c[i];
            Unsafe.Add(ref cx, 4 * i) = ci * xi;
            Unsafe.Add(ref cx, (4 * i) + 1) = ci * Unsafe.Add(ref xi, 1);
            Unsafe.Add(ref cx, (4 * i) + 2) = ci * Unsafe.Add(ref xi, 2);
            Unsafe.Add(ref cx, (4 * i) + 3) = ci * Unsafe.Add(ref xi, 3);
        }

        int n = W.Count;
        int end = ((panelStart + PanelRows + n - 1) / n) * n;
        ref double g = ref Unsafe.Add(ref MemoryMarshal.GetReference(gram), (nint)panelStart * stride);
        int k = 0;
        for (; k + (4 * n) <= end; k += 4 * n)
        {
            Tile4<TV, W>(ref Unsafe.Add(ref x0, k), rows, stride, ref cx, ref Unsafe.Add(ref g, k));
        }

        for (; k < end; k += n)
        {
            Tile1<TV, W>(ref Unsafe.Add(ref x0, k), rows, stride, ref cx, ref Unsafe.Add(ref g, k));
        }
    }

    /// <summary>Four rows of G × four registers of columns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile4<TV, W>(ref double x, int rows, int stride, ref double cx, ref double g)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int n = W.Count;
        ref double g1 = ref Unsafe.Add(ref g, stride);
        ref double g2 = ref Unsafe.Add(ref g, 2 * stride);
        ref double g3 = ref Unsafe.Add(ref g, 3 * stride);
        TV a00 = W.Load(ref g), a01 = W.Load(ref Unsafe.Add(ref g, n)), a02 = W.Load(ref Unsafe.Add(ref g, 2 * n)), a03 = W.Load(ref Unsafe.Add(ref g, 3 * n));
        TV a10 = W.Load(ref g1), a11 = W.Load(ref Unsafe.Add(ref g1, n)), a12 = W.Load(ref Unsafe.Add(ref g1, 2 * n)), a13 = W.Load(ref Unsafe.Add(ref g1, 3 * n));
        TV a20 = W.Load(ref g2), a21 = W.Load(ref Unsafe.Add(ref g2, n)), a22 = W.Load(ref Unsafe.Add(ref g2, 2 * n)), a23 = W.Load(ref Unsafe.Add(ref g2, 3 * n));
        TV a30 = W.Load(ref g3), a31 = W.Load(ref Unsafe.Add(ref g3, n)), a32 = W.Load(ref Unsafe.Add(ref g3, 2 * n)), a33 = W.Load(ref Unsafe.Add(ref g3, 3 * n));
        for (int i = 0; i < rows; i++)
        {
            ref double xi = ref Unsafe.Add(ref x, (nint)i * stride);
            TV x0 = W.Load(ref xi), x1 = W.Load(ref Unsafe.Add(ref xi, n)), x2 = W.Load(ref Unsafe.Add(ref xi, 2 * n)), x3 = W.Load(ref Unsafe.Add(ref xi, 3 * n));
            ref double s = ref Unsafe.Add(ref cx, 4 * i);
            TV c0 = W.Create(s);
            a00 = W.MultiplyAdd(c0, x0, a00);
            a01 = W.MultiplyAdd(c0, x1, a01);
            a02 = W.MultiplyAdd(c0, x2, a02);
            a03 = W.MultiplyAdd(c0, x3, a03);
            TV c1 = W.Create(Unsafe.Add(ref s, 1));
            a10 = W.MultiplyAdd(c1, x0, a10);
            a11 = W.MultiplyAdd(c1, x1, a11);
            a12 = W.MultiplyAdd(c1, x2, a12);
            a13 = W.MultiplyAdd(c1, x3, a13);
            TV c2 = W.Create(Unsafe.Add(ref s, 2));
            a20 = W.MultiplyAdd(c2, x0, a20);
            a21 = W.MultiplyAdd(c2, x1, a21);
            a22 = W.MultiplyAdd(c2, x2, a22);
            a23 = W.MultiplyAdd(c2, x3, a23);
            TV c3 = W.Create(Unsafe.Add(ref s, 3));
            a30 = W.MultiplyAdd(c3, x0, a30);
            a31 = W.MultiplyAdd(c3, x1, a31);
            a32 = W.MultiplyAdd(c3, x2, a32);
            a33 = W.MultiplyAdd(c3, x3, a33);
        }

        W.Store(a00, ref g);
        W.Store(a01, ref Unsafe.Add(ref g, n));
        W.Store(a02, ref Unsafe.Add(ref g, 2 * n));
        W.Store(a03, ref Unsafe.Add(ref g, 3 * n));
        W.Store(a10, ref g1);
        W.Store(a11, ref Unsafe.Add(ref g1, n));
        W.Store(a12, ref Unsafe.Add(ref g1, 2 * n));
        W.Store(a13, ref Unsafe.Add(ref g1, 3 * n));
        W.Store(a20, ref g2);
        W.Store(a21, ref Unsafe.Add(ref g2, n));
        W.Store(a22, ref Unsafe.Add(ref g2, 2 * n));
        W.Store(a23, ref Unsafe.Add(ref g2, 3 * n));
        W.Store(a30, ref g3);
        W.Store(a31, ref Unsafe.Add(ref g3, n));
        W.Store(a32, ref Unsafe.Add(ref g3, 2 * n));
        W.Store(a33, ref Unsafe.Add(ref g3, 3 * n));
    }

    /// <summary>Four rows of G × one register of columns (the panel's last columns).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile1<TV, W>(ref double x, int rows, int stride, ref double cx, ref double g)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref double g1 = ref Unsafe.Add(ref g, stride);
        ref double g2 = ref Unsafe.Add(ref g, 2 * stride);
        ref double g3 = ref Unsafe.Add(ref g, 3 * stride);
        TV a0 = W.Load(ref g), a1 = W.Load(ref g1), a2 = W.Load(ref g2), a3 = W.Load(ref g3);
        for (int i = 0; i < rows; i++)
        {
            TV xv = W.Load(ref Unsafe.Add(ref x, (nint)i * stride));
            ref double s = ref Unsafe.Add(ref cx, 4 * i);
            a0 = W.MultiplyAdd(W.Create(s), xv, a0);
            a1 = W.MultiplyAdd(W.Create(Unsafe.Add(ref s, 1)), xv, a1);
            a2 = W.MultiplyAdd(W.Create(Unsafe.Add(ref s, 2)), xv, a2);
            a3 = W.MultiplyAdd(W.Create(Unsafe.Add(ref s, 3)), xv, a3);
        }

        W.Store(a0, ref g);
        W.Store(a1, ref g1);
        W.Store(a2, ref g2);
        W.Store(a3, ref g3);
    }
}
