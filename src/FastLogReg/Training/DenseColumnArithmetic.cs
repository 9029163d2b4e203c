using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Numerics;

namespace FastLogReg.Training;

/// <summary>
/// The vector loops of coordinate descent over one dense column of its column copy (double): each written once, generic
/// over <see cref="ISimdDouble{TV}"/>, and run at <see cref="SimdWidthSelector.Widest"/> as the kernels are (so
/// <c>FASTLOGREG_MAX_SIMD_WIDTH</c> caps them too); fully optimized on first use. The spans passed with a column are at
/// least as long as it.
/// </summary>
internal static class DenseColumnArithmetic
{
    /// <summary>(Σ rᵢ xᵢ, Σ cᵢ xᵢ, Σ cᵢ xᵢ²) of column x in one pass.</summary>
    public static (double Rx, double Cx, double Cxx) Sums(ReadOnlySpan<double> x, ReadOnlySpan<double> r, ReadOnlySpan<double> c) => SimdWidthSelector.Widest switch
    {
        SimdWidth.Vector512 => Sums<Vector512<double>, Simd512>(x, r, c),
        SimdWidth.Vector256 => Sums<Vector256<double>, Simd256>(x, r, c),
        SimdWidth.Vector128 => Sums<Vector128<double>, Simd128>(x, r, c),
        _ => Sums<double, SimdScalar>(x, r, c),
    };

    /// <summary>destination = c∘x; returns Σ cᵢxᵢ.</summary>
    public static double MultiplySum(ReadOnlySpan<double> x, ReadOnlySpan<double> c, Span<double> destination) => SimdWidthSelector.Widest switch
    {
        SimdWidth.Vector512 => MultiplySum<Vector512<double>, Simd512>(x, c, destination),
        SimdWidth.Vector256 => MultiplySum<Vector256<double>, Simd256>(x, c, destination),
        SimdWidth.Vector128 => MultiplySum<Vector128<double>, Simd128>(x, c, destination),
        _ => MultiplySum<double, SimdScalar>(x, c, destination),
    };

    /// <summary>Σ xᵢ vᵢ.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> v) => SimdWidthSelector.Widest switch
    {
        SimdWidth.Vector512 => Dot<Vector512<double>, Simd512>(x, v),
        SimdWidth.Vector256 => Dot<Vector256<double>, Simd256>(x, v),
        SimdWidth.Vector128 => Dot<Vector128<double>, Simd128>(x, v),
        _ => Dot<double, SimdScalar>(x, v),
    };

    /// <summary>(Σ aᵢxᵢ, Σ bᵢxᵢ, Σ cᵢxᵢ, Σ dᵢxᵢ): four dot products with x in one pass over it.</summary>
    public static (double A, double B, double C, double D) Dot4(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, ReadOnlySpan<double> d, ReadOnlySpan<double> x) => SimdWidthSelector.Widest switch
    {
        SimdWidth.Vector512 => Dot4<Vector512<double>, Simd512>(a, b, c, d, x),
        SimdWidth.Vector256 => Dot4<Vector256<double>, Simd256>(a, b, c, d, x),
        SimdWidth.Vector128 => Dot4<Vector128<double>, Simd128>(a, b, c, d, x),
        _ => Dot4<double, SimdScalar>(a, b, c, d, x),
    };

    /// <summary>target += a·x.</summary>
    public static void AddScaled(ReadOnlySpan<double> x, double a, Span<double> target)
    {
        switch (SimdWidthSelector.Widest)
        {
            case SimdWidth.Vector512: AddScaled<Vector512<double>, Simd512>(x, a, target); break;
            case SimdWidth.Vector256: AddScaled<Vector256<double>, Simd256>(x, a, target); break;
            case SimdWidth.Vector128: AddScaled<Vector128<double>, Simd128>(x, a, target); break;
            default: AddScaled<double, SimdScalar>(x, a, target); break;
        }
    }

