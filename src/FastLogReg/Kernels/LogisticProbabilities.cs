using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// pᵢ = σ(zᵢ) in place, with e = exp(−|z|): σ = 1/(1+e) for z ≥ 0, e/(1+e) for z &lt; 0 — exact in the tails, no
/// overflow. Every value, a batch's last few included, goes through the same full-register code at the widest width, so
/// a probability does not depend on where in a batch (or whether in a batch) its row is: one row and a batch of a
/// million give the same bits.
/// </summary>
internal static class LogisticProbabilities
{
    /// <summary>Replaces each decision value by its probability.</summary>
    public static void Apply(Span<double> z)
    {
        switch (SimdWidthSelector.Widest)
        {
            case SimdWidth.Vector512:
                Apply<Vector512<double>, Simd512>(z);
                break;
            case SimdWidth.Vector256:
                Apply<Vector256<double>, Simd256>(z);
                break;
            case SimdWidth.Vector128:
                Apply<Vector128<double>, Simd128>(z);
                break;
            default:
                Apply<double, SimdScalar>(z);
                break;
        }
    }

    /// <summary>σ(<paramref name="z"/>) for one value, bit-identical to <see cref="Apply(Span{double})"/>.</summary>
    public static double Of(double z)
    {
        Span<double> one = [z];
        Apply(one);
        return one[0];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply<TV, W>(Span<double> z)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        ref double z0 = ref MemoryMarshal.GetReference(z);
        int k = 0;
        for (; k + W.Count <= z.Length; k += W.Count)
        {
            ref double zk = ref Unsafe.Add(ref z0, k);
            W.Store(Sigmoid<TV, W>(W.Load(ref zk)), ref zk);
        }

        if (k < z.Length)
        {
            // The tail in a padded register: the same instructions as every full one.
            Span<double> tail = stackalloc double[8];
            z[k..].CopyTo(tail);
            ref double t = ref MemoryMarshal.GetReference(tail);
            W.Store(Sigmoid<TV, W>(W.Load(ref t)), ref t);
            tail[..(z.Length - k)].CopyTo(z[k..]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Sigmoid<TV, W>(TV z)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV one = W.Create(1.0);
        TV e = SimdMath.ExpNonPositive<TV, W>(W.Subtract(W.Zero, W.Abs(z)));
        return W.Divide(W.Select(W.GreaterThanOrEqual(z, W.Zero), one, e), W.Add(one, e));
    }
}
