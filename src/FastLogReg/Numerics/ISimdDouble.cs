using System.Runtime.CompilerServices;

namespace FastLogReg.Numerics;

/// <summary>
/// One SIMD width for lanes of <see cref="double"/>: the kernels are written once, generic over this interface, and the
/// JIT specialises them per width (<see cref="Simd512"/>, <see cref="Simd256"/>, <see cref="Simd128"/>,
/// <see cref="SimdScalar"/>). Everything is a static abstract member, so nothing is virtual in the hot loops.
/// </summary>
/// <typeparam name="TV">The register type: <c>Vector512&lt;double&gt;</c>, <c>Vector256&lt;double&gt;</c>,
/// <c>Vector128&lt;double&gt;</c> or <see cref="double"/> itself for the scalar fallback.</typeparam>
/// <remarks>
/// Features may be <see cref="float"/> or <see cref="double"/>; <see cref="LoadWidened{T}"/> loads <see cref="Count"/>
/// elements of either and widens them, so all arithmetic (dot products, loss and gradient sums) runs in double.
/// A mask is a register whose lanes are all-ones bits (selected) or all-zero bits.
/// </remarks>
internal interface ISimdDouble<TV> where TV : struct
{
    /// <summary>Lanes per register.</summary>
    static abstract int Count { get; }

    /// <summary>All lanes zero.</summary>
    static abstract TV Zero { get; }

    /// <summary>All lanes equal to <paramref name="value"/>.</summary>
    static abstract TV Create(double value);

    /// <summary>Loads <see cref="Count"/> doubles.</summary>
    static abstract TV Load(ref double source);

    /// <summary>Loads <see cref="Count"/> elements of <typeparamref name="T"/> (float or double) as doubles.</summary>
    static abstract TV LoadWidened<T>(ref T source) where T : unmanaged;

    /// <summary>Stores <see cref="Count"/> doubles.</summary>
    static abstract void Store(TV value, ref double destination);

    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>a − b.</summary>
    static abstract TV Subtract(TV a, TV b);

    /// <summary>a · b.</summary>
    static abstract TV Multiply(TV a, TV b);

    /// <summary>a / b.</summary>
    static abstract TV Divide(TV a, TV b);

    /// <summary>a · b + c, fused where the hardware has FMA (results may differ in the last bit across hardware).</summary>
    static abstract TV MultiplyAdd(TV a, TV b, TV c);

    /// <summary>|a|.</summary>
    static abstract TV Abs(TV a);

    /// <summary>max(a, b) for non-NaN input.</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>
    /// p · 2ⁿ where n is the integer that <paramref name="shifted"/> = n + 1.5·2⁵² carries in its low mantissa bits
    /// (the "magic number" rounding); valid for −1076 ≤ n ≤ 0 and |p| &lt; 2, and rounds correctly into subnormals.
    /// </summary>
    static abstract TV ScaleByPowerOfTwo(TV p, TV shifted);

    /// <summary>Mask of lanes where a ≥ b.</summary>
    static abstract TV GreaterThanOrEqual(TV a, TV b);

    /// <summary>Mask of lanes where a = b.</summary>
    static abstract TV EqualsMask(TV a, TV b);

    /// <summary>Per lane: mask ? a : b.</summary>
    static abstract TV Select(TV mask, TV a, TV b);

    /// <summary>Bitwise a AND b (used to zero the lanes of a tail that were already processed).</summary>
    static abstract TV And(TV a, TV b);

    /// <summary>
    /// Sum of the lanes as a pairwise tree, ((a₀+a₁)+(a₂+a₃))+((a₄+a₅)+(a₆+a₇)) for 8 lanes — the same order in which
    /// <see cref="Sum8"/> reduces each of its registers, so that a row's dot product is bit-identical alone or in a block.
    /// </summary>
    static abstract double Sum(TV a);

    /// <summary>
    /// destination[k] = <see cref="Sum"/>(aₖ) + bias for eight registers at once, by a transposing reduction (about 21
    /// shuffles and adds for eight 8-lane registers instead of 8 separate horizontal sums).
    /// </summary>
    static abstract void Sum8(TV a0, TV a1, TV a2, TV a3, TV a4, TV a5, TV a6, TV a7, double bias, ref double destination);

    /// <summary>A mask selecting the last <paramref name="count"/> lanes (0 ≤ count ≤ <see cref="Count"/>).</summary>
    static abstract TV LastLanesMask(int count);
}

/// <summary>What all widths share.</summary>
internal static class SimdFallback
{
    /// <summary>
    /// destination[k] = W.Sum(aₖ) + bias one register at a time: <see cref="ISimdDouble{TV}.Sum8"/> where the width's
    /// shuffle instructions are not available (the lane order is the same, so the results are too).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static void Sum8<TV, W>(TV a0, TV a1, TV a2, TV a3, TV a4, TV a5, TV a6, TV a7, double bias, ref double destination)
        where TV : struct
        where W : ISimdDouble<TV>
    {
        destination = W.Sum(a0) + bias;
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, 1) = W.Sum(a1) + bias;
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, 2) = W.Sum(a2) + bias;
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, 3) = W.Sum(a3) + bias;
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, 4) = W.Sum(a4) + bias;
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, 5) = W.Sum(a5) + bias;
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, 6) = W.Sum(a6) + bias;
        System.Runtime.CompilerServices.Unsafe.Add(ref destination, 7) = W.Sum(a7) + bias;
    }
}