    /// <summary>xd += a·x and cxd += c∘(a·x), in one pass.</summary>
    public static void AddScaled(ReadOnlySpan<double> x, double a, ReadOnlySpan<double> c, Span<double> xd, Span<double> cxd)
    {
        switch (SimdWidthSelector.Widest)
        {
            case SimdWidth.Vector512: AddScaled<Vector512<double>, Simd512>(x, a, c, xd, cxd); break;
            case SimdWidth.Vector256: AddScaled<Vector256<double>, Simd256>(x, a, c, xd, cxd); break;
            case SimdWidth.Vector128: AddScaled<Vector128<double>, Simd128>(x, a, c, xd, cxd); break;
            default: AddScaled<double, SimdScalar>(x, a, c, xd, cxd); break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double Rx, double Cx, double Cxx) Sums<TV, W>(ReadOnlySpan<double> x, ReadOnlySpan<double> r, ReadOnlySpan<double> c)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        // Two registers of each sum (even and odd vectors), so that six multiply-add chains overlap: one set of three
        // waited on its own additions (a path's KKT sweeps over short columns were bound by that latency).
        int i = 0, n = x.Length;
        ref double x0 = ref MemoryMarshal.GetReference(x), r0 = ref MemoryMarshal.GetReference(r), c0 = ref MemoryMarshal.GetReference(c);
        TV vrx = W.Zero, vcx = W.Zero, vcxx = W.Zero, vrx1 = W.Zero, vcx1 = W.Zero, vcxx1 = W.Zero;
        for (; i <= n - (2 * W.Count); i += 2 * W.Count)
        {
            TV xv = W.Load(ref Unsafe.Add(ref x0, i));
            TV cv = W.Multiply(W.Load(ref Unsafe.Add(ref c0, i)), xv);
            vrx = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref r0, i)), xv, vrx);
            vcx = W.Add(vcx, cv);
            vcxx = W.MultiplyAdd(cv, xv, vcxx);
            TV xv1 = W.Load(ref Unsafe.Add(ref x0, i + W.Count));
            TV cv1 = W.Multiply(W.Load(ref Unsafe.Add(ref c0, i + W.Count)), xv1);
            vrx1 = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref r0, i + W.Count)), xv1, vrx1);
            vcx1 = W.Add(vcx1, cv1);
            vcxx1 = W.MultiplyAdd(cv1, xv1, vcxx1);
        }

        for (; i <= n - W.Count; i += W.Count)
        {
            TV xv = W.Load(ref Unsafe.Add(ref x0, i));
            TV cv = W.Multiply(W.Load(ref Unsafe.Add(ref c0, i)), xv);
            vrx = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref r0, i)), xv, vrx);
            vcx = W.Add(vcx, cv);
            vcxx = W.MultiplyAdd(cv, xv, vcxx);
        }

        double rx = W.Sum(W.Add(vrx, vrx1)), cx = W.Sum(W.Add(vcx, vcx1)), cxx = W.Sum(W.Add(vcxx, vcxx1));
        for (; i < n; i++)
        {
            double cv = c[i] * x[i];
            rx = Math.FusedMultiplyAdd(r[i], x[i], rx);
            cx += cv;
            cxx = Math.FusedMultiplyAdd(cv, x[i], cxx);
        }

        return (rx, cx, cxx);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double MultiplySum<TV, W>(ReadOnlySpan<double> x, ReadOnlySpan<double> c, Span<double> destination)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int i = 0, n = x.Length;
        ref double x0 = ref MemoryMarshal.GetReference(x), c0 = ref MemoryMarshal.GetReference(c), d0 = ref MemoryMarshal.GetReference(destination);
        TV sum = W.Zero, sum1 = W.Zero;
        for (; i <= n - (2 * W.Count); i += 2 * W.Count)
        {
            TV v = W.Multiply(W.Load(ref Unsafe.Add(ref c0, i)), W.Load(ref Unsafe.Add(ref x0, i)));
            TV v1 = W.Multiply(W.Load(ref Unsafe.Add(ref c0, i + W.Count)), W.Load(ref Unsafe.Add(ref x0, i + W.Count)));
            W.Store(v, ref Unsafe.Add(ref d0, i));
            W.Store(v1, ref Unsafe.Add(ref d0, i + W.Count));
            sum = W.Add(sum, v);
            sum1 = W.Add(sum1, v1);
        }

        for (; i <= n - W.Count; i += W.Count)
        {
            TV v = W.Multiply(W.Load(ref Unsafe.Add(ref c0, i)), W.Load(ref Unsafe.Add(ref x0, i)));
            W.Store(v, ref Unsafe.Add(ref d0, i));
            sum = W.Add(sum, v);
        }

        double total = W.Sum(W.Add(sum, sum1));
        for (; i < n; i++)
        {
            destination[i] = c[i] * x[i];
            total += destination[i];
        }

        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double Dot<TV, W>(ReadOnlySpan<double> x, ReadOnlySpan<double> v)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int i = 0, n = x.Length;
        ref double x0 = ref MemoryMarshal.GetReference(x), v0 = ref MemoryMarshal.GetReference(v);
        TV sum = W.Zero, sum1 = W.Zero;
        for (; i <= n - (2 * W.Count); i += 2 * W.Count)
        {
            sum = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref x0, i)), W.Load(ref Unsafe.Add(ref v0, i)), sum);
            sum1 = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref x0, i + W.Count)), W.Load(ref Unsafe.Add(ref v0, i + W.Count)), sum1);
        }

        for (; i <= n - W.Count; i += W.Count)
        {
            sum = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref x0, i)), W.Load(ref Unsafe.Add(ref v0, i)), sum);
        }

        double dot = W.Sum(W.Add(sum, sum1));
        for (; i < n; i++)
        {
            dot += x[i] * v[i];
        }

        return dot;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double A, double B, double C, double D) Dot4<TV, W>(ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> c, ReadOnlySpan<double> d, ReadOnlySpan<double> x)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int i = 0, n = x.Length;
        ref double a0 = ref MemoryMarshal.GetReference(a), b0 = ref MemoryMarshal.GetReference(b), c0 = ref MemoryMarshal.GetReference(c);
        ref double d0 = ref MemoryMarshal.GetReference(d), x0 = ref MemoryMarshal.GetReference(x);
        TV sa = W.Zero, sb = W.Zero, sc = W.Zero, sd = W.Zero;
        for (; i <= n - W.Count; i += W.Count)
        {
            TV xv = W.Load(ref Unsafe.Add(ref x0, i));
            sa = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref a0, i)), xv, sa);
            sb = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref b0, i)), xv, sb);
            sc = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref c0, i)), xv, sc);
            sd = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref d0, i)), xv, sd);
        }

        double ra = W.Sum(sa), rb = W.Sum(sb), rc = W.Sum(sc), rd = W.Sum(sd);
        for (; i < n; i++)
        {
            ra += a[i] * x[i];
            rb += b[i] * x[i];
            rc += c[i] * x[i];
            rd += d[i] * x[i];
        }

        return (ra, rb, rc, rd);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled<TV, W>(ReadOnlySpan<double> x, double a, Span<double> target)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int i = 0, n = x.Length;
        ref double x0 = ref MemoryMarshal.GetReference(x), t0 = ref MemoryMarshal.GetReference(target);
        TV va = W.Create(a);
        for (; i <= n - W.Count; i += W.Count)
        {
            ref double t = ref Unsafe.Add(ref t0, i);
            W.Store(W.Add(W.Load(ref t), W.Multiply(va, W.Load(ref Unsafe.Add(ref x0, i)))), ref t);
        }

        for (; i < n; i++)
        {
            target[i] += a * x[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddScaled<TV, W>(ReadOnlySpan<double> x, double a, ReadOnlySpan<double> c, Span<double> xd, Span<double> cxd)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int i = 0, n = x.Length;
        ref double x0 = ref MemoryMarshal.GetReference(x), c0 = ref MemoryMarshal.GetReference(c);
        ref double xd0 = ref MemoryMarshal.GetReference(xd), cxd0 = ref MemoryMarshal.GetReference(cxd);
        TV va = W.Create(a);
        for (; i <= n - W.Count; i += W.Count)
        {
            TV delta = W.Multiply(va, W.Load(ref Unsafe.Add(ref x0, i)));
            ref double d = ref Unsafe.Add(ref xd0, i);
            ref double cd = ref Unsafe.Add(ref cxd0, i);
            W.Store(W.Add(W.Load(ref d), delta), ref d);
            W.Store(W.Add(W.Load(ref cd), W.Multiply(W.Load(ref Unsafe.Add(ref c0, i)), delta)), ref cd);
        }

        for (; i < n; i++)
        {
            double delta = a * x[i];
            xd[i] += delta;
            cxd[i] += c[i] * delta;
        }
    }
}
