using System.Runtime.CompilerServices;
using FastLogReg.Numerics;

namespace FastLogReg.Kernels;

/// <summary>
/// Vectorized across rows: rₖ = sₖ·(σ(zₖ) − yₖ) in place of zₖ, while accumulating Σ sₖ·ℓₖ and Σ rₖ, with the stable
/// cross-entropy ℓ = (max(z,0) − y·z) + log1p(e^(−|z|)) (exact tail, no overflow, no log(p + ε) clamp).
/// One exp, one log1p and one division per row serve both σ and ℓ (see <see cref="SimdMath"/>).
/// </summary>
internal static class LogisticResiduals
{
    /// <summary>
    /// A padding lane that contributes exactly nothing without a weight: z = double.MaxValue, y = 1 gives
    /// ℓ = (MaxValue − MaxValue) + log1p(0) = 0 and r = σ(z) − 1 = 1 − 1 = 0.
    /// </summary>
    public const double PaddingMargin = double.MaxValue;

    /// <summary>
    /// Processes <paramref name="count"/> lanes (a multiple of <c>W.Count</c>). Replaces z with r. When
    /// <paramref name="weighted"/> is false, <paramref name="s"/> is not read and every row has weight 1; when
    /// <paramref name="classWeighted"/> is true, a row's weight is further multiplied by its class's weight.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Compute<TV, W>(ref double z, ref double y, ref double s, bool weighted, bool classWeighted, double classWeight0, double classWeight1, int count, ref TV lossSum, ref TV residualSum)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV one = W.Create(1.0);
        TV zero = W.Zero;
        TV cw0 = W.Create(classWeight0);
        TV cw1 = W.Create(classWeight1);
        for (int k = 0; k < count; k += W.Count)
        {
            ref double zk = ref Unsafe.Add(ref z, k);
            TV zv = W.Load(ref zk);
            TV yv = W.Load(ref Unsafe.Add(ref y, k));

            TV e = SimdMath.ExpNonPositive<TV, W>(W.Subtract(zero, W.Abs(zv)));
            TV u = W.Add(one, e);
            TV inverseU = W.Divide(one, u);
            TV loss = W.Add(W.Subtract(W.Max(zv, zero), W.Multiply(yv, zv)), SimdMath.Log1PUnit<TV, W>(e, u, inverseU));
            TV p = W.Multiply(W.Select(W.GreaterThanOrEqual(zv, zero), one, e), inverseU);
            TV r = W.Subtract(p, yv);
            if (weighted)
            {
                TV sv = W.Load(ref Unsafe.Add(ref s, k));
                if (classWeighted)
                {
                    sv = W.Multiply(sv, W.Select(W.EqualsMask(yv, one), cw1, cw0));
                }

                loss = W.Multiply(loss, sv);
                r = W.Multiply(r, sv);
            }

            lossSum = W.Add(lossSum, loss);
            residualSum = W.Add(residualSum, r);
            W.Store(r, ref zk);
        }
    }
}
