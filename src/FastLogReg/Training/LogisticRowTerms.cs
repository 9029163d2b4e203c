using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Numerics;

namespace FastLogReg.Training;

/// <summary>
/// The per-row work of coordinate descent on its margins z (double, one entry per row): the residuals and curvatures at
/// an iterate, and the loss at a trial step — vectorized over rows with the kernels' exp and log1p
/// (<see cref="SimdMath"/>; one exp, one log1p and one division per row), at <see cref="SimdWidthSelector.Widest"/>;
/// the tail rows take the same arithmetic one lane wide. On small data these rows, not the column sweeps, were 40% of a
/// path's time while they called the runtime's scalar exp and log.
/// </summary>
internal static class LogisticRowTerms
{
    /// <summary>rᵢ = sᵢ(σ(zᵢ) − yᵢ) and Dᵢ = sᵢσ(zᵢ)(1 − σ(zᵢ)); returns (Σ r, Σ D).</summary>
    public static (double SumR, double SumD) Residuals(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> s, Span<double> r, Span<double> curvature) => SimdWidthSelector.Widest switch
    {
        SimdWidth.Vector512 => Residuals<Vector512<double>, Simd512>(z, y, s, r, curvature),
        SimdWidth.Vector256 => Residuals<Vector256<double>, Simd256>(z, y, s, r, curvature),
        SimdWidth.Vector128 => Residuals<Vector128<double>, Simd128>(z, y, s, r, curvature),
        _ => Residuals<double, SimdScalar>(z, y, s, r, curvature),
    };

    /// <summary>Σ sᵢ ℓ(zᵢ, yᵢ), the stable cross-entropy.</summary>
    public static double Loss(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> s) => SimdWidthSelector.Widest switch
    {
        SimdWidth.Vector512 => StepLoss<Vector512<double>, Simd512>(z, z, 0, 0, y, s, [], moved: false),
        SimdWidth.Vector256 => StepLoss<Vector256<double>, Simd256>(z, z, 0, 0, y, s, [], moved: false),
        SimdWidth.Vector128 => StepLoss<Vector128<double>, Simd128>(z, z, 0, 0, y, s, [], moved: false),
        _ => StepLoss<double, SimdScalar>(z, z, 0, 0, y, s, [], moved: false),
    };

