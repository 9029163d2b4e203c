using System.Runtime.CompilerServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// Vectorized across rows: rₖ = sₖ·(σ(zₖ) − yₖ) in place of zₖ, while accumulating Σ sₖ·ℓₖ and Σ rₖ, with the stable
/// cross-entropy ℓ = (max(z,0) − y·z) + log1p(e^(−|z|)) (exact tail, no overflow, no log(p + ε) clamp).
/// One exp and one log per row serve both σ and ℓ.
/// </summary>
internal static class LogisticResiduals
{
    /// <summary>
    /// Processes <paramref name="count"/> lanes (a multiple of <c>W.Count</c>; padding lanes carry s = 0 and contribute
    /// nothing). Replaces z with r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute<TV, W>(ref double z, ref double y, ref double s, int count, ref TV lossSum, ref TV residualSum)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV one = W.Create(1.0);
        TV zero = W.Zero;
        for (int k = 0; k < count; k += W.Count)
        {
            ref double zk = ref Unsafe.Add(ref z, k);
            TV zv = W.Load(ref zk);
            TV yv = W.Load(ref Unsafe.Add(ref y, k));
            TV sv = W.Load(ref Unsafe.Add(ref s, k));

            TV e = W.Exp(W.Subtract(zero, W.Abs(zv)));
            TV loss = W.Add(W.Subtract(W.Max(zv, zero), W.Multiply(yv, zv)), SimdHelpers.Log1P<TV, W>(e));
            TV p = W.Divide(W.Select(W.GreaterThanOrEqual(zv, zero), one, e), W.Add(one, e));
            TV r = W.Multiply(W.Subtract(p, yv), sv);

            lossSum = W.MultiplyAdd(loss, sv, lossSum);
            residualSum = W.Add(residualSum, r);
            W.Store(r, ref zk);
        }
    }
}
