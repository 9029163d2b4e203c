using System.Runtime.CompilerServices;

namespace FastLogReg.Numerics;

/// <summary>
/// The two transcendental functions the loss needs, inlined and written for exactly the domain it uses, so that one
/// register of rows costs a few dozen instructions instead of two calls to the runtime's general vector exp and log:
/// <list type="bullet">
/// <item>e = exp(x) for x ≤ 0 (x = −|z|), e ∈ [0, 1]: Cody–Waite reduction x = n·ln2 + r, |r| ≤ ln2/2, and the Taylor
/// polynomial of degree 13 (truncation error &lt; 5·10⁻¹⁸ relative), scaled by 2ⁿ through the exponent bits.</item>
/// <item>log1p(e) for e ∈ [0, 1]: u = 1 + e reduced to m ∈ [√2/2, √2), log m by the classic fdlibm (Sun, 1993)
/// rational scheme with s = f/(2+f), plus the exact rounding error of 1 + e divided by u — which σ needs anyway.</item>
/// </list>
/// Both are within a few ulps of the correctly rounded result (tested against <see cref="Math"/>).
/// </summary>
internal static class SimdMath
{
    /// <summary>1.5·2⁵²: adding it rounds a double of magnitude &lt; 2⁵¹ to an integer held in the low mantissa bits.</summary>
    public const double Shift = 6755399441055744.0;

    /// <summary>The bit pattern of <see cref="Shift"/>.</summary>
    public const long ShiftBits = 0x4338000000000000;

    /// <summary>Exponent bias 1023 plus the 600 that keeps 2^(n+600) normal for n ≥ −1076.</summary>
    public const long ScaleBias = 1023 + 600;

    /// <summary>2⁻⁶⁰⁰.</summary>
    public const double TwoToMinus600 = 2.409919865102884e-181;

    private const double InvLn2 = 1.4426950408889634;
    private const double Ln2Hi = 6.93147180369123816490e-01; // 0x3FE62E42FEE00000: trailing zeros make n·Ln2Hi exact
    private const double Ln2Lo = 1.90821492927058770002e-10;
    private const double Sqrt2 = 1.4142135623730951;

    // fdlibm e_log.c: log(1+f) = f − hfsq + s·(hfsq + R(s²)), s = f/(2+f), R a minimax polynomial (error < 2⁻⁵⁸·⁴⁵).
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;

    /// <summary>eˣ for x ≤ 0 (any x below −746 gives exactly 0).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV ExpNonPositive<TV, W>(TV x)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        x = W.Max(x, W.Create(-746.0));
        TV shifted = W.MultiplyAdd(x, W.Create(InvLn2), W.Create(Shift));
        TV n = W.Subtract(shifted, W.Create(Shift));
        TV r = W.MultiplyAdd(n, W.Create(-Ln2Hi), x);
        r = W.MultiplyAdd(n, W.Create(-Ln2Lo), r);

        // Σ_{k=0}^{13} rᵏ/k! = 1 + (r + r²·P(r)), P(r) = Σ_{k=0}^{11} rᵏ/(k+2)! in Estrin's scheme (pairs in r, then in
        // r², r⁴, r⁸): six dependent steps instead of Horner's fourteen — the block's few registers of rows leave the
        // chain's latency exposed — with the large terms added last, so the result keeps Horner's accuracy.
        TV r2 = W.Multiply(r, r);
        TV r4 = W.Multiply(r2, r2);
        TV r8 = W.Multiply(r4, r4);
        TV q0 = W.MultiplyAdd(r, W.Create(1.0 / 6.0), W.Create(0.5));
        TV q1 = W.MultiplyAdd(r, W.Create(1.0 / 120.0), W.Create(1.0 / 24.0));
        TV q2 = W.MultiplyAdd(r, W.Create(1.0 / 5040.0), W.Create(1.0 / 720.0));
        TV q3 = W.MultiplyAdd(r, W.Create(1.0 / 362880.0), W.Create(1.0 / 40320.0));
        TV q4 = W.MultiplyAdd(r, W.Create(1.0 / 39916800.0), W.Create(1.0 / 3628800.0));
        TV q5 = W.MultiplyAdd(r, W.Create(1.0 / 6227020800.0), W.Create(1.0 / 479001600.0));
        TV s0 = W.MultiplyAdd(q1, r2, q0);
        TV s1 = W.MultiplyAdd(q3, r2, q2);
        TV s2 = W.MultiplyAdd(q5, r2, q4);
        TV poly = W.MultiplyAdd(s2, r8, W.MultiplyAdd(s1, r4, s0));
        TV p = W.Add(W.Create(1.0), W.MultiplyAdd(r2, poly, r));
        return W.ScaleByPowerOfTwo(p, shifted);
    }

    /// <summary>log(1 + e) for e ∈ [0, 1], given u = 1 + e (rounded) and <paramref name="inverseU"/> = 1/u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Log1PUnit<TV, W>(TV e, TV u, TV inverseU)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        TV one = W.Create(1.0);
        TV big = W.GreaterThanOrEqual(u, W.Create(Sqrt2));
        TV m = W.Select(big, W.Multiply(u, W.Create(0.5)), u); // u = m·2ᵏ, k ∈ {0, 1}, m ∈ [√2/2, √2)
        TV k = W.And(big, one);
        TV f = W.Subtract(m, one);                             // exact (Sterbenz)
        TV s = W.Divide(f, W.Add(W.Create(2.0), f));
        TV z = W.Multiply(s, s);
        TV w = W.Multiply(z, z);
        TV t1 = W.Multiply(w, W.MultiplyAdd(w, W.MultiplyAdd(w, W.Create(Lg6), W.Create(Lg4)), W.Create(Lg2)));
        TV t2 = W.Multiply(z, W.MultiplyAdd(w, W.MultiplyAdd(w, W.MultiplyAdd(w, W.Create(Lg7), W.Create(Lg5)), W.Create(Lg3)), W.Create(Lg1)));
        TV r = W.Add(t2, t1);
        TV hfsq = W.Multiply(W.Multiply(W.Create(0.5), f), f);

        // log u = k·ln2hi − ((hfsq − (s·(hfsq + R) + k·ln2lo)) − f)
        TV inner = W.MultiplyAdd(k, W.Create(Ln2Lo), W.Multiply(s, W.Add(hfsq, r)));
        TV logU = W.Subtract(W.Multiply(k, W.Create(Ln2Hi)), W.Subtract(W.Subtract(hfsq, inner), f));

        // log(1 + e) = log u + log(1 + c/u) ≈ log u + c/u, with c = e − (u − 1) the exact rounding error of 1 + e.
        TV c = W.Subtract(e, W.Subtract(u, one));
        return W.MultiplyAdd(c, inverseU, logU);
    }
}