    /// <summary>z′ᵢ = zᵢ + β(xdᵢ + offset) into <paramref name="moved"/>; returns Σ sᵢ ℓ(z′ᵢ, yᵢ).</summary>
    public static double StepLoss(ReadOnlySpan<double> z, ReadOnlySpan<double> xd, double offset, double beta, ReadOnlySpan<double> y, ReadOnlySpan<double> s, Span<double> moved) => SimdWidthSelector.Widest switch
    {
        SimdWidth.Vector512 => StepLoss<Vector512<double>, Simd512>(z, xd, offset, beta, y, s, moved, moved: true),
        SimdWidth.Vector256 => StepLoss<Vector256<double>, Simd256>(z, xd, offset, beta, y, s, moved, moved: true),
        SimdWidth.Vector128 => StepLoss<Vector128<double>, Simd128>(z, xd, offset, beta, y, s, moved, moved: true),
        _ => StepLoss<double, SimdScalar>(z, xd, offset, beta, y, s, moved, moved: true),
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (double SumR, double SumD) Residuals<TV, W>(ReadOnlySpan<double> z, ReadOnlySpan<double> y, ReadOnlySpan<double> s, Span<double> r, Span<double> curvature)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int i = 0, n = z.Length;
        ref double z0 = ref MemoryMarshal.GetReference(z), y0 = ref MemoryMarshal.GetReference(y), s0 = ref MemoryMarshal.GetReference(s);
        ref double r0 = ref MemoryMarshal.GetReference(r), c0 = ref MemoryMarshal.GetReference(curvature);
        TV sumR = W.Zero, sumD = W.Zero;
        for (; i <= n - W.Count; i += W.Count)
        {
            (TV rv, TV dv) = Residual<TV, W>(W.Load(ref Unsafe.Add(ref z0, i)), W.Load(ref Unsafe.Add(ref y0, i)), W.Load(ref Unsafe.Add(ref s0, i)));
            W.Store(rv, ref Unsafe.Add(ref r0, i));
            W.Store(dv, ref Unsafe.Add(ref c0, i));
            sumR = W.Add(sumR, rv);
            sumD = W.Add(sumD, dv);
        }

        double totalR = W.Sum(sumR), totalD = W.Sum(sumD);
        for (; i < n; i++)
        {
            (double rv, double dv) = Residual<double, SimdScalar>(z[i], y[i], s[i]);
            r[i] = rv;
            curvature[i] = dv;
            totalR += rv;
            totalD += dv;
        }

        return (totalR, totalD);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double StepLoss<TV, W>(ReadOnlySpan<double> z, ReadOnlySpan<double> xd, double offset, double beta, ReadOnlySpan<double> y, ReadOnlySpan<double> s, Span<double> target, bool moved)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        int i = 0, n = z.Length;
        ref double z0 = ref MemoryMarshal.GetReference(z), xd0 = ref MemoryMarshal.GetReference(xd);
        ref double y0 = ref MemoryMarshal.GetReference(y), s0 = ref MemoryMarshal.GetReference(s), t0 = ref MemoryMarshal.GetReference(target);
        TV vOffset = W.Create(offset), vBeta = W.Create(beta), sum = W.Zero;
        for (; i <= n - W.Count; i += W.Count)
        {
            TV zv = W.Load(ref Unsafe.Add(ref z0, i));
            if (moved)
            {
                zv = W.MultiplyAdd(vBeta, W.Add(W.Load(ref Unsafe.Add(ref xd0, i)), vOffset), zv);
                W.Store(zv, ref Unsafe.Add(ref t0, i));
            }

            sum = W.MultiplyAdd(W.Load(ref Unsafe.Add(ref s0, i)), CrossEntropy<TV, W>(zv, W.Load(ref Unsafe.Add(ref y0, i))), sum);
        }

        double total = W.Sum(sum);
        for (; i < n; i++)
        {
            double zi = z[i];
            if (moved)
            {
                zi = Math.FusedMultiplyAdd(beta, xd[i] + offset, zi);
                target[i] = zi;
            }

            total = Math.FusedMultiplyAdd(s[i], CrossEntropy<double, SimdScalar>(zi, y[i]), total);
        }

        return total;
    }

    /// <summary>(s(σ(z) − y), s·σ(z)(1 − σ(z))) with e = e^(−|z|): σ = (z ≥ 0 ? 1 : e)/(1 + e) and σ(1 − σ) = e/(1 + e)².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (TV Residual, TV Curvature) Residual<TV, W>(TV z, TV y, TV s)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV one = W.Create(1.0);
        TV e = SimdMath.ExpNonPositive<TV, W>(W.Subtract(W.Zero, W.Abs(z)));
        TV inverseU = W.Divide(one, W.Add(one, e));
        TV p = W.Multiply(W.Select(W.GreaterThanOrEqual(z, W.Zero), one, e), inverseU);
        TV curvature = W.Multiply(W.Multiply(e, inverseU), inverseU);
        return (W.Multiply(s, W.Subtract(p, y)), W.Multiply(s, curvature));
    }

    /// <summary>(max(z, 0) − y·z) + log1p(e^(−|z|)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV CrossEntropy<TV, W>(TV z, TV y)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV one = W.Create(1.0);
        TV e = SimdMath.ExpNonPositive<TV, W>(W.Subtract(W.Zero, W.Abs(z)));
        TV u = W.Add(one, e);
        return W.Add(W.Subtract(W.Max(z, W.Zero), W.Multiply(y, z)), SimdMath.Log1PUnit<TV, W>(e, u, W.Divide(one, u)));
    }
}
